"""Database rules a service may run into when two writers race, turned into the services' own refusals;
and the one way batches take row locks (lock_in_pk_order).

The services check "one open trajectory per person" first and refuse with a plain message; the
partial unique constraint on Trajectory (models.OPEN_TRAJECTORY_CONSTRAINT) is what holds when two
transactions both pass that check at the same time. Whichever commits second gets an IntegrityError,
which `opening_trajectory` turns into the same translated PathwayError, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from autocrea.backbone.errors import PathwayError
from autocrea.pathways.models import OPEN_TRAJECTORY_CONSTRAINT


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


def lock_in_pk_order(model: type[models.Model], pks: Iterable[Any]) -> list[Any]:
    """Lock the rows of `model` with these primary keys, in primary-key order; return the keys found.

    One order everywhere, so that two transactions locking the same rows given in opposite orders
    wait for each other instead of deadlocking. The lock query has no join on purpose: on PostgreSQL a
    locked row changed meanwhile (a merge moving a trajectory to the kept person) is re-checked against
    the joined rows read before the wait, and would seem to vanish. Read the rows with their relations
    after this call.
    """
    rows = model._default_manager.select_for_update().filter(pk__in=list(pks)).order_by("pk")
    return list(rows.values_list("pk", flat=True))
