"""The partner's work with a guided person: diagnostic, plan, sessions, milestones, viability tests."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from autocrea.accounts import audit
from autocrea.accounts.access import can
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import GUIDED_STEPS
from autocrea.backbone.transitions import steps_for
from autocrea.coaching.models import (
    SKILLS,
    Action,
    CoachingSession,
    CollectiveSeries,
    Diagnostic,
    Goal,
    Milestone,
    MilestoneKind,
    Recurrence,
    SessionAttendance,
    SessionKind,
    SessionMode,
    SkillAssessment,
    ViabilityTest,
)
from autocrea.notifications.services import notify
from autocrea.partners.activities import check_activity
from autocrea.pathways import registers
from autocrea.pathways import services as pathways
from autocrea.pathways.integrity import lock_in_pk_order
from autocrea.pathways.models import Trajectory
from autocrea.pathways.services import ensure_can, valid_enterprise_number
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
    fresh = pathways.lock_trajectory(trajectory, version)
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
    ensure_can(by, "record_diagnostic", trajectory)
    if trajectory.current_step not in steps_for("record_diagnostic"):
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
    ensure_can(by, "record_coaching", trajectory)
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
    activity: Any = None,
) -> Action:
    """Add an action under a goal of the action plan (the goal is created when new).

    `activity`, when given, is an active activity of the trajectory's partner (partners/activities.py).
    """
    ensure_can(by, "record_coaching", trajectory)
    trajectory = _locked_guided(trajectory, version)
    if not goal_title.strip() or not title.strip():
        raise PathwayError(_("Give the goal and the action."))
    check_activity(activity, trajectory.partner_id)
    goal, _created = Goal.objects.get_or_create(trajectory=trajectory, title=goal_title.strip())
    action = Action.objects.create(goal=goal, title=title.strip(), owner=owner, due_on=due_on, activity=activity)
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
    activity: Any = None,
) -> CoachingSession:
    """Record an individual coaching session with its attendance, or plan one to come.

    `activity`, when given, is an active activity of the trajectory's partner (partners/activities.py).

    A session in the past is recorded as held (present or absent). A session to come is planned: the
    person is registered and invited (.ics in their contact language, after commit); its attendance
    and notes are recorded once it has taken place (record_individual_outcome), or it is cancelled
    (cancel_individual_session).
    """
    ensure_can(by, "record_coaching", trajectory)
    trajectory = _locked_guided(trajectory, version)
    partner_id = _ensure_guided(trajectory)
    if duration_minutes <= 0 or duration_minutes > 8 * 60:
        raise PathwayError(_("Give a duration between 1 minute and 8 hours."))
    check_activity(activity, partner_id)
    if starts_at > timezone.now() and notes.strip():
        raise PathwayError(_("Write the coaching notes once the session has taken place."))
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
        activity=activity,
    )
    # A session planned ahead is a registration (its attendance is recorded later) and the person is invited.
    upcoming = starts_at > timezone.now()
    status = "registered" if upcoming else ("present" if attended else "absent")
    SessionAttendance.objects.create(session=session, trajectory=trajectory, status=status)
    _touch(trajectory)
    audit.record(user=by, action="session:individual", obj=trajectory)
    if upcoming:
        notify.invite(jobseeker=trajectory.jobseeker, session=session)  # sent after commit
    return session


def _locked_individual(session: CoachingSession, trajectory: Trajectory, by: Any) -> tuple[CoachingSession, Any]:
    """Lock a planned individual session of `trajectory` and its attendance; refuse one already closed."""
    ensure_can(by, "record_coaching", trajectory)
    fresh = CoachingSession.objects.select_for_update().filter(pk=session.pk, kind=SessionKind.INDIVIDUAL).first()
    attendance = (
        SessionAttendance.objects.select_related("trajectory__jobseeker")
        .filter(session=fresh, trajectory=trajectory)
        .first()
    )
    if fresh is None or attendance is None or fresh.partner_id != trajectory.partner_id:
        raise PathwayError(_("This session is not one of this person's sessions with your organisation."))
    if fresh.cancelled or attendance.status != "registered":
        raise PathwayError(_("This session is already recorded or cancelled: it can no longer be changed."))
    return fresh, attendance


@transaction.atomic
def record_individual_outcome(
    *,
    session: CoachingSession,
    trajectory: Trajectory,
    by: Any,
    attended: bool,
    notes: str = "",
    version: int | None = None,
) -> CoachingSession:
    """Record whether the person came to a planned individual session, and the notes, once it has started."""
    trajectory = _locked_guided(trajectory, version)
    session, attendance = _locked_individual(session, trajectory, by)
    if session.starts_at > timezone.now():
        raise PathwayError(_("This session has not taken place yet: record it once it has started."))
    attendance.status = "present" if attended else "absent"
    attendance.save(update_fields=["status"])
    session.notes = notes
    registers.bump(session, "notes")
    _touch(trajectory)
    audit.record(user=by, action="session:individual_held", obj=trajectory)
    return session


@transaction.atomic
def cancel_individual_session(
    *, session: CoachingSession, trajectory: Trajectory, by: Any, version: int | None = None
) -> CoachingSession:
    """Cancel a planned individual session still to come; the person receives the cancellation .ics."""
    trajectory = _locked_guided(trajectory, version)
    session, attendance = _locked_individual(session, trajectory, by)
    if session.starts_at <= timezone.now():
        raise PathwayError(_("This session has already started: it can no longer be cancelled."))
    session.cancelled = True
    session.finalised_at = timezone.now()
    session.finalised_by = by
    registers.bump(session, "cancelled", "finalised_at", "finalised_by")
    attendance.status = "excused"
    attendance.save(update_fields=["status"])
    _touch(trajectory)
    audit.record(user=by, action="session:individual_cancelled", obj=trajectory)
    notify.cancel(jobseeker=trajectory.jobseeker, session=session)  # sent after commit
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
    ensure_can(by, "record_coaching", trajectory)
    trajectory = _locked_guided(trajectory, version)
    if on > timezone.localdate():
        raise PathwayError(_("The date cannot be in the future."))
    if kind not in MilestoneKind.values:
        raise PathwayError(_("Choose a milestone."))
    if kind == MilestoneKind.ENTERPRISE_REGISTRATION and not enterprise_number:
        raise PathwayError(_("Give the enterprise number (BCE/KBO) of the business created."))
    if enterprise_number:
        enterprise_number = valid_enterprise_number(enterprise_number)
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
    ensure_can(by, "record_coaching", trajectory)
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


# --- Collective sessions: a series planned by a partner, registrations, the register -------------------------

# Registrations that hold a seat: the same as for information sessions.
SEAT_STATUSES = registers.SEAT_STATUSES
MAX_OCCURRENCES = 52
MAX_CAPACITY = 200
BRUSSELS = ZoneInfo("Europe/Brussels")


def recurrence_dates(
    *, first: datetime.date, recurrence: str, count: int = 1, dates: Iterable[datetime.date] = ()
) -> list[datetime.date]:
    """Return the dates of a series, in order: `count` dates every one or two weeks, or `first` plus `dates`."""
    if recurrence == Recurrence.DATES:
        return sorted({first, *dates})
    step = {Recurrence.WEEKLY: 7, Recurrence.FORTNIGHTLY: 14}.get(Recurrence(recurrence))
    if step is None:
        raise PathwayError(_("Choose how often the sessions take place."))
    return [first + datetime.timedelta(days=step * n) for n in range(count)]


def _ensure_partner_staff(by: Any) -> int:
    """Refuse unless `by` is a coach or manager of a partner (accounts.access.OTHER_ACTION_ROLES); return the partner id."""
    if not can(by, "record_coaching") or not getattr(by, "partner_id", None):
        raise PathwayError(_("Only the staff of a partner can run its collective sessions."))
    return int(by.partner_id)


def _locked_collective(session: CoachingSession, by: Any, version: int | None) -> CoachingSession:
    """Re-read a collective session of `by`'s partner under a row lock; refuse a stale version."""
    partner_id = _ensure_partner_staff(by)

    def ours(fresh: CoachingSession) -> None:
        if fresh.kind != SessionKind.COLLECTIVE or fresh.partner_id != partner_id:
            raise PathwayError(_("This collective session is not one of your organisation's."))

    return registers.lock(session, version, check=ours)


collective_is_locked = registers.is_locked


@transaction.atomic
def plan_collective_series(
    *,
    by: Any,
    topic: str,
    place: str,
    mode: str,
    capacity: int,
    duration_minutes: int,
    first_day: datetime.date,
    start_time: datetime.time,
    recurrence: str,
    count: int = 1,
    dates: Iterable[datetime.date] = (),
    form_token: uuid.UUID | None = None,
    activity: Any = None,
) -> CollectiveSeries:
    """Plan a series of collective sessions of `by`'s partner, each at `start_time` Brussels time.

    The wall-clock time stays the same across a change to or from summer time. The same
    `form_token` submitted twice returns the series planned the first time and plans nothing more.
    """
    partner_id = _ensure_partner_staff(by)
    if form_token is not None:
        existing = CollectiveSeries.objects.filter(form_token=form_token, partner_id=partner_id).first()
        if existing is not None:
            return existing
    if not topic.strip():
        raise PathwayError(_("Enter the topic."))
    if mode not in SessionMode.values:
        raise PathwayError(_("Choose how the sessions take place."))
    if mode == SessionMode.IN_PERSON and not place.strip():
        raise PathwayError(_("Enter the place of the sessions."))
    if not 1 <= capacity <= MAX_CAPACITY:
        raise PathwayError(_("Give a number of places between 1 and 200."))
    if not 1 <= duration_minutes <= 8 * 60:
        raise PathwayError(_("Give a duration between 1 minute and 8 hours."))
    if recurrence != Recurrence.DATES and not 1 <= count <= MAX_OCCURRENCES:
        raise PathwayError(_("Give a number of sessions between 1 and 52."))
    days = recurrence_dates(first=first_day, recurrence=recurrence, count=count, dates=dates)
    if len(days) > MAX_OCCURRENCES:
        raise PathwayError(_("Give a number of sessions between 1 and 52."))
    starts = [datetime.datetime.combine(day, start_time, tzinfo=BRUSSELS) for day in days]
    if starts[0] <= timezone.now():
        raise PathwayError(_("Plan sessions to come: the first session is in the past."))
    check_activity(activity, partner_id)
    series = CollectiveSeries.objects.create(
        partner_id=partner_id,
        topic=topic.strip(),
        recurrence=recurrence,
        by=by,
        form_token=form_token,
        activity=activity,
    )
    CoachingSession.objects.bulk_create(
        [
            CoachingSession(
                partner_id=partner_id,
                kind=SessionKind.COLLECTIVE,
                series=series,
                topic=series.topic,
                place=place.strip(),
                starts_at=when,
                duration_minutes=duration_minutes,
                mode=mode,
                capacity=capacity,
                by=by,
                activity=activity,  # each occurrence carries its series' activity: counted per session
            )
            for when in starts
        ]
    )
    audit.record(user=by, action="collective:series_planned", obj=series)
    return series


@transaction.atomic
def register_to_collective_session(
    *, session: CoachingSession, trajectories: Iterable[Trajectory], by: Any, version: int | None = None
) -> list[SessionAttendance]:
    """Register people accompanied by the session's partner: all of them, or none if one cannot be.

    Refuses beyond the places left, a person already registered, a person the partner does not
    accompany now, and a closed register; nothing is written then.
    """
    session = _locked_collective(session, by, version)
    registers.ensure_open_for_registration(session)
    # Locked in id order, like every batch here, so that two batches cannot deadlock.
    ids = lock_in_pk_order(Trajectory, {t.pk for t in trajectories})
    people = list(Trajectory.objects.filter(pk__in=ids).select_related("jobseeker").order_by("pk"))
    if not people:
        raise PathwayError(_("Select at least one person."))
    not_guided = [
        t
        for t in people
        if not can(by, "record_coaching", t) or t.current_step not in GUIDED_STEPS or t.partner_id != session.partner_id
    ]
    if not_guided:
        raise PathwayError(
            _("These people are not accompanied by your organisation at the moment: %(names)s. Nobody was registered.")
            % {"names": ", ".join(str(t.jobseeker) for t in not_guided)}
        )
    ids = [t.pk for t in people]
    already = set(
        SessionAttendance.objects.filter(session=session, trajectory_id__in=ids).values_list("trajectory_id", flat=True)
    )
    if already:
        raise PathwayError(
            _("These people are already registered to this session: %(names)s. Nobody was registered.")
            % {"names": ", ".join(str(t.jobseeker) for t in people if t.pk in already)}
        )
    registers.ensure_places(session, len(people))
    rows = SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=session, trajectory=t, status="registered") for t in people]
    )
    registers.bump(session)
    # Being registered is activity with the person, and it makes their open forms stale (version).
    Trajectory.objects.filter(pk__in=ids).update(last_activity_at=timezone.now(), version=F("version") + 1)
    for trajectory in people:
        audit.record(user=by, action="collective:registered", obj=trajectory)
        notify.invite(jobseeker=trajectory.jobseeker, session=session)  # sent after commit, for a session to come
    return rows


@transaction.atomic
def cancel_collective_session(*, session: CoachingSession, by: Any, version: int | None = None) -> CoachingSession:
    """Record that a collective session that should have started did not take place; its register closes."""
    session = _locked_collective(session, by, version)
    return registers.mark_not_held(session, by=by, action="collective:session_cancelled")


@transaction.atomic
def record_collective_register(
    *,
    session: CoachingSession,
    statuses: Mapping[int, str],
    by: Any,
    version: int | None = None,
    finalise: bool = False,
) -> CoachingSession:
    """Record the attendance of everyone registered, in one go (one update per status, whatever the size).

    `statuses` maps an attendance id of this session to present, absent or excused; people not in it
    stay as they are. Finalising locks the register: every person must then have an attendance.
    """
    session = _locked_collective(session, by, version)
    registers.ensure_register_open(session)
    # People re-oriented to another partner since their registration are no longer this partner's to record.
    current = dict(session.attendances.filter(trajectory__partner_id=session.partner_id).values_list("pk", "status"))
    registers.check_statuses(statuses, current)
    changes = registers.changes(current, statuses)
    for status, pks in changes.items():
        SessionAttendance.objects.filter(pk__in=pks).update(status=status)
    changed = [pk for pks in changes.values() for pk in pks]
    if changed:
        # Attending (or missing) a workshop is activity on the person's file; locked in primary-key order.
        people = SessionAttendance.objects.filter(pk__in=changed).values_list("trajectory_id", flat=True)
        ids = lock_in_pk_order(Trajectory, set(people))
        Trajectory.objects.filter(pk__in=ids).update(last_activity_at=timezone.now())
    action = "collective:register"
    return registers.close(session, by=by, current=current, statuses=statuses, finalise=finalise, action=action)


# --- Collective sessions: cancel a registration, edit a series, cancel occurrences ---------------------------


def _ensure_to_come(session: CoachingSession) -> None:
    """Refuse a change to a session that has started, did not take place or whose register is finalised."""
    registers.ensure_open_for_registration(session)
    if registers.has_started(session):
        raise PathwayError(_("This session has already started: it can no longer be changed."))


@transaction.atomic
def cancel_collective_registration(
    *, attendance: SessionAttendance, by: Any, version: int | None = None
) -> CoachingSession:
    """Cancel a person's registration to a collective session to come: the seat is freed, the person told.

    The registration row is deleted (the audit trail keeps who cancelled it, and when); the person
    receives a cancellation with the .ics that removes the event from their calendar.
    """
    session = _locked_collective(attendance.session, by, version)
    _ensure_to_come(session)
    row = (
        SessionAttendance.objects.select_related("trajectory__jobseeker")
        .filter(pk=attendance.pk, session=session, status="registered")
        .first()
    )
    if row is None:
        raise PathwayError(_("This person is no longer registered to this session. Reload the page."))
    trajectory = row.trajectory
    row.delete()
    registers.bump(session)
    Trajectory.objects.filter(pk=trajectory.pk).update(last_activity_at=timezone.now(), version=F("version") + 1)
    audit.record(user=by, action="collective:registration_cancelled", obj=trajectory)
    notify.cancel(jobseeker=trajectory.jobseeker, session=session)  # sent after commit
    return session


def series_sessions_to_come(series: CollectiveSeries) -> Any:
    """The sessions of `series` that can still change: not started, not cancelled, register not finalised."""
    return series.sessions.filter(starts_at__gt=timezone.now(), cancelled=False, finalised_at__isnull=True).order_by(
        "starts_at", "pk"
    )


@transaction.atomic
def edit_collective_series(
    *,
    series: CollectiveSeries,
    by: Any,
    topic: str,
    place: str,
    capacity: int,
    start_time: datetime.time,
    version: int | None = None,
) -> list[CoachingSession]:
    """Change the topic, place, capacity and start time (Brussels) of the sessions of a series still to come.

    All of them or none: a capacity below the seats already taken at one session, or a new time that
    is already past, refuses the change. People registered to a session whose time or place changes
    receive the updated invitation (.ics with a higher SEQUENCE). Returns the sessions changed.
    """
    partner_id = _ensure_partner_staff(by)
    series = CollectiveSeries.objects.select_for_update().get(pk=series.pk)
    if series.partner_id != partner_id:
        raise PathwayError(_("This collective session is not one of your organisation's."))
    if version is not None and series.version != version:
        raise registers.stale_session()
    if not topic.strip():
        raise PathwayError(_("Enter the topic."))
    if not 1 <= capacity <= MAX_CAPACITY:
        raise PathwayError(_("Give a number of places between 1 and 200."))
    # Locked in id order, like every batch here.
    sessions = list(series_sessions_to_come(series).select_for_update().order_by("pk"))
    if not sessions:
        raise PathwayError(_("This series has no session to come any more: nothing can be changed."))
    if any(s.mode == SessionMode.IN_PERSON for s in sessions) and not place.strip():
        raise PathwayError(_("Enter the place of the sessions."))
    seats = dict(
        SessionAttendance.objects.filter(session__in=sessions, status__in=SEAT_STATUSES)
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    for session in sorted(sessions, key=lambda s: s.starts_at):
        taken = seats.get(session.pk, 0)
        if capacity < taken:
            raise PathwayError(
                ngettext(
                    "The session of %(date)s already has %(taken)d person registered: give at least %(taken)d places.",
                    "The session of %(date)s already has %(taken)d people registered: give at least %(taken)d places.",
                    taken,
                )
                % {"date": timezone.localtime(session.starts_at).strftime("%d/%m/%Y"), "taken": taken}
            )
    moved: list[CoachingSession] = []
    for session in sessions:
        day = session.starts_at.astimezone(BRUSSELS).date()
        starts_at = datetime.datetime.combine(day, start_time, tzinfo=BRUSSELS)
        if starts_at <= timezone.now():
            raise PathwayError(
                _("The new start time of the session of %(date)s is already past.") % {"date": day.strftime("%d/%m/%Y")}
            )
        if starts_at != session.starts_at or place.strip() != session.place or topic.strip() != session.topic:
            moved.append(session)
        session.topic, session.place, session.capacity, session.starts_at = (
            topic.strip(),
            place.strip(),
            capacity,
            starts_at,
        )
        registers.bump(session, "topic", "place", "capacity", "starts_at")
    series.topic = topic.strip()
    series.version += 1
    series.save(update_fields=["topic", "version"])
    for attendance in _registered_to(moved):
        notify.invite(jobseeker=attendance.trajectory.jobseeker, session=attendance.session)  # the update, after commit
    audit.record(user=by, action="collective:series_edited", obj=series)
    return sessions


def _registered_to(sessions: list[CoachingSession]) -> list[SessionAttendance]:
    """The people registered to these sessions, in one query (to tell them of a change)."""
    by_pk = {s.pk: s for s in sessions}
    attendances = list(
        SessionAttendance.objects.filter(session__in=sessions, status="registered")
        .select_related("trajectory__jobseeker")
        .order_by("session_id", "pk")
    )
    for attendance in attendances:
        attendance.session = by_pk[attendance.session_id]  # the changed instance, not a fresh copy
    return attendances


@transaction.atomic
def cancel_collective_occurrences(
    *, session: CoachingSession, by: Any, version: int | None = None, rest_of_series: bool = False
) -> list[CoachingSession]:
    """Cancel a collective session to come, or it and the following sessions of its series.

    Each cancelled session is recorded as not taking place (its register closes) and every person
    registered receives a cancellation with the .ics that removes the event. Returns the sessions cancelled.
    """
    if session.series_id is not None:
        # The series first, then its sessions in primary-key order, as edit_collective_series does:
        # the series' version is bumped below, and the other order could deadlock with an edit.
        CollectiveSeries.objects.select_for_update().filter(pk=session.series_id).first()
    if rest_of_series and session.series_id is not None:
        # Every session of the series that may be cancelled, in primary-key order, before any one of them.
        list(
            CoachingSession.objects.select_for_update()
            .filter(series_id=session.series_id, cancelled=False, finalised_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    first = _locked_collective(session, by, version)
    _ensure_to_come(first)
    sessions = [first]
    if rest_of_series and first.series_id is not None:
        later = CoachingSession.objects.filter(
            series_id=first.series_id, starts_at__gt=first.starts_at, cancelled=False, finalised_at__isnull=True
        )
        sessions += list(later.order_by("pk"))
    now = timezone.now()
    for occurrence in sessions:
        occurrence.cancelled = True
        occurrence.finalised_at = now
        occurrence.finalised_by = by
        registers.bump(occurrence, "cancelled", "finalised_at", "finalised_by")
        audit.record(user=by, action="collective:session_called_off", obj=occurrence)
    for attendance in _registered_to(sessions):
        notify.cancel(jobseeker=attendance.trajectory.jobseeker, session=attendance.session)  # after commit
    if first.series_id is not None:
        CollectiveSeries.objects.filter(pk=first.series_id).update(version=F("version") + 1)
    return sorted(sessions, key=lambda s: s.starts_at)
