"""Signing in with a real browser, in French and in Dutch, with axe-core on every page seen."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_counsellor_signs_in_and_lands_on_the_home_page(
    live_server, counsellor, context_for, login, assert_accessible, lang
):
    page = context_for(counsellor, lang).new_page()
    page.goto(f"{live_server.url}/{lang}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page, f"login ({lang})")

    login(page, live_server, counsellor.username, PASSWORD, lang)
    assert page.url.rstrip("/").endswith(f"/{lang}/workspace"), page.url
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("main h1").count() >= 1
    assert_accessible(page, f"home ({lang})")


def test_a_wrong_password_keeps_the_person_on_the_login_page(live_server, counsellor, context_for):
    page = context_for(counsellor, "fr").new_page()
    page.goto(f"{live_server.url}/fr/accounts/login/")
    page.fill("#id_login", counsellor.username)
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert "/accounts/login/" in page.url
    assert all("session" not in c["name"] for c in page.context.cookies())
