"""Database rules a service may run into when two writers race, turned into the services' own refusals.

The services check "one open trajectory per person" first and refuse with a plain message; the
partial unique constraint on Trajectory (models.OPEN_TRAJECTORY_CONSTRAINT) is what holds when two
transactions both pass that check at the same time. Whichever commits second gets an IntegrityError,
which `opening_trajectory` turns into the same translated PathwayError, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from autocrea.pathways.models import OPEN_TRAJECTORY_CONSTRAINT
from autocrea.pathways.steps import PathwayError


def _is_open_trajectory_conflict(exc: IntegrityError) -> bool:
    # PostgreSQL names the constraint; SQLite names the indexed column of the partial unique index.
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return bool(diag.constraint_name == OPEN_TRAJECTORY_CONSTRAINT)
    text = str(exc)
    return OPEN_TRAJECTORY_CONSTRAINT in text or "pathways_trajectory.jobseeker_id" in text


@contextmanager
def opening_trajectory() -> Iterator[None]:
    """Run a write that may open a trajectory; a second open trajectory for the person is refused.

    The savepoint keeps the caller's transaction usable after the database refused the row.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if not _is_open_trajectory_conflict(exc):
            raise
        raise PathwayError(_("This person already has an open trajectory.")) from exc
