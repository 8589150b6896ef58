"""Render and send one notification e-mail, in the person's contact language, with its .ics."""

from __future__ import annotations

from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from autocrea.notifications.models import Notification, NotificationKind, NotificationStatus
from autocrea.notifications.services import ics

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
    if method is not None:
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


def deliver(notification_id: int) -> str:
    """Send notification `notification_id` once; return what happened (sent, skipped, already sent, gone).

    The row is locked while sending, so two workers never send the same message twice; a failure
    leaves it pending (the task is marked failed and the error logged).
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
        build_message(notification).send()
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.save(update_fields=["status", "sent_at"])
        return str(notification.status)
