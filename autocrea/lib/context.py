"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url


def service(request: HttpRequest) -> dict[str, Any]:
    """Give templates the service name and the current page in each language."""
    path = request.get_full_path()
    alternates = [{"code": code, "name": name, "url": translate_url(path, code)} for code, name in settings.LANGUAGES]
    return {"service_name": settings.SERVICE_NAME, "language_alternates": alternates}
