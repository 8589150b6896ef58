from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataRightsConfig(AppConfig):
    """Data rights (GDPR): correction requests and the subject-access export, for the portal and the workspace."""

    name = "autocrea.datarights"
    label = "datarights"
    verbose_name = _("Data rights")
    default_auto_field = "django.db.models.BigAutoField"
