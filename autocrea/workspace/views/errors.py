"""Error pages: generic, translated, with a reference id and never a stack trace."""

from __future__ import annotations

import logging
import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger("autocrea.errors")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    reference = uuid.uuid4().hex[:12]
    logger.error("server error reference=%s path=%s", reference, request.path)
    return render(request, "errors/500.html", {"reference": reference}, status=500)
