"""The programme manager reads the dashboard in a real browser, FR and NL: accessible, tables reachable by keyboard."""

from __future__ import annotations

import pytest

from autocrea.backbone.steps import Step
from tests.conftest import PASSWORD
from tests.factories import make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_programme_manager_reads_the_dashboard(
    live_server, cast, partners, context_for, login, assert_accessible, lang
):
    counsellor, coach = cast["demo-counsellor"], cast["demo-coach-credal"]
    for kind in ["salaried_job"] * 5 + ["dropped_out"]:
        make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach, partner=partners["credal"], exit_kind=kind)
    manager = cast["demo-programme-manager"]
    page = context_for(manager, lang).new_page()
    login(page, live_server, manager.username, PASSWORD, lang)
    page.goto(f"{live_server.url}/{lang}/figures/")
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page, f"dashboard {lang}")
    tables = page.locator("main table")
    assert tables.count() >= 8
    for i in range(tables.count()):
        assert tables.nth(i).locator("caption").inner_text().strip()
    # Every table sits in a focusable region: Tab moves into the page and reaches each of them.
    regions = page.locator("main .ac-table-wrap[tabindex='0']")
    assert regions.count() == tables.count()
    reached: set[str] = set()
    page.locator("main h1").click()
    for _ in range(200):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-labelledby') || ''")
        if label.startswith("caption-"):
            reached.add(label)
        if len(reached) == regions.count():
            break
    assert len(reached) == regions.count()
    # The equity chooser works without JavaScript: a GET form.
    page.select_option("#id_dimension", "age_band")
    with page.expect_navigation():
        page.click("#equity ~ form button[type=submit]")
    assert "dimension=age_band" in page.url
