"""Collective information sessions seen from the counter: registrations and the attendance register.

Every function here is one atomic business operation that takes the acting user, locks the session
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
from autocrea.lib import registers
from autocrea.notifications.services import notify
from autocrea.pathways import services
from autocrea.pathways.integrity import lock_in_pk_order
from autocrea.pathways.models import (
    Attendance,
    InformationAttendance,
    InformationSession,
    Trajectory,
    TrajectoryQuerySet,
)
from autocrea.pathways.steps import Channel, PathwayError, Step

# Registrations that hold a seat (as in the portal): see lib/registers.py.
SEAT_STATUSES = registers.SEAT_STATUSES
seats_taken = registers.seats_taken
has_started = registers.has_started
is_locked = registers.is_locked


def _ensure_counsellor(by: Any) -> None:
    # Recording information is the counsellor's job (accounts.access.ACTION_ROLES).
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
    if starts_at < timezone.now():
        raise PathwayError(_("A new session cannot be planned in the past."))
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
    rows = InformationAttendance.objects.bulk_create(
        [InformationAttendance(trajectory=t, session=session, status=Attendance.REGISTERED) for t in people]
    )
    registers.bump(session)
    for t in people:
        audit.record(user=by, action="information:registered", obj=t)
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


@transaction.atomic
def book_one(*, session: InformationSession, trajectory: Trajectory, by: Any, version: int | None) -> None:
    """Book one person on a session to come, from their page: refused when they already have a booking
    to come or the session has started; otherwise register_to_session (capacity, lock, version)."""
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
    register_to_session(session=session, trajectories=[trajectory], by=by, version=version)
