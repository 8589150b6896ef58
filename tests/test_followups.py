"""The +6-month follow-up worklist: views and their scope, contact attempts, reminders, answers, non-response."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from autocrea.accounts.models import AuditEvent, User
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Step
from autocrea.pathways import followups
from autocrea.pathways.followups import View, reminder_due
from autocrea.pathways.models import FollowUp, FollowUpAttempt, StepLog, Trajectory
from autocrea.workspace.views import followups as followup_views
from tests.factories import make_jobseeker, make_trajectory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are compared in English: start every test there, whatever an earlier test activated."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def exited(
    partners: dict[str, Any], counsellor: User, coach: User, *, slug: str = "credal", due_in: int = 0, **person: Any
) -> Trajectory:
    """Return a trajectory exited long ago whose follow-up is due `due_in` days from today."""
    t = make_trajectory(
        step=Step.EXIT,
        counsellor=counsellor,
        coach=coach,
        partner=partners[slug],
        jobseeker=make_jobseeker(**person) if person else None,
    )
    FollowUp.objects.filter(trajectory=t).update(due_on=days(due_in))
    return t


def url(name: str, *args: Any, lang: str = "en", query: str = "") -> str:
    with translation.override(lang):
        base = reverse(f"workspace:{name}", args=args)
    return f"{base}?{query}" if query else base


def listed(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/\w\w/workspace/trajectories/(\d+)/"', html)]


@pytest.fixture
def manager(cast: dict[str, User]) -> User:
    return cast["demo-partner-manager-credal"]


# --- reminders: a pure rule, checked at its boundaries with fixed dates ---------------------------

D = datetime.date(2026, 3, 16)


@pytest.mark.parametrize(
    ("status", "due_on", "last_attempt_on", "expected"),
    [
        ("due", D, None, True),  # due today, nobody tried yet
        ("due", D + datetime.timedelta(days=1), None, False),  # not due yet
        ("due", D - datetime.timedelta(days=40), D - datetime.timedelta(days=6), False),  # tried 6 days ago
        ("due", D - datetime.timedelta(days=40), D - datetime.timedelta(days=7), True),  # tried 7 days ago
        ("due", D - datetime.timedelta(days=40), D, False),  # tried today
        ("answered", D - datetime.timedelta(days=40), None, False),
        ("no_response", D - datetime.timedelta(days=40), None, False),
    ],
)
def test_a_reminder_is_due_when_nobody_tried_in_the_last_seven_days(status, due_on, last_attempt_on, expected):
    assert reminder_due(status=status, due_on=due_on, last_attempt_on=last_attempt_on, today=D) is expected


def test_a_follow_up_is_overdue_more_than_thirty_days_after_its_due_date():
    assert not followups.is_overdue(status="due", due_on=D - datetime.timedelta(days=30), today=D)
    assert followups.is_overdue(status="due", due_on=D - datetime.timedelta(days=31), today=D)
    assert not followups.is_overdue(status="answered", due_on=D - datetime.timedelta(days=90), today=D)


# --- the worklist's views and scope -----------------------------------------------------------------


@pytest.fixture
def worklist_world(partners, counsellor, coach, other_coach):
    w = {
        "due": exited(partners, counsellor, coach, due_in=-5),
        "due_edge": exited(partners, counsellor, coach, due_in=-30),
        "overdue": exited(partners, counsellor, coach, due_in=-31),
        "upcoming": exited(partners, counsellor, coach, due_in=10),
        "later": exited(partners, counsellor, coach, due_in=45),
        "answered": exited(partners, counsellor, coach, due_in=-3),
        "no_response": exited(partners, counsellor, coach, due_in=-3),
        "foreign": exited(partners, counsellor, other_coach, slug="microstart", due_in=-5),
    }
    from autocrea.pathways import services

    services.record_follow_up(
        trajectory=w["answered"],
        by=coach,
        on=TODAY,
        responded=True,
        situation="employed",
        improved=True,
        source="phone",
    )
    followups.record_follow_up_attempt(trajectory=w["no_response"], by=coach, on=TODAY, channel="phone")
    followups.record_no_response(trajectory=w["no_response"], by=coach, on=TODAY)
    return w


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (View.TODO, {"due", "due_edge", "overdue"}),
        (View.DUE, {"due", "due_edge"}),
        (View.OVERDUE, {"overdue"}),
        (View.UPCOMING, {"upcoming"}),
        (View.SCHEDULED, {"upcoming", "later"}),
        (View.ANSWERED, {"answered"}),
        (View.NO_RESPONSE, {"no_response"}),
    ],
)
def test_each_worklist_view_lists_its_follow_ups_of_the_partner_only(client, coach, worklist_world, view, expected):
    client.force_login(coach)
    response = client.get(url("follow_ups", query=f"show={view}"))
    assert response.status_code == 200
    ids = {worklist_world[name].pk for name in expected}
    assert set(listed(response.content.decode())) == ids


def test_the_counsellor_sees_every_partners_follow_ups_and_a_coach_never_another_partners(
    client, counsellor, other_coach, worklist_world
):
    client.force_login(counsellor)
    html = client.get(url("follow_ups")).content.decode()
    assert worklist_world["foreign"].pk in listed(html)
    assert worklist_world["due"].pk in listed(html)
    client.force_login(other_coach)
    html = client.get(url("follow_ups")).content.decode()
    assert listed(html) == [worklist_world["foreign"].pk]
    assert worklist_world["due"].jobseeker.last_name not in html


def test_a_voided_exit_has_no_follow_up_on_the_worklist(counsellor, worklist_world):
    from autocrea.pathways import services

    t = worklist_world["due"]
    services.reopen(trajectory=t, by=counsellor, channel="phone", on=TODAY, reason="Business stopped")
    rows = followups.worklist(counsellor, view=View.TODO, today=TODAY)
    assert t.pk not in {f.trajectory_id for f in rows}


def test_the_worklist_is_sorted_by_due_date_both_ways(client, coach, worklist_world):
    client.force_login(coach)
    earliest = listed(client.get(url("follow_ups", query="show=todo&sort=due")).content.decode())
    assert earliest == [worklist_world[n].pk for n in ("overdue", "due_edge", "due")]
    latest = listed(client.get(url("follow_ups", query="show=todo&sort=-due")).content.decode())
    assert latest == list(reversed(earliest))


def test_the_worklist_pages_by_key_without_losing_a_row(client, coach, worklist_world, monkeypatch):
    monkeypatch.setattr(followup_views, "PAGE_SIZE", 2)
    client.force_login(coach)
    first = client.get(url("follow_ups", query="show=todo")).content.decode()
    assert len(listed(first)) == 2
    found = re.search(r'href="([^"]*)" rel="next"', first)
    assert found
    second = client.get(url("follow_ups") + found.group(1).replace("&amp;", "&")).content.decode()
    assert listed(first) + listed(second) == [worklist_world[n].pk for n in ("overdue", "due_edge", "due")]


def test_an_unknown_view_or_sort_falls_back_to_the_default(client, coach, worklist_world):
    client.force_login(coach)
    response = client.get(url("follow_ups", query="show=everything&sort=name&after=abc"))
    assert response.status_code == 200
    assert set(listed(response.content.decode())) == {worklist_world[n].pk for n in ("due", "due_edge", "overdue")}


def test_each_row_shows_the_exit_the_contact_details_and_the_attempts(client, partners, counsellor, coach):
    t = exited(
        partners,
        counsellor,
        coach,
        due_in=-2,
        first_name="Nadia",
        last_name="Peeters",
        phone="+32470123456",
        email="nadia@example.be",
        contact_language="nl",
    )
    followups.record_follow_up_attempt(trajectory=t, by=coach, on=days(-1), channel="sms", note="No answer")
    client.force_login(coach)
    html = client.get(url("follow_ups")).content.decode()
    assert "Peeters, Nadia" in html
    assert 'href="tel:+32470123456"' in html and "mailto:nadia@example.be" in html
    assert "Contact language: Dutch" in html
    assert "Salaried job" in html or "salaried" in html.lower()
    assert t.exit_on.strftime("%d/%m/%Y") in html
    assert days(-1).strftime("%d/%m/%Y") in html  # the last attempt
    # Attempted yesterday: no reminder; the non-response action is offered after an attempt.
    assert 'govuk-tag--orange">Reminder due' not in html
    assert url("follow_up_no_response", t.pk) in html


def test_the_reminder_shows_when_nobody_tried_for_a_week(client, partners, counsellor, coach):
    t = exited(partners, counsellor, coach, due_in=-20)
    followups.record_follow_up_attempt(trajectory=t, by=coach, on=days(-7), channel="phone")
    client.force_login(coach)
    html = client.get(url("follow_ups")).content.decode()
    assert html.count('govuk-tag--orange">Reminder due') == 1
    assert url("follow_up_no_response", t.pk) in html


def test_the_worklist_runs_a_fixed_number_of_queries(client, partners, counsellor, coach):
    client.force_login(coach)
    exited(partners, counsellor, coach, due_in=-1)
    with CaptureQueriesContext(connection) as few:
        client.get(url("follow_ups"))
    for n in range(4):
        t = exited(partners, counsellor, coach, due_in=-n - 2)
        followups.record_follow_up_attempt(trajectory=t, by=coach, on=TODAY, channel="email")
    with CaptureQueriesContext(connection) as many:
        assert len(listed(client.get(url("follow_ups")).content.decode())) == 5
    assert len(many) == len(few)


def test_the_home_page_counts_the_follow_ups_due(client, coach, other_coach, counsellor, worklist_world):
    client.force_login(coach)
    html = client.get(url("home")).content.decode()
    assert "3 follow-ups at six months are due" in html
    client.force_login(other_coach)
    assert "1 follow-up at six months is due" in client.get(url("home")).content.decode()
    client.force_login(counsellor)
    assert "4 follow-ups at six months are due" in client.get(url("home")).content.decode()


def test_the_home_page_count_is_translated(client, coach, worklist_world):
    client.force_login(coach)
    with translation.override("nl"):
        expected = translation.ngettext(
            "%(counter)s follow-up at six months is due", "%(counter)s follow-ups at six months are due", 3
        ) % {"counter": 3}
    assert expected in client.get(url("home", lang="nl")).content.decode()


# --- contact attempts -------------------------------------------------------------------------------


def test_a_contact_attempt_is_recorded_and_audited(client, partners, counsellor, coach):
    t = exited(partners, counsellor, coach, due_in=-10)
    client.force_login(coach)
    response = client.post(
        url("follow_up_attempt", t.pk, query="show=overdue"),
        {"on": days(-1).strftime("%d/%m/%Y"), "channel": "phone", "note": "Voicemail", "version": t.version},
    )
    assert response.status_code == 302
    assert response["Location"] == url("follow_ups", query="show=overdue")
    attempt = FollowUpAttempt.objects.get(follow_up__trajectory=t)
    assert (attempt.on, attempt.channel, attempt.note, attempt.by) == (days(-1), "phone", "Voicemail", coach)
    assert AuditEvent.objects.filter(action="follow_up:attempt", object_id=attempt.follow_up_id).count() == 1
    # The trajectory does not move: only the answer or the non-response closes the follow-up.
    t.refresh_from_db()
    assert t.current_step == Step.EXIT


def test_a_double_submitted_attempt_is_recorded_once(client, partners, counsellor, coach):
    t = exited(partners, counsellor, coach, due_in=-10)
    client.force_login(coach)
    data = {"on": TODAY.strftime("%d/%m/%Y"), "channel": "email", "note": "", "version": t.version}
    client.post(url("follow_up_attempt", t.pk), data)
    client.post(url("follow_up_attempt", t.pk), data)
    assert FollowUpAttempt.objects.filter(follow_up__trajectory=t).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"on": "", "channel": "phone"}, "Enter the date."),
        ({"on": "31/02/2026", "channel": "phone"}, "Enter the date as day/month/year"),
        ({"on": "tomorrow", "channel": "phone"}, "Enter the date as day/month/year"),
        ({"channel": "pigeon"}, "Select a valid choice"),
        ({"channel": ""}, "Choose how you tried to reach the person."),
        ({"note": "x" * 301}, "Keep the note under 300 characters."),
    ],
)
def test_a_bad_attempt_gets_a_message_and_writes_nothing(client, partners, counsellor, coach, data, message):
    t = exited(partners, counsellor, coach, due_in=-10)
    client.force_login(coach)
    values = {"on": TODAY.strftime("%d/%m/%Y"), "channel": "phone", "note": "", "version": t.version, **data}
    response = client.post(url("follow_up_attempt", t.pk), values)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FollowUpAttempt.objects.exists()


def test_an_attempt_in_the_future_or_before_the_exit_is_refused(partners, counsellor, coach):
    t = exited(partners, counsellor, coach, due_in=-10)
    with pytest.raises(PathwayError, match="future"):
        followups.record_follow_up_attempt(trajectory=t, by=coach, on=days(1), channel="phone")
    with pytest.raises(PathwayError, match="exit"):
        followups.record_follow_up_attempt(
            trajectory=t, by=coach, on=t.exit_on - datetime.timedelta(days=1), channel="phone"
        )
    assert not FollowUpAttempt.objects.exists()


def test_another_partners_staff_cannot_record_an_attempt(client, partners, counsellor, coach, other_coach):
    t = exited(partners, counsellor, coach, due_in=-10)
    with pytest.raises(PathwayError):
        followups.record_follow_up_attempt(trajectory=t, by=other_coach, on=TODAY, channel="phone")
    client.force_login(other_coach)
    for name in ("follow_up_attempt", "follow_up_answer", "follow_up_no_response"):
        assert client.get(url(name, t.pk)).status_code == 404
        response = client.post(url(name, t.pk), {"on": TODAY.strftime("%d/%m/%Y"), "channel": "phone"})
        assert response.status_code == 404
    assert not FollowUpAttempt.objects.exists()
    assert FollowUp.objects.get(trajectory=t).status == "due"


def test_an_attempt_on_a_closed_follow_up_is_refused(client, partners, counsellor, coach):
    t = exited(partners, counsellor, coach, due_in=-10)
    followups.record_follow_up_attempt(trajectory=t, by=coach, on=TODAY, channel="phone")
    followups.record_no_response(trajectory=t, by=coach, on=TODAY)
    with pytest.raises(PathwayError):
        followups.record_follow_up_attempt(trajectory=t, by=coach, on=TODAY, channel="letter")
    client.force_login(coach)
    response = client.post(
        url("follow_up_attempt", t.pk), {"on": TODAY.strftime("%d/%m/%Y"), "channel": "letter", "version": 1}
    )
    assert response.status_code == 200
    assert "This follow-up is closed" in response.content.decode()
    assert FollowUpAttempt.objects.count() == 1


# --- the answer and the explicit non-response ------------------------------------------------------


def test_a_non_response_needs_an_attempt_first(client, partners, counsellor, coach):
    t = exited(partners, counsellor, coach, due_in=-10)
    client.force_login(coach)
    response = client.post(url("follow_up_no_response", t.pk), {"on": TODAY.strftime("%d/%m/%Y"), "version": t.version})
    assert response.status_code == 200
    assert "Record at least one attempt" in response.content.decode()
    assert FollowUp.objects.get(trajectory=t).status == "due"
    assert Trajectory.objects.get(pk=t.pk).current_step == Step.EXIT


def test_a_non_response_is_recorded_explicitly_and_only_once(client, partners, counsellor, coach):
    t = exited(partners, counsellor, coach, due_in=-10)
    followups.record_follow_up_attempt(trajectory=t, by=coach, on=days(-8), channel="phone")
    followups.record_follow_up_attempt(trajectory=t, by=coach, on=days(-1), channel="letter")
    client.force_login(coach)
    data = {"on": TODAY.strftime("%d/%m/%Y"), "version": t.version}
    assert client.post(url("follow_up_no_response", t.pk), data).status_code == 302
    second = client.post(url("follow_up_no_response", t.pk), data)
    assert second.status_code == 200
    follow_up = FollowUp.objects.get(trajectory=t)
    assert (follow_up.status, follow_up.situation, follow_up.improved, follow_up.source) == (
        "no_response",
        "",
        None,
        "",
    )
    assert follow_up.answered_on == TODAY
    assert StepLog.objects.filter(trajectory=t, to_step=Step.FOLLOW_UP).count() == 1
    assert AuditEvent.objects.filter(action="follow_up:no_response", object_id=follow_up.pk).count() == 1


def test_a_non_response_cannot_be_dated_before_the_last_attempt(partners, counsellor, coach):
    t = exited(partners, counsellor, coach, due_in=-10)
    followups.record_follow_up_attempt(trajectory=t, by=coach, on=TODAY, channel="phone")
    with pytest.raises(PathwayError, match="last attempt"):
        followups.record_no_response(trajectory=t, by=coach, on=days(-1))
    assert FollowUp.objects.get(trajectory=t).status == "due"


def test_the_answer_is_recorded_from_the_worklist(client, partners, counsellor, coach):
    t = exited(partners, counsellor, coach, due_in=-10)
    client.force_login(counsellor)
    response = client.post(
        url("follow_up_answer", t.pk, query="show=due"),
        {
            "on": TODAY.strftime("%d/%m/%Y"),
            "situation": "self_employed",
            "improved": "yes",
            "source": "register",
            "version": t.version,
        },
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get(trajectory=t)
    assert (follow_up.status, follow_up.situation, follow_up.improved, follow_up.source) == (
        "answered",
        "self_employed",
        True,
        "register",
    )
    assert Trajectory.objects.get(pk=t.pk).current_step == Step.FOLLOW_UP


def test_an_incomplete_answer_gets_a_message_per_field_and_writes_nothing(client, partners, counsellor, coach):
    t = exited(partners, counsellor, coach, due_in=-10)
    client.force_login(coach)
    response = client.post(url("follow_up_answer", t.pk), {"on": TODAY.strftime("%d/%m/%Y"), "version": t.version})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose the person&#x27;s situation." in html
    assert "Choose where the answer comes from." in html
    assert FollowUp.objects.get(trajectory=t).status == "due"


def test_a_stale_answer_is_refused(client, partners, counsellor, coach):
    t = exited(partners, counsellor, coach, due_in=-10)
    client.force_login(coach)
    data = {
        "on": TODAY.strftime("%d/%m/%Y"),
        "situation": "employed",
        "improved": "unknown",
        "source": "phone",
        "version": t.version - 1,
    }
    response = client.post(url("follow_up_answer", t.pk), data)
    assert "Someone else changed this trajectory" in response.content.decode()
    assert FollowUp.objects.get(trajectory=t).status == "due"


def test_a_job_seeker_cannot_open_the_follow_up_pages(client, partners, counsellor, coach, cast):
    person = make_jobseeker(user=cast["demo-jobseeker"])
    t = make_trajectory(
        step=Step.EXIT, counsellor=counsellor, coach=coach, partner=partners["credal"], jobseeker=person
    )
    client.force_login(cast["demo-jobseeker"])
    assert client.get(url("follow_ups")).status_code == 403
    assert client.get(url("follow_up_attempt", t.pk)).status_code == 403
