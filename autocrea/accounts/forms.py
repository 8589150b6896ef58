from typing import Any

from django.contrib.auth.forms import AuthenticationForm

from autocrea.lib.forms import style_widget


class LoginForm(AuthenticationForm):
    """The sign-in form with GOV.UK markup."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)
