"""The programme dashboards' pages: the programme manager's and the partner staff's, their exports and the ESF+ export.

Two pages share one builder: the programme manager's (every partner, with a partner filter) and the
partner staff's (their own partner only, never a choice). Every figure comes from the KPI engine
(`kpis.compute_kpis`, `survival.survival_summary`, `kpis.equity`); the tables are laid out in tables.py,
the filters read in filters.py, the headline and forecast words written in presentation.py. Each table
is built once as raw values: the page formats them in the reader's language, the exports write them in
the Belgian Excel dialect after small-cell suppression (docs/trust.md).
"""

from __future__ import annotations

import datetime
import tempfile
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.access import export_scope_for, may_view_partner_figures, may_view_programme_figures
from autocrea.lib import exports
from autocrea.partners.models import Partner
from autocrea.reporting import kpis, summaries, survival
from autocrea.reporting.filters import Filters, read_filters
from autocrea.reporting.formatting import export_value, fmt
from autocrea.reporting.presentation import forecast_words, headline, target_chart
from autocrea.reporting.tables import DIMENSION_LABELS, Table, build_tables, lay_out

EXPORT_FORMATS = {"csv", "xlsx"}


def figures_scope(request: HttpRequest) -> Any:
    return export_scope_for(request.user)


def _dashboard(request: HttpRequest, *, partner_id: int | None, filters: Filters, template_context: dict[str, Any]):
    scope = figures_scope(request)
    start, end = filters.start, filters.end
    kp = kpis.compute_kpis(start=start, end=end, partner_id=partner_id, queryset=scope)
    surv = survival.survival_summary(start=start, end=end, partner_id=partner_id, queryset=scope)
    eq = kpis.equity(dimension=filters.dimension, start=start, end=end, partner_id=partner_id, queryset=scope)
    tables = build_tables(kp, surv, eq)

    export_key = request.GET.get("export")
    if export_key is not None:
        return export_tables(request, tables, export_key, filters)

    lay_out(tables, filters)
    figures = headline(kp)
    return render(
        request,
        "reporting/dashboard.html",
        {
            **template_context,
            "as_of": summaries.as_of_label(),
            "kp": kp,
            "surv": surv,
            "tables": {t.key: t for t in tables},
            "forecast": forecast_words(kp, partner_name=template_context.get("partner_name")),
            "target_chart": target_chart(kp, with_target=partner_id is None),
            "filters": filters,
            "dimensions": [(k, DIMENSION_LABELS[k]) for k in kpis.DIMENSIONS],
            "period": {
                k: formats.date_format(datetime.date.fromisoformat(kp["period"][k]), "SHORT_DATE_FORMAT")
                for k in ("start", "end")
            },
            "guided_count": figures["guided"],
            "exits_count": figures["exits"],
            "overall": {k: figures[k] for k in ("positive_rate", "job_creation_rate")},
            "rate_targets": {
                k: fmt(kp["target"][f"{k}_target"], "rate") if kp["target"].get(f"{k}_target") is not None else None
                for k in ("positive_rate", "job_creation_rate")
            },
            "medians": {
                "km": surv["median_days_to_exit"],
                "exits": surv["exits"],
                "censored": surv["censored"],
                "population": surv["population"],
            },
        },
    )


def export_tables(request: HttpRequest, tables: list[Table], key: str, filters: Filters) -> HttpResponseBase:
    fmt_ = request.GET.get("format", "xlsx")
    table = next((t for t in tables if t.key == key), None)
    if table is None or fmt_ not in EXPORT_FORMATS:
        raise Http404
    audit.record(user=request.user, action=f"export:kpi.{key}.{fmt_}", obj=request.user)
    header = [c.label for c in table.columns] + [_("Note")]
    rows = [
        [export_value(row.get(c.key), c.kind) for c in table.columns] + [row.get("note", "")]
        for row in table.export_rows()
    ]
    # When the summaries these figures come from were built: a last row, as wide as the others.
    rows.append([summaries.as_of_label()] + [""] * (len(header) - 1))
    partner = f"-{filters.partner.slug}" if filters.partner else ""
    filename = f"autocrea-{key.replace('_', '-')}{partner}-{timezone.localdate():%Y%m%d}.{fmt_}"
    if fmt_ == "csv":
        response = HttpResponse(
            "".join(exports.iter_csv(header, rows)).encode("utf-8"), content_type=exports.CSV_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    exports.write_xlsx(header, rows, file, sheet_title=key)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE)


# ---------------------------------------------------------------- the pages


@login_required
def programme(request: HttpRequest) -> HttpResponseBase:
    """Every partner's figures, for the programme manager; ?partner=slug narrows them to one partner."""
    if not may_view_programme_figures(request.user):
        raise PermissionDenied
    filters = read_filters(request, partner_choice=True)
    return _dashboard(
        request,
        partner_id=filters.partner.pk if filters.partner else None,
        filters=filters,
        template_context={
            "heading": _("Programme figures"),
            "partners": Partner.objects.order_by("slug"),
            "partner_name": filters.partner.name if filters.partner else None,
            "partner_choice": True,
            "action_url": request.path,
        },
    )


@login_required
def partner(request: HttpRequest) -> HttpResponseBase:
    """The partner staff's figures: their own partner only, whatever the URL says."""
    if not may_view_partner_figures(request.user):
        raise PermissionDenied
    filters = read_filters(request, partner_choice=False)
    own = request.user.partner  # type: ignore[union-attr]
    assert own is not None  # partner staff always belong to a partner (database constraint)
    return _dashboard(
        request,
        partner_id=own.pk,
        filters=filters,
        template_context={
            "heading": _("Figures of %(partner)s") % {"partner": own.name},
            "partner_name": own.name,
            "partner_choice": False,
            "action_url": request.path,
        },
    )


@login_required
def esf_export(request: HttpRequest) -> HttpResponseBase:
    """The ESF+ participant indicators for a period, by gender, small cells emptied (programme manager only)."""
    from autocrea.reporting import esf

    if not may_view_programme_figures(request.user):
        raise PermissionDenied
    filters = read_filters(request, partner_choice=False)
    fmt_ = request.GET.get("format", "csv")
    if filters.errors or fmt_ not in EXPORT_FORMATS:
        return HttpResponse(
            " ".join([e["text"] for e in filters.errors] or [_("Choose the format csv or xlsx.")]),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    start, end, _today = kpis.resolve_period(start=filters.start, end=filters.end)
    data = esf.esf_indicators(start=start, end=end, queryset=figures_scope(request))
    audit.record(user=request.user, action=f"export:esf.{fmt_}", obj=request.user)
    filename = f"autocrea-esf-{start:%Y%m%d}-{end:%Y%m%d}.{fmt_}"
    if fmt_ == "csv":
        rows = esf.export_rows(data)
        response = HttpResponse(
            "".join(exports.iter_csv(esf.header(), rows)).encode("utf-8"), content_type=exports.CSV_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    esf.write(data, "xlsx", file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE)
