"""The job seeker's sign-in pages (password, code by e-mail) in a real browser: axe-core finds nothing."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.factories import make_jobseeker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _no_violations(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["impact"]) for v in violations] == [], name


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
    page.screenshot(path=f"/tmp/auth/request-code-{lang}-375.png", full_page=True)
