"""The figures the programme lives by, computed in the database (definitions: docs/kpis.md).

Every function is a pure read: keyword-only, typed, returning JSON-serialisable dicts. Each figure's
facts are defined once, in SQL, in reporting/facts.py (over the trajectory table, whose current step,
partner and key dates are kept up to date by pathways.services: docs/performance.md, trap 5); the
figures are computed from their counts by kpis_summary — stored in the summaries, or grouped live over
the trajectories in scope (source="full"). Nothing loops over trajectories in Python.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Expression,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan
from django.utils import timezone

from autocrea.backbone.steps import Step
from autocrea.partners import programme
from autocrea.partners.models import Partner
from autocrea.pathways.models import Trajectory
from autocrea.reporting import disclosure

Z95 = NormalDist().inv_cdf(0.975)
EXITED_STEPS = (Step.EXIT.value, Step.FOLLOW_UP.value)
DIMENSIONS = ("gender", "age_band", "education_level", "contact_language", "commune", "unemployment_band", "barrier")


# ---------------------------------------------------------------- database helpers


class DaysBetween(Func):
    """Whole days from `start` to `end` as an integer (never an interval: docs/performance.md, trap 2)."""

    output_field = IntegerField()
    arg_joiner = " - "
    template = "(%(expressions)s)"  # PostgreSQL: date - date is an integer number of days

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(JULIANDAY(%(expressions)s) AS INTEGER)",
            arg_joiner=") - JULIANDAY(",
            **extra_context,
        )


def yyyymmdd(field: str) -> Expression:
    """The date as the integer YYYYMMDD: differences // 10000 are whole years (ages, seniority)."""
    return (
        Cast(ExtractYear(field), IntegerField()) * 10000
        + Cast(ExtractMonth(field), IntegerField()) * 100
        + Cast(ExtractDay(field), IntegerField())
    )


def resolve_period(
    *, start: datetime.date | None, end: datetime.date | None, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date, datetime.date]:
    """Return (start, end, today), defaulting to the programme's configured dates (partners.programme) and today."""
    if start is None or end is None:  # one read of the programme settings, only when a date is missing
        programme_start, programme_end = programme_window()
        start = start or programme_start
        end = end or programme_end
    if start > end:
        raise ValueError("The period starts after it ends.")
    return start, end, today or timezone.localdate()


def programme_window() -> tuple[datetime.date, datetime.date]:
    """Return the programme's configured start and end (the programme settings page; settings.PROGRAMME as fallback)."""
    return programme.window()


def base_queryset(*, queryset: QuerySet[Trajectory] | None, partner_id: int | None) -> QuerySet[Trajectory]:
    """Return the trajectories the figures are computed on: the caller's scope, then the partner holding them."""
    qs = queryset if queryset is not None else Trajectory.objects.all()
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    return qs


def rate_or_none(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def wilson_interval(successes: int, trials: int, *, z: float = Z95) -> tuple[float, float] | None:
    """Return the Wilson score interval of a proportion (sound for small groups and rates near 0 or 1)."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def live_exit() -> Q:
    """The trajectories whose exit counts: a reopened one is back in accompaniment with exit_on cleared."""
    return Q(current_step__in=EXITED_STEPS, exit_on__isnull=False)


def exited_in(start: datetime.date, end: datetime.date) -> Q:
    return live_exit() & Q(exit_on__gte=start, exit_on__lte=end)


def exit_figures_row(row: Mapping[str, Any]) -> dict[str, Any]:
    exits, positive, job = int(row["n_exits"]), int(row["n_positive"]), int(row["n_job_creation"])
    return {
        "exits": exits,
        "positive": positive,
        "job_creation": job,
        "positive_rate": rate_or_none(positive, exits),
        "job_creation_rate": rate_or_none(job, exits),
    }


# ---------------------------------------------------------------- the figures


def target_section(*, guided: int, by_partner: list[dict[str, Any]], partner_id: int | None) -> dict[str, Any]:
    """Return the `target` figures from the guided counts over the programme window and the configuration.

    The period, target, outcome targets and quotas are the configured ones (partners.programme); the
    counts come from whichever computation gave `by_partner` (summaries or full), so both agree.
    `quotas` has a row per partner that can have one (active, or holding a quota), one partner's only
    when `partner_id` is given: its guided count, its quota (None: not set) and the share reached.
    """
    config = programme.current()
    target = int(config.target_guided)
    counts = {row["partner"]: int(row["guided"]) for row in by_partner}
    quotas = []
    for partner in sorted(programme.quota_partners(), key=lambda p: p.slug):
        if partner_id is not None and partner.pk != partner_id:
            continue
        n, quota = counts.get(partner.slug, 0), partner.quota_guided
        quotas.append(
            {
                "partner": partner.slug,
                "quota": quota,
                "guided": n,
                "share_of_quota": rate_or_none(n, quota) if quota is not None else None,
                "remaining": max(0, quota - n) if quota is not None else None,
            }
        )
    set_quotas = [row["quota"] for row in quotas if row["quota"] is not None]
    return {
        "target": target,
        "programme_start": config.start.isoformat(),
        "programme_end": config.end.isoformat(),
        "guided": guided,
        "share_of_target": rate_or_none(guided, target),
        "remaining": max(0, target - guided),
        "by_partner": by_partner,
        "positive_rate_target": programme.rate(config.target_positive_rate),
        "job_creation_rate_target": programme.rate(config.target_job_creation_rate),
        "quotas": quotas,
        "quota_total": sum(set_quotas) if set_quotas else None,
    }


def compute_kpis(
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    partner_id: int | None,
    queryset: QuerySet[Trajectory] | None = None,
    today: datetime.date | None = None,
    source: str = "auto",
) -> dict[str, Any]:
    """Return every programme figure for the period (defaults: the programme's dates), JSON-serialisable.

    `source`: "summary" reads the summary counts (reporting/summaries.py: a few grouped sums, whatever
    the number of trajectories), "full" aggregates the trajectory table (the reference computation),
    "auto" (default) takes the summaries whenever the caller's scope is one they hold (everything, or
    one partner's trajectories) and the full computation otherwise. Both give identical numbers.
    """
    from autocrea.reporting import kpis_summary  # it builds on this module's helpers

    if source not in {"auto", "summary", "full"}:
        raise ValueError(f"Unknown source {source!r}: auto, summary or full.")
    start, end, today = resolve_period(start=start, end=end, today=today)
    partner = Partner.objects.filter(pk=partner_id).values_list("slug", flat=True).first() if partner_id else None
    figures: dict[str, Any] = {
        "period": {"start": start.isoformat(), "end": end.isoformat(), "as_of": today.isoformat(), "partner": partner}
    }
    use_summary = source == "summary" or (source == "auto" and kpis_summary.usable(queryset, partner_id))
    counts: kpis_summary.Counts
    if use_summary:
        if not kpis_summary.usable(queryset, partner_id):
            raise ValueError("The summaries hold every trajectory or one partner's: this scope needs source='full'.")
        counts = kpis_summary.Reader(partner_id)
    else:
        # The full computation: the same fact queries (reporting/facts.py) grouped over the scope's trajectories.
        counts = kpis_summary.FactReader(base_queryset(queryset=queryset, partner_id=partner_id), partner_id)
    figures.update(kpis_summary.compute(counts, start=start, end=end, today=today))
    return figures


def compute_kpis_full(
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    partner_id: int | None,
    queryset: QuerySet[Trajectory] | None = None,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The reference computation: every figure aggregated over the trajectory table (no summaries)."""
    return compute_kpis(start=start, end=end, partner_id=partner_id, queryset=queryset, today=today, source="full")


# ---------------------------------------------------------------- equity


def _band(value: Expression, bounds: Sequence[tuple[int, str]], last: str) -> Case:
    return Case(
        *[When(LessThan(value, bound), then=Value(label)) for bound, label in bounds],
        default=Value(last),
        output_field=CharField(),
    )


def dimension_key(dimension: str) -> Any:
    if dimension == "gender":
        return F("jobseeker__gender")
    if dimension == "education_level":
        return F("jobseeker__education_level")
    if dimension == "contact_language":
        return F("jobseeker__contact_language")
    if dimension == "commune":
        return Coalesce(F("jobseeker__commune_id"), Value("unknown"), output_field=CharField())
    if dimension == "age_band":
        # Age in whole years at the guided date: (YYYYMMDD − YYYYMMDD) // 10000.
        age = yyyymmdd("guided_on") - yyyymmdd("jobseeker__birth_date")
        return _band(age, [(30_0000, "under_30"), (55_0000, "30_54")], "55_plus")
    if dimension == "unemployment_band":
        seniority = yyyymmdd("interest_on") - yyyymmdd("jobseeker__unemployed_since")
        return Case(
            When(jobseeker__unemployed_since__isnull=True, then=Value("unknown")),
            When(LessThan(seniority, 1_0000), then=Value("under_1y")),
            When(LessThan(seniority, 2_0000), then=Value("1_2y")),
            default=Value("2y_plus"),
            output_field=CharField(),
        )
    if dimension == "barrier":
        return F("diagnostics__barriers__code")
    raise ValueError(f"Unknown equity dimension {dimension!r}; choose one of {', '.join(DIMENSIONS)}.")


def equity(
    *,
    dimension: str,
    start: datetime.date | None,
    end: datetime.date | None,
    partner_id: int | None,
    queryset: QuerySet[Trajectory] | None = None,
    source: str = "auto",
) -> dict[str, Any]:
    """Return guided, exits and outcome rates per group of `dimension`, with cells under 5 people suppressed.

    `source` as in compute_kpis: "summary" reads the summary counts (kpis_summary.equity_counts), "full"
    aggregates the trajectory table (equity_counts_full, the reference), "auto" the summaries whenever
    the scope is one they hold. Both give identical numbers (as of the summaries' last rebuild).
    """
    from autocrea.reporting import kpis_summary

    dimension_key(dimension)  # an unknown dimension is refused whatever the source
    if source not in {"auto", "summary", "full"}:
        raise ValueError(f"Unknown source {source!r}: auto, summary or full.")
    start, end, _today = resolve_period(start=start, end=end)
    counts = None
    if source != "full" and kpis_summary.usable(queryset, partner_id):
        counts = kpis_summary.equity_counts(dimension=dimension, start=start, end=end, partner_id=partner_id)
    if counts is None and source == "summary":
        raise ValueError("The summaries hold every trajectory or one partner's: this scope needs source='full'.")
    if counts is None:
        counts = equity_counts_full(dimension=dimension, start=start, end=end, partner_id=partner_id, queryset=queryset)
    return _equity_table(dimension, start, end, counts)


def equity_counts_full(
    *,
    dimension: str,
    start: datetime.date,
    end: datetime.date,
    partner_id: int | None,
    queryset: QuerySet[Trajectory] | None = None,
) -> list[tuple[str, int, int, int, int]]:
    """Return (group, guided, exits, positive, job creation) per group, from the facts over the trajectory table.

    The same fact queries as the summaries (reporting/facts.py: `qg:<d>`, `qx:<d>`), grouped over the period.
    """
    from autocrea.reporting import facts  # facts builds on this module's dimension expressions

    qs = base_queryset(queryset=queryset, partner_id=partner_id)
    groups: dict[str, list[int]] = {}
    for fact, rows in facts.equity_facts(qs, dimension):
        in_period = rows.filter(s_d__gte=start, s_d__lte=end).values("s_k1", "s_k2").order_by()
        for group, bits, n in in_period.annotate(n=Count("pk", distinct=True)).values_list("s_k1", "s_k2", "n"):
            cells = groups.setdefault(str(group), [0, 0, 0, 0])
            if fact.startswith("qg"):
                cells[0] += n
            else:
                cells[1] += n
                cells[2] += n if bits & 1 else 0
                cells[3] += n if bits & 2 else 0
    # Sorted in Python (code point order, as PostgreSQL's C collation and SQLite sort), like the summaries.
    return sorted((group, *cells) for group, cells in groups.items() if any(cells))  # type: ignore[misc]


def _equity_table(
    dimension: str, start: datetime.date, end: datetime.date, counted: Sequence[tuple[str, int, int, int, int]]
) -> dict[str, Any]:
    rows = [{"group": group} for group, *_counts in counted]
    counts = [tuple(cells) for _group, *cells in counted]
    # Suppression works on additive cells: job creation, other positive, not positive, and their total (exits).
    exit_cells: list[list[int | None]] = [[job, pos - job, exits - pos, exits] for _g, exits, pos, job in counts]
    exit_mask = disclosure.suppress(exit_cells)
    guided_mask = disclosure.suppress([[guided] for guided, *_rest in counts], rows_are_lines=False)
    groups = []
    for r, (guided, exits, positive, job), hidden, guided_hidden in zip(
        rows, counts, exit_mask, guided_mask, strict=True
    ):
        job_shown = not hidden[0]
        positive_shown = not hidden[0] and not hidden[1]
        exits_shown = not hidden[3]
        group: dict[str, Any] = {
            "group": r["group"],
            "guided": None if guided_hidden[0] else guided,
            "exits": exits if exits_shown else None,
            "positive": positive if positive_shown else None,
            "job_creation": job if job_shown else None,
            "positive_rate": None,
            "positive_rate_ci": None,
            "job_creation_rate": None,
            "job_creation_rate_ci": None,
        }
        if positive_shown and exits_shown:
            group["positive_rate"] = rate_or_none(positive, exits)
            group["positive_rate_ci"] = _listed(wilson_interval(positive, exits))
        if job_shown and exits_shown:
            group["job_creation_rate"] = rate_or_none(job, exits)
            group["job_creation_rate_ci"] = _listed(wilson_interval(job, exits))
        group["suppressed"] = [name for name in ("guided", "exits", "positive", "job_creation") if group[name] is None]
        groups.append(group)
    return {
        "dimension": dimension,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "threshold": disclosure.THRESHOLD,
        "groups_overlap": dimension == "barrier",
        "groups": groups,
    }


def _listed(interval: tuple[float, float] | None) -> list[float] | None:
    return list(interval) if interval is not None else None
