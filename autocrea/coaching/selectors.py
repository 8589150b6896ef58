"""Reads of coaching records for the screens (selectors): the partner panel of a trajectory page.

The caller has already scoped the trajectory (accounts.access.get_trajectory_for) and accounts.access.coaching_records_for
says which coaching records the user may read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from autocrea.accounts.access import coaching_records_for
from autocrea.coaching.models import SKILLS, Action, SessionAttendance, SessionKind, SkillAssessment
from autocrea.pathways.models import Trajectory


def _signed(number: int) -> str:
    return f"+{number}" if number > 0 else (f"−{-number}" if number < 0 else "0")


def partner_panel_context(trajectory: Trajectory, *, user: Any) -> dict[str, Any]:
    """Return what the partner panel shows `user`, in a fixed number of queries whatever the amount of data.

    Diagnostics and sessions carry coaching notes: accounts.access.coaching_records_for says which are shown.
    """
    diagnostic = (
        coaching_records_for(user, trajectory, trajectory.diagnostics.all(), partner_field="partner_id")
        .prefetch_related("barriers")
        .order_by("-done_on", "-id")
        .first()
    )
    assessments = list(SkillAssessment.objects.filter(trajectory=trajectory).order_by("assessed_on", "id"))
    baseline = next((a for a in reversed(assessments) if a.is_baseline), assessments[0] if assessments else None)
    latest = assessments[-1] if assessments and assessments[-1] is not baseline else None
    skill_rows = []
    if baseline is not None:
        for name in SKILLS:
            before = getattr(baseline, name)
            after = getattr(latest, name) if latest else None
            skill_rows.append(
                {
                    "label": SkillAssessment._meta.get_field(name).verbose_name,
                    "baseline": before,
                    "latest": after,
                    "change": None if after is None else after - before,
                    "change_label": "" if after is None else _signed(after - before),
                }
            )
    goals = trajectory.goals.prefetch_related(
        Prefetch("actions", queryset=Action.objects.select_related("activity").order_by("due_on", "id"))
    )
    seats = coaching_records_for(
        user, trajectory, SessionAttendance.objects.filter(trajectory=trajectory), partner_field="session__partner_id"
    )
    attendances = (
        seats.filter(session__kind=SessionKind.INDIVIDUAL)
        .select_related("session__activity")
        .order_by("-session__starts_at")
    )
    collective = (
        seats.filter(session__kind=SessionKind.COLLECTIVE).select_related("session").order_by("-session__starts_at")
    )
    return {
        "trajectory": trajectory,
        "diagnostic": diagnostic,
        "collective_attendances": list(collective),
        "baseline": baseline,
        "latest": latest,
        "skill_rows": skill_rows,
        "goals": list(goals),
        "attendances": list(attendances),
        "milestones": list(trajectory.milestones.order_by("reached_on", "id")),
        "viability_tests": list(trajectory.viability_tests.order_by("starts_on", "id")),
        "today": timezone.localdate(),
        "now": timezone.now(),
    }
