"""The diagnostic (which starts the accompaniment), skills assessments and the action plan."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.transitions import steps_for
from autocrea.coaching.models import SKILLS, Action, Diagnostic, Goal, SkillAssessment
from autocrea.coaching.services.guided import ensure_guided, locked_guided, touch
from autocrea.lib.dates import SCHEDULE
from autocrea.partners.activities import check_activity
from autocrea.pathways import services as pathways
from autocrea.pathways.models import Trajectory
from autocrea.pathways.services import ensure_can
from autocrea.reference.models import BarrierCode


@transaction.atomic
def record_diagnostic(
    *,
    trajectory: Trajectory,
    by: Any,
    on: datetime.date,
    barriers: Iterable[BarrierCode],
    maturity: str,
    viability: str,
    skills: dict[str, int],
    notes: str = "",
    version: int | None = None,
) -> Diagnostic:
    """Record the diagnostic with its skills baseline, and start the accompaniment."""
    ensure_can(by, "record_diagnostic", trajectory)
    if trajectory.current_step not in steps_for("record_diagnostic"):
        raise PathwayError(_("The diagnostic is recorded once the partner has accepted the person."))
    trajectory = pathways.start_accompaniment(trajectory=trajectory, by=by, on=on, version=version)
    diagnostic = Diagnostic.objects.create(
        trajectory=trajectory,
        partner_id=ensure_guided(trajectory),
        done_on=on,
        maturity=maturity,
        viability=viability,
        notes=notes,
        by=by,
    )
    diagnostic.barriers.set(list(barriers))
    assess_skills(trajectory=trajectory, by=by, on=on, scores=skills, is_baseline=True)
    return diagnostic


@transaction.atomic
def assess_skills(
    *,
    trajectory: Trajectory,
    by: Any,
    on: datetime.date,
    scores: dict[str, int],
    is_baseline: bool = False,
    version: int | None = None,
) -> SkillAssessment:
    """Record a skills assessment on the 1–4 scale."""
    ensure_can(by, "record_coaching", trajectory)
    trajectory = locked_guided(trajectory, version)
    if set(scores) != set(SKILLS) or any(not 1 <= int(v) <= 4 for v in scores.values()):
        raise PathwayError(_("Give every skill a score from 1 to 4."))
    if message := SCHEDULE.error(on):
        raise PathwayError(message)
    assessment = SkillAssessment.objects.create(
        trajectory=trajectory, assessed_on=on, is_baseline=is_baseline, by=by, **{k: int(v) for k, v in scores.items()}
    )
    touch(trajectory)
    return assessment


@transaction.atomic
def add_action(
    *,
    trajectory: Trajectory,
    by: Any,
    goal_title: str,
    title: str,
    owner: str,
    due_on: datetime.date,
    version: int | None = None,
    activity: Any = None,
) -> Action:
    """Add an action under a goal of the action plan (the goal is created when new).

    `activity`, when given, is an active activity of the trajectory's partner (partners/activities.py).
    """
    ensure_can(by, "record_coaching", trajectory)
    trajectory = locked_guided(trajectory, version)
    if not goal_title.strip() or not title.strip():
        raise PathwayError(_("Give the goal and the action."))
    if message := SCHEDULE.error(due_on):
        raise PathwayError(message)
    check_activity(activity, trajectory.partner_id)
    goal, _created = Goal.objects.get_or_create(trajectory=trajectory, title=goal_title.strip())
    action = Action.objects.create(goal=goal, title=title.strip(), owner=owner, due_on=due_on, activity=activity)
    touch(trajectory)
    audit.record(user=by, action="action:add", obj=trajectory)
    return action
