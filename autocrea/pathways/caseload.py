"""Caseload writes: hand a partner's trajectories to one of its coaches in one go."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.access import may_assign_coaches, may_be_assigned_files
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import CLOSED_STEPS
from autocrea.pathways.models import Trajectory


@transaction.atomic
def assign_coach(*, trajectories: Iterable[Trajectory], coach: Any, by: Any) -> int:
    """Assign `coach` to every trajectory, all or none; return how many were assigned.

    Refuses the whole batch when `by` is not partner staff, when the coach is not an active coach
    of `by`'s partner, or when any trajectory is closed or oriented to another partner.
    """
    partner_id = getattr(by, "partner_id", None)
    if not may_assign_coaches(by):
        raise PathwayError(_("Only the staff of a partner can assign its coaches."))
    if not may_be_assigned_files(coach, partner_id):
        raise PathwayError(_("Choose a coach of your own organisation."))
    ids = {t.pk for t in trajectories}
    if not ids:
        raise PathwayError(_("Select at least one person."))
    # Lock the rows so that a concurrent re-orientation cannot slip a foreign file into the batch.
    allowed = list(
        Trajectory.objects.select_for_update()
        .filter(pk__in=ids, partner_id=partner_id)
        .exclude(current_step__in=CLOSED_STEPS)
        .order_by("pk")
    )
    if len(allowed) != len(ids):
        raise PathwayError(_("Some selected files are not open files of your organisation: nothing was changed."))
    # Handing a file over is not activity with the person: a stalled file stays on the stalled list.
    Trajectory.objects.filter(pk__in=ids).update(coach=coach, version=F("version") + 1)
    for trajectory in allowed:
        audit.record(user=by, action="assign_coach", obj=trajectory)
    return len(allowed)
