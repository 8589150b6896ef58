from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The job seeker's screens and the public pages about the programme."""

    name = "autocrea.portal"
    label = "portal"
    verbose_name = _("Job-seeker portal")
    default_auto_field = "django.db.models.BigAutoField"
