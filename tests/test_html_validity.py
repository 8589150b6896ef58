"""Every portal page is valid HTML (Nu Html Checker, the npm package `vnu-jar`, run with Java).

The pages are rendered through the test client in French, Dutch and English, in the states a person
meets them: anonymous, each interest question (empty, and with its error summary), the
check-your-answers page, and signed in at the decision step (my pathway, sessions, partner choice).
The checker is installed by `.ci/run` (or `make vnu`) under `.cache/vnu/`; elsewhere the test is
skipped with the command to install it, and in CI (AUTOCREA_REQUIRE_VNU=1) a missing checker fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from autocrea.backbone.steps import Step
from tests.test_portal import ANSWERS, future_session, jobseeker_with_trajectory, url

ROOT = Path(__file__).resolve().parent.parent
VNU = Path(os.environ.get("AUTOCREA_VNU_JAR", ROOT / ".cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar"))
LANGUAGES = ["fr", "nl", "en"]
PUBLIC = ["public:home", "public:how_it_works", "public:partners", "public:accessibility", "public:privacy"]
SIGNED_IN = ["portal:pathway", "portal:sessions", "portal:partners_choose"]


@pytest.fixture
def vnu() -> list[str]:
    java = shutil.which("java")
    if VNU.exists() and java:
        return [java, "-jar", str(VNU), "--errors-only", "--format", "json"]
    if os.environ.get("AUTOCREA_REQUIRE_VNU"):
        pytest.fail(f"the Nu Html Checker is required here but missing: {VNU} (run `make vnu`; needs java)")
    pytest.skip("Nu Html Checker not installed: run `make vnu` (needs npm and java)")


def _page(client: Any, name: str, lang: str, pages: dict[str, str], method: str = "get", **data: Any) -> None:
    response = getattr(client, method)(url(name, lang), data)
    assert response.status_code == 200, (name, lang, response.status_code)
    pages[f"{lang}-{name.replace(':', '-')}-{method}"] = response.content.decode()


def _check(vnu: list[str], pages: dict[str, str], tmp_path: Path) -> list[str]:
    files = []
    for key, html in pages.items():
        path = tmp_path / f"{key}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    run = subprocess.run([*vnu, *files], capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(run.stderr or '{"messages": []}')
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')} «{m.get('extract', '').strip()}»"
        for m in report["messages"]
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]


def test_every_portal_page_is_valid_html_in_every_language(client, cast, counsellor, vnu, tmp_path):
    future_session("fr")
    future_session("nl")
    pages: dict[str, str] = {}
    for lang in LANGUAGES:
        for name in PUBLIC:
            _page(client, name, lang, pages)
        _page(client, "portal:login", lang, pages)
        _page(client, "portal:interest_start", lang, pages)
        for slug, data in ANSWERS:  # each question only opens once the ones before are answered
            _page(client, f"portal:interest_{slug}", lang, pages)
            _page(client, f"portal:interest_{slug}", lang, pages, method="post")  # the error summary
            assert client.post(url(f"portal:interest_{slug}", lang), data).status_code == 302
        _page(client, "portal:interest_check", lang, pages)
        client.cookies.clear()
    client.force_login(cast["demo-jobseeker"])
    jobseeker_with_trajectory(cast["demo-jobseeker"], counsellor, step=Step.DECISION)
    for lang in LANGUAGES:
        for name in SIGNED_IN:
            _page(client, name, lang, pages)
    assert len(pages) == len(LANGUAGES) * (len(PUBLIC) + 3 + 2 * len(ANSWERS) + len(SIGNED_IN))
    assert any("govuk-error-summary" in html for html in pages.values()), "the error states were rendered"
    errors = _check(vnu, pages, tmp_path)
    assert errors == [], "\n".join(errors)


def test_the_checker_does_find_invalid_html(vnu, tmp_path):
    """The harness can fail: a page with a duplicate id and a stray end tag is reported."""
    bad = (
        '<!DOCTYPE html><html lang="fr"><head><title>x</title></head><body><p id="a"></p><p id="a"></div></body></html>'
    )
    errors = _check(vnu, {"bad": bad}, tmp_path)
    assert len(errors) >= 2, errors


# The signed-in person's own pages, and every sign-in page (password, code by e-mail, staff two-step
# verification with its recovery codes), each in the states a visitor meets them.
MY_PAGES = ["portal:documents", "portal:my_data", "portal:correction"]


def _get(client: Any, address: str, key: str, pages: dict[str, str], method: str = "get", **data: Any) -> Any:
    response = getattr(client, method)(address, data)
    assert response.status_code == 200, (key, response.status_code, response.get("Location"))
    pages[key] = response.content.decode()
    return response


def test_my_pages_and_the_sign_in_pages_are_valid_html_in_every_language(
    client, cast, counsellor, vnu, tmp_path, settings
):
    import re
    import uuid

    from django.core.cache import cache

    from tests.conftest import PASSWORD
    from tests.test_auth import FEDERAL, totp

    settings.SOCIALACCOUNT_PROVIDERS = FEDERAL  # the portal's sign-in page also offers the federal login
    pages: dict[str, str] = {}
    person = cast["demo-jobseeker"]
    person.email = "amina@example.org"
    person.save()
    jobseeker_with_trajectory(person, counsellor, step=Step.DECISION, email=person.email)  # an attestation exists
    staff = cast["demo-programme-manager"]
    for lang in LANGUAGES:
        client.cookies.clear()
        # Signing in: the staff page and the portal's, each also with its error summary.
        for name in ("accounts:login", "portal:login"):
            _page(client, name, lang, pages)
            _page(client, name, lang, pages, method="post", login=person.username, password="not it")
        _page(client, "account_request_login_code", lang, pages)
        _page(client, "account_request_login_code", lang, pages, method="post", email="not an address")
        assert client.post(url("account_request_login_code", lang), {"email": person.email}).status_code == 302
        _page(client, "account_confirm_login_code", lang, pages)
        _page(client, "account_confirm_login_code", lang, pages, method="post", code="WRONG")
        cache.clear()  # the code's attempt counter and the sign-in throttle
        client.cookies.clear()
        # The person's own pages.
        client.force_login(person)
        for name in MY_PAGES:
            _page(client, name, lang, pages)
        empty = {"form_token": str(uuid.uuid4()), "what_is_wrong": "", "what_it_should_be": ""}
        _page(client, "portal:correction", lang, pages, method="post", **empty)  # the error summary
        client.cookies.clear()
    # A staff member sets up two-step verification (once), then meets every MFA page in each language.
    client.post(url("accounts:login", "fr"), {"login": staff.username, "password": PASSWORD})
    _get(client, url("account_reauthenticate", "fr"), "fr-account_reauthenticate", pages)
    client.post(url("account_reauthenticate", "fr"), {"password": PASSWORD})
    for lang in LANGUAGES:
        _page(client, "mfa_activate_totp", lang, pages)
    _page(client, "mfa_activate_totp", "en", pages, method="post", code="")
    page = client.get(url("mfa_activate_totp", "fr")).content.decode()
    secret = re.search(r'id="authenticator-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert client.post(url("mfa_activate_totp", "fr"), {"code": totp(secret)}).status_code == 302
    for lang in LANGUAGES:
        for name in ("mfa_view_recovery_codes", "mfa_generate_recovery_codes", "mfa_index", "mfa_deactivate_totp"):
            _page(client, name, lang, pages)
    for lang in LANGUAGES:
        client.post(url("accounts:logout", lang))
        client.post(url("accounts:login", lang), {"login": staff.username, "password": PASSWORD})
        _page(client, "mfa_authenticate", lang, pages)
        _page(client, "mfa_authenticate", lang, pages, method="post", code="1")
    assert len(pages) == len(LANGUAGES) * (8 + len(MY_PAGES) + 1 + 1 + 4 + 2) + 2
    assert all('id="federal-login"' in pages[f"{lang}-portal-login-get"] for lang in LANGUAGES)
    no_summary = [key for key, html in pages.items() if key.endswith("-post") and "govuk-error-summary" not in html]
    assert no_summary == [], "the error states were rendered"
    errors = _check(vnu, pages, tmp_path)
    assert errors == [], "\n".join(errors)
