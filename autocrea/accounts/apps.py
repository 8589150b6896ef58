from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "autocrea.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Connects the signal that records when a person signed in (absolute session timeout).
        from autocrea.accounts import middleware  # noqa: F401
