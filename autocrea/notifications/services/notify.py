"""Decide what to send a person about their sessions; the sending happens after commit, in the worker.

Called from inside the business transaction (a booking, a registration, a cancellation): the
Notification row is written in that transaction and the task is enqueued with
`transaction.on_commit`, so a rolled-back booking leaves no row and sends nothing. A person without
an e-mail address gets nothing (staff give them the information at the counter or by post).
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from autocrea.coaching.models import CoachingSession, SessionAttendance
from autocrea.notifications.models import Notification, NotificationKind
from autocrea.pathways.models import Attendance, InformationAttendance, InformationSession

Session = InformationSession | CoachingSession


def _session_fields(session: Session) -> dict[str, Any]:
    if isinstance(session, InformationSession):
        return {"information_session": session}
    return {"coaching_session": session}


def _enqueue_after_commit(notification: Notification) -> None:
    from autocrea.notifications.tasks import send_notification

    transaction.on_commit(partial(send_notification.enqueue, notification_id=notification.pk))


def _record(*, jobseeker: Any, session: Session, kind: str) -> Notification | None:
    if not jobseeker.email:
        return None
    notification = Notification.objects.create(jobseeker=jobseeker, kind=kind, **_session_fields(session))
    _enqueue_after_commit(notification)
    return notification


def invite(*, jobseeker: Any, session: Session) -> Notification | None:
    """Send the person an invitation with the .ics (METHOD:REQUEST), for a session still to come."""
    if session.starts_at <= timezone.now():
        return None
    return _record(jobseeker=jobseeker, session=session, kind=NotificationKind.INVITATION)


def cancel(*, jobseeker: Any, session: Session) -> Notification | None:
    """Tell the person their booking is cancelled, with the .ics that removes the event (METHOD:CANCEL)."""
    if session.starts_at <= timezone.now():
        return None
    return _record(jobseeker=jobseeker, session=session, kind=NotificationKind.CANCELLATION)


def reminder_window() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.REMINDER_HOURS_BEFORE)


def _due_bookings(now: datetime.datetime) -> list[tuple[Any, Session]]:
    """Return (person, session) for every booking that starts within the reminder window."""
    window = (now, now + reminder_window())
    information = (
        InformationAttendance.objects.filter(
            status=Attendance.REGISTERED, session__starts_at__range=window, session__cancelled=False
        )
        .exclude(trajectory__jobseeker__email="")
        .select_related("session", "trajectory__jobseeker")
        .order_by("session__starts_at", "pk")
    )
    coaching = (
        SessionAttendance.objects.filter(
            status="registered", session__starts_at__range=window, session__cancelled=False
        )
        .exclude(trajectory__jobseeker__email="")
        .select_related("session__partner", "trajectory__jobseeker")
        .order_by("session__starts_at", "pk")
    )
    due: list[tuple[Any, Session]] = [(a.trajectory.jobseeker, a.session) for a in information if a.session]
    due += [(a.trajectory.jobseeker, a.session) for a in coaching]
    return due


def _needs_reminder(jobseeker: Any, session: Session) -> bool:
    rows = Notification.objects.filter(jobseeker=jobseeker, **_session_fields(session))
    if rows.filter(kind=NotificationKind.REMINDER).exists():
        return False
    # Booked inside the window: the invitation has just told them, a reminder would only repeat it.
    return not rows.filter(
        kind=NotificationKind.INVITATION, created_at__gte=session.starts_at - reminder_window()
    ).exists()


def queue_reminders(*, now: datetime.datetime | None = None) -> int:
    """Record and enqueue one reminder per booking starting within the window; return how many.

    Idempotent: a reminder is unique per person and session in the database, so a second run, or
    two runs at the same time, queue nothing more.
    """
    now = now or timezone.now()
    queued = 0
    for jobseeker, session in _due_bookings(now):
        if not _needs_reminder(jobseeker, session):
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    jobseeker=jobseeker, kind=NotificationKind.REMINDER, **_session_fields(session)
                )
                _enqueue_after_commit(notification)
        except IntegrityError:
            continue  # another run recorded it first
        queued += 1
    return queued
