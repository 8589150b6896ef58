from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobseekersConfig(AppConfig):
    name = "autocrea.jobseekers"
    verbose_name = _("Job seekers")
