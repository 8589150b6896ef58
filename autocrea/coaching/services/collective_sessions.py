"""Collective sessions: a series planned by a partner, registrations, the register, changes to a series."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
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
from autocrea.coaching.models import (
    CoachingSession,
    CollectiveSeries,
    Recurrence,
    SessionAttendance,
    SessionKind,
    SessionMode,
)
from autocrea.lib.dates import PLANNED
from autocrea.notifications.services import notify
from autocrea.partners.activities import check_activity
from autocrea.pathways import registers
from autocrea.pathways.integrity import lock_in_pk_order
from autocrea.pathways.models import Trajectory

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
    # Before any arithmetic: year 1 or 9999 would overflow below.
    if first_day < timezone.localdate():
        raise PathwayError(_("Plan sessions to come: the first session is in the past."))
    if message := PLANNED.error(first_day) or next(filter(None, map(PLANNED.error, dates)), None):
        raise PathwayError(message)
    days = recurrence_dates(first=first_day, recurrence=recurrence, count=count, dates=dates)
    if len(days) > MAX_OCCURRENCES:
        raise PathwayError(_("Give a number of sessions between 1 and 52."))
    starts = [datetime.datetime.combine(day, start_time, tzinfo=BRUSSELS) for day in days]
    if starts[0] <= timezone.now():
        raise PathwayError(_("Plan sessions to come: the first session is in the past."))
    if message := PLANNED.error(days[-1]):
        raise PathwayError(message)
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
