"""The API documentation in a real browser: Swagger UI runs from our static files under the site's CSP."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_read_the_api_documentation_with_nothing_from_another_host(live_server, counsellor, context_for, login):
    page = context_for(counsellor, "fr").new_page()
    hosts: set[str] = set()
    problems: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server.url}/api/docs")
    assert "/accounts/login/" in page.url  # anonymous: sent to sign in first
    login(page, live_server, counsellor.username, PASSWORD, "fr")
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto(f"{live_server.url}/api/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Autocrea API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() >= 5  # the operations, read from /api/openapi.json
    assert hosts == {urlsplit(live_server.url).netloc}, hosts
    assert not failed, failed  # the viewer's JS, CSS, icons and the document all load
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
