"""The partner's screens over HTTP: answer, diagnostic, plan, sessions, milestones, tests, exit, follow-up.

Messages are checked in French and in Dutch: the expected text is what gettext gives in that language,
so the checks hold before and after the catalogues are filled.
"""

from __future__ import annotations

import datetime
import html
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from autocrea.backbone.steps import Step
from autocrea.coaching.models import Action, CoachingSession, Diagnostic, Milestone, SkillAssessment, ViabilityTest
from autocrea.coaching.services import action_plan, individual_sessions, milestones
from autocrea.pathways.models import Exit, FollowUp, Orientation, StepLog, Trajectory
from tests.factories import SKILLS, make_trajectory

pytestmark = pytest.mark.django_db

PARTNER_URLS = [
    "answer",
    "diagnostic",
    "session_add",
    "action_add",
    "milestone_add",
    "viability_add",
    "skills",
    "exit",
    "follow_up",
    "reorient",
]
COACH_ONLY_URLS = [
    "answer",
    "diagnostic",
    "exit",
    "session_add",
    "action_add",
    "milestone_add",
    "viability_add",
    "skills",
]
NOTE = "CANARY-coaching-note-7f3a"


def url(name: str, trajectory: Trajectory, lang: str = "fr") -> str:
    with translation.override(lang):
        return reverse(f"workspace:{name}", args=[trajectory.pk])


def today() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


def post(client: Any, name: str, trajectory: Trajectory, data: dict[str, Any], lang: str = "fr") -> Any:
    """POST a partner form with the trajectory's current version, as the page would carry it."""
    trajectory.refresh_from_db()
    return client.post(url(name, trajectory, lang), {"version": trajectory.version, **data})


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def assert_shows(response: Any, message: str, lang: str) -> None:
    with translation.override(lang):
        expected = gettext(message)
    text = page(response)
    assert f'lang="{lang}"' in text
    assert expected in text, expected


def assert_redirects_to_detail(response: Any, trajectory: Trajectory) -> None:
    assert response.status_code == 302, page(response)[:3000]
    assert response["Location"] == reverse("workspace:trajectory", args=[trajectory.pk])


@pytest.fixture
def oriented(counsellor, coach, partners) -> Trajectory:
    return make_trajectory(step=Step.ORIENTATION, counsellor=counsellor, coach=coach, partner=partners["credal"])


@pytest.fixture
def accompanied(counsellor, coach, partners) -> Trajectory:
    return make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"])


def diagnostic_data() -> dict[str, Any]:
    return {
        "on": today(),
        "maturity": "outlined",
        "viability": "promising",
        "barriers": ["language", "discrimination"],
        **{name: str(score) for name, score in SKILLS.items()},
        "notes": NOTE,
    }


def test_a_credal_coach_records_the_whole_accompaniment(client, coach, oriented):
    t = oriented
    client.force_login(coach)

    assert_redirects_to_detail(post(client, "answer", t, {"answer": "accepted", "reason": "", "on": today()}), t)
    t.refresh_from_db()
    assert t.current_step == Step.DIAGNOSTIC and t.coach == coach

    assert_redirects_to_detail(post(client, "diagnostic", t, diagnostic_data()), t)
    t.refresh_from_db()
    assert t.current_step == Step.ACCOMPANIMENT
    diagnostic = Diagnostic.objects.get(trajectory=t)
    assert diagnostic.notes == NOTE and diagnostic.maturity == "outlined"
    assert set(diagnostic.barriers.values_list("code", flat=True)) == {"language", "discrimination"}
    assert SkillAssessment.objects.get(trajectory=t, is_baseline=True).finance == SKILLS["finance"]

    due = (timezone.localdate() + datetime.timedelta(days=14)).strftime("%d/%m/%Y")
    data = {"new_goal": "Finance the first stock", "title": "Ask two quotes", "owner": "jobseeker", "due_on": due}
    assert_redirects_to_detail(post(client, "action_add", t, data), t)
    action = Action.objects.get(goal__trajectory=t)
    assert action.goal.title == "Finance the first stock" and action.due_on.strftime("%d/%m/%Y") == due

    data = {
        "day": today(),
        "time": "00:01",
        "duration": "90",
        "mode": "video",
        "topic": "Financial plan",
        "notes": NOTE,
        "attended": "yes",
    }
    assert_redirects_to_detail(post(client, "session_add", t, data), t)
    session = CoachingSession.objects.get(attendances__trajectory=t)
    assert session.duration_minutes == 90 and session.attendances.get().status == "present"
    assert timezone.localtime(session.starts_at).strftime("%d/%m/%Y %H:%M") == f"{today()} 00:01"

    data = {"kind": "enterprise_registration", "on": today(), "enterprise_number": "0403.170.701", "details": ""}
    assert_redirects_to_detail(post(client, "milestone_add", t, data), t)
    assert Milestone.objects.get(trajectory=t).enterprise_number == "0403170701"

    data = {"kind": "cooperative", "starts_on": "01/02/2026", "ends_on": "30/04/2026", "revenue": "1250,50"}
    assert_redirects_to_detail(post(client, "viability_add", t, {**data, "decision": "launch"}), t)
    assert ViabilityTest.objects.get(trajectory=t).revenue == Decimal("1250.50")

    scores = dict.fromkeys(SKILLS, "3")
    assert_redirects_to_detail(post(client, "skills", t, {"on": today(), **scores}), t)
    assert SkillAssessment.objects.filter(trajectory=t, is_baseline=False).get().finance == 3

    data = {"kind": "self_employed", "on": today(), "enterprise_number": "0403.170.701", "evidence": "BCE extract"}
    assert_redirects_to_detail(post(client, "exit", t, data), t)
    t.refresh_from_db()
    assert t.current_step == Step.EXIT and t.exit_kind_id == "self_employed"
    assert Exit.objects.get(trajectory=t).enterprise_number == "0403170701"

    assert_redirects_to_detail(post(client, "follow_up", t, {"on": today(), "responded": "no"}), t)
    t.refresh_from_db()
    assert t.current_step == Step.FOLLOW_UP
    follow_up = FollowUp.objects.get(trajectory=t)
    assert follow_up.status == "no_response" and follow_up.situation == "" and follow_up.improved is None


def test_every_partner_form_renders_with_its_version_and_date_hint(client, coach, counsellor, accompanied, oriented):
    client.force_login(coach)
    exited = make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach, partner=accompanied.partner)
    for name in PARTNER_URLS:
        t = {"answer": oriented, "follow_up": exited}.get(name, accompanied)
        response = client.get(url(name, t))
        assert response.status_code == 200, name
        text = page(response)
        assert f'name="version" value="{t.version}"' in text, name
        assert 'type="hidden"' in text
        assert gettext("For example, 27/03/2026") in text, name


def test_the_diagnostic_form_marks_sensitive_barriers_and_describes_the_skill_scale(
    client, coach, partners, counsellor
):
    t = make_trajectory(step=Step.DIAGNOSTIC, counsellor=counsellor, coach=coach, partner=partners["credal"])
    client.force_login(coach)
    text = page(client.get(url("diagnostic", t, "nl")))
    assert "Ervaren discriminatie" in text and "Taalkennis" in text
    with translation.override("nl"):
        assert gettext("%(barrier)s (sensitive)") % {"barrier": "Ervaren discriminatie"} in text
    assert text.count('class="govuk-radios govuk-radios--small govuk-radios--inline"') == 6
    assert text.count("<legend") >= 9  # maturity, viability, barriers and the six skills


def test_the_exit_form_says_which_kinds_are_positive_and_job_creation(client, coach, accompanied):
    client.force_login(coach)
    text = page(client.get(url("exit", accompanied, "nl")))
    assert "Eigen job: zelfstandige" in text
    with translation.override("nl"):
        assert gettext("Counts as a positive exit and as a job creation.") in text
        assert gettext("Does not count as a positive exit.") in text


def test_a_decline_needs_a_reason_and_sends_the_person_back_to_orientation(client, coach, oriented):
    client.force_login(coach)
    response = post(client, "answer", oriented, {"answer": "declined", "reason": "", "on": today()})
    assert response.status_code == 200
    assert_shows(response, "Give the reason why you decline.", "fr")
    oriented.refresh_from_db()
    assert oriented.partner is not None

    response = post(client, "answer", oriented, {"answer": "declined", "reason": "Full this month", "on": today()})
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:trajectories")
    oriented.refresh_from_db()
    assert oriented.current_step == Step.ORIENTATION and oriented.partner is None
    assert Orientation.objects.get(trajectory=oriented).status == "declined"
    assert client.get(reverse("workspace:trajectory", args=[oriented.pk])).status_code == 404


def test_a_waitlisted_person_stays_with_the_partner_with_the_note(client, coach, oriented):
    client.force_login(coach)
    response = post(client, "answer", oriented, {"answer": "waitlisted", "reason": "Next intake in May", "on": today()})
    assert_redirects_to_detail(response, oriented)
    orientation = Orientation.objects.get(trajectory=oriented)
    assert orientation.status == "waitlisted" and orientation.answer_reason == "Next intake in May"
    # Already waitlisted: the page now offers only accept or decline.
    assert 'value="waitlisted"' not in page(client.get(url("answer", oriented)))


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_an_invalid_enterprise_number_is_refused_and_nothing_is_written(client, coach, accompanied, lang):
    client.force_login(coach)
    data = {"kind": "enterprise_registration", "on": today(), "enterprise_number": "0403.170.702"}
    response = post(client, "milestone_add", accompanied, data, lang)
    assert response.status_code == 200
    assert_shows(response, "Enter a valid enterprise number (BCE/KBO), for example 0403.170.701.", lang)
    assert 'href="#id_enterprise_number"' in page(response)
    assert not Milestone.objects.filter(trajectory=accompanied).exists()

    data = {"kind": "self_employed", "on": today(), "enterprise_number": "0403.170.702"}
    response = post(client, "exit", accompanied, data, lang)
    assert_shows(response, "Enter a valid enterprise number (BCE/KBO), for example 0403.170.701.", lang)
    accompanied.refresh_from_db()
    assert accompanied.current_step == Step.ACCOMPANIMENT and not Exit.objects.filter(trajectory=accompanied).exists()


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_an_enterprise_registration_or_a_business_exit_needs_the_number(client, coach, accompanied, lang):
    client.force_login(coach)
    response = post(client, "milestone_add", accompanied, {"kind": "enterprise_registration", "on": today()}, lang)
    assert_shows(response, "Give the enterprise number (BCE/KBO) of the business created.", lang)
    response = post(client, "exit", accompanied, {"kind": "company", "on": today()}, lang)
    assert_shows(response, "Give the enterprise number (BCE/KBO) of the business created.", lang)
    assert not Milestone.objects.exists() and not Exit.objects.exists()


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_bad_date_is_refused_with_a_clear_message(client, coach, accompanied, lang):
    client.force_login(coach)
    data = {"day": "2026-03-27", "time": "10:00", "duration": "60", "mode": "phone", "topic": "x", "attended": "yes"}
    response = post(client, "session_add", accompanied, data, lang)
    assert response.status_code == 200
    assert_shows(response, "Enter the date as day/month/year, for example 27/03/2026.", lang)
    assert 'aria-invalid="true"' in page(response)
    response = post(client, "exit", accompanied, {"kind": "salaried_job", "on": "31/02/2026"}, lang)
    assert_shows(response, "Enter the date as day/month/year, for example 27/03/2026.", lang)
    assert not CoachingSession.objects.exists() and not Exit.objects.exists()


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_double_submit_with_a_stale_version_writes_nothing(client, coach, accompanied, lang):
    client.force_login(coach)
    accompanied.refresh_from_db()
    stale = accompanied.version
    data = {"version": stale, "kind": "salaried_job", "on": today(), "evidence": "Contract"}
    assert client.post(url("exit", accompanied, lang), data).status_code == 302
    steps = StepLog.objects.filter(trajectory=accompanied).count()
    response = client.post(url("exit", accompanied, lang), data)
    assert response.status_code == 200
    assert_shows(
        response,
        "Someone else changed this trajectory while you were working on it. Reload the page and try again.",
        lang,
    )
    assert Exit.objects.filter(trajectory=accompanied).count() == 1
    assert StepLog.objects.filter(trajectory=accompanied).count() == steps


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_double_submitted_action_is_recorded_once(client, coach, accompanied, lang):
    client.force_login(coach)
    accompanied.refresh_from_db()
    due = (timezone.localdate() + datetime.timedelta(days=7)).strftime("%d/%m/%Y")
    data = {"version": accompanied.version, "new_goal": "Stock", "title": "Call", "owner": "coach", "due_on": due}
    assert client.post(url("action_add", accompanied, lang), data).status_code == 302
    response = client.post(url("action_add", accompanied, lang), data)
    assert_shows(
        response,
        "Someone else changed this trajectory while you were working on it. Reload the page and try again.",
        lang,
    )
    assert Action.objects.filter(goal__trajectory=accompanied).count() == 1


@pytest.mark.parametrize("name", PARTNER_URLS)
def test_another_partners_coach_gets_404_on_every_partner_url(client, other_coach, counsellor, coach, partners, name):
    t = make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"])
    client.force_login(other_coach)
    assert client.get(url(name, t)).status_code == 404
    assert client.post(url(name, t), {"version": t.version}).status_code == 404


@pytest.mark.parametrize("name", COACH_ONLY_URLS)
def test_a_counsellor_gets_403_on_the_partners_own_actions(client, counsellor, coach, partners, name):
    step = Step.ORIENTATION if name == "answer" else Step.ACCOMPANIMENT
    t = make_trajectory(step=step, counsellor=counsellor, coach=coach, partner=partners["credal"])
    client.force_login(counsellor)
    assert client.get(url(name, t)).status_code == 403
    assert client.post(url(name, t), {"version": t.version}).status_code == 403
    t.refresh_from_db()
    assert t.current_step == step


def test_a_signed_out_visitor_is_sent_to_sign_in(client, accompanied):
    response = client.get(url("exit", accompanied))
    assert response.status_code == 302 and "login" in response["Location"]


def test_coaching_notes_reach_the_partner_but_never_a_counsellor(client, coach, counsellor, oriented):
    client.force_login(coach)
    post(client, "answer", oriented, {"answer": "accepted", "on": today()})
    post(client, "diagnostic", oriented, diagnostic_data())
    data = {"day": today(), "time": "00:01", "duration": "60", "mode": "phone", "topic": "Plan", "notes": NOTE}
    post(client, "session_add", oriented, {**data, "attended": "yes"})
    detail = reverse("workspace:trajectory", args=[oriented.pk])
    assert NOTE in page(client.get(detail))

    client.force_login(counsellor)
    response = client.get(detail)
    assert response.status_code == 200
    assert NOTE not in page(response)
    # The panel refuses on its own too, whatever page includes it.
    template = Template("{% load partner_panel %}{% partner_panel trajectory %}")
    assert NOTE not in template.render(Context({"trajectory": oriented, "user": counsellor}))


def test_the_panel_shows_progress_overdue_actions_and_formatted_numbers(coach, accompanied):
    t = accompanied
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    action_plan.add_action(
        trajectory=t, by=coach, goal_title="Launch", title="Open the account", owner="coach", due_on=yesterday
    )
    action_plan.assess_skills(trajectory=t, by=coach, on=timezone.localdate(), scores={**SKILLS, "finance": 3})
    milestones.record_milestone(
        trajectory=t, by=coach, kind="enterprise_registration", on=yesterday, enterprise_number="0403170701"
    )
    milestones.record_viability_test(
        trajectory=t, by=coach, kind="on_site", starts_on=yesterday, ends_on=yesterday, revenue=Decimal("1250.5")
    )
    with translation.override("fr"):
        text = Template("{% load partner_panel %}{% partner_panel trajectory %}").render(
            Context({"trajectory": Trajectory.objects.with_person().get(pk=t.pk), "user": coach})
        )
        overdue = gettext("Overdue")
    assert "0403.170.701" in text
    assert overdue in text
    assert "+2" in text  # finance from 1 to 3
    assert "1\xa0250,50" in text


def test_the_panel_needs_the_same_number_of_queries_whatever_the_amount_of_data(coach, counsellor, partners):
    template = Template("{% load partner_panel %}{% partner_panel trajectory %}")

    def count(trajectory: Trajectory) -> int:
        trajectory = Trajectory.objects.with_person().get(pk=trajectory.pk)
        with CaptureQueriesContext(connection) as queries:
            template.render(Context({"trajectory": trajectory, "user": coach}))
        return len(queries)

    small = make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"])
    large = make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"])
    due = timezone.localdate()
    for trajectory, times in ((small, 1), (large, 4)):
        for n in range(times):
            action_plan.add_action(
                trajectory=trajectory, by=coach, goal_title=f"Goal {n}", title="Act", owner="coach", due_on=due
            )
            individual_sessions.record_individual_session(
                trajectory=trajectory,
                by=coach,
                starts_at=timezone.now() - datetime.timedelta(days=n + 1),
                duration_minutes=60,
                mode="phone",
                topic="Plan",
            )
            action_plan.assess_skills(trajectory=trajectory, by=coach, on=due, scores=SKILLS)
    assert count(large) == count(small)


def test_a_coach_reorients_the_person_and_loses_the_file(client, coach, accompanied, partners):
    client.force_login(coach)
    response = post(client, "reorient", accompanied, {"partner": partners["microstart"].pk, "on": today()})
    assert response.status_code == 200
    assert_shows(response, "Give the reason for the re-orientation.", "fr")

    data = {"partner": partners["microstart"].pk, "reason": "Needs a microcredit", "on": today()}
    response = post(client, "reorient", accompanied, {**data, "chosen_by_person": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("workspace:trajectories")
    accompanied.refresh_from_db()
    assert accompanied.partner == partners["microstart"] and accompanied.current_step == Step.ORIENTATION
    assert Orientation.objects.filter(trajectory=accompanied).last().chosen_by_person is True


def test_an_answered_follow_up_needs_the_situation_and_its_source(client, coach, counsellor, partners):
    t = make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach, partner=partners["credal"])
    client.force_login(coach)
    response = post(client, "follow_up", t, {"on": today(), "responded": "yes"})
    assert response.status_code == 200
    assert_shows(response, "Choose where the answer comes from.", "fr")
    response = post(client, "follow_up", t, {"on": today(), "responded": "no", "situation": "employed"})
    assert response.status_code == 200
    data = {"on": today(), "responded": "yes", "situation": "employed", "improved": "unknown", "source": "phone"}
    assert_redirects_to_detail(post(client, "follow_up", t, data), t)
    follow_up = FollowUp.objects.get(trajectory=t)
    assert follow_up.status == "answered" and follow_up.improved is None and follow_up.source == "phone"


def test_a_viability_test_cannot_end_before_it_starts(client, coach, accompanied):
    client.force_login(coach)
    data = {"kind": "on_site", "starts_on": "10/03/2026", "ends_on": "01/03/2026", "revenue": "abc"}
    response = post(client, "viability_add", accompanied, data)
    assert response.status_code == 200
    assert_shows(response, "The end date cannot be before the start date.", "fr")
    assert_shows(response, "Enter an amount in euros, for example 1250,50.", "fr")
    assert not ViabilityTest.objects.exists()
