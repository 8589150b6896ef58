"""Notification e-mails the mail server refuses are retried with a growing delay, then shown as not delivered.

The mail backend below fails like an unreachable SMTP server. One test runs the real database worker
(django-tasks `db_worker --batch`) to check that the retry is queued with its delay.
"""

from __future__ import annotations

import datetime
import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from autocrea.backbone.steps import Step
from autocrea.coaching.models import CoachingSession
from autocrea.coaching.services import individual_sessions
from autocrea.notifications.models import Notification, NotificationStatus
from autocrea.notifications.services import mail as notification_mail
from tests.factories import make_jobseeker, make_trajectory

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
FAILS = {"count": 0}


class FailingBackend(EmailBackend):
    """A mail server that refuses the first FAILS["count"] messages, then accepts them (into mail.outbox)."""

    def send_messages(self, messages: Any) -> int:
        if FAILS["count"] > 0:
            FAILS["count"] -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _failing_mail(settings: Any) -> Any:
    settings.EMAIL_BACKEND = "tests.test_mail_retries.FailingBackend"
    settings.TASKS = IMMEDIATE
    yield
    FAILS["count"] = 0


def planned(counsellor: Any, coach: Any) -> tuple[Any, Notification]:
    """A planned individual session whose invitation is recorded (not sent yet)."""
    trajectory = make_trajectory(
        step=Step.ACCOMPANIMENT,
        counsellor=counsellor,
        coach=coach,
        partner=coach.partner,
        jobseeker=make_jobseeker(email="ines@example.org", contact_language="fr"),
    )
    individual_sessions.record_individual_session(
        trajectory=trajectory,
        by=coach,
        starts_at=timezone.now() + datetime.timedelta(days=4),
        duration_minutes=60,
        mode="phone",
        topic="Budget",
    )
    return trajectory, Notification.objects.get()


def test_a_failed_send_is_counted_and_retried_later_then_sent(counsellor, coach, django_capture_on_commit_callbacks):
    _trajectory, notification = planned(counsellor, coach)
    FAILS["count"] = 1
    with django_capture_on_commit_callbacks(execute=False) as retries:
        assert notification_mail.deliver(notification.pk) == "retry"
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING and notification.attempts == 1
    assert "SMTPServerDisconnected" in notification.last_error
    delay = notification.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=50) < delay <= notification_mail.RETRY_DELAYS[0]
    assert len(retries) == 1 and mail.outbox == []
    retries[0]()  # the next attempt: the server accepts it now
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.next_attempt_at is None
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_message_is_not_delivered_and_staff_see_it(
    client, counsellor, coach, other_coach, django_capture_on_commit_callbacks
):
    trajectory, notification = planned(counsellor, coach)
    FAILS["count"] = notification_mail.MAX_ATTEMPTS + 5
    with django_capture_on_commit_callbacks(execute=True):
        notification_mail.deliver(notification.pk)  # each failure queues the next attempt (immediate backend)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == notification_mail.MAX_ATTEMPTS and notification.next_attempt_at is None
    assert mail.outbox == []
    assert notification_mail.deliver(notification.pk) == "failed"  # a late task sends nothing more
    client.force_login(coach)
    for lang in ("fr", "nl"):
        with translation.override(lang):
            body = client.get(reverse("workspace:trajectory", args=[trajectory.pk])).content.decode()
            assert 'id="undelivered"' in body
            assert escape(gettext("Invitation")) in body
    # The counsellor does not see the partner's appointments (only information-session messages).
    client.force_login(counsellor)
    with translation.override("fr"):
        assert (
            'id="undelivered"' not in client.get(reverse("workspace:trajectory", args=[trajectory.pk])).content.decode()
        )


def test_the_delays_grow_and_are_bounded():
    delays = list(notification_mail.RETRY_DELAYS)
    assert delays == sorted(delays) and len(set(delays)) == len(delays)
    assert len(delays) + 1 == notification_mail.MAX_ATTEMPTS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_queues_the_retry_with_its_delay(settings, counsellor, coach):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    _trajectory, notification = planned(counsellor, coach)
    assert DBTaskResult.objects.count() == 1
    FAILS["count"] = 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.status == NotificationStatus.PENDING
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after is not None and retry.run_after > timezone.now()
    # When its time has come, the worker sends it.
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now() - datetime.timedelta(seconds=1))
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and len(mail.outbox) == 1
    assert CoachingSession.objects.count() == 1
