"""The programme manager sets the quotas in a real browser (FR and NL, no JavaScript needed) and reads
each partner against its quota on the dashboard; both pages pass axe-core at 375 and 1280 px.

Set AUTOCREA_SHOTS=<folder> to keep full-page screenshots of each page, language and width.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autocrea.backbone.steps import Step
from autocrea.partners.models import Partner, Programme
from tests.conftest import PASSWORD
from tests.factories import make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WIDTHS = (375, 1280)


def _shoot(page, name: str) -> None:
    folder = os.environ.get("AUTOCREA_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _shoot_element(locator, name: str) -> None:
    folder = os.environ.get("AUTOCREA_SHOTS")
    if folder:
        locator.screenshot(path=str(Path(folder) / f"{name}.png"))


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_programme_manager_sets_quotas_and_reads_them_on_the_dashboard(
    live_server, cast, partners, context_for, login, assert_accessible, lang
):
    counsellor, coach = cast["demo-counsellor"], cast["demo-coach-credal"]
    for kind in ["salaried_job"] * 5 + ["dropped_out"]:
        make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach, partner=partners["credal"], exit_kind=kind)
    manager = cast["demo-programme-manager"]
    page = context_for(manager, lang).new_page()
    login(page, live_server, manager.username, PASSWORD, lang)
    page.goto(f"{live_server.url}/{lang}/figures/")
    assert page.locator("#link-programme-settings").count() == 1, page.content()[:2000]
    with page.expect_navigation():
        page.click("#link-programme-settings")
    assert page.url.endswith(f"/{lang}/figures/settings/")
    assert page.locator("html").get_attribute("lang") == lang

    # A bad entry: the error summary links to the field, nothing is saved.
    page.fill("#id_end", "01/01/2023")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".govuk-error-summary a[href='#id_end']").count() == 1
    assert page.locator("#id_end").get_attribute("aria-invalid") == "true"
    assert Programme.objects.get().version == 1
    assert_accessible(page, f"settings with an error {lang}")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _shoot(page, f"settings-error-{lang}-{width}")

    # Corrected, with quotas: saved, and the change history lists every change.
    quotas = {"credal": "900", "microstart": "700", "jobyourself": "600", "refresh": "500"}
    page.fill("#id_end", "31/12/2027")
    page.fill("#id_target_guided", "4 000")
    for slug, quota in quotas.items():
        page.fill(f"#id_quota_{partners[slug].pk}", quota)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".govuk-notification-banner--success").count() == 1
    assert Partner.objects.get(slug="credal").quota_guided == 900
    assert page.locator("#table-changes tbody tr").count() == len(quotas)
    assert_accessible(page, f"settings {lang}")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _shoot(page, f"settings-{lang}-{width}")

    # The dashboard: each partner against its quota.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/{lang}/figures/")
    table = page.locator("#table-guided_by_partner")
    credal_row = table.locator("tbody tr", has_text=partners["credal"].name_in(lang))
    cells = [c.strip() for c in credal_row.locator("td").all_inner_texts()]
    assert cells == ["6", "900", "0,7\u00a0%", "894"]
    assert_accessible(page, f"dashboard with quotas {lang}")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        table.scroll_into_view_if_needed()
        _shoot(page, f"dashboard-{lang}-{width}")
        # Only the quota section: its heading, chart and table.
        section = page.locator("#quotas + div")
        assert section.locator("#table-guided_by_partner").count() == 1
        _shoot_element(section, f"dashboard-quotas-{lang}-{width}")

    # The Crédal manager sees their own quota only, and the forecast against it.
    own = cast["demo-partner-manager-credal"]
    page = context_for(own, lang).new_page()
    login(page, live_server, own.username, PASSWORD, lang)
    page.goto(f"{live_server.url}/{lang}/figures/partner/")
    rows = page.locator("#table-guided_by_partner tbody tr")
    assert rows.count() == 1 and partners["credal"].name_in(lang) in rows.first.inner_text()
    assert page.locator("#figure-quota-verdict").count() == 1
    assert_accessible(page, f"partner dashboard with its quota {lang}")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _shoot_element(page.locator("#target ~ div.govuk-inset-text").first, f"partner-forecast-{lang}-{width}")
        _shoot_element(page.locator("#quotas + div"), f"partner-quota-{lang}-{width}")
