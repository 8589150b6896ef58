"""PDF documents from Django templates with WeasyPrint, in a given language.

Attestations and reports follow the person's (or the report's) language, not the staff member's
screen: the template is rendered inside `translation.override(lang)`, so gettext, `{% translate %}`,
translated names and the Belgian date formats (autocrea/formats) all follow `lang`. Static files (our
print CSS, images) are resolved through the staticfiles finders, so nothing is fetched from the
network. The PDF is tagged (PDF/UA-1): screen readers get its structure and its language.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

# The A4 print style shared by every document (autocrea/static/autocrea/pdf.css).
DEFAULT_STYLESHEETS = ("autocrea/pdf.css",)
# Relative URLs in a template (`{% static %}` gives /static/…) resolve against this fake origin.
BASE_URL = "http://pdf.invalid/"


def _static_roots() -> list[str]:
    """Return the real paths of every static-files location (our app's and the project's)."""
    roots = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(os.path.realpath(location))
    return roots


def static_files_fetcher() -> Any:
    """Return a WeasyPrint URL fetcher that serves static files only: a PDF never reaches the network."""
    from weasyprint.urls import URLFetcher

    class StaticFilesFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file://"):
                path = os.path.realpath(url.removeprefix("file://").split("?", 1)[0])
                if any(path == root or path.startswith(root + os.sep) for root in _static_roots()):
                    return super().fetch(url, headers)
            elif "/static/" in url and url.startswith(BASE_URL):
                found = finders.find(url.split("/static/", 1)[1].split("?", 1)[0])
                if found:
                    return super().fetch(Path(str(found)).resolve().as_uri(), headers)
            raise ValueError(f"PDF resources must be local static files: {url}")

    return StaticFilesFetcher(allowed_protocols={"file"})


def _stylesheet_path(name: str) -> str:
    path = finders.find(name)
    if not path:
        # Fail loudly: a document without its print style would still print, but wrongly.
        raise FileNotFoundError(f"PDF stylesheet not found in the static files: {name}")
    return str(path)


def render_pdf(
    template: str,
    context: dict[str, Any],
    *,
    lang: str,
    stylesheets: Sequence[str] = DEFAULT_STYLESHEETS,
) -> bytes:
    """Render `template` with `context` in `lang` and return the PDF bytes.

    `stylesheets` are static paths (found by the staticfiles finders, whatever the storage), applied
    after the template's own styles.
    """
    from weasyprint import CSS, HTML  # imported late: needs the system's pango, only when a PDF is made

    with translation.override(lang):
        html = render_to_string(template, {**context, "LANGUAGE_CODE": lang})
        fetcher = static_files_fetcher()
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        css = [CSS(filename=_stylesheet_path(name), url_fetcher=fetcher) for name in stylesheets]
        return document.write_pdf(stylesheets=css, pdf_variant="pdf/ua-1")


def safe_filename(text: str) -> str:
    """Return `text` as a plain ASCII file-name part: no accents, spaces or quotes (header-safe)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text).strip("-._").lower() or "document"


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """An HTTP response carrying a PDF, as a download unless `inline`; never cached (personal data)."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{safe_filename(filename.removesuffix(".pdf"))}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
