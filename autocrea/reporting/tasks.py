"""Background tasks (django-tasks) that keep the summary counts fresh: run by `manage.py db_worker`.

`refresh_summaries(repeat=True)` rebuilds the counts and enqueues itself again SUMMARY_REFRESH_SECONDS
later (run_after): a chain started by `manage.py rebuild_summaries --schedule` (README, "Background
worker"). `refresh_soon()` enqueues one rebuild now, after a change to reference data the facts
depend on (reporting/apps.py). Never two pending refreshes of the same kind.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task, task_backends

from autocrea.reporting import summaries


@task()
def refresh_summaries(repeat: bool = False) -> int | None:
    """Rebuild the summary counts (None: another rebuild was running); then schedule the next one if `repeat`."""
    try:
        return summaries.rebuild()
    finally:
        if repeat:
            schedule(delay=settings.SUMMARY_REFRESH_SECONDS)


def _pending(repeat: bool) -> bool:
    """Whether a refresh of this kind is already waiting in the database queue."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task_backends["default"], DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        task_path=refresh_summaries.module_path, status="READY", args_kwargs__kwargs__repeat=repeat
    ).exists()


def schedule(*, delay: int) -> bool:
    """Enqueue the repeating refresh `delay` seconds from now unless one is pending; return whether enqueued.

    Backends that cannot defer (the immediate one) would run the chain forever at once: not scheduled there.
    """
    if not task_backends["default"].supports_defer or _pending(repeat=True):
        return False
    run_after = timezone.now() + datetime.timedelta(seconds=delay)
    refresh_summaries.using(run_after=run_after).enqueue(repeat=True)
    return True


def refresh_soon() -> None:
    """Enqueue one rebuild now (after a reference-data change) unless one is already waiting."""
    if not _pending(repeat=False):
        refresh_summaries.enqueue(repeat=False)
