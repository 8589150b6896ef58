"""Invitations, cancellations and reminders for sessions: .ics files and e-mails sent after commit.

E-mails are sent by a django-tasks task enqueued with transaction.on_commit. Most tests run it with
the immediate backend and pytest-django's django_capture_on_commit_callbacks; one test enqueues on
the database backend and runs the real worker (`db_worker --batch`). Expected texts are computed
with gettext inside translation.override, so the checks hold before and after the catalogues.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from autocrea.backbone.steps import Step
from autocrea.coaching.models import CoachingSession, SessionAttendance
from autocrea.coaching.services import individual_sessions
from autocrea.notifications.models import Notification, NotificationKind, NotificationStatus
from autocrea.notifications.services import ics
from autocrea.pathways import sessions as session_services
from autocrea.pathways.models import InformationAttendance, InformationSession
from tests.factories import make_jobseeker, make_trajectory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    """Run tasks in the test itself (one test below switches to the database backend and its worker)."""
    settings.TASKS = IMMEDIATE
    settings.REMINDER_HOURS_BEFORE = 48


def make_session(*, days: float = 5, language: str = "fr", hour: int = 9) -> InformationSession:
    # A fixed local hour, so the Brussels wall-clock time in the .ics is known.
    day = timezone.localdate() + datetime.timedelta(days=int(days))
    starts = datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=BRUSSELS)
    if days != int(days) or starts <= timezone.now():
        starts = timezone.now() + datetime.timedelta(days=days)
    return InformationSession.objects.create(starts_at=starts, place="Actiris, Bd Anspach 65", language=language)


def person(cast: dict[str, Any], counsellor: Any, *, language: str = "nl", email: str = "zoe@example.org") -> Any:
    """A person at the interest step with a portal account (demo-jobseeker)."""
    jobseeker = make_jobseeker(
        user=cast["demo-jobseeker"], first_name="Zoë", last_name="Peeters", contact_language=language, email=email
    )
    return make_trajectory(step=Step.INTEREST, counsellor=counsellor, jobseeker=jobseeker)


def calendar_of(message: Any) -> icalendar.Calendar:
    """Return the .ics attached to `message`, parsed back."""
    parts = [a for a in message.attachments if getattr(a, "get_content_type", lambda: "")() == "text/calendar"]
    assert len(parts) == 1, message.attachments
    assert parts[0].get_param("method") in {"REQUEST", "CANCEL"}
    return icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))


def book(trajectory: Any, session: InformationSession, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        session_services.book_one(session=session, trajectory=trajectory, by=trajectory.jobseeker.user)


def test_a_booking_sends_an_invitation_whose_ics_has_the_brussels_times(
    cast, counsellor, django_capture_on_commit_callbacks
):
    trajectory = person(cast, counsellor)
    session = make_session()
    book(trajectory, session, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zoe@example.org"]
    cal = calendar_of(message)
    assert str(cal["METHOD"]) == "REQUEST"
    event = cal.events[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert event.start.tzinfo.key == "Europe/Brussels"
    assert event.start == session.starts_at
    assert (event.start.hour, event.start.minute) == (9, 30)
    assert event.end - event.start == ics.INFORMATION_SESSION_LENGTH
    assert str(event["UID"]) == ics.uid_for(session, jobseeker=trajectory.jobseeker)
    assert str(event["LOCATION"]) == session.place
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Brussels"]
    assert Notification.objects.get().status == NotificationStatus.SENT


def test_the_uid_is_stable_per_session_and_person(cast, counsellor):
    trajectory = person(cast, counsellor)
    session, other = make_session(), make_session(days=6)
    other_person = make_jobseeker()
    uid = ics.uid_for(session, jobseeker=trajectory.jobseeker)
    assert uid == ics.uid_for(session, jobseeker=trajectory.jobseeker)
    assert uid != ics.uid_for(other, jobseeker=trajectory.jobseeker)
    assert uid != ics.uid_for(session, jobseeker=other_person)


def test_a_dutch_speaker_gets_dutch_while_the_counsellor_works_in_french(
    cast, counsellor, django_capture_on_commit_callbacks
):
    trajectory = person(cast, counsellor, language="nl")
    session = make_session(days=8)
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        session_services.register_to_session(session=session, trajectories=[trajectory], by=counsellor)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    starts = session.starts_at.astimezone(BRUSSELS)
    with translation.override("nl"):
        subject = gettext("Your information session")
        summary = gettext("Information session: create your own job")
        weekday = date_format(starts, "l")
        hello = gettext("Hello %(name)s,") % {"name": "Zoë"}
    with translation.override("fr"):
        french_weekday = date_format(starts, "l")
    assert subject in message.subject
    assert weekday in message.body and french_weekday not in message.body  # Dutch day name, not French
    assert hello in message.body
    html = message.alternatives[0][0]
    assert 'lang="nl"' in html and weekday in html
    assert str(calendar_of(message).events[0]["SUMMARY"]) == summary


def test_a_rolled_back_booking_sends_nothing(cast, counsellor, django_capture_on_commit_callbacks):
    trajectory = person(cast, counsellor)
    session = make_session()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        session_services.book_one(session=session, trajectory=trajectory, by=trajectory.jobseeker.user)
        raise RuntimeError("something failed after the booking")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()
    assert not InformationAttendance.objects.exists()


def test_a_cancellation_sends_cancel_with_the_same_uid_and_a_higher_sequence(
    cast, counsellor, django_capture_on_commit_callbacks
):
    trajectory = person(cast, counsellor)
    session = make_session()
    book(trajectory, session, django_capture_on_commit_callbacks)
    attendance = InformationAttendance.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        session_services.cancel_booking(attendance=attendance, by=trajectory.jobseeker.user)

    assert len(mail.outbox) == 2
    invitation, cancellation = (calendar_of(m) for m in mail.outbox)
    assert str(cancellation["METHOD"]) == "CANCEL"
    first, second = invitation.events[0], cancellation.events[0]
    assert str(second["STATUS"]) == "CANCELLED"
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] > first["SEQUENCE"]
    with translation.override("nl"):
        assert gettext("Your booking is cancelled") in mail.outbox[1].subject
    kinds = list(Notification.objects.values_list("kind", "status"))
    assert kinds == [(NotificationKind.INVITATION, "sent"), (NotificationKind.CANCELLATION, "sent")]


def test_a_person_without_an_e_mail_address_is_skipped(cast, counsellor, django_capture_on_commit_callbacks):
    trajectory = person(cast, counsellor, email="")
    session = make_session(days=1.5)
    book(trajectory, session, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=open_null())
    assert InformationAttendance.objects.filter(trajectory=trajectory).exists()  # the booking itself worked
    assert mail.outbox == []
    assert not Notification.objects.exists()


def open_null() -> Any:
    import io

    return io.StringIO()


def test_reminders_are_sent_once_even_when_the_command_runs_twice(
    cast, counsellor, coach, partners, django_capture_on_commit_callbacks
):
    trajectory = person(cast, counsellor)
    soon, later = make_session(days=1.5), make_session(days=5)
    # Booked earlier (no recent invitation): both sessions; only the one within 48 hours is reminded.
    InformationAttendance.objects.create(trajectory=trajectory, session=soon)
    other = make_trajectory(
        step=Step.ACCOMPANIMENT,
        counsellor=counsellor,
        coach=coach,
        partner=partners["credal"],
        jobseeker=make_jobseeker(email="jan@example.org", contact_language="fr"),
    )
    appointment = CoachingSession.objects.create(
        partner=partners["credal"],
        kind="individual",
        topic="Plan financier",
        starts_at=timezone.now() + datetime.timedelta(hours=30),
    )
    SessionAttendance.objects.create(session=appointment, trajectory=other)
    InformationAttendance.objects.create(
        trajectory=make_trajectory(step=Step.INTEREST, counsellor=counsellor), session=later
    )

    out = open_null()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    assert out.getvalue().startswith("2 reminder(s) queued")
    assert sorted(m.to[0] for m in mail.outbox) == ["jan@example.org", "zoe@example.org"]

    again = open_null()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=again)
    assert again.getvalue().startswith("0 reminder(s) queued")
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == 2
    with translation.override("nl"):
        assert (
            gettext("This is a reminder: we expect you soon.")
            in next(m for m in mail.outbox if m.to == ["zoe@example.org"]).body
        )


def test_the_database_refuses_a_second_reminder_for_the_same_booking(cast, counsellor):
    from django.db import IntegrityError

    trajectory = person(cast, counsellor)
    session = make_session(days=1.5)
    Notification.objects.create(jobseeker=trajectory.jobseeker, information_session=session, kind="reminder")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(jobseeker=trajectory.jobseeker, information_session=session, kind="reminder")


def test_a_booking_made_inside_the_window_gets_its_invitation_but_no_extra_reminder(
    cast, counsellor, django_capture_on_commit_callbacks
):
    trajectory = person(cast, counsellor)
    book(trajectory, make_session(days=1.5), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=open_null())
    assert [n.kind for n in Notification.objects.all()] == [NotificationKind.INVITATION]
    assert len(mail.outbox) == 1


def test_a_planned_coaching_session_invites_the_person(
    cast, counsellor, coach, partners, django_capture_on_commit_callbacks
):
    jobseeker = make_jobseeker(email="jan@example.org", contact_language="fr")
    trajectory = make_trajectory(
        step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"], jobseeker=jobseeker
    )
    starts = timezone.now() + datetime.timedelta(days=4)
    with django_capture_on_commit_callbacks(execute=True):
        session = individual_sessions.record_individual_session(
            trajectory=trajectory, by=coach, starts_at=starts, duration_minutes=90, mode="in_person", topic="Plan"
        )
    assert SessionAttendance.objects.get(session=session).status == "registered"
    event = calendar_of(mail.outbox[0]).events[0]
    assert event.end - event.start == datetime.timedelta(minutes=90)
    assert event.start.tzinfo.key == "Europe/Brussels"
    with translation.override("fr"):
        assert str(event["SUMMARY"]) == gettext("Coaching session with %(partner)s: %(topic)s") % {
            "partner": partners["credal"].name_in("fr"),
            "topic": "Plan",
        }


def test_a_past_coaching_session_sends_nothing(cast, counsellor, coach, partners, django_capture_on_commit_callbacks):
    trajectory = make_trajectory(
        step=Step.ACCOMPANIMENT,
        counsellor=counsellor,
        coach=coach,
        partner=partners["credal"],
        jobseeker=make_jobseeker(email="jan@example.org"),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        individual_sessions.record_individual_session(
            trajectory=trajectory,
            by=coach,
            starts_at=timezone.now() - datetime.timedelta(days=1),
            duration_minutes=60,
            mode="phone",
            topic="Plan",
        )
    assert callbacks == [] and mail.outbox == []


# -- downloads ------------------------------------------------------------------------------------


def test_my_booking_downloads_as_ics_in_my_language_and_another_persons_is_404(client, cast, counsellor):
    trajectory = person(cast, counsellor, language="nl")
    session = make_session()
    mine = InformationAttendance.objects.create(trajectory=trajectory, session=session)
    someone = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    theirs = InformationAttendance.objects.create(trajectory=someone, session=session)

    client.force_login(cast["demo-jobseeker"])
    with translation.override("fr"):
        own_url = reverse("portal:booking_ics", args=[mine.pk])
        foreign_url = reverse("portal:booking_ics", args=[theirs.pk])
    response = client.get(own_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    cal = icalendar.Calendar.from_ical(response.content)
    event = cal.events[0]
    with translation.override("nl"):
        assert str(event["SUMMARY"]) == gettext("Information session: create your own job")
    assert event.start == session.starts_at and event["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert str(event["UID"]) == ics.uid_for(session, jobseeker=trajectory.jobseeker)
    assert client.get(foreign_url).status_code == 404

    client.force_login(counsellor)
    assert client.get(own_url).status_code == 403  # staff use their own copy from the workspace


def test_the_sessions_page_links_my_booking_and_my_appointments_to_my_calendar(
    client, cast, counsellor, coach, partners
):
    trajectory = person(cast, counsellor, language="fr")
    booking = InformationAttendance.objects.create(trajectory=trajectory, session=make_session())
    client.force_login(cast["demo-jobseeker"])
    with translation.override("fr"):
        page = client.get(reverse("portal:sessions")).content.decode()
        assert reverse("portal:booking_ics", args=[booking.pk]) in page
        assert gettext("Add to my calendar") in page


def test_staff_download_their_own_copy_of_a_session_they_can_see(
    client, cast, counsellor, coach, other_coach, partners
):
    session = make_session()
    with translation.override("fr"):
        url = reverse("workspace:information_session_ics", args=[session.pk])
    client.force_login(counsellor)
    response = client.get(url)
    assert response.status_code == 200
    event = icalendar.Calendar.from_ical(response.content).events[0]
    assert str(event["UID"]) == ics.uid_for(session, user=counsellor)
    assert event.start == session.starts_at

    trajectory = make_trajectory(
        step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"]
    )
    appointment = CoachingSession.objects.create(
        partner=partners["credal"],
        kind="individual",
        topic="Plan",
        starts_at=timezone.now() + datetime.timedelta(days=2),
    )
    SessionAttendance.objects.create(session=appointment, trajectory=trajectory)
    with translation.override("fr"):
        url = reverse("workspace:coaching_session_ics", args=[appointment.pk])
    client.force_login(coach)
    assert client.get(url).status_code == 200
    with translation.override("fr"):
        panel = client.get(reverse("workspace:trajectory", args=[trajectory.pk])).content.decode()
    assert url in panel  # the planned session's "Add to my calendar" link on the partner panel
    client.force_login(other_coach)
    assert client.get(url).status_code == 404


# -- the real worker ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_backend_queues_the_invitation_and_the_worker_sends_it(settings, cast, counsellor):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    trajectory = person(cast, counsellor)
    session = make_session()
    # Committed for real (transaction=True): on_commit enqueues on the database backend.
    session_services.book_one(session=session, trajectory=trajectory, by=trajectory.jobseeker.user)

    task = DBTaskResult.objects.get()
    assert task.task_path == "autocrea.notifications.tasks.send_notification"
    assert mail.outbox == []  # nothing is sent before the worker runs
    assert Notification.objects.get().status == NotificationStatus.PENDING

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zoe@example.org"]
    assert Notification.objects.get().status == NotificationStatus.SENT
