"""Dates within sense (issue 10 item 4): every entered date has a range, and stored boundary dates never give a 500.

Refusals are checked on the services (also used by the API and commands) and on the screens, with the
message in French and Dutch and nothing written. Rows with year-1 and year-9999 dates are then written
directly (bypassing every check) and each page that shows them must still answer.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from autocrea.accounts.tokens import issue_token
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Channel, Step
from autocrea.coaching.models import (
    SKILLS,
    Action,
    CoachingSession,
    CollectiveSeries,
    Milestone,
    SessionAttendance,
    SkillAssessment,
    ViabilityTest,
)
from autocrea.coaching.services import action_plan, collective_sessions, individual_sessions, milestones
from autocrea.jobseekers.models import Jobseeker
from autocrea.jobseekers.services import register_jobseeker
from autocrea.lib import dates
from autocrea.pathways import services
from autocrea.pathways import sessions as session_services
from autocrea.pathways.models import Exit, FollowUp, InformationSession, StepLog, Trajectory
from autocrea.pathways.services import STEP_DATE_FIELDS
from tests.factories import make_jobseeker, make_trajectory
from tests.test_eligibility import person
from tests.test_planned_sessions import _immediate_tasks, accompanied, in_days, plan  # noqa: F401

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
YEAR_ONE = datetime.datetime(1, 1, 1, 0, 0, tzinfo=UTC)
YEAR_9999 = datetime.datetime(9999, 12, 31, 23, 59, tzinfo=UTC)


def message(kind: dates.DateRange, lang: str) -> str:
    with translation.override(lang):
        return kind.message()


def expected_text(expected: dates.DateRange | str, lang: str) -> str:
    """The range's message, or an existing message (a date in the past keeps its own words)."""
    if isinstance(expected, str):
        with translation.override(lang):
            return gettext(expected)
    return message(expected, lang)


# --- the ranges themselves ----------------------------------------------------------------------------


def test_a_range_names_its_bounds_as_day_month_year(settings):
    settings.PROGRAMME = {**settings.PROGRAMME, "start": "2024-01-01"}
    today = timezone.localdate()
    low, high = dates.SESSION.bounds()
    assert low == datetime.date(2019, 1, 1) and high.year == today.year + 2
    with translation.override("en"):
        assert dates.SESSION.message() == f"Enter a date between 01/01/2019 and {high.strftime('%d/%m/%Y')}."
    assert dates.SESSION.contains(low) and dates.SESSION.contains(high)
    assert not dates.SESSION.contains(low - datetime.timedelta(days=1))
    assert not dates.SESSION.contains(high + datetime.timedelta(days=1))
    # The extremes of Python's calendar are read without overflowing, and refused.
    assert dates.SESSION.error(YEAR_ONE) and dates.SESSION.error(YEAR_9999)
    assert dates.PLANNED.error(datetime.date(1, 1, 1)) and dates.BIRTH.error(datetime.date(9999, 12, 31))
    assert dates.PLANNED.error(None) is None and dates.BIRTH.error(datetime.date(1980, 5, 1)) is None


# --- services: refused with the message, nothing written ---------------------------------------------------


@pytest.mark.parametrize("starts_at", [YEAR_ONE, YEAR_9999, in_days(365 * 3)])
def test_an_individual_session_outside_its_range_is_refused(cast, counsellor, coach, starts_at):
    trajectory = accompanied(cast, counsellor, coach)
    with translation.override("nl"), pytest.raises(PathwayError) as refused:
        individual_sessions.record_individual_session(
            trajectory=trajectory,
            by=coach,
            starts_at=starts_at,
            duration_minutes=60,
            mode="in_person",
            topic="Out of range",
            version=trajectory.version,
        )
    assert refused.value.message == message(dates.SESSION, "nl")
    assert not CoachingSession.objects.exists() and not SessionAttendance.objects.exists()


PAST_SESSION = "A new session cannot be planned in the past."


@pytest.mark.parametrize(
    "starts_at, expected",
    [(YEAR_ONE, PAST_SESSION), (YEAR_9999, dates.PLANNED), (in_days(365 * 2 + 2), dates.PLANNED)],
)
def test_an_information_session_outside_its_range_is_refused(counsellor, starts_at, expected):
    with translation.override("fr"), pytest.raises(PathwayError) as refused:
        session_services.create_information_session(
            by=counsellor, starts_at=starts_at, place="Actiris", language="fr", capacity=10
        )
    assert refused.value.message == expected_text(expected, "fr")
    assert not InformationSession.objects.exists()


@pytest.mark.parametrize(
    "first_day, extra, expected",
    [
        (datetime.date(9999, 12, 31), (), dates.PLANNED),
        (datetime.date(1, 1, 1), (), "Plan sessions to come: the first session is in the past."),
        (timezone.localdate() + datetime.timedelta(days=7), (datetime.date(9999, 12, 31),), dates.PLANNED),
    ],
)
def test_a_collective_series_outside_its_range_is_refused(coach, first_day, extra, expected):
    with translation.override("nl"), pytest.raises(PathwayError) as refused:
        collective_sessions.plan_collective_series(
            by=coach,
            topic="Pricing",
            place="Rue Haute 1",
            mode="in_person",
            capacity=10,
            duration_minutes=120,
            first_day=first_day,
            start_time=datetime.time(14, 0),
            recurrence="dates" if extra else "weekly",
            count=3,
            dates=extra,
        )
    assert refused.value.message == expected_text(expected, "nl")
    assert not CollectiveSeries.objects.exists() and not CoachingSession.objects.exists()


# --- screens: the message next to the field, nothing written ------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("day", ["01/01/0001", "31/12/9999"])
def test_the_session_screen_refuses_a_date_out_of_range(client, cast, counsellor, coach, lang, day):
    trajectory = accompanied(cast, counsellor, coach)
    client.force_login(coach)
    data = {"version": trajectory.version, "day": day, "time": "10:00", "duration": "60", "mode": "video"}
    with translation.override(lang):
        response = client.post(reverse("workspace:session_add", args=[trajectory.pk]), data | {"topic": "Pricing"})
    assert response.status_code == 200
    assert escape(message(dates.SESSION, lang)) in response.content.decode()
    assert not CoachingSession.objects.exists()


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("day, expected", [("01/01/0001", PAST_SESSION), ("31/12/9999", dates.PLANNED)])
def test_the_information_session_screen_refuses_a_date_out_of_range(client, counsellor, lang, day, expected):
    client.force_login(counsellor)
    data = {"day": day, "time": "09:30", "place": "Actiris", "language": "fr", "capacity": "10"}
    with translation.override(lang):
        response = client.post(reverse("workspace:info_sessions"), data)
    assert response.status_code == 200
    assert escape(expected_text(expected, lang)) in response.content.decode()
    assert not InformationSession.objects.exists()


# --- stored boundary dates: every page still answers ------------------------------------------------------


def _answers(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code < 500, url


@pytest.mark.parametrize("starts_at", [YEAR_ONE, YEAR_9999])
def test_pages_answer_with_a_coaching_session_at_the_edges_of_the_calendar(
    client, cast, counsellor, coach, starts_at, django_capture_on_commit_callbacks
):
    trajectory = accompanied(cast, counsellor, coach)
    with django_capture_on_commit_callbacks(execute=True):
        session = plan(trajectory, coach)
    CoachingSession.objects.filter(pk=session.pk).update(starts_at=starts_at)  # bypasses every check
    seat = SessionAttendance.objects.get(session=session)
    client.force_login(coach)
    for url in (
        reverse("workspace:trajectory", args=[trajectory.pk]),
        reverse("workspace:home"),
        reverse("workspace:coaching_session_ics", args=[session.pk]),
    ):
        _answers(client, url)
    client.force_login(counsellor)
    _answers(client, reverse("workspace:trajectory", args=[trajectory.pk]))
    client.force_login(cast["demo-jobseeker"])
    for url in (
        reverse("portal:pathway"),
        reverse("portal:sessions"),
        reverse("portal:documents"),
        reverse("portal:appointment_ics", args=[seat.pk]),
        reverse("portal:attestation", args=[trajectory.pk]) + "?kind=participation",
    ):
        _answers(client, url)


@pytest.mark.parametrize("starts_at", [YEAR_ONE, YEAR_9999])
def test_pages_answer_with_an_information_session_at_the_edges_of_the_calendar(client, counsellor, starts_at):
    session = session_services.create_information_session(
        by=counsellor, starts_at=in_days(3), place="Actiris", language="fr", capacity=10
    )
    InformationSession.objects.filter(pk=session.pk).update(starts_at=starts_at)
    client.force_login(counsellor)
    for url in (
        reverse("workspace:info_sessions"),
        reverse("workspace:home"),
        reverse("workspace:information_session_ics", args=[session.pk]),
    ):
        _answers(client, url)


# --- step dates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("on", [datetime.date(1, 1, 1), datetime.date(2000, 1, 1)])
def test_a_step_date_before_its_range_is_refused(cast, counsellor, on):
    jobseeker = make_jobseeker()
    with translation.override("nl"), pytest.raises(PathwayError) as refused:
        services.express_interest(jobseeker=jobseeker, by=counsellor, channel=Channel.COUNTER, on=on)
    assert refused.value.message == message(dates.RECORDED, "nl")
    assert not Trajectory.objects.filter(jobseeker=jobseeker).exists()


@pytest.mark.parametrize("day", [datetime.date(1, 1, 1), datetime.date(9999, 12, 31)])
def test_pages_answer_with_step_exit_and_follow_up_dates_at_the_edges_of_the_calendar(
    client, cast, counsellor, coach, day
):
    jobseeker = make_jobseeker(user=cast["demo-jobseeker"], email="zoe@example.org")
    trajectory = make_trajectory(
        step=Step.FOLLOW_UP, counsellor=counsellor, coach=coach, partner=coach.partner, jobseeker=jobseeker
    )
    # Written directly, bypassing every check, as rows stored before the ranges existed.
    Trajectory.objects.filter(pk=trajectory.pk).update(**dict.fromkeys(STEP_DATE_FIELDS.values(), day))
    assert StepLog.objects.filter(trajectory=trajectory).update(on=day) >= 7
    assert Exit.objects.filter(trajectory=trajectory).update(exit_on=day) == 1
    assert FollowUp.objects.filter(trajectory=trajectory).update(due_on=day, answered_on=day) >= 1
    staff_pages = (
        reverse("workspace:trajectory", args=[trajectory.pk]),
        reverse("workspace:trajectories"),
        reverse("workspace:caseload"),
        reverse("workspace:follow_ups"),
        reverse("workspace:home"),
        reverse("workspace:attestation", args=[trajectory.pk]) + "?kind=participation",
        reverse("workspace:attestation", args=[trajectory.pk]) + "?kind=follow-up",
    )
    for user in (counsellor, coach):
        client.force_login(user)
        for url in staff_pages:
            _answers(client, url)
    client.force_login(cast["demo-jobseeker"])
    for url in (
        reverse("portal:pathway"),
        reverse("portal:documents"),
        reverse("portal:attestation", args=[trajectory.pk]) + "?kind=participation",
        reverse("portal:attestation", args=[trajectory.pk]) + "?kind=follow-up",
    ):
        _answers(client, url)


# --- coaching records and the person's own dates: the services refuse, nothing is written ----------------


def _guided(cast: dict[str, Any], counsellor: Any, coach: Any) -> Trajectory:
    trajectory = accompanied(cast, counsellor, coach)
    trajectory.refresh_from_db()
    return trajectory


@pytest.mark.parametrize("due_on", [datetime.date(1, 1, 1), datetime.date(9999, 12, 31)])
def test_an_action_due_date_and_an_assessment_outside_their_range_are_refused(cast, counsellor, coach, due_on):
    trajectory = _guided(cast, counsellor, coach)
    with translation.override("fr"), pytest.raises(PathwayError) as refused:
        action_plan.add_action(
            trajectory=trajectory, by=coach, goal_title="Launch", title="Act", owner="coach", due_on=due_on
        )
    assert refused.value.message == message(dates.SCHEDULE, "fr")
    assert not Action.objects.exists()
    scores, before = dict.fromkeys(SKILLS, 2), SkillAssessment.objects.count()  # the diagnostic's baseline
    with translation.override("fr"), pytest.raises(PathwayError) as refused:
        action_plan.assess_skills(trajectory=trajectory, by=coach, on=due_on, scores=scores)
    assert refused.value.message == message(dates.SCHEDULE, "fr")
    assert SkillAssessment.objects.count() == before


def test_a_milestone_and_a_viability_test_outside_their_range_are_refused(cast, counsellor, coach):
    trajectory = _guided(cast, counsellor, coach)
    with translation.override("nl"), pytest.raises(PathwayError) as refused:
        milestones.record_milestone(trajectory=trajectory, by=coach, kind="business_plan", on=datetime.date(1, 1, 1))
    assert refused.value.message == message(dates.RECORDED, "nl")
    assert not Milestone.objects.exists()
    for starts_on, ends_on in ((datetime.date(1, 1, 1), timezone.localdate()), (timezone.localdate(), date_9999())):
        with translation.override("nl"), pytest.raises(PathwayError) as refused:
            milestones.record_viability_test(
                trajectory=trajectory, by=coach, kind="on_site", starts_on=starts_on, ends_on=ends_on
            )
        assert refused.value.message == message(dates.SCHEDULE, "nl")
    assert not ViabilityTest.objects.exists()


def date_9999() -> datetime.date:
    return datetime.date(9999, 12, 31)


@pytest.mark.parametrize(
    "values, kind",
    [
        ({"birth_date": datetime.date(1, 1, 1)}, dates.BIRTH),
        ({"birth_date": datetime.date(9999, 12, 31)}, dates.BIRTH),
        ({"unemployed_since": datetime.date(1, 1, 1)}, dates.UNEMPLOYED_SINCE),
        ({"unemployed_since": datetime.date(9999, 12, 31)}, dates.UNEMPLOYED_SINCE),
        ({"end_of_rights_on": datetime.date(9999, 12, 31)}, dates.END_OF_RIGHTS),
    ],
)
def test_a_person_with_a_date_outside_its_range_is_not_registered(counsellor, values, kind):
    who = person(first_name="Out", last_name="Ofrange", **values)
    with translation.override("fr"), pytest.raises(PathwayError) as refused:
        register_jobseeker(jobseeker=who, by=counsellor, channel="counter", eligibility_justification="Test")
    assert refused.value.message == message(kind, "fr")
    assert not Jobseeker.objects.filter(last_name="Ofrange").exists()


# --- the API: the same services, the same refusal ---------------------------------------------------------


@pytest.mark.parametrize("on", ["0001-01-01", "2000-01-01"])
def test_the_api_refuses_a_step_date_out_of_range_and_writes_nothing(client, cast, counsellor, on):
    trajectory = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    token = issue_token(user=counsellor, label="test")
    body = {"version": trajectory.version, "on": on}
    with translation.override("en"):
        response = client.post(
            f"/api/trajectories/{trajectory.pk}/information",
            body,
            "application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        expected = dates.RECORDED.message()
    assert 400 <= response.status_code < 500
    assert expected in response.content.decode()
    trajectory.refresh_from_db()
    assert trajectory.current_step == Step.INTEREST and trajectory.information_on is None
