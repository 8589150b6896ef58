"""Oversized bodies: a clear 413, in the API's error format for the API and as a page for screens."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from django.utils.translation import gettext

from autocrea.accounts.tokens import issue_token
from autocrea.backbone.steps import Step
from tests.factories import make_trajectory

pytestmark = pytest.mark.django_db

FIVE_MB = 5 * 1024 * 1024


def _big_json() -> bytes:
    return b'{"version": 1, "details": "' + b"x" * FIVE_MB + b'"}'


@pytest.mark.parametrize("debug", [False, True])
def test_an_oversized_api_body_answers_413_in_the_api_format(client, cast, counsellor, partners, settings, debug):
    settings.DEBUG = debug
    trajectory = make_trajectory(step=Step.INFORMATION, counsellor=counsellor)
    token = issue_token(user=cast["demo-counsellor"], label="test")
    response = client.post(
        f"/api/trajectories/{trajectory.pk}/decision",
        data=_big_json(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    # The API answers in the site's language (French by default), like its other errors.
    with translation.override(django_settings.LANGUAGE_CODE):
        expected = gettext("The request body is too large.")
    assert expected == "Le corps de la requête est trop volumineux."
    assert response.json() == {"detail": expected}
    trajectory.refresh_from_db()
    assert trajectory.current_step == Step.INFORMATION


def test_a_body_under_the_limit_still_reaches_the_api(client, cast, counsellor):
    trajectory = make_trajectory(step=Step.INFORMATION, counsellor=counsellor)
    token = issue_token(user=cast["demo-counsellor"], label="test")
    small = b'{"version": 1, "details": "' + b"x" * 100 + b'"}'
    response = client.post(
        f"/api/trajectories/{trajectory.pk}/decision",
        data=small,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422  # read and validated (fields missing), not refused for its size


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=B"])
def test_an_oversized_form_answers_a_413_page(client, settings, debug, content_type):
    settings.DEBUG = debug
    if content_type.startswith("multipart"):
        body = b'--B\r\nContent-Disposition: form-data; name="login"\r\n\r\n' + b"x" * FIVE_MB + b"\r\n--B--\r\n"
    else:
        body = b"login=" + b"x" * FIVE_MB
    response = client.post("/en/accounts/login/", data=body, content_type=content_type)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<h1" in html and "What you sent is too large" in html and "Traceback" not in html


def test_a_large_file_upload_is_not_refused_for_its_size(client):
    # Files are streamed to disk and not counted against DATA_UPLOAD_MAX_MEMORY_SIZE (only the fields are).
    file_part = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n'
    )
    body = file_part + b"x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b"\r\n--B--\r\n"
    response = client.post("/en/accounts/login/", data=body, content_type="multipart/form-data; boundary=B")
    assert response.status_code != 413


def test_the_screen_413_is_translated(client: Any):
    response = client.post(
        "/fr/accounts/login/", data=b"login=" + b"x" * FIVE_MB, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert '<html lang="fr"' in response.content.decode()
