"""Collective sessions after planning: cancel a registration, change a series, cancel sessions to come.

Also the attendance register shared with information sessions (autocrea/pathways/registers.py). Expected
texts are computed with gettext inside translation.override, so the checks hold before and after the
catalogues are compiled.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from autocrea.accounts.models import AuditEvent, User
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Step
from autocrea.coaching.models import CoachingSession, CollectiveSeries, SessionAttendance
from autocrea.coaching.services import collective_sessions
from autocrea.notifications.models import Notification, NotificationKind
from autocrea.pathways import registers
from autocrea.pathways import sessions as session_services
from autocrea.pathways.models import InformationSession
from tests.factories import make_jobseeker, make_trajectory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def people(counsellor: User, coach: User, n: int, language: str = "nl") -> list[Any]:
    return [
        make_trajectory(
            step=Step.ACCOMPANIMENT,
            counsellor=counsellor,
            coach=coach,
            partner=coach.partner,
            jobseeker=make_jobseeker(email=f"p{i}@example.org", contact_language=language),
        )
        for i in range(n)
    ]


def plan(coach: User, count: int = 3, capacity: int = 12) -> CollectiveSeries:
    return collective_sessions.plan_collective_series(
        by=coach,
        topic="Prospecting",
        place="Rue de la Loi 1",
        mode="in_person",
        capacity=capacity,
        duration_minutes=120,
        first_day=timezone.localdate() + datetime.timedelta(days=7),
        start_time=datetime.time(18, 0),
        recurrence="weekly",
        count=count,
    )


def sessions_of(series: CollectiveSeries) -> list[CoachingSession]:
    return list(series.sessions.order_by("starts_at"))


def ics_method(message: Any) -> str:
    parts = [a for a in message.attachments if getattr(a, "get_content_type", lambda: "")() == "text/calendar"]
    assert len(parts) == 1
    calendar = icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))
    return str(calendar["METHOD"])


def url(name: str, *args: Any) -> str:
    with translation.override("fr"):
        return reverse(f"workspace:{name}", args=args)


# --- The shared register -------------------------------------------------------------------------------------


def test_both_kinds_of_session_use_the_one_register_mechanism(coach, counsellor):
    info = InformationSession.objects.create(
        starts_at=timezone.now() + datetime.timedelta(days=2), place="Actiris", language="fr", capacity=1
    )
    workshop = sessions_of(plan(coach, count=1, capacity=1))[0]
    assert session_services.seats_taken is registers.seats_taken
    assert collective_sessions.collective_is_locked is registers.is_locked
    for session in (info, workshop):
        assert registers.seats_taken(session) == 0 and not registers.has_started(session)
        with translation.override("nl"):
            with pytest.raises(PathwayError) as refused:
                registers.ensure_places(session, 2)
            assert refused.value.message == ngettext(
                "This session has %(free)d free places left: you selected %(count)d person. Nobody was registered.",
                "This session has %(free)d free places left: you selected %(count)d people. Nobody was registered.",
                2,
            ) % {"free": 1, "count": 2}
        with translation.override("en"), pytest.raises(PathwayError) as stale:
            registers.lock(session, session.version + 1)
        assert "Someone else changed this session" in stale.value.message


# --- Cancel a registration -----------------------------------------------------------------------------------


def test_a_coach_cancels_a_registration_the_seat_is_freed_and_the_person_gets_a_cancellation(
    coach, counsellor, django_capture_on_commit_callbacks
):
    series = plan(coach, count=1, capacity=1)
    session = sessions_of(series)[0]
    (person,) = people(counsellor, coach, 1)
    with django_capture_on_commit_callbacks(execute=True):
        (seat,) = collective_sessions.register_to_collective_session(session=session, trajectories=[person], by=coach)
    session.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        collective_sessions.cancel_collective_registration(attendance=seat, by=coach, version=session.version)
    assert not SessionAttendance.objects.filter(pk=seat.pk).exists()
    assert registers.seats_taken(session) == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [person.jobseeker.email]
    assert ics_method(mail.outbox[0]) == "CANCEL"
    with translation.override("nl"):
        assert gettext("Your booking is cancelled") in mail.outbox[0].subject  # the person's contact language
    assert AuditEvent.objects.filter(action="collective:registration_cancelled", object_id=person.pk).exists()
    # The freed seat can be taken again.
    other = people(counsellor, coach, 1)
    assert len(collective_sessions.register_to_collective_session(session=session, trajectories=other, by=coach)) == 1


def test_a_registration_cannot_be_cancelled_once_the_session_has_started_or_with_a_stale_page(coach, counsellor):
    session = sessions_of(plan(coach, count=1))[0]
    (person,) = people(counsellor, coach, 1)
    (seat,) = collective_sessions.register_to_collective_session(session=session, trajectories=[person], by=coach)
    with translation.override("en"), pytest.raises(PathwayError) as stale:
        collective_sessions.cancel_collective_registration(attendance=seat, by=coach, version=1)  # the version before
    assert "Someone else changed this session" in stale.value.message
    CoachingSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    with translation.override("en"), pytest.raises(PathwayError) as started:
        collective_sessions.cancel_collective_registration(attendance=seat, by=coach)
    assert started.value.message == "This session has already started: it can no longer be changed."
    assert SessionAttendance.objects.filter(pk=seat.pk).exists()


def test_the_register_page_offers_the_cancellation_and_the_button_cancels(client, coach, counsellor, other_coach):
    session = sessions_of(plan(coach, count=1))[0]
    (person,) = people(counsellor, coach, 1)
    (seat,) = collective_sessions.register_to_collective_session(session=session, trajectories=[person], by=coach)
    session.refresh_from_db()
    client.force_login(coach)
    with translation.override("fr"):
        body = client.get(url("collective_register", session.pk)).content.decode()
        assert url("collective_registration_cancel", seat.pk) in body
        assert gettext("Cancel the registration") in body  # {% translate %} output is not escaped
        response = client.post(url("collective_registration_cancel", seat.pk), {"version": session.version})
    assert response.status_code == 302
    assert not SessionAttendance.objects.filter(pk=seat.pk).exists()
    # Another partner's coach gets a 404, and nothing is written.
    (seat,) = collective_sessions.register_to_collective_session(session=session, trajectories=[person], by=coach)
    client.force_login(other_coach)
    assert client.post(url("collective_registration_cancel", seat.pk), {"version": 99}).status_code == 404
    assert SessionAttendance.objects.filter(pk=seat.pk).exists()


# --- Change a series -----------------------------------------------------------------------------------------


def test_changing_a_series_changes_the_sessions_to_come_and_sends_the_update(
    coach, counsellor, django_capture_on_commit_callbacks
):
    series = plan(coach, count=3)
    first, second, third = sessions_of(series)
    CoachingSession.objects.filter(pk=first.pk).update(starts_at=timezone.now() - datetime.timedelta(days=1))
    (person,) = people(counsellor, coach, 1)
    collective_sessions.register_to_collective_session(session=second, trajectories=[person], by=coach)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changed = collective_sessions.edit_collective_series(
            series=series,
            by=coach,
            topic="Finding customers",
            place="Rue Haute 5",
            capacity=8,
            start_time=datetime.time(9, 30),
            version=series.version,
        )
    assert {s.pk for s in changed} == {second.pk, third.pk}
    for session in (second, third):
        session.refresh_from_db()
        assert session.topic == "Finding customers" and session.place == "Rue Haute 5" and session.capacity == 8
        assert timezone.localtime(session.starts_at, BRUSSELS).time() == datetime.time(9, 30)
    first.refresh_from_db()
    assert first.topic == "Prospecting"  # a session that has taken place stays as it was
    series.refresh_from_db()
    assert series.topic == "Finding customers" and series.version == 2
    assert len(mail.outbox) == 1 and ics_method(mail.outbox[0]) == "REQUEST"
    assert Notification.objects.filter(kind=NotificationKind.INVITATION, coaching_session=second).count() == 2


def test_the_capacity_cannot_go_below_the_seats_taken_and_a_stale_form_is_refused(coach, counsellor):
    series = plan(coach, count=2, capacity=5)
    first, _second = sessions_of(series)
    collective_sessions.register_to_collective_session(
        session=first, trajectories=people(counsellor, coach, 3), by=coach
    )
    values = {"topic": "Prospecting", "place": "Rue de la Loi 1", "start_time": datetime.time(18, 0)}
    with translation.override("en"), pytest.raises(PathwayError) as refused:
        collective_sessions.edit_collective_series(series=series, by=coach, capacity=2, version=1, **values)
    date = timezone.localtime(first.starts_at).strftime("%d/%m/%Y")
    assert refused.value.message == (f"The session of {date} already has 3 people registered: give at least 3 places.")
    assert {s.capacity for s in sessions_of(series)} == {5}  # nothing written
    collective_sessions.edit_collective_series(series=series, by=coach, capacity=3, version=1, **values)
    with translation.override("en"), pytest.raises(PathwayError) as stale:
        collective_sessions.edit_collective_series(series=series, by=coach, capacity=4, version=1, **values)
    assert "Someone else changed this session" in stale.value.message


def test_the_series_edit_page_shows_the_refusal_in_french_and_dutch(client, coach, counsellor):
    series = plan(coach, count=1, capacity=5)
    (session,) = sessions_of(series)
    collective_sessions.register_to_collective_session(
        session=session, trajectories=people(counsellor, coach, 2), by=coach
    )
    client.force_login(coach)
    data = {"version": 1, "topic": "Prospecting", "place": "Rue de la Loi 1", "time": "18:00", "capacity": "1"}
    for lang in ("fr", "nl"):
        with translation.override(lang):
            page = client.get(reverse("workspace:collective_series_edit", args=[series.pk]))
            assert page.status_code == 200 and 'value="18:00"' in page.content.decode()
            response = client.post(reverse("workspace:collective_series_edit", args=[series.pk]), data)
            expected = ngettext(
                "The session of %(date)s already has %(taken)d person registered: give at least %(taken)d places.",
                "The session of %(date)s already has %(taken)d people registered: give at least %(taken)d places.",
                2,
            ) % {"date": timezone.localtime(session.starts_at).strftime("%d/%m/%Y"), "taken": 2}
        assert response.status_code == 200
        assert escape(expected) in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 5
    with translation.override("fr"):
        data["capacity"] = "6"
        assert client.post(reverse("workspace:collective_series_edit", args=[series.pk]), data).status_code == 302
    session.refresh_from_db()
    assert session.capacity == 6


# --- Cancel sessions to come ---------------------------------------------------------------------------------


def test_cancelling_one_session_or_the_rest_of_the_series_tells_the_people_registered(
    coach, counsellor, django_capture_on_commit_callbacks
):
    series = plan(coach, count=4)
    first, second, third, fourth = sessions_of(series)
    a, b = people(counsellor, coach, 2)
    collective_sessions.register_to_collective_session(session=first, trajectories=[a], by=coach)
    collective_sessions.register_to_collective_session(session=third, trajectories=[a, b], by=coach)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        only = collective_sessions.cancel_collective_occurrences(session=first, by=coach)
    assert [s.pk for s in only] == [first.pk]
    assert len(mail.outbox) == 1 and ics_method(mail.outbox[0]) == "CANCEL"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rest = collective_sessions.cancel_collective_occurrences(session=second, by=coach, rest_of_series=True)
    assert [s.pk for s in rest] == [second.pk, third.pk, fourth.pk]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.jobseeker.email, b.jobseeker.email])
    assert all(s.cancelled and s.finalised_at for s in sessions_of(series))
    assert AuditEvent.objects.filter(action="collective:session_called_off").count() == 4
    with translation.override("en"), pytest.raises(PathwayError):
        collective_sessions.register_to_collective_session(
            session=third, trajectories=people(counsellor, coach, 1), by=coach
        )


def test_the_cancel_page_asks_which_sessions_and_cancels_them(client, coach, counsellor):
    series = plan(coach, count=3)
    first, second, _third = sessions_of(series)
    client.force_login(coach)
    with translation.override("nl"):
        page = client.get(reverse("workspace:collective_session_cancel", args=[second.pk])).content.decode()
        assert escape(gettext("This session and the following sessions of the series")) in page
        response = client.post(
            reverse("workspace:collective_session_cancel", args=[second.pk]), {"version": 1, "scope": "rest"}
        )
    assert response.status_code == 302
    assert [s.cancelled for s in sessions_of(series)] == [False, True, True]
    # The last session of a series has nothing after it: no choice, just the confirmation.
    with translation.override("fr"):
        page = client.get(reverse("workspace:collective_session_cancel", args=[first.pk])).content.decode()
    assert 'type="hidden" name="scope"' in page
