"""Collective information sessions: registrations, bookings and cancellations, and the attendance register.

The one booking service for both sides: a counsellor (workspace) and the person themselves (portal)
book through book_one and cancel through cancel_booking, with the same rules (session row locked,
then the trajectory row; a closed register refused; the session's version bumped). Every function here is one atomic business operation that takes the acting user, locks the session
row first (so two counsellors cannot take the last seat or save the same register at once), checks
the session's version when the caller shows one (a stale register is refused, never overwritten),
and moves a trajectory only through pathways.services.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.access import can
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Channel, Step
from autocrea.lib.dates import PLANNED, as_day
from autocrea.notifications.services import notify
from autocrea.pathways import registers, services
from autocrea.pathways.integrity import lock_in_pk_order
from autocrea.pathways.models import (
    Attendance,
    InformationAttendance,
    InformationSession,
    Trajectory,
    TrajectoryQuerySet,
)

# Registrations that hold a seat (as in the portal): see pathways/registers.py.
SEAT_STATUSES = registers.SEAT_STATUSES
seats_taken = registers.seats_taken
has_started = registers.has_started
is_locked = registers.is_locked


def _ensure_counsellor(by: Any) -> None:
    # Recording information is the counsellor's job (backbone/transitions.py, checked by accounts.access.can).
    if not can(by, "record_information"):
        raise PathwayError(_("You are not allowed to do this for this person."))


SESSION_LANGUAGES = ("fr", "nl")


@transaction.atomic
def create_information_session(
    *, by: Any, starts_at: datetime.datetime, place: str, language: str, capacity: int
) -> InformationSession:
    """Plan a collective information session (counsellors only); audited `information:session_planned`.

    The form checks the input for the page; the rules are here too, so that no other caller can
    plan a session in the past, without a place or without a seat. A refusal writes nothing.
    """
    if not can(by, "plan_information_session"):
        raise PathwayError(_("You are not allowed to do this for this person."))
    # The day first: comparing a year-1 time with now() would overflow.
    if as_day(starts_at) < timezone.localdate() or starts_at < timezone.now():
        raise PathwayError(_("A new session cannot be planned in the past."))
    if message := PLANNED.error(starts_at):
        raise PathwayError(message)
    if not place.strip():
        raise PathwayError(_("Enter the place of the session."))
    if language not in SESSION_LANGUAGES:
        raise PathwayError(_("Choose the language of the session."))
    if capacity < 1:
        raise PathwayError(_("A session needs at least one place."))
    session = InformationSession.objects.create(
        starts_at=starts_at, place=place.strip(), language=language, capacity=capacity
    )
    audit.record(user=by, action="information:session_planned", obj=session)
    return session


@transaction.atomic
def register_to_session(
    *,
    session: InformationSession,
    trajectories: Iterable[Trajectory],
    by: Any,
    version: int | None = None,
) -> list[InformationAttendance]:
    """Register people at the interest step to a session: all of them, or none if one cannot be."""
    _ensure_counsellor(by)
    session = registers.lock(session, version)
    registers.ensure_open_for_registration(session)
    # The session first, then the people in primary-key order: the one lock order (docs/architecture.md).
    ids = lock_in_pk_order(Trajectory, {t.pk for t in trajectories})
    people = list(Trajectory.objects.filter(pk__in=ids).select_related("jobseeker").order_by("pk"))
    if not people:
        raise PathwayError(_("Select at least one person."))
    not_at_interest = [t for t in people if t.current_step != Step.INTEREST]
    if not_at_interest:
        raise PathwayError(
            _("These people no longer need an information session: %(names)s.")
            % {"names": ", ".join(str(t.jobseeker) for t in not_at_interest)}
        )
    ids = [t.pk for t in people]
    already = set(
        InformationAttendance.objects.filter(session=session, trajectory_id__in=ids).values_list(
            "trajectory_id", flat=True
        )
    )
    if already:
        raise PathwayError(
            _("These people are already registered to this session: %(names)s.")
            % {"names": ", ".join(str(t.jobseeker) for t in people if t.pk in already)}
        )
    registers.ensure_places(session, len(people))
    return _create_registrations(session, people, by=by, action="information:registered")


def _create_registrations(
    session: InformationSession, people: list[Trajectory], *, by: Any, action: str
) -> list[InformationAttendance]:
    # Both sides end here, under the session's and the people's row locks taken by the caller.
    rows = InformationAttendance.objects.bulk_create(
        [InformationAttendance(trajectory=t, session=session, status=Attendance.REGISTERED) for t in people]
    )
    registers.bump(session)
    for t in people:
        audit.record(user=by, action=action, obj=t)
        notify.invite(jobseeker=t.jobseeker, session=session)  # sent after commit, for a session to come
    return rows


@transaction.atomic
def cancel_session(*, session: InformationSession, by: Any, version: int | None = None) -> InformationSession:
    """Record that a session that should have started did not take place; its register closes."""
    _ensure_counsellor(by)
    session = registers.lock(session, version)
    return registers.mark_not_held(session, by=by, action="information:session_cancelled")


@transaction.atomic
def record_register(
    *,
    session: InformationSession,
    statuses: Mapping[int, str],
    by: Any,
    version: int | None = None,
    finalise: bool = False,
) -> InformationSession:
    """Record the attendance of everyone registered, in one go.

    `statuses` maps an attendance id of this session to present, absent or excused; people not in it
    stay as they are. Each person present who is still at the interest step receives the information
    (pathways.services.record_information, at the session's date, at the counter). Finalising locks
    the register: every person must then have an attendance.
    """
    _ensure_counsellor(by)
    session = registers.lock(session, version)
    registers.ensure_register_open(session)
    attendances = {a.pk: a for a in session.attendances.select_related("trajectory__jobseeker").order_by("pk")}
    registers.check_statuses(statuses, attendances)
    changes: dict[str, list[int]] = defaultdict(list)
    to_inform: list[InformationAttendance] = []
    for pk, status in statuses.items():
        attendance = attendances[pk]
        trajectory = attendance.trajectory
        if attendance.status == status:
            continue
        if attendance.status == Attendance.PRESENT and trajectory.current_step != Step.INTEREST:
            # Presence moved the person on in the pathway: that is not undone from a register.
            raise PathwayError(
                _(
                    "%(name)s is already recorded as present and has received the information: this cannot be changed here."
                )
                % {"name": trajectory.jobseeker}
            )
        if status == Attendance.PRESENT and trajectory.current_step == Step.INTEREST:
            to_inform.append(attendance)
        else:
            changes[status].append(pk)
    for status, pks in changes.items():
        InformationAttendance.objects.filter(pk__in=pks).update(status=status)
    # Each record_information locks its trajectory: in primary-key order, like every batch.
    for attendance in sorted(to_inform, key=lambda a: a.trajectory_id):
        try:
            # Also marks this attendance present (update_or_create on trajectory + session).
            services.record_information(
                trajectory=attendance.trajectory,
                by=by,
                channel=Channel.COUNTER,
                on=timezone.localdate(session.starts_at),
                session=session,
            )
        except PathwayError as exc:
            raise PathwayError(f"{attendance.trajectory.jobseeker}: {exc.message}") from exc
    current = {pk: a.status for pk, a in attendances.items()}
    action = "information:register"
    return registers.close(session, by=by, current=current, statuses=statuses, finalise=finalise, action=action)


def no_shows(scope: TrajectoryQuerySet) -> TrajectoryQuerySet:
    """Trajectories of `scope` still at interest, absent (not excused) at their last session that took place.

    Each row carries `last_session_at`, and `rebooked`: whether they are registered to a future session.
    """
    now = timezone.now()
    held = InformationAttendance.objects.filter(
        trajectory=OuterRef("pk"), session__isnull=False, session__cancelled=False, session__starts_at__lte=now
    ).order_by("-session__starts_at", "-pk")
    rebooked = InformationAttendance.objects.filter(
        trajectory=OuterRef("pk"), status=Attendance.REGISTERED, session__starts_at__gt=now
    )
    return (
        scope.filter(current_step=Step.INTEREST)
        .annotate(
            last_status=Subquery(held.values("status")[:1]),
            last_session_at=Subquery(held.values("session__starts_at")[:1]),
            rebooked=Exists(rebooked),
        )
        .filter(last_status=Attendance.ABSENT)
    )


def current_booking(trajectory: Trajectory) -> InformationAttendance | None:
    """The person's registration to an information session still to come, if any."""
    return (
        InformationAttendance.objects.filter(
            trajectory=trajectory,
            status=Attendance.REGISTERED,
            session__starts_at__gt=timezone.now(),
            session__cancelled=False,
        )
        .select_related("session")
        .order_by("session__starts_at", "pk")
        .first()
    )


def _books_for_themselves(trajectory: Trajectory, by: Any) -> bool:
    return by.pk is not None and trajectory.jobseeker.user_id == by.pk


@transaction.atomic
def book_one(
    *, session: InformationSession, trajectory: Trajectory, by: Any, version: int | None = None
) -> InformationAttendance:
    """Book one person on a session to come: by a counsellor from their page, or by the person in the portal.

    Refused when they already have a booking to come or the session has started. The rules are
    register_to_session's either way (session row locked, closed register refused, trajectory row
    locked, capacity, version bumped); only the wording differs, addressed to the person when they
    book for themselves.
    """
    if _books_for_themselves(trajectory, by):
        return _book_for_themselves(session=session, trajectory=trajectory, by=by, version=version)
    booking = current_booking(trajectory)
    if booking is not None:
        raise PathwayError(
            _("%(name)s is already registered to the information session of %(date)s.")
            % {
                "name": trajectory.jobseeker,
                "date": formats.date_format(timezone.localtime(booking.session.starts_at), "d/m/Y H:i"),
            }
        )
    if registers.has_started(session):
        raise PathwayError(_("This session has already started. Choose another date."))
    return register_to_session(session=session, trajectories=[trajectory], by=by, version=version)[0]


def _book_for_themselves(
    *, session: InformationSession, trajectory: Trajectory, by: Any, version: int | None
) -> InformationAttendance:
    # Same locks in the same order as register_to_session: the session first, then the trajectory.
    session = registers.lock(session, version)
    registers.ensure_open_for_registration(session)
    lock_in_pk_order(Trajectory, {trajectory.pk})  # no join in the locking query (pathways/integrity.py)
    trajectory = Trajectory.objects.select_related("jobseeker").get(pk=trajectory.pk)
    if trajectory.current_step != Step.INTEREST:
        raise PathwayError(_("You no longer need an information session: you have already received the information."))
    if registers.has_started(session):
        raise PathwayError(_("This session has already started. Choose another date."))
    if InformationAttendance.objects.filter(
        trajectory=trajectory, session__starts_at__gt=timezone.now(), status=Attendance.REGISTERED
    ).exists():
        raise PathwayError(_("You already have a booking. Cancel it first if you want another date."))
    if registers.seats_taken(session) >= session.capacity:
        raise PathwayError(_("This session is full. Choose another date."))
    return _create_registrations(session, [trajectory], by=by, action="information:booked")[0]


@transaction.atomic
def cancel_booking(*, attendance: InformationAttendance, by: Any, version: int | None = None) -> None:
    """Cancel a future booking and free the seat: by the person, or by a counsellor on their behalf.

    The session row is locked first (as when registering) and its version goes up; a counsellor shows
    the version of the session they saw, and a stale one is refused. The person receives the same
    cancellation either way; the audit row says who did it.
    """
    booking = InformationAttendance.objects.select_related("trajectory__jobseeker").filter(pk=attendance.pk).first()
    if booking is None or booking.session_id is None:
        raise PathwayError(_("This booking can no longer be cancelled."))
    on_behalf = booking.trajectory.jobseeker.user_id != by.pk
    if on_behalf and not can(by, "record_information", booking.trajectory):
        raise PathwayError(_("You are not allowed to do this for this person."))
    session = registers.lock(InformationSession(pk=booking.session_id), version)
    booking = (
        InformationAttendance.objects.select_for_update(of=("self",))
        .select_related("trajectory__jobseeker")
        .filter(pk=booking.pk)
        .first()
    )
    if booking is None or booking.status != Attendance.REGISTERED or registers.has_started(session):
        raise PathwayError(_("This booking can no longer be cancelled."))
    trajectory = booking.trajectory
    booking.delete()
    registers.bump(session)
    action = "information:cancelled_for_person" if on_behalf else "information:cancelled"
    audit.record(user=by, action=action, obj=trajectory)
    notify.cancel(jobseeker=trajectory.jobseeker, session=session)  # sent after commit
