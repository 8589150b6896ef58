"""HTTP responses for files to download (a JSON export, a calendar file), shared by the portal and the workspace.

PDFs have their own in lib/pdf.py (pdf_response).
"""

from __future__ import annotations

from django.http import HttpResponse


def json_response(content: bytes, filename: str) -> HttpResponse:
    """Return a JSON file as a download, never cached (personal data)."""
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def ics_response(content: bytes, filename: str) -> HttpResponse:
    """Return an iCalendar file as a download."""
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
