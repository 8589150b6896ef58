"""The checks every service on a guided person's file shares: a partner accompanies them, lock, version bump."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import GUIDED_STEPS
from autocrea.pathways import services as pathways
from autocrea.pathways.models import Trajectory


def ensure_guided(trajectory: Trajectory) -> int:
    """Refuse unless a partner accompanies the person now; return that partner's id."""
    if trajectory.current_step not in GUIDED_STEPS or trajectory.partner_id is None:
        raise PathwayError(_("This person is not being accompanied by a partner at the moment."))
    return trajectory.partner_id


def touch(trajectory: Trajectory) -> None:
    # Bump the version like every pathway service: a second submit of the same form is then refused as stale.
    Trajectory.objects.filter(pk=trajectory.pk).update(last_activity_at=timezone.now(), version=F("version") + 1)


def locked_guided(trajectory: Trajectory, version: int | None) -> Trajectory:
    """Re-read the trajectory under a row lock, refuse a stale version, and check a partner accompanies it."""
    fresh = pathways.lock_trajectory(trajectory, version)
    ensure_guided(fresh)
    return fresh
