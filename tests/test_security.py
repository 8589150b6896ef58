"""Security figures of docs/trust.md: deploy checks, loud configuration errors, error pages, headers,
no national number in logs, and no mass assignment through the login page or the API."""

from __future__ import annotations

import json
import logging
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import path
from django.utils import timezone
from stdnum.be import ssn

from autocrea import urls as project_urls
from autocrea.accounts.models import User
from autocrea.accounts.tokens import issue_token
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Channel, Step
from autocrea.jobseekers.models import Jobseeker
from autocrea.pathways import services
from autocrea.pathways.models import Trajectory
from tests.conftest import PASSWORD
from tests.factories import make_jobseeker, make_trajectory

ROOT = Path(__file__).resolve().parent.parent


# -- production settings ------------------------------------------------------------------------


def _production_env(**overrides: str | None) -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {k: v for k, v in os.environ.items() if k not in {"AUTOCREA_DEVELOPMENT", "DATABASE_URL"}}
    env.update(
        {
            "DEBUG": "false",
            "AUTOCREA_DEVELOPMENT": "false",
            "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
            "ALLOWED_HOSTS": "autocrea.example.org",
            "DJANGO_SETTINGS_MODULE": "autocrea.settings",
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_with_production_settings_gives_no_warning():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_and_headers_are_strict():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ["
        "'SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'SECURE_REFERRER_POLICY', 'DEBUG']}))"
    )
    result = _manage("shell", "-c", code, env=_production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-") and values["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["SECURE_REFERRER_POLICY"]
    assert values["DEBUG"] is False


@pytest.mark.parametrize(
    "missing", [{"SECRET_KEY": None}, {"ALLOWED_HOSTS": None}, {"SECRET_KEY": "short"}, {"DEBUG": "maybe"}]
)
def test_production_settings_without_a_secret_or_hosts_fail_loudly(missing):
    result = _manage("check", env=_production_env(**missing))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


# -- a forced exception with DEBUG off -----------------------------------------------------------


def _boom(request: Any) -> Any:
    raise RuntimeError("forced failure for the error page test: SECRET-TRACE-MARKER")


urlpatterns = [path("boom/", _boom), *project_urls.urlpatterns]
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_forced_exception_shows_a_generic_page_with_a_reference(settings, caplog, counsellor):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(counsellor)
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Traceback" not in body and "SECRET-TRACE-MARKER" not in body and "RuntimeError" not in body
    assert "_boom" not in body and "site-packages" not in body
    logged = [r.getMessage() for r in caplog.records if r.name == "autocrea.errors"]
    assert len(logged) == 1
    reference = logged[0].split("reference=")[1].split()[0]
    assert len(reference) == 12 and reference in body
    assert response["Cache-Control"].count("no-store") == 1


# -- headers ------------------------------------------------------------------------------------


def _assert_security_headers(response: Any) -> None:
    csp = response.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_to_signed_in_users_are_never_stored(client, counsellor):
    anonymous = client.get("/fr/accounts/login/")
    assert anonymous.status_code == 200
    _assert_security_headers(anonymous)
    client.force_login(counsellor)
    for url in ("/fr/workspace/", "/nl/workspace/"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_security_headers(response)
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_api_answers_are_never_stored(client, counsellor):
    token = issue_token(user=counsellor)
    response = client.get("/api/trajectories", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


# -- the national number never reaches a log ----------------------------------------------------


def _canary_national_number() -> str:
    # Born 1 Jan 1990, serial 997: computed check digits make it valid, so it passes every validator.
    base = "900101997"
    check = 97 - int(base) % 97
    number = f"{base}{check:02d}"
    assert ssn.is_valid(number)
    return number


@pytest.mark.django_db
def test_the_national_number_and_name_never_reach_the_logs(caplog, counsellor, partners):
    canary = _canary_national_number()
    person = make_jobseeker(national_number=canary, first_name="Zebulon", last_name="Canaryson")
    with caplog.at_level(logging.DEBUG):
        t = services.express_interest(jobseeker=person, by=counsellor, channel=Channel.COUNTER)
        with pytest.raises(PathwayError):
            services.orient(
                trajectory=t, partner=partners["credal"], by=counsellor, channel="counter", on=timezone.localdate()
            )
        with pytest.raises(PathwayError):
            services.express_interest(jobseeker=person, by=counsellor, channel=Channel.COUNTER)
        logging.getLogger("autocrea").debug("trajectory %r of %r", t, person)
    text = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    for secret in (canary, ssn.format(canary), "Zebulon", "Canaryson"):
        assert secret not in text
    assert canary not in repr(person) and "Zebulon" not in repr(person)
    assert canary not in str(t) and canary not in t.reference


# -- mass assignment ----------------------------------------------------------------------------

PROTECTED = {
    "current_step": "follow_up",
    "partner": "1",
    "partner_id": "1",
    "coach": "1",
    "version": "999",
    "guided_on": "2020-01-01",
    "exit_kind": "self_employed",
    "national_number": "85073003328",
    "user": "1",
    "user_id": "1",
    "role": "admin",
    "is_superuser": "true",
    "is_staff": "true",
    "is_active": "false",
    "jobseeker": "1",
}


def _every_field_name() -> set[str]:
    names: set[str] = set(PROTECTED)
    for model in (Trajectory, Jobseeker, User):
        for field in model._meta.get_fields():
            names.add(field.name)
            if getattr(field, "attname", None):
                names.add(field.attname)
    return names


def _state(user: User, t: Trajectory) -> tuple[Any, ...]:
    user.refresh_from_db()
    t.refresh_from_db()
    person = Jobseeker.objects.get(pk=t.jobseeker_id)
    return (
        user.role,
        user.is_superuser,
        user.is_staff,
        user.is_active,
        user.partner_id,
        t.current_step,
        t.partner_id,
        t.version,
        t.guided_on,
        t.exit_kind_id,
        person.national_number,
        person.user_id,
    )


@pytest.mark.django_db
def test_posting_every_field_name_to_login_changes_no_protected_field(client, cast, counsellor):
    t = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    user = cast["demo-jobseeker"]
    before = _state(user, t)
    payload = {name: PROTECTED.get(name, "1") for name in _every_field_name()}
    payload.update({"login": user.username, "password": PASSWORD})
    response = client.post("/fr/accounts/login/", payload)
    assert response.status_code == 302  # signed in, and nothing else
    assert _state(user, t) == before


@pytest.mark.django_db
def test_posting_every_field_name_to_the_api_changes_no_protected_field(client, cast, counsellor, coach, partners):
    t = make_trajectory(step=Step.INFORMATION, counsellor=counsellor)
    before = _state(counsellor, t)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=counsellor)}"}
    extra = {name: PROTECTED.get(name, "1") for name in _every_field_name() - {"version"}}
    body = {"version": t.version, "on": str(timezone.localdate()), "go_ahead": True, "reason": "go", **extra}
    for action in ("information", "decision", "orientation", "answer", "exit", "follow-up"):
        response = client.post(f"/api/trajectories/{t.pk}/{action}", body, "application/json", **auth)
        assert response.status_code in {403, 422}, (action, response.status_code)
    # The list and detail ignore filters smuggled in the query string.
    listed = client.get("/api/trajectories", {"partner": "1", "current_step": "exit", "jobseeker": "1"}, **auth)
    assert [row["id"] for row in listed.json()["items"]] == [t.pk]
    assert _state(counsellor, t) == before
