"""Render and send one notification e-mail, in the person's contact language, with its .ics."""

from __future__ import annotations

import datetime
import logging
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from autocrea.notifications.models import Notification, NotificationKind, NotificationStatus
from autocrea.notifications.services import ics

logger = logging.getLogger(__name__)

# A message the mail server refuses (or cannot be reached for) is tried again after these delays, then,
# after MAX_ATTEMPTS attempts in all, marked "not delivered" for the staff to see.
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# Which calendar message goes with each kind of e-mail (a reminder changes nothing in the calendar).
METHODS: dict[str, str] = {
    str(NotificationKind.INVITATION): ics.REQUEST,
    str(NotificationKind.CANCELLATION): ics.CANCEL,
}


def _subject(kind: str, is_information: bool) -> str:
    if kind == NotificationKind.INVITATION:
        return _("Your information session") if is_information else _("Your appointment with your coach")
    if kind == NotificationKind.CANCELLATION:
        return _("Your booking is cancelled")
    return _("Reminder: your session is coming soon")


def build_message(notification: Notification) -> EmailMultiAlternatives:
    """Return the e-mail for `notification`, rendered in the person's contact language."""
    person = notification.jobseeker
    session = notification.information_session or notification.coaching_session
    assert session is not None  # the check constraint guarantees one of them
    kind = str(notification.kind)
    is_information = notification.information_session is not None
    with translation.override(person.contact_language):
        starts, ends = ics.times(session)
        context = {
            "person": person,
            "kind": kind,
            "is_information": is_information,
            "starts": starts,
            "ends": ends,
            "texts": ics.texts(session),
            "programme": settings.PROGRAMME["name"],
        }
        subject = f"{settings.PROGRAMME['name']} – {_subject(kind, is_information)}"
        body = render_to_string(f"email/session_{kind}.txt", context)
        html = render_to_string(f"email/session_{kind}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[person.email])
    message.attach_alternative(html, "text/html")
    method = METHODS.get(kind)
    if method is not None and ics.describable(session):
        content = ics.person_ics(
            jobseeker=person,
            session=session,
            method=method,
            sequence=ics.sequence_for(jobseeker=person, session=session, before=notification),
        )
        part = MIMEText(content.decode(), "calendar", "utf-8")
        part.set_param("method", method)
        part.add_header("Content-Disposition", "attachment", filename=ics.filename_for(session))
        message.attach(part)
    return message


def _retry_after_commit(notification: Notification) -> None:
    """Enqueue the next attempt at `notification.next_attempt_at` (at once on a backend that cannot defer)."""
    from autocrea.notifications.tasks import send_notification

    task = send_notification
    if send_notification.get_backend().supports_defer:
        task = send_notification.using(run_after=notification.next_attempt_at)
    pk = notification.pk
    transaction.on_commit(lambda: task.enqueue(notification_id=pk))


def _record_failure(notification: Notification, error: Exception) -> str:
    """Count a failed attempt: schedule the next one with a growing delay, or give up after the last."""
    notification.attempts += 1
    notification.last_error = f"{type(error).__name__}: {error}"[:300]
    if notification.attempts >= MAX_ATTEMPTS:
        notification.status = NotificationStatus.FAILED
        notification.next_attempt_at = None
        logger.error(
            "notification %s not delivered after %s attempts: %s", notification.pk, notification.attempts, error
        )
    else:
        notification.next_attempt_at = timezone.now() + RETRY_DELAYS[notification.attempts - 1]
        logger.warning(
            "notification %s: attempt %s failed, next at %s: %s",
            notification.pk,
            notification.attempts,
            notification.next_attempt_at,
            error,
        )
        _retry_after_commit(notification)
    notification.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
    return "failed" if notification.status == NotificationStatus.FAILED else "retry"


def deliver(notification_id: int) -> str:
    """Send notification `notification_id` once; return what happened (sent, skipped, retry, failed, gone).

    The row is locked while sending, so two workers never send the same message twice. When the mail
    server refuses the message or cannot be reached, the attempt is counted on the row and the task
    enqueued again after a growing delay (RETRY_DELAYS); after MAX_ATTEMPTS the row is marked failed
    ("not delivered"), which the person's file shows to staff.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("jobseeker", "information_session", "coaching_session__partner")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "gone"  # the session or the person was deleted meanwhile
        if notification.status != NotificationStatus.PENDING:
            return str(notification.status)
        if not notification.jobseeker.email:
            notification.status = NotificationStatus.SKIPPED
            notification.save(update_fields=["status"])
            return str(notification.status)
        try:
            build_message(notification).send()
        except OSError as exc:  # smtplib.SMTPException and connection errors are OSErrors
            return _record_failure(notification, exc)
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.next_attempt_at = None
        notification.save(update_fields=["status", "sent_at", "next_attempt_at"])
        return str(notification.status)
