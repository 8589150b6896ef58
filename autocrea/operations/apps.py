from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "autocrea.operations"
    verbose_name = "Operations (backup, restore, drill)"
