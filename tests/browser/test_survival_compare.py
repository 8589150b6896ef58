"""The comparison page (censoring-aware figures beside the closed-case rates) in a real browser, FR and NL."""

from __future__ import annotations

import pytest

from autocrea.backbone.steps import Step
from tests.conftest import PASSWORD
from tests.factories import make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_programme_manager_follows_the_link_and_reads_the_comparison(
    live_server, cast, partners, context_for, login, assert_accessible, lang
):
    counsellor, coach = cast["demo-counsellor"], cast["demo-coach-credal"]
    for kind in ["salaried_job"] * 5 + ["dropped_out"]:
        make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach, partner=partners["credal"], exit_kind=kind)
    for _ in range(5):
        make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"])
    manager = cast["demo-programme-manager"]
    page = context_for(manager, lang).new_page()
    login(page, live_server, manager.username, PASSWORD, lang)
    page.goto(f"{live_server.url}/{lang}/figures/")
    with page.expect_navigation():
        page.click("#link-survival-compare")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("#compare-note p").count() == 3
    assert_accessible(page, f"survival comparison {lang}")
    regions = page.locator("main .ac-table-wrap[tabindex='0']")
    assert regions.count() == page.locator("main table").count() == 2
    reached: set[str] = set()
    page.locator("main h1").click()
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-labelledby') || ''")
        if label.startswith("caption-"):
            reached.add(label)
        if len(reached) == regions.count():
            break
    assert reached == {"caption-survival_by_partner", "caption-survival_by_cohort"}
    # 11 people at Crédal in one cohort: its shares are shown with a decimal comma; years without anyone say –.
    body = page.locator("#table-survival_by_cohort tbody").inner_text()
    assert "\u00a0%" in body and "," in body and "–" in body
