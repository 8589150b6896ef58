"""Individual sessions planned ahead: invitation in the person's language, record once held, or cancel."""

from __future__ import annotations

import datetime
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from autocrea.accounts.models import AuditEvent, User
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Step
from autocrea.coaching.models import CoachingSession, SessionAttendance
from autocrea.coaching.services import individual_sessions
from tests.factories import make_jobseeker, make_trajectory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def accompanied(cast: dict[str, User], counsellor: User, coach: User, language: str = "nl") -> Any:
    jobseeker = make_jobseeker(user=cast["demo-jobseeker"], email="zoe@example.org", contact_language=language)
    return make_trajectory(
        step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=coach.partner, jobseeker=jobseeker
    )


def method_of(message: Any) -> str:
    parts = [a for a in message.attachments if getattr(a, "get_content_type", lambda: "")() == "text/calendar"]
    assert len(parts) == 1
    return str(icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))["METHOD"])


def in_days(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def plan(trajectory: Any, coach: User, days: int = 3) -> CoachingSession:
    trajectory.refresh_from_db()
    return individual_sessions.record_individual_session(
        trajectory=trajectory,
        by=coach,
        starts_at=in_days(days),
        duration_minutes=60,
        mode="in_person",
        topic="Business plan",
        version=trajectory.version,
    )


def test_a_planned_session_invites_the_person_in_their_language_and_shows_in_their_portal(
    client, cast, counsellor, coach, django_capture_on_commit_callbacks
):
    trajectory = accompanied(cast, counsellor, coach, language="nl")
    with django_capture_on_commit_callbacks(execute=True):
        session = plan(trajectory, coach)
    seat = SessionAttendance.objects.get(session=session)
    assert seat.status == "registered"  # planned: the attendance is recorded once it has taken place
    assert len(mail.outbox) == 1 and method_of(mail.outbox[0]) == "REQUEST"
    with translation.override("nl"):
        assert gettext("Your appointment with your coach") in mail.outbox[0].subject
    client.force_login(cast["demo-jobseeker"])
    with translation.override("nl"):
        body = client.get(reverse("portal:sessions")).content.decode()
        assert escape(gettext("My appointments with my coach")) in body
    assert f"/appointments/{seat.pk}/calendar.ics" in body


def test_notes_wait_until_the_session_has_taken_place(cast, counsellor, coach):
    trajectory = accompanied(cast, counsellor, coach)
    with translation.override("en"), pytest.raises(PathwayError) as refused:
        individual_sessions.record_individual_session(
            trajectory=trajectory,
            by=coach,
            starts_at=in_days(2),
            duration_minutes=60,
            mode="phone",
            topic="Plan",
            notes="Too early",
        )
    assert refused.value.message == "Write the coaching notes once the session has taken place."
    assert not CoachingSession.objects.filter(kind="individual").exists()
    session = plan(trajectory, coach)
    trajectory.refresh_from_db()
    with translation.override("en"), pytest.raises(PathwayError) as early:
        individual_sessions.record_individual_outcome(session=session, trajectory=trajectory, by=coach, attended=True)
    assert early.value.message == "This session has not taken place yet: record it once it has started."
    CoachingSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    individual_sessions.record_individual_outcome(
        session=session, trajectory=trajectory, by=coach, attended=False, notes="Called, no answer"
    )
    session.refresh_from_db()
    assert session.notes == "Called, no answer"
    assert SessionAttendance.objects.get(session=session).status == "absent"
    assert AuditEvent.objects.filter(action="session:individual_held", object_id=trajectory.pk).exists()
    with translation.override("en"), pytest.raises(PathwayError):
        individual_sessions.record_individual_outcome(session=session, trajectory=trajectory, by=coach, attended=True)


def test_cancelling_a_planned_session_sends_the_cancellation_and_removes_it_from_the_portal(
    client, cast, counsellor, coach, django_capture_on_commit_callbacks
):
    trajectory = accompanied(cast, counsellor, coach, language="fr")
    session = plan(trajectory, coach)
    trajectory.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        individual_sessions.cancel_individual_session(
            session=session, trajectory=trajectory, by=coach, version=trajectory.version
        )
    session.refresh_from_db()
    assert session.cancelled
    assert len(mail.outbox) == 1 and method_of(mail.outbox[0]) == "CANCEL"
    assert AuditEvent.objects.filter(action="session:individual_cancelled", object_id=trajectory.pk).exists()
    client.force_login(cast["demo-jobseeker"])
    with translation.override("fr"):
        body = client.get(reverse("portal:sessions")).content.decode()
        assert escape(gettext("My appointments with my coach")) not in body


def test_the_form_plans_a_future_session_and_still_records_a_past_one_as_held(client, cast, counsellor, coach):
    trajectory = accompanied(cast, counsellor, coach)
    client.force_login(coach)
    future = in_days(5)
    data = {
        "version": trajectory.version,
        "day": future.strftime("%d/%m/%Y"),
        "time": "10:00",
        "duration": "60",
        "mode": "video",
        "topic": "Pricing",
        "notes": "",
    }
    with translation.override("fr"):
        response = client.post(reverse("workspace:session_add", args=[trajectory.pk]), data)
    assert response.status_code == 302
    planned = CoachingSession.objects.get(topic="Pricing")
    assert SessionAttendance.objects.get(session=planned).status == "registered"
    # Notes on a session to come are refused with a clear message, and nothing is written.
    trajectory.refresh_from_db()
    data |= {"version": trajectory.version, "topic": "Marketing", "notes": "Not yet"}
    for lang in ("fr", "nl"):
        with translation.override(lang):
            response = client.post(reverse("workspace:session_add", args=[trajectory.pk]), data)
            assert escape(gettext("Write the coaching notes once the session has taken place.")) in (
                response.content.decode()
            )
    assert not CoachingSession.objects.filter(topic="Marketing").exists()
    # A past session without the attendance is refused; with it, it is recorded as held.
    past = timezone.localdate() - datetime.timedelta(days=1)
    data |= {"day": past.strftime("%d/%m/%Y"), "notes": "Good progress"}
    with translation.override("fr"):
        response = client.post(reverse("workspace:session_add", args=[trajectory.pk]), data)
        assert escape(gettext("Say whether the person attended.")) in response.content.decode()
        data["attended"] = "yes"
        assert client.post(reverse("workspace:session_add", args=[trajectory.pk]), data).status_code == 302
    held = CoachingSession.objects.get(topic="Marketing")
    assert SessionAttendance.objects.get(session=held).status == "present" and held.notes == "Good progress"


def test_the_trajectory_page_offers_cancel_then_record_and_the_timeline_says_planned(
    client, cast, counsellor, coach, other_coach
):
    trajectory = accompanied(cast, counsellor, coach)
    session = plan(trajectory, coach)
    client.force_login(coach)
    cancel_url = reverse("workspace:session_cancel", args=[trajectory.pk, session.pk])
    outcome_url = reverse("workspace:session_outcome", args=[trajectory.pk, session.pk])
    with translation.override("fr"):
        body = client.get(reverse("workspace:trajectory", args=[trajectory.pk])).content.decode()
        assert cancel_url in body and outcome_url not in body
        assert gettext("Planned") in body
    CoachingSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    with translation.override("fr"):
        body = client.get(reverse("workspace:trajectory", args=[trajectory.pk])).content.decode()
        assert outcome_url in body and cancel_url not in body
        trajectory.refresh_from_db()
        response = client.post(
            outcome_url, {"version": trajectory.version, "attended": "yes", "notes": "Pricing checked"}
        )
    assert response.status_code == 302
    assert SessionAttendance.objects.get(session=session).status == "present"
    # Another partner's coach cannot reach the session (404, as for the trajectory).
    client.force_login(other_coach)
    assert client.get(outcome_url).status_code == 404


def test_the_cancel_page_cancels_and_a_second_submit_is_refused(client, cast, counsellor, coach):
    trajectory = accompanied(cast, counsellor, coach)
    session = plan(trajectory, coach)
    trajectory.refresh_from_db()
    client.force_login(coach)
    cancel_url = reverse("workspace:session_cancel", args=[trajectory.pk, session.pk])
    with translation.override("nl"):
        assert client.post(cancel_url, {"version": trajectory.version}).status_code == 302
        again = client.post(cancel_url, {"version": trajectory.version})
    assert again.status_code == 200  # refused as stale, with a message, nothing more written
    session.refresh_from_db()
    assert session.cancelled and AuditEvent.objects.filter(action="session:individual_cancelled").count() == 1
