"""Response headers for pages that carry personal data; a plain 413 for oversized form bodies."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control


class PrivatePagesMiddleware:
    """Mark every response to a signed-in user as never to be stored (docs/trust.md: no-store)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class RequestTooLargeMiddleware:
    """Answer 413 with a page when a form's body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django raises RequestDataTooBig wherever the body is first read (often CSRF's check) and turns
    it into a bare 400 (a debug page in development); reading it here first gives a plain answer.
    Multipart bodies are parsed as Django does (files streamed, only the fields counted), so that a
    large upload is not refused. The API (/api/) answers 413 in its own JSON format (api/api.py).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"POST", "PUT", "PATCH", "DELETE"} and not request.path_info.startswith("/api/"):
            try:
                if request.content_type == "multipart/form-data":
                    request.POST  # noqa: B018 - parsing is the point: it raises when the fields are too large
                else:
                    request.body  # noqa: B018 - reading is the point: it raises when the body is too large
            except RequestDataTooBig:
                return render(request, "errors/413.html", status=413)
        return self.get_response(request)
