"""The partner's work with a guided person: diagnostic, plan, sessions, milestones, viability tests."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.coaching.models import (
    SKILLS,
    Action,
    CoachingSession,
    Diagnostic,
    Goal,
    Milestone,
    MilestoneKind,
    SessionAttendance,
    SessionKind,
    SkillAssessment,
    ViabilityTest,
)
from autocrea.pathways import services as pathways
from autocrea.pathways.models import Trajectory
from autocrea.pathways.services import PathwayError, _ensure_can, _valid_enterprise_number
from autocrea.pathways.steps import GUIDED_STEPS, Step
from autocrea.reference.models import BarrierCode


def _ensure_guided(trajectory: Trajectory) -> int:
    """Refuse unless a partner accompanies the person now; return that partner's id."""
    if trajectory.current_step not in GUIDED_STEPS or trajectory.partner_id is None:
        raise PathwayError(_("This person is not being accompanied by a partner at the moment."))
    return trajectory.partner_id


def _touch(trajectory: Trajectory) -> None:
    # Bump the version like every pathway service: a second submit of the same form is then refused as stale.
    Trajectory.objects.filter(pk=trajectory.pk).update(last_activity_at=timezone.now(), version=F("version") + 1)


def _locked_guided(trajectory: Trajectory, version: int | None) -> Trajectory:
    """Re-read the trajectory under a row lock, refuse a stale version, and check a partner accompanies it."""
    fresh = pathways._locked(trajectory, version)
    _ensure_guided(fresh)
    return fresh


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
    _ensure_can(by, "record_diagnostic", trajectory)
    if trajectory.current_step != Step.DIAGNOSTIC:
        raise PathwayError(_("The diagnostic is recorded once the partner has accepted the person."))
    trajectory = pathways.start_accompaniment(trajectory=trajectory, by=by, on=on, version=version)
    diagnostic = Diagnostic.objects.create(
        trajectory=trajectory,
        partner_id=_ensure_guided(trajectory),
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
    _ensure_can(by, "record_coaching", trajectory)
    trajectory = _locked_guided(trajectory, version)
    if set(scores) != set(SKILLS) or any(not 1 <= int(v) <= 4 for v in scores.values()):
        raise PathwayError(_("Give every skill a score from 1 to 4."))
    assessment = SkillAssessment.objects.create(
        trajectory=trajectory, assessed_on=on, is_baseline=is_baseline, by=by, **{k: int(v) for k, v in scores.items()}
    )
    _touch(trajectory)
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
) -> Action:
    """Add an action under a goal of the action plan (the goal is created when new)."""
    _ensure_can(by, "record_coaching", trajectory)
    trajectory = _locked_guided(trajectory, version)
    if not goal_title.strip() or not title.strip():
        raise PathwayError(_("Give the goal and the action."))
    goal, _created = Goal.objects.get_or_create(trajectory=trajectory, title=goal_title.strip())
    action = Action.objects.create(goal=goal, title=title.strip(), owner=owner, due_on=due_on)
    _touch(trajectory)
    audit.record(user=by, action="action:add", obj=trajectory)
    return action


@transaction.atomic
def record_individual_session(
    *,
    trajectory: Trajectory,
    by: Any,
    starts_at: datetime.datetime,
    duration_minutes: int,
    mode: str,
    topic: str,
    notes: str = "",
    attended: bool = True,
    version: int | None = None,
) -> CoachingSession:
    """Record an individual coaching session with its attendance."""
    _ensure_can(by, "record_coaching", trajectory)
    trajectory = _locked_guided(trajectory, version)
    partner_id = _ensure_guided(trajectory)
    if duration_minutes <= 0 or duration_minutes > 8 * 60:
        raise PathwayError(_("Give a duration between 1 minute and 8 hours."))
    session = CoachingSession.objects.create(
        partner_id=partner_id,
        kind=SessionKind.INDIVIDUAL,
        topic=topic,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        capacity=1,
        notes=notes,
        by=by,
    )
    SessionAttendance.objects.create(session=session, trajectory=trajectory, status="present" if attended else "absent")
    _touch(trajectory)
    audit.record(user=by, action="session:individual", obj=trajectory)
    return session


@transaction.atomic
def record_milestone(
    *,
    trajectory: Trajectory,
    by: Any,
    kind: str,
    on: datetime.date,
    enterprise_number: str = "",
    details: str = "",
    version: int | None = None,
) -> Milestone:
    """Record a project milestone; an enterprise registration needs a valid BCE/KBO number."""
    _ensure_can(by, "record_coaching", trajectory)
    trajectory = _locked_guided(trajectory, version)
    if on > timezone.localdate():
        raise PathwayError(_("The date cannot be in the future."))
    if kind not in MilestoneKind.values:
        raise PathwayError(_("Choose a milestone."))
    if kind == MilestoneKind.ENTERPRISE_REGISTRATION and not enterprise_number:
        raise PathwayError(_("Give the enterprise number (BCE/KBO) of the business created."))
    if enterprise_number:
        enterprise_number = _valid_enterprise_number(enterprise_number)
    if Milestone.objects.filter(trajectory=trajectory, kind=kind).exists():
        raise PathwayError(_("This milestone is already recorded."))
    milestone = Milestone.objects.create(
        trajectory=trajectory, kind=kind, reached_on=on, enterprise_number=enterprise_number, details=details, by=by
    )
    _touch(trajectory)
    audit.record(user=by, action=f"milestone:{kind}", obj=trajectory)
    return milestone


@transaction.atomic
def record_viability_test(
    *,
    trajectory: Trajectory,
    by: Any,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    revenue: Decimal | None = None,
    decision: str = "",
    version: int | None = None,
) -> ViabilityTest:
    """Record a viability test (activity test, on-site test) with its revenue and final decision."""
    _ensure_can(by, "record_coaching", trajectory)
    trajectory = _locked_guided(trajectory, version)
    if ends_on < starts_on:
        raise PathwayError(_("The end date cannot be before the start date."))
    if revenue is not None and revenue < 0:
        raise PathwayError(_("The revenue cannot be negative."))
    test = ViabilityTest.objects.create(
        trajectory=trajectory,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        revenue=revenue,
        decision=decision,
        by=by,
    )
    _touch(trajectory)
    audit.record(user=by, action="viability_test", obj=trajectory)
    return test
