"""The API documentation: signed-in staff only, its viewer (Swagger UI) served from our static files."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in_for_the_page_and_refused_the_json(client):
    page = client.get("/api/docs")
    assert page.status_code == 302
    assert urlsplit(page["Location"]).path.endswith("/accounts/login/")
    assert "next=/api/docs" in page["Location"]
    document = client.get("/api/openapi.json")
    assert document.status_code == 401
    assert set(document.json()) == {"detail"}
    assert "paths" not in document.content.decode()


@pytest.mark.parametrize("username", ["demo-jobseeker", "nobody"])
def test_people_who_are_not_staff_are_refused(client, cast, username):
    client.force_login(cast[username])
    assert client.get("/api/docs").status_code == 403
    document = client.get("/api/openapi.json")
    assert document.status_code == 403
    assert "paths" not in document.json()


def test_an_api_token_does_not_open_the_documentation(client, cast):
    from autocrea.accounts.tokens import issue_token

    token = issue_token(user=cast["demo-counsellor"], label="test")
    assert client.get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


@pytest.mark.parametrize("username", ["demo-counsellor", "demo-coach-credal", "demo-programme-manager", "demo-admin"])
def test_staff_read_the_page_and_the_document(client, cast, username):
    client.force_login(cast[username])
    assert client.get("/api/docs").status_code == 200
    document = client.get("/api/openapi.json")
    assert document.status_code == 200
    assert "/api/partners" in document.json()["paths"]


def test_the_page_loads_nothing_from_another_host(client, counsellor):
    client.force_login(counsellor)
    html = client.get("/api/docs").content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references, "the page references its viewer"
    assert all(not urlsplit(ref).netloc and not ref.startswith("//") for ref in references), references
    assert "cdn" not in html.lower()
    scripts = [ref for ref in references if ref.endswith(".js")]
    assert any("swagger-ui-bundle" in ref for ref in scripts)
    assert any(ref.endswith(".css") and "swagger-ui" in ref for ref in references)
    for ref in references:
        # Each one is one of our static files (collectstatic copies it; whitenoise serves it).
        assert ref.startswith("/static/"), ref
        assert finders.find(ref.removeprefix("/static/")), ref


def test_the_viewer_runs_under_the_content_security_policy(client, counsellor):
    client.force_login(counsellor)
    response = client.get("/api/docs")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    # No inline script to run: the settings ride in a JSON block that the static init script reads.
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attributes for attributes in inline), inline
