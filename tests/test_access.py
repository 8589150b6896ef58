"""accounts.access: the named authorization decisions, the `may` context processor, and the one rule for
the coaching records a partner sees after a re-orientation."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from autocrea.accounts import access
from autocrea.accounts.context import decisions
from autocrea.backbone.steps import Channel
from autocrea.coaching.services import action_plan
from autocrea.pathways import services as pathways
from tests.factories import SKILLS, make_trajectory

COUNSELLOR = "demo-counsellor"
COACH = "demo-coach-credal"
MANAGER = "demo-partner-manager-credal"
PROGRAMME = "demo-programme-manager"
ADMIN = "demo-admin"
JOBSEEKER = "demo-jobseeker"
NOBODY = "nobody"
EVERYONE = (COUNSELLOR, COACH, MANAGER, PROGRAMME, ADMIN, JOBSEEKER, NOBODY)

# Who gets each template decision: the role comparisons the templates made before, one row each.
TEMPLATE_EXPECTED = {
    "use_the_portal": {JOBSEEKER},
    "manage_two_step_verification": {COUNSELLOR, COACH, MANAGER, PROGRAMME, ADMIN, NOBODY},
    "work_on_files": {COUNSELLOR, COACH, MANAGER},
    "register_people": {COUNSELLOR},
    "see_every_partners_files": {COUNSELLOR},
    "justify_eligibility": {COUNSELLOR},
    "merge_people": {COUNSELLOR},
    "view_follow_up_worklist": {COUNSELLOR, COACH, MANAGER},
    "run_information_sessions": {COUNSELLOR},
    "view_caseload": {COACH, MANAGER},
    "manage_collective_sessions": {COACH, MANAGER},
    "open_caseload_on_whole_partner": {MANAGER},
    "view_programme_figures": {PROGRAMME},
    "view_partner_figures": {COACH, MANAGER},
    "view_correction_requests": {COUNSELLOR, COACH, MANAGER, PROGRAMME},
}


def test_every_template_decision_has_its_expected_roles():
    assert set(TEMPLATE_EXPECTED) == set(access.TEMPLATE_DECISIONS)


@pytest.mark.parametrize("name", sorted(TEMPLATE_EXPECTED))
def test_template_decisions_answer_as_the_role_checks_they_replace(cast, name):
    decide = access.TEMPLATE_DECISIONS[name]
    allowed = {username for username in EVERYONE if decide(cast[username])}
    assert allowed == TEMPLATE_EXPECTED[name]
    assert not decide(AnonymousUser())


def test_an_inactive_account_may_nothing_that_gates_a_page(cast):
    counsellor = cast[COUNSELLOR]
    counsellor.is_active = False
    assert not access.may_work_on_files(counsellor)
    assert not access.may_register_people(counsellor)
    assert not access.may_run_information_sessions(counsellor)


def test_the_may_context_is_lazy_cached_and_costs_no_query(cast, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = cast[MANAGER]
    may = decisions(request)["may"]
    assert may._answers == {}  # nothing computed before a template asks
    with django_assert_num_queries(0):
        template = engines["django"].from_string(
            "{% if may.view_caseload %}caseload{% endif %}|{% if may.view_programme_figures %}figures{% endif %}"
            "|{% if may.open_caseload_on_whole_partner %}partner{% endif %}"
        )
        assert template.render({"may": may}) == "caseload||partner"
    assert set(may._answers) == {"view_caseload", "view_programme_figures", "open_caseload_on_whole_partner"}


def test_an_unknown_decision_in_a_template_is_an_error_not_a_silent_no(cast):
    request = RequestFactory().get("/")
    request.user = cast[COUNSELLOR]
    template = engines["django"].from_string("{% if may.view_everything %}yes{% endif %}")
    with pytest.raises(LookupError, match="view_everything"):
        template.render({"may": decisions(request)["may"]})


def test_the_navigation_follows_the_decisions(client, cast):
    client.force_login(cast[PROGRAMME])
    page = client.get(reverse("workspace:home")).content.decode()
    assert reverse("reporting:programme") in page
    assert reverse("workspace:requests") in page
    assert reverse("workspace:intake") not in page
    assert reverse("workspace:caseload") not in page
    client.force_login(cast[COACH])
    page = client.get(reverse("workspace:home")).content.decode()
    assert reverse("reporting:partner") in page
    assert reverse("workspace:caseload") in page
    assert reverse("workspace:info_sessions") not in page


# ---------------------------------------------------------------- coaching records after a re-orientation


@pytest.fixture
def reoriented(cast, partners):
    """A person coached at Crédal (diagnostic with notes), re-oriented to microStart, diagnosed there too."""
    counsellor, credal_coach, micro_coach = cast[COUNSELLOR], cast[COACH], cast["demo-coach-microstart"]
    t = make_trajectory(step="diagnostic", counsellor=counsellor, coach=credal_coach, partner=partners["credal"])
    day = timezone.localdate() - datetime.timedelta(days=200)
    action_plan.record_diagnostic(
        trajectory=t,
        by=credal_coach,
        on=day,
        barriers=[],
        maturity="idea",
        viability="uncertain",
        skills=SKILLS,
        notes="Written at Credal only",
    )
    t.refresh_from_db()
    t = pathways.reorient(
        trajectory=t,
        partner=partners["microstart"],
        by=credal_coach,
        channel=Channel.PARTNER,
        on=day + datetime.timedelta(days=1),
        reason="Closer to home",
    )
    t = pathways.answer_orientation(
        trajectory=t, by=micro_coach, answer="accepted", on=day + datetime.timedelta(days=2)
    )
    action_plan.record_diagnostic(
        trajectory=t,
        by=micro_coach,
        on=day + datetime.timedelta(days=3),
        barriers=[],
        maturity="idea",
        viability="uncertain",
        skills=SKILLS,
        notes="Written at microStart",
    )
    t.refresh_from_db()
    return t


def test_the_new_partner_sees_only_its_own_coaching_records(cast, reoriented):
    t = reoriented
    micro_coach = cast["demo-coach-microstart"]
    mine = access.coaching_records_for(micro_coach, t, t.diagnostics.all(), partner_field="partner_id")
    assert [d.notes for d in mine] == ["Written at microStart"]
    # The former partner's staff and the counsellor see none of them through this rule.
    for username in (COACH, COUNSELLOR, PROGRAMME):
        assert not access.coaching_records_for(cast[username], t, t.diagnostics.all(), partner_field="partner_id")


def test_the_trajectory_page_and_the_partner_panel_apply_the_same_rule(client, cast, reoriented):
    client.force_login(cast["demo-coach-microstart"])
    page = client.get(reverse("workspace:trajectory", args=[reoriented.pk])).content.decode()
    assert "Written at microStart" in page
    assert "Written at Credal only" not in page
    client.force_login(cast[COACH])
    assert client.get(reverse("workspace:trajectory", args=[reoriented.pk])).status_code == 404
