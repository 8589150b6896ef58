"""A counsellor and a coach take one person through the backbone in a real browser, FR and NL.

Each step is reached by clicking the action button on the trajectory page, as a user would, and
axe-core checks every page visited.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from autocrea.backbone.steps import Step
from autocrea.pathways.models import Trajectory
from tests.conftest import PASSWORD
from tests.factories import make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _submit(page):
    with page.expect_navigation():
        page.click("main form button[type=submit]")


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_counsellor_and_a_coach_take_a_person_from_interest_to_exit(
    live_server, counsellor, coach, partners, context_for, login, assert_accessible, lang
):
    t = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    today = timezone.localdate().strftime("%d/%m/%Y")
    detail = f"{live_server.url}/{lang}/workspace/trajectories/{t.pk}/"

    page = context_for(counsellor, lang).new_page()
    login(page, live_server, counsellor.username, PASSWORD, lang)
    page.goto(f"{live_server.url}/{lang}/workspace/trajectories/?q={t.jobseeker.last_name[:5]}")
    assert_accessible(page, "trajectory list")
    with page.expect_navigation():
        page.click(f"a[href$='/trajectories/{t.pk}/'], a[href*='/trajectories/{t.pk}/?']")
    assert_accessible(page, "trajectory detail")

    # Information: an individual interview today.
    with page.expect_navigation():
        page.click("a[href$='/information/']")
    assert_accessible(page, "information form")
    page.check("input[name=kind][value=interview]")
    page.fill("input[name=on]", today)
    page.check("input[name=channel][value=counter]")
    _submit(page)
    assert page.url == detail
    assert Trajectory.objects.get(pk=t.pk).current_step == Step.INFORMATION

    # Decision: a wrong date first gets a clear message and writes nothing.
    with page.expect_navigation():
        page.click("a[href$='/decision/']")
    page.check("input[name=go_ahead][value=yes]")
    page.check("input[name=reason][value=go]")
    page.fill("input[name=on]", "2026-13-45")
    page.check("input[name=channel][value=phone]")
    _submit(page)
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page, "decision form with an error")
    assert Trajectory.objects.get(pk=t.pk).current_step == Step.INFORMATION
    page.fill("input[name=on]", today)
    _submit(page)
    assert Trajectory.objects.get(pk=t.pk).current_step == Step.DECISION

    # Orientation: the person chose Crédal.
    with page.expect_navigation():
        page.click("a[href$='/orient/']")
    assert_accessible(page, "orientation form")
    page.check(f"input[name=partner][value='{partners['credal'].pk}']")
    page.check("input[name=channel][value=counter]")
    _submit(page)
    assert Trajectory.objects.get(pk=t.pk).partner_id == partners["credal"].pk

    # The Crédal coach accepts, then records an exit into a salaried job.
    coach_page = context_for(coach, lang).new_page()
    login(coach_page, live_server, coach.username, PASSWORD, lang)
    coach_page.goto(detail)
    assert_accessible(coach_page, "coach detail")
    with coach_page.expect_navigation():
        coach_page.click("a[href$='/answer/']")
    assert_accessible(coach_page, "answer form")
    coach_page.check("input[name=answer][value=accepted]")
    _submit(coach_page)
    assert Trajectory.objects.get(pk=t.pk).current_step == Step.DIAGNOSTIC

    with coach_page.expect_navigation():
        coach_page.click("a[href$='/exit/']")
    assert_accessible(coach_page, "exit form")
    coach_page.check("input[name=kind][value=salaried_job]")
    coach_page.fill("input[name=on]", today)
    _submit(coach_page)
    t = Trajectory.objects.get(pk=t.pk)
    assert t.current_step == Step.EXIT and t.exit_kind_id == "salaried_job"
    assert_accessible(coach_page, "detail after the exit")
    # The timeline shows every step, in the page's language.
    assert coach_page.locator("html").get_attribute("lang") == lang
    assert t.steps.count() == 6
