"""The steering report: a partner's (or the programme's) figures for a period, as a PDF in French or Dutch.

The same figures as the dashboards, from the same engine and the same tables (`tables.build_tables`
over `kpis.compute_kpis`, `survival.survival_summary` and `kpis.equity`): nothing is recomputed
here. Every table is printed as the dashboards show it and the exports write it (disclosure.py, one
rule: a hidden cell is `*`), and the headline figures are the dashboard's (the scope's margins). Scoping is the dashboards': the programme manager chooses any partner (or none: the whole
programme); partner staff get their own partner, and asking for another partner is refused (404).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation

from autocrea.accounts import audit
from autocrea.accounts.access import export_scope_for, may_view_partner_figures, may_view_programme_figures
from autocrea.lib.pdf import pdf_response, render_pdf
from autocrea.partners.models import Partner
from autocrea.reporting import disclosure, kpis, summaries, survival
from autocrea.reporting.filters import Filters, read_filters
from autocrea.reporting.presentation import forecast_words, headline
from autocrea.reporting.tables import build_tables

REPORT_LANGUAGES = ("fr", "nl")


def report_language(request: HttpRequest) -> str:
    """Return the report's language: ?lang= if French or Dutch, else the user's screen language, else French."""
    asked = request.GET.get("lang", "")
    if asked in REPORT_LANGUAGES:
        return asked
    for candidate in (getattr(request, "LANGUAGE_CODE", ""), getattr(request.user, "preferred_language", "")):
        if candidate in REPORT_LANGUAGES:
            return str(candidate)
    return "fr"


def report_context(*, user: Any, partner: Partner | None, filters: Filters, lang: str) -> dict[str, Any]:
    """Return everything the printed report says, built in `lang` from the dashboard's own figures."""
    scope = export_scope_for(user)
    partner_id = partner.pk if partner else None
    start, end = filters.start, filters.end
    kp = kpis.compute_kpis(start=start, end=end, partner_id=partner_id, queryset=scope)
    surv = survival.survival_summary(start=start, end=end, partner_id=partner_id, queryset=scope)
    eq = kpis.equity(dimension=filters.dimension, start=start, end=end, partner_id=partner_id, queryset=scope)
    period_start, period_end, today = kpis.resolve_period(start=start, end=end)
    with translation.override(lang):
        tables = build_tables(kp, surv, eq)
        printed = [
            {
                "key": t.key,
                "caption": t.caption,
                "columns": [{"label": c.label, "numeric": c.numeric} for c in t.columns],
                "rows": t.published_cells(),
                "definition": t.definition,
                "note": t.note,
            }
            for t in tables
        ]
        partner_name = partner.name if partner else None
        return {
            "partner": partner,
            "partner_name": partner_name,
            "period_start": period_start,
            "period_end": period_end,
            "issued_on": today,
            "headline": headline(kp),
            "forecast": forecast_words(kp, partner_name=partner_name),
            "tables": printed,
            "hidden_marker": disclosure.HIDDEN,
            "as_of": summaries.as_of_label(),
        }


@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    """Return the steering report of one partner (or the programme) for a period, as a PDF."""
    if may_view_programme_figures(request.user):
        filters = read_filters(request, partner_choice=True)  # an unknown partner is a 404
        partner = filters.partner
    elif may_view_partner_figures(request.user):
        filters = read_filters(request, partner_choice=False)
        partner = request.user.partner  # type: ignore[union-attr]
        assert partner is not None  # partner staff always belong to a partner (database constraint)
        asked = request.GET.get("partner", "").strip()
        if asked and asked != partner.slug:
            # Another partner's report is out of scope: refused like a foreign object.
            raise Http404
    else:
        raise PermissionDenied
    if filters.errors:
        return HttpResponse(
            " ".join(e["text"] for e in filters.errors), status=400, content_type="text/plain; charset=utf-8"
        )
    lang = report_language(request)
    context = report_context(user=request.user, partner=partner, filters=filters, lang=lang)
    context.update(
        {
            "organisation": str(settings.PROGRAMME.get("organisation") or ""),
            "programme_name": settings.PROGRAMME.get("name", ""),
            "service_name": settings.SERVICE_NAME,
        }
    )
    content = render_pdf("pdf/partner_report.html", context, lang=lang)
    audit.record(user=request.user, action=f"export:kpi.report.pdf.{lang}", obj=partner or request.user)
    slug = partner.slug if partner else "programme"
    filename = f"autocrea-report-{slug}-{context['period_start']:%Y%m%d}-{context['period_end']:%Y%m%d}-{lang}.pdf"
    return pdf_response(content, filename)
