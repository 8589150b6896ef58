"""The sign-in pages in a real browser: the job seeker's (password, code by e-mail) and the staff
member's (password, setting up the authenticator app, the code at sign-in, recovery codes). axe-core
finds no violation of any impact, and nothing is wider than a 375 px phone.

With AUTOCREA_SCREENSHOTS=<folder>, each page is also saved there at 375 and 1280 px wide."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from tests.conftest import PASSWORD
from tests.factories import make_jobseeker
from tests.test_auth import FEDERAL, totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _no_violations(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == [], name


def _look(page: Any, name: str) -> None:
    """axe-core at 1280 px, then no horizontal scrolling at 375 px; screenshots at both if asked."""
    shots = os.environ.get("AUTOCREA_SCREENSHOTS")
    _no_violations(page, name)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        if width == 375:
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, f"{name}: horizontal scrolling"
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_job_seeker_signs_in_with_a_code_without_javascript_errors(live_server, cast, context_for, lang):
    user = cast["demo-jobseeker"]
    user.email = "amina@example.org"
    user.save()
    make_jobseeker(user=user, email=user.email)
    page = context_for(user, lang).new_page()
    page.goto(f"{live_server.url}/{lang}/my/sign-in/")
    _no_violations(page, f"portal sign-in {lang}")
    page.click("#login-by-code")
    _no_violations(page, f"request code {lang}")
    page.fill("#id_email", "amina@example.org")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    _no_violations(page, f"confirm code {lang}")
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)
    page.fill("#id_code", "WRONG-CODE")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    _no_violations(page, f"confirm code with an error {lang}")
    page.fill("#id_code", code)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url.endswith(f"/{lang}/my/pathway/"), page.url
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/{lang}/accounts/login/code/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_sign_in_and_two_step_pages_pass_axe_at_phone_and_desktop_width(
    live_server, cast, context_for, settings, lang
):
    settings.AUTOCREA_STAFF_MFA = True
    settings.SOCIALACCOUNT_PROVIDERS = FEDERAL  # the portal page then offers the federal login too
    user = cast["demo-jobseeker"]
    user.email = "amina@example.org"
    user.save()
    make_jobseeker(user=user, email=user.email)
    base = f"{live_server.url}/{lang}"
    page = context_for(user, lang).new_page()
    page.goto(f"{base}/my/sign-in/")
    assert page.locator("#federal-login").count() == 1
    _look(page, f"{lang}-portal-login")
    page.click("main button[type=submit]")  # nothing typed: the error summary
    page.wait_for_load_state("load")
    assert page.locator(".govuk-error-summary").count() == 1
    _look(page, f"{lang}-portal-login-error")
    page.goto(f"{base}/accounts/login/code/")
    _look(page, f"{lang}-code-request")
    page.fill("#id_email", user.email)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    _look(page, f"{lang}-code-entry")
    page.fill("#id_code", "WRONG")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    _look(page, f"{lang}-code-entry-error")

    staff = cast["demo-counsellor"]
    page = context_for(staff, lang).new_page()
    page.goto(f"{base}/accounts/login/")
    _look(page, f"{lang}-staff-login")
    page.fill("#id_login", staff.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    # Staff without an authenticator are sent to set one up, after confirming their password.
    assert "/accounts/reauthenticate/" in page.url, page.url
    _look(page, f"{lang}-reauthenticate")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/2fa/totp/activate/" in page.url, page.url
    _look(page, f"{lang}-totp-setup")
    secret = page.locator("#authenticator-secret").inner_text().replace(" ", "").strip()
    page.fill("#id_code", totp(secret))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/2fa/recovery-codes/" in page.url, page.url
    codes = [c.strip() for c in page.locator("#recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    _look(page, f"{lang}-recovery-codes")
    page.goto(f"{base}/accounts/2fa/recovery-codes/generate/")
    _look(page, f"{lang}-recovery-codes-generate")
    page.click("#footer-mfa")  # every staff page links to the two-step verification page
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/{lang}/accounts/2fa/"), page.url
    assert page.locator("#recovery-codes-link").count() == 1
    _look(page, f"{lang}-mfa-index")
    # The next sign-in asks for the code; a recovery code is accepted instead.
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", staff.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/2fa/authenticate/" in page.url, page.url
    _look(page, f"{lang}-mfa-authenticate")
    page.fill("#id_code", "1")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    _look(page, f"{lang}-mfa-authenticate-error")
    page.fill("#id_code", codes[0])
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url.rstrip("/").endswith(f"/{lang}/workspace"), page.url
