"""Censoring-aware figures per partner and per start cohort, beside the raw closed-case rates.

A page of its own (linked from the dashboards' "counting the people still in the programme" section),
so the main dashboard stays as fast as it was. Every figure comes from the KPI engine: one
`survival.survival_summary` per partner, the summary counts (`survival.durations`) per start cohort,
and one `kpis.compute_kpis` for the raw rates among closed cases. Tables, formatting, suppression and
exports are the dashboard's (reporting/views.py). Definitions: docs/kpis.md, "Per partner and cohort".
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from autocrea.accounts.access import may_view_partner_figures, may_view_programme_figures
from autocrea.partners.models import Partner
from autocrea.pathways.models import Trajectory
from autocrea.reporting import disclosure, kpis, summaries, survival
from autocrea.reporting.filters import Filters
from autocrea.reporting.tables import Column, Table, lay_out, partner_names_by_id
from autocrea.reporting.views import export_tables, figures_scope

HORIZONS = survival.HORIZON_MONTHS
RAW_KEYS = ("exits", "positive", "job_creation", "positive_rate", "job_creation_rate")


# ---------------------------------------------------------------- figures


def cohort_years(start: datetime.date, end: datetime.date, today: datetime.date) -> list[int]:
    """Return the calendar years in which people can have been guided within the period, up to today."""
    last = min(end, today)
    return list(range(start.year, last.year + 1)) if start <= last else []


def cohort_durations(
    *,
    first: datetime.date,
    last: datetime.date,
    end: datetime.date,
    partner_id: int | None,
    queryset: QuerySet[Trajectory] | None,
    today: datetime.date,
    cache: dict[tuple[datetime.date, str], list[tuple[int, int, int]]] | None = None,
) -> list[tuple[int, int, int]]:
    """Return (days, event code, people) for everyone guided from `first` to `last`, followed until min(end, today).

    survival_summary(start=first, end=last) would stop following a cohort at the end of its own year (its
    end is both the last guided day and the censoring date): a cohort then never reaches 12 months. Here
    everyone guided from `first` on, minus everyone guided after `last`, both censored at min(end, today):
    each trajectory gives the same triple in both, so the difference is exactly the cohort's, read from the
    summary counts like the dashboard's (the full computation when the scope is not one they hold).
    `cache` (keyed by first day and source) lets consecutive cohorts share their reads.
    """
    censor_on = min(end, today)
    after = last + datetime.timedelta(days=1)
    cache = {} if cache is None else cache

    def since(day: datetime.date, source: str) -> list[tuple[int, int, int]]:
        if (day, source) not in cache:
            cache[(day, source)] = survival.durations(
                start=day, end=end, partner_id=partner_id, queryset=queryset, today=today, source=source
            )
        return cache[(day, source)]

    for source in ("auto", "full"):
        counts: dict[tuple[int, int], int] = defaultdict(int)
        for days, code, n in since(first, source):
            counts[(days, code)] += n
        if after <= censor_on:
            for days, code, n in since(after, source):
                counts[(days, code)] -= n
        if all(n >= 0 for n in counts.values()):
            return [(days, code, n) for (days, code), n in sorted(counts.items()) if n]
    raise AssertionError("The full computation cannot give a negative count.")  # pragma: no cover


def _horizon_cells(summary: dict[str, Any]) -> dict[str, Any]:
    """Return the 6/12/18-month figures of a survival_summary as row cells (no estimate without anyone)."""
    row: dict[str, Any] = {"population": summary["population"]}
    for h in summary["horizons"]:
        m = h["months"]
        known = summary["population"] > 0
        row[f"still_{m}"] = h["still_in_programme"] if known else None
        row[f"positive_{m}"] = h["cumulative_incidence"]["positive"] if known else None
        row[f"job_creation_{m}"] = h["cumulative_incidence"]["job_creation"] if known else None
        row[f"at_risk_{m}"] = h["at_risk"]
    return row


def _raw_cells(exits: dict[str, Any] | None) -> dict[str, Any]:
    if exits is None:
        return {"exits": 0, "positive": 0, "job_creation": 0, "positive_rate": None, "job_creation_rate": None}
    return {key: exits[key] for key in RAW_KEYS}


def compare_rows(
    *,
    partner_id: int | None,
    queryset: QuerySet[Trajectory] | None = None,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """Return the comparison over the programme period: rows per partner (programme scope) and per cohort.

    Per partner: survival_summary over the programme period and that partner's exits in it. Per cohort
    (calendar year of being guided, within the period): the cohort's durations followed until the end
    of the period or today, and the exits in the period of the people guided that year. Raw keys as
    kpis (exits, positive, job_creation and their rates among closed cases).
    """
    start, end, today = kpis.resolve_period(start=None, end=None, today=today)
    kp = kpis.compute_kpis(start=start, end=end, partner_id=partner_id, queryset=queryset, today=today)
    by_partner: list[dict[str, Any]] = []
    if partner_id is None:
        exits_of = {r["partner"]: r for r in kp["exits"]["by_partner"]}
        slugs = [r["partner"] for r in kp["guided"]["by_partner"] if r["partner"] is not None]
        for partner in Partner.objects.filter(slug__in=slugs).order_by("slug"):
            summary = survival.survival_summary(
                start=start, end=end, partner_id=partner.pk, queryset=queryset, today=today
            )
            by_partner.append(
                {"partner": partner.slug, **_horizon_cells(summary), **_raw_cells(exits_of.get(partner.slug))}
            )
    exits_of_cohort = {r["cohort"]: r for r in kp["exits"]["by_cohort"]}
    by_cohort = []
    cache: dict[tuple[datetime.date, str], list[tuple[int, int, int]]] = {}
    for year in cohort_years(start, end, today):
        first, last = max(start, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31))
        triples = cohort_durations(
            first=first, last=last, end=end, partner_id=partner_id, queryset=queryset, today=today, cache=cache
        )
        by_cohort.append(
            {
                "cohort": year,
                "first": first.isoformat(),
                "last": last.isoformat(),
                **_horizon_cells(survival.summarise(triples)),
                **_raw_cells(exits_of_cohort.get(year)),
            }
        )
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat(), "as_of": today.isoformat()},
        "by_partner": by_partner,
        "by_cohort": by_cohort,
    }


# ---------------------------------------------------------------- tables


def _columns(first: Column) -> list[Column]:
    columns = [first, Column("population", _("People guided"))]
    for m in HORIZONS:
        columns += [
            Column(
                f"still_{m}",
                _("Still in the programme after %(months)s months") % {"months": m},
                "rate",
                _("Still in"),
            ),
            Column(f"positive_{m}", _("Positive exit within %(months)s months") % {"months": m}, "rate", _("Positive")),
            Column(
                f"job_creation_{m}",
                _("Job creation within %(months)s months") % {"months": m},
                "rate",
                _("Job creation"),
            ),
            Column(f"at_risk_{m}", _("People followed %(months)s months or more") % {"months": m}, short=_("Followed")),
        ]
    return [
        *columns,
        Column("exits", _("Closed cases"), short=_("Exits")),
        Column("positive_rate", _("Positive-exit rate among closed cases"), "rate", _("Positive")),
        Column("job_creation_rate", _("Job-creation rate among closed cases"), "rate", _("Job creation")),
    ]


def _groups() -> list[tuple[str, int]]:
    """Column groups on screen: the first two columns, each horizon, then the closed cases."""
    return [
        ("", 2),
        *((str(_("After %(months)s months") % {"months": m}), 4) for m in HORIZONS),
        (str(_("Closed cases")), 3),
    ]


COUNT_KEYS = ("population", *(f"at_risk_{m}" for m in HORIZONS))


def suppress_compare(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Hide counts of 1–4 people and what gives them away, as the dashboard's survival and exits tables do.

    People guided and people followed: column by column, each column adding up to a published total;
    the estimates of a row whose number of people is hidden are hidden too. Closed cases: the exits
    table's lines [job creation, other positive, not positive, closed cases], rates hidden with them.
    """
    estimates = [f"{name}_{m}" for m in HORIZONS for name in ("still", "positive", "job_creation")]
    counted = disclosure.hide_columns(
        rows, counts=COUNT_KEYS, total_known=True, derived=dict.fromkeys(estimates, ("population",))
    )
    closed = disclosure.hide_exit_rows(rows) if rows else []
    out = []
    for original, row, raw in zip(rows, counted, closed, strict=True):
        merged = {**row, **{key: raw[key] for key in RAW_KEYS}}
        out.append(disclosure.mark(merged, original, (*COUNT_KEYS, *disclosure.EXIT_COUNTS)))
    return out


def build_compare_tables(figures: dict[str, Any], *, with_partners: bool) -> list[Table]:
    names = partner_names_by_id()
    tables = []
    if with_partners:
        tables.append(
            Table(
                "survival_by_partner",
                _("Censoring-aware figures and closed-case rates, per partner"),
                _columns(Column("partner", _("Partner"), "text")),
                [{**r, "partner": names.get(r["partner"], r["partner"])} for r in figures["by_partner"]],
                _(
                    "Kaplan–Meier and cumulative incidence (Aalen–Johansen) for the people each partner accepted "
                    "in the programme period, people still in the programme counted up to today; each exit kind "
                    "competes with the others. Closed cases: the partner's exits in the period, and the shares "
                    "of them that were positive or a job creation (the dashboard's rates)."
                ),
                suppress=suppress_compare,
                groups=_groups(),
            )
        )
    tables.append(
        Table(
            "survival_by_cohort",
            _("Censoring-aware figures and closed-case rates, per start cohort"),
            _columns(Column("cohort", _("Year guidance started"), "year")),
            list(figures["by_cohort"]),
            _(
                "A cohort is everyone a partner accepted in the same calendar year of the programme period, "
                "followed until today (not only until the end of that year). Kaplan–Meier and cumulative "
                "incidence (Aalen–Johansen), each exit kind competing with the others. Closed cases: the exits "
                "in the period of the people accepted that year, and the shares of them that were positive or "
                "a job creation."
            ),
            suppress=suppress_compare,
            groups=_groups(),
        )
    )
    return tables


# ---------------------------------------------------------------- the pages


def _page(request: HttpRequest, *, partner: Partner | None, context: dict[str, Any]) -> HttpResponseBase:
    scope = figures_scope(request)
    figures = compare_rows(partner_id=partner.pk if partner else None, queryset=scope)
    tables = build_compare_tables(figures, with_partners=partner is None)
    filters = Filters()
    export_key = request.GET.get("export")
    if export_key is not None:
        return export_tables(request, tables, export_key, filters)
    lay_out(tables, filters)
    period = {
        k: formats.date_format(datetime.date.fromisoformat(figures["period"][k]), "SHORT_DATE_FORMAT")
        for k in ("start", "end")
    }
    return render(
        request,
        "reporting/survival_compare.html",
        {**context, "tables": {t.key: t for t in tables}, "period": period, "as_of": summaries.as_of_label()},
    )


@login_required
def survival_compare(request: HttpRequest) -> HttpResponseBase:
    """Per partner and per start cohort, for the programme manager."""
    if not may_view_programme_figures(request.user):
        raise PermissionDenied
    return _page(
        request,
        partner=None,
        context={
            "heading": _("Counting the people still in the programme, per partner and cohort"),
            "back_url": reverse("reporting:programme"),
            "back_label": _("Programme figures"),
        },
    )


@login_required
def partner_survival_compare(request: HttpRequest) -> HttpResponseBase:
    """Per start cohort of the partner staff's own partner only."""
    if not may_view_partner_figures(request.user):
        raise PermissionDenied
    own = request.user.partner  # type: ignore[union-attr]
    assert own is not None  # partner staff always belong to a partner (database constraint)
    return _page(
        request,
        partner=own,
        context={
            "heading": _("Counting the people still in the programme, per cohort: %(partner)s") % {"partner": own.name},
            "back_url": reverse("reporting:partner"),
            "back_label": _("Figures of %(partner)s") % {"partner": own.name},
        },
    )
