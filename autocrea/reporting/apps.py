from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

# The apps whose rows the facts are computed from (reporting/facts.py); saves elsewhere (audit trail,
# sessions, users, the task queue, the summaries themselves) change no figure.
_FACT_APPS = {"pathways", "coaching", "jobseekers", "reference"}


def _data_changed(sender: Any, **kwargs: Any) -> None:
    from autocrea.reporting import summaries

    if sender._meta.app_label in _FACT_APPS:
        summaries.mark_changed()


def _flags_edited(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """An exit kind's positive or job-creation flag is changing: refresh the summaries once this commits."""
    if raw or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values("is_positive", "is_job_creation").first()
    if before is not None and before != {
        "is_positive": instance.is_positive,
        "is_job_creation": instance.is_job_creation,
    }:
        _refresh_on_commit()


def _reference_deleted(sender: Any, **kwargs: Any) -> None:
    """A reference row the facts group by is gone (its trajectories' groups change): refresh after commit."""
    _refresh_on_commit()


def _refresh_on_commit() -> None:
    from autocrea.reporting import tasks

    transaction.on_commit(tasks.refresh_soon)


class ReportingConfig(AppConfig):
    name = "autocrea.reporting"

    def ready(self) -> None:
        from autocrea.reference.models import BarrierCode, Commune, ExitKind

        # The facts depend on the exit kinds' flags (closures, equity exits) and on the barrier codes and
        # communes people are grouped by. The programme's period and targets and the partners' quotas are
        # read when the figures are read, never stored in the summaries: nothing to refresh for them.
        pre_save.connect(_flags_edited, sender=ExitKind, dispatch_uid="reporting_exit_flags")
        for model in (ExitKind, BarrierCode, Commune):
            post_delete.connect(_reference_deleted, sender=model, dispatch_uid=f"reporting_deleted_{model.__name__}")
        if settings.SUMMARIES_REFRESH_ON_READ:  # development and tests only (reporting/summaries.py)
            for signal in (post_save, post_delete, m2m_changed):
                signal.connect(_data_changed, dispatch_uid=f"reporting_changed_{id(signal)}")
