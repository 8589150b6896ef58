"""The programme dashboards: the figures of docs/kpis.md as readable tables, simple charts and exports.

Two pages share one builder: the programme manager's (every partner, with a partner filter) and the
partner staff's (their own partner only, never a choice). Every figure comes from the KPI engine
(`kpis.compute_kpis`, `survival.survival_summary`, `kpis.equity`); this module only lays it out.
Each table is built once as raw values: the page formats them in the reader's language, the
exports write them in the Belgian Excel dialect after small-cell suppression (docs/trust.md).
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autocrea.accounts import audit
from autocrea.accounts.access import export_scope_for, may_view_partner_figures, may_view_programme_figures
from autocrea.backbone.steps import Step
from autocrea.jobseekers.models import ContactLanguage, Gender
from autocrea.lib import exports
from autocrea.partners.models import Partner
from autocrea.reference.models import BarrierCode, Commune, EducationLevel
from autocrea.reporting import disclosure, kpis, summaries, survival

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
EXPORT_FORMATS = {"csv", "xlsx"}
DIMENSION_LABELS: dict[str, Promise] = {
    "gender": gettext_lazy("Gender"),
    "age_band": gettext_lazy("Age band"),
    "education_level": gettext_lazy("Education level"),
    "contact_language": gettext_lazy("Contact language"),
    "commune": gettext_lazy("Commune"),
    "unemployment_band": gettext_lazy("Length of unemployment"),
    "barrier": gettext_lazy("Barrier"),
}


# ---------------------------------------------------------------- tables


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # text, int, rate, days, year
    short: str = ""  # a shorter header on screen, under a column group; exports keep the label

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Table:
    """One table of figures: raw rows (dicts), the page shows them formatted and exports them suppressed."""

    key: str
    caption: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    definition: str
    suppress: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None
    note: str = ""
    chart: dict[str, Any] | None = None
    # Column groups on screen: (label, number of columns), left to right, covering every column.
    groups: list[tuple[str, int]] = field(default_factory=list)
    cells: list[list[dict[str, Any]]] = field(default_factory=list)
    export_links: list[dict[str, str]] = field(default_factory=list)

    def export_rows(self) -> list[dict[str, Any]]:
        """Return the rows as published everywhere (page, PDF, exports): counts under 5 and what would give
        them away emptied (None), listed in each row's `suppressed`."""
        if self.suppress:
            return self.suppress(self.rows)
        return [{**r, "suppressed": [], "note": ""} for r in self.rows]

    def published_cells(self) -> list[list[dict[str, Any]]]:
        """Return the published rows as formatted cells: a hidden value shows disclosure.HIDDEN."""
        return [
            [
                {
                    "text": disclosure.HIDDEN if c.key in row["suppressed"] else fmt(row.get(c.key), c.kind),
                    "numeric": c.numeric,
                    "header": i == 0,
                }
                for i, c in enumerate(self.columns)
            ]
            for row in self.export_rows()
        ]

    @property
    def has_hidden(self) -> bool:
        return any(row["suppressed"] for row in self.export_rows())


def _num(value: float | int, decimals: int = 0) -> str:
    # number_format truncates floats: round first (1/6 is 16,7 %, not 16,6 %).
    return formats.number_format(round(value, decimals), decimals, use_l10n=True, force_grouping=True)


def fmt(value: Any, kind: str) -> str:
    """Return a value formatted for the page in the active language (decimal comma in fr/nl)."""
    if value is None:
        return "–"
    if kind == "rate":
        return f"{_num(value * 100, 1)}\u00a0%"
    if kind == "days":
        return _num(value, 0 if float(value).is_integer() else 1)
    if kind == "int":
        return _num(value)
    return str(value)


def _export_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "rate":
        return round(value * 100, 1)
    return value


# ---------------------------------------------------------------- filters


@dataclass
class Filters:
    start: datetime.date | None = None
    end: datetime.date | None = None
    partner: Partner | None = None
    dimension: str = "gender"
    raw: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    def query(self, **extra: str) -> str:
        params = {k: v for k, v in self.raw.items() if v}
        params.update(extra)
        return urlencode(params)


def _parse_date(value: str) -> datetime.date | None:
    for fmt_ in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), fmt_).date()
        except ValueError:
            continue
    return None


def read_filters(request: HttpRequest, *, partner_choice: bool) -> Filters:
    f = Filters()
    for name, label in (("from", _("From")), ("to", _("To"))):
        value = request.GET.get(name, "").strip()[:20]
        f.raw[name] = value
        if not value:
            continue
        day = _parse_date(value)
        if day is None:
            f.errors.append(
                {"field": f"id_{name}", "text": _("%(label)s: write the date as dd/mm/yyyy.") % {"label": label}}
            )
        elif name == "from":
            f.start = day
        else:
            f.end = day
    if f.start and f.end and f.start > f.end:
        f.errors.append({"field": "id_from", "text": _("The period starts after it ends.")})
        f.start = f.end = None
    if partner_choice:
        slug = request.GET.get("partner", "").strip()[:50]
        if slug:
            f.partner = Partner.objects.filter(slug=slug).first()
            if f.partner is None:
                raise Http404
            f.raw["partner"] = slug
    dimension = request.GET.get("dimension", "gender")
    f.dimension = dimension if dimension in kpis.DIMENSIONS else "gender"
    f.raw["dimension"] = f.dimension if f.dimension != "gender" else ""
    return f


# ---------------------------------------------------------------- labels


def partner_names_by_id() -> dict[str | None, str]:
    names: dict[str | None, str] = {p.slug: p.name for p in Partner.objects.all()}
    names[None] = _("No partner yet")
    return names


STEP_LABELS = {
    "interest": Step.INTEREST.label,
    "information": Step.INFORMATION.label,
    "decision": Step.DECISION.label,
    "orientation": Step.ORIENTATION.label,
    "guided": gettext_lazy("Accepted by a partner (guided)"),
    "accompaniment": Step.ACCOMPANIMENT.label,
    "exit": Step.EXIT.label,
    "follow_up": Step.FOLLOW_UP.label,
}


def _group_labels(dimension: str) -> dict[str, str]:
    if dimension == "gender":
        return {k: str(v) for k, v in Gender.choices}
    if dimension == "education_level":
        return {k: str(v) for k, v in EducationLevel.choices}
    if dimension == "contact_language":
        return {k: str(v) for k, v in ContactLanguage.choices}
    if dimension == "commune":
        return {c.nis_code: c.name for c in Commune.objects.all()} | {"unknown": _("Unknown")}
    if dimension == "barrier":
        return {b.code: b.name for b in BarrierCode.objects.all()}
    if dimension == "age_band":
        return {"under_30": _("Under 30"), "30_54": _("30 to 54"), "55_plus": _("55 and over")}
    if dimension == "unemployment_band":
        return {
            "under_1y": _("Less than 1 year"),
            "1_2y": _("1 to 2 years"),
            "2y_plus": _("2 years or more"),
            "unknown": _("Unknown"),
        }
    return {}


# ---------------------------------------------------------------- building the dashboard


def _exit_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("exits", _("Exits")),
        Column("positive", _("Positive exits")),
        Column("positive_rate", _("Positive-exit rate"), "rate"),
        Column("job_creation", _("Job creations")),
        Column("job_creation_rate", _("Job-creation rate"), "rate"),
    ]


EXIT_DEFINITION = gettext_lazy(
    "Positive-exit rate = positive exits ÷ all exits in the period; job-creation rate = exits into job creation "
    "÷ all exits. Only people a partner accepted can exit: not going ahead is a funnel outcome."
)


def _rate_chart(table: Table, label_key: str, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "series": [(_("Positive exits"), "positive_rate"), (_("Job creation"), "job_creation_rate")],
        "bars": [
            {"label": r[label_key], "values": [r["positive_rate"], r["job_creation_rate"]]} for r in table.export_rows()
        ],
        "kind": "rate",
    }


def _guided_by_partner(target: dict[str, Any], names: dict[str | None, str], *, one_partner: bool) -> Table:
    """People guided since the programme started per partner, beside each partner's quota (if set)."""
    rows = [{**row, "partner": names.get(row["partner"], row["partner"])} for row in disclosure.guided_rows(target)]
    note = ""
    if target.get("quota_total") is not None and not one_partner:
        note = _("The quotas set add up to %(total)s people, for a programme target of %(target)s.") % {
            "total": fmt(target["quota_total"], "int"),
            "target": fmt(target["target"], "int"),
        }
    table = Table(
        "guided_by_partner",
        _("People guided since the programme started, per partner, against their quota"),
        [
            Column("partner", _("Partner"), "text"),
            Column("guided", _("People guided")),
            Column("quota", _("Quota")),
            Column("share_of_quota", _("Share of the quota reached"), "rate"),
            Column("remaining", _("Still to guide")),
        ],
        rows,
        _(
            "Guided: a partner accepted the person (start of guidance), counted once even after a re-orientation, "
            "for the partner holding the trajectory now, from the programme's start to its end. Quota: the people "
            "the programme expects each partner to guide over the whole period, set by the programme manager on "
            "the programme settings page; share reached = people guided ÷ quota. – : no quota set."
        ),
        suppress=disclosure.GUIDED_BY_PARTNER,
        note=note,
    )
    if any(row["quota"] is not None for row in rows):
        table.chart = {
            "title": _("Share of the quota reached per partner"),
            "series": [(_("Share of the quota reached"), "share_of_quota")],
            "bars": [
                {"label": r["partner"], "values": [r["share_of_quota"]]}
                for r in table.export_rows()
                if r["quota"] is not None
            ],
            "kind": "rate",
        }
    return table


def build_tables(kp: dict[str, Any], surv: dict[str, Any], eq: dict[str, Any]) -> list[Table]:
    names = partner_names_by_id()
    tables: list[Table] = []

    target = kp["target"]
    tables.append(_guided_by_partner(target, names, one_partner=kp["period"]["partner"] is not None))

    exits = kp["exits"]
    by_partner = Table(
        "exits_by_partner",
        _("Exits and their outcomes, per partner"),
        _exit_columns(Column("partner", _("Partner"), "text")),
        [{**r, "partner": names.get(r["partner"], r["partner"])} for r in exits["by_partner"]],
        str(EXIT_DEFINITION),
        suppress=disclosure.hide_exit_rows,
    )
    by_partner.chart = _rate_chart(by_partner, "partner", _("Positive-exit and job-creation rates per partner"))
    tables.append(by_partner)
    tables.append(
        Table(
            "exits_by_year",
            _("Exits and their outcomes, per year of exit"),
            _exit_columns(Column("year", _("Year of exit"), "year")),
            list(exits["by_year"]),
            str(EXIT_DEFINITION),
            suppress=disclosure.hide_exit_rows,
        )
    )
    tables.append(
        Table(
            "exits_by_cohort",
            _("Exits and their outcomes, per start cohort"),
            _exit_columns(Column("cohort", _("Year guidance started"), "year")),
            list(exits["by_cohort"]),
            _("A cohort is everyone a partner accepted in the same year.") + " " + str(EXIT_DEFINITION),
            suppress=disclosure.hide_exit_rows,
        )
    )

    steps = kp["funnel"]["steps"]
    tables.append(
        Table(
            "funnel",
            _("Funnel: people who expressed interest in the period, and how far they went"),
            [
                Column("step", _("Step"), "text"),
                Column("reached", _("People who reached the step")),
                Column("conversion_to_next", _("Went on to the next step"), "rate"),
            ],
            [
                {
                    "step": str(STEP_LABELS[s["step"]]),
                    "reached": s["reached"],
                    "conversion_to_next": s.get("conversion_to_next"),
                }
                for s in steps
            ],
            _(
                "Conversion = people who reached this step and the next ÷ people who reached this step. "
                "People still at a step have not converted yet: a recent period looks incomplete."
            ),
            suppress=disclosure.FUNNEL,
            note=_("%(n)s people did not go ahead or left before a partner accepted them.")
            % {"n": fmt(kp["funnel"]["stopped"], "int")},
        )
    )
    tables.append(
        Table(
            "time_in_step",
            _("Median days spent in each step"),
            [
                Column("step", _("Step"), "text"),
                Column("median_days", _("Median days"), "days"),
                Column("trajectories", _("People counted")),
            ],
            [
                {
                    "step": str(STEP_LABELS[r["step"]]),
                    "median_days": r["median_days"],
                    "trajectories": r["trajectories"],
                }
                for r in kp["time_in_step"]
            ],
            _(
                "Whole days from entering a step to reaching the next one, for steps entered in the period and "
                "already left. Half the people took fewer days, half took more."
            ),
            suppress=disclosure.TIME_IN_STEP,
        )
    )
    capacity = Table(
        "capacity",
        _("Capacity use and waiting lists this year, per partner"),
        [
            Column("partner", _("Partner"), "text"),
            Column("yearly_capacity", _("Yearly capacity")),
            Column("accepted_this_year", _("Accepted this year")),
            Column("capacity_use", _("Capacity used"), "rate"),
            Column("in_guidance_now", _("In guidance now")),
            Column("pending", _("Awaiting an answer")),
            Column("waitlisted", _("On the waiting list")),
        ],
        [{**r, "partner": names.get(r["partner"], r["partner"])} for r in kp["capacity"]],
        _(
            "Capacity used = people a partner accepted this calendar year ÷ its yearly capacity. Waiting lists are the "
            "orientations the partner has not answered yet or has put on its waiting list."
        ),
        suppress=disclosure.CAPACITY,
    )
    capacity.chart = {
        "title": _("Capacity used this year per partner"),
        "series": [(_("Capacity used"), "capacity_use")],
        "bars": [{"label": r["partner"], "values": [r["capacity_use"]]} for r in capacity.export_rows()],
        "kind": "rate",
    }
    tables.append(capacity)

    tables.append(
        Table(
            "survival",
            _("Time to exit, counting people still in the programme"),
            [
                Column("months", _("Months after being accepted"), "int"),
                Column("still_in_programme", _("Still in the programme"), "rate"),
                Column("positive", _("Positive exit by then"), "rate"),
                Column("job_creation", _("Job creation by then"), "rate"),
                Column("not_positive", _("Other exit by then"), "rate"),
                Column("at_risk", _("People followed that long")),
            ],
            [
                {
                    "months": h["months"],
                    "still_in_programme": h["still_in_programme"],
                    "positive": h["cumulative_incidence"]["positive"],
                    "job_creation": h["cumulative_incidence"]["job_creation"],
                    "not_positive": h["cumulative_incidence"]["not_positive"],
                    "at_risk": h["at_risk"],
                }
                for h in surv["horizons"]
            ],
            _(
                "Kaplan–Meier and cumulative incidence (Aalen–Johansen): everyone accepted in the period counts, "
                "people still in the programme up to the day they were last seen. Each exit kind competes with the "
                "others, so the shares and 'still in the programme' add up to 100 %."
            ),
            suppress=disclosure.SURVIVAL,
        )
    )

    labels = _group_labels(eq["dimension"])
    equity_rows = []
    for g in eq["groups"]:
        equity_rows.append(
            {
                "group": labels.get(str(g["group"]), str(g["group"])),
                "guided": g["guided"],
                "exits": g["exits"],
                "positive": g["positive"],
                "positive_rate": g["positive_rate"],
                "job_creation": g["job_creation"],
                "job_creation_rate": g["job_creation_rate"],
                "suppressed": g["suppressed"],
            }
        )
    equity_note = _("Fewer than 5 people, or enough to work one out: the figure is hidden.")
    if eq["groups_overlap"]:
        equity_note += " " + _("A person with several barriers is in several groups: groups do not add up.")
    tables.append(
        Table(
            "equity",
            _("Outcomes by %(dimension)s") % {"dimension": str(DIMENSION_LABELS[eq["dimension"]]).lower()},
            [
                Column("group", str(DIMENSION_LABELS[eq["dimension"]]), "text"),
                Column("guided", _("People guided")),
                *_exit_columns(Column("group", "", "text"))[1:],
            ],
            equity_rows,
            _(
                "The same figures per group of people. Groups of fewer than 5 people are hidden, and so is any "
                "figure that would let someone work a hidden one out."
            ),
            suppress=disclosure.hide_equity_rows,  # counts already suppressed by kpis.equity
            note=equity_note,
        )
    )
    return tables


def lay_out(tables: list[Table], filters: Filters) -> None:
    """Format each table's cells for the page (active language) and give it its export links."""
    for table in tables:
        table.cells = table.published_cells()
        table.export_links = [
            {"format": fmt_, "url": "?" + filters.query(export=table.key, format=fmt_)} for fmt_ in ("xlsx", "csv")
        ]


def headline(kp: dict[str, Any]) -> dict[str, str]:
    """Return the scope's headline figures as shown on the dashboards and in the PDF report.

    Counts are the margins every breakdown adds up to, published as they are; the outcome rates need 5 exits
    (docs/kpis.md, "Small numbers").
    """
    exits = kp["exits"]
    shown = disclosure.headline_rates_shown(exits["exits"])
    return {
        "guided": fmt(kp["guided"]["count"], "int"),
        "exits": fmt(exits["exits"], "int"),
        **{k: fmt(exits[k], "rate") if shown else disclosure.HIDDEN for k in ("positive_rate", "job_creation_rate")},
    }


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
            "target_chart": _target_chart(kp, with_target=partner_id is None),
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


def forecast_words(kp: dict[str, Any], *, partner_name: str | None = None) -> dict[str, Any]:
    """Say the forecast in plain words; for one partner, without the programme's target (it is not theirs)."""
    f = kp["forecast"]
    if partner_name:
        end = datetime.date.fromisoformat(f["programme_end"])
        return {
            "sentence": _(
                "On current trends, about %(n)s people will have been guided by %(partner)s by %(end)s "
                "(80 %% range: %(low)s–%(high)s)."
            )
            % {
                "n": fmt(round(f["expected_guided_at_end"]), "int"),
                "partner": partner_name,
                "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
                "low": fmt(round(f["band_80"][0]), "int"),
                "high": fmt(round(f["band_80"][1]), "int"),
            },
            "verdict": _quota_verdict(f),
            "quota": fmt(f["quota"], "int") if f.get("quota") is not None else None,
            "probability": fmt(f["probability_quota_met"], "rate") if f.get("quota") is not None else None,
            "inflow_included": f["inflow"]["included"],
        }
    probability = f["probability_target_met"]
    if probability >= 0.8:
        verdict = _("The target is likely to be met.")
    elif probability <= 0.2:
        verdict = _("The target is unlikely to be met at the current pace.")
    else:
        verdict = _("Whether the target will be met is uncertain.")
    end = datetime.date.fromisoformat(f["programme_end"])
    return {
        "sentence": _(
            "On current trends, about %(n)s people will have been guided by %(end)s (80 %% range: %(low)s–%(high)s). "
            "Target: %(target)s."
        )
        % {
            "n": fmt(round(f["expected_guided_at_end"]), "int"),
            "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
            "low": fmt(round(f["band_80"][0]), "int"),
            "high": fmt(round(f["band_80"][1]), "int"),
            "target": fmt(f["target"], "int"),
        },
        "verdict": verdict,
        "probability": fmt(probability, "rate"),
        "inflow_included": f["inflow"]["included"],
        "guided_so_far": fmt(f["guided_so_far"], "int"),
        "expected": round(f["expected_guided_at_end"]),
    }


def _quota_verdict(f: dict[str, Any]) -> str:
    """Say whether one partner's forecast reaches its quota ("" when it has none)."""
    if f.get("quota") is None:
        return ""
    probability = f["probability_quota_met"]
    if probability >= 0.8:
        verdict = _("The quota of %(quota)s people is likely to be reached.")
    elif probability <= 0.2:
        verdict = _("The quota of %(quota)s people is unlikely to be reached at the current pace.")
    else:
        verdict = _("Whether the quota of %(quota)s people will be reached is uncertain.")
    return verdict % {"quota": fmt(f["quota"], "int")}


def _target_chart(kp: dict[str, Any], *, with_target: bool) -> dict[str, Any]:
    f = kp["forecast"]
    chart: dict[str, Any] = {
        "title": _("People guided so far, forecast at the end and target"),
        "series": [(_("People"), "n")],
        "bars": [
            {"label": _("Guided so far"), "values": [f["guided_so_far"]]},
            {"label": _("Forecast at the end"), "values": [f["expected_guided_at_end"]], "band": f["band_80"]},
            {"label": _("Target"), "values": [f["target"]]},
        ],
        "kind": "int",
    }
    if not with_target:
        chart["title"] = _("People guided so far and forecast at the end")
        chart["bars"] = chart["bars"][:2]
        if f.get("quota") is not None:
            chart["title"] = _("People guided so far, forecast at the end and quota")
            chart["bars"].append({"label": _("Quota"), "values": [f["quota"]]})
    return chart


def export_tables(request: HttpRequest, tables: list[Table], key: str, filters: Filters) -> HttpResponseBase:
    fmt_ = request.GET.get("format", "xlsx")
    table = next((t for t in tables if t.key == key), None)
    if table is None or fmt_ not in EXPORT_FORMATS:
        raise Http404
    audit.record(user=request.user, action=f"export:kpi.{key}.{fmt_}", obj=request.user)
    header = [c.label for c in table.columns] + [_("Note")]
    rows = [
        [_export_value(row.get(c.key), c.kind) for c in table.columns] + [row.get("note", "")]
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
