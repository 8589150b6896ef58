"""Forecast of the guided count at the programme's end, from the funnel's observed conversion rates.

expected = guided so far + Σ over funnel steps (open trajectories at the step × P(guided | reached the
step)) + new entrants (recent interest rate × days left × P(guided | interest)). The band is a normal
approximation whose variance adds the binomial noise of each conversion, the Poisson noise of the
inflow, and the sampling error of every estimated rate (delta method): deterministic, no random draw.
Method and assumptions: docs/kpis.md, "Forecast of the guided count".
"""

from __future__ import annotations

import datetime
import math
import statistics
from statistics import NormalDist
from typing import Any, Protocol

from django.db.models import Count, F, Q, QuerySet

from autocrea.backbone.steps import Step
from autocrea.partners import programme
from autocrea.partners.models import Partner
from autocrea.pathways.models import Trajectory
from autocrea.reporting.kpis import DaysBetween, base_queryset, median_days, programme_window

INFLOW_WINDOW_DAYS = 183  # the last six months set the recent interest rate
PIPELINE_STEPS = [
    (Step.INTEREST, "interest_on"),
    (Step.INFORMATION, "information_on"),
    (Step.DECISION, "decision_on"),
    (Step.ORIENTATION, "orientation_on"),
]
_NORMAL = NormalDist()


def conversion_to_guided(*, qs: QuerySet[Trajectory], field: str) -> tuple[float | None, int, int]:
    """Return (rate, guided, resolved) for people who reached the step dated by `field`.

    Only resolved trajectories count (guided, or stopped): the ones still in the funnel have not
    failed yet. People guided before they reached this step again (re-orientation) are left out.
    """
    reached = Q(**{f"{field}__isnull": False}) & (Q(guided_on__isnull=True) | Q(guided_on__gte=F(field)))
    row = qs.filter(reached).aggregate(
        guided=Count("pk", filter=Q(guided_on__isnull=False)),
        resolved=Count("pk", filter=Q(guided_on__isnull=False) | Q(current_step=Step.STOPPED)),
    )
    guided, resolved = int(row["guided"]), int(row["resolved"])
    return (guided / resolved if resolved else None), guided, resolved


class ForecastSource(Protocol):
    """The counts the forecast needs: from the trajectory table (QuerySource) or the summaries."""

    def guided_between(self, start: datetime.date, end: datetime.date) -> int: ...
    def interests_between(self, start: datetime.date, end: datetime.date) -> int: ...
    def open_at(self, steps: list[str]) -> dict[str, int]: ...
    def conversion(self, field: str) -> tuple[float | None, int, int]: ...
    def lag(self) -> float | None: ...


class QuerySource:
    """The forecast's counts computed over the trajectory table (the full computation)."""

    def __init__(self, qs: QuerySet[Trajectory]) -> None:
        self.qs = qs

    def guided_between(self, start: datetime.date, end: datetime.date) -> int:
        return self.qs.filter(guided_on__gte=start, guided_on__lte=end).count()

    def interests_between(self, start: datetime.date, end: datetime.date) -> int:
        return self.qs.filter(interest_on__gte=start, interest_on__lte=end).count()

    def open_at(self, steps: list[str]) -> dict[str, int]:
        return dict(
            self.qs.filter(guided_on__isnull=True, current_step__in=steps)
            .values("current_step")
            .annotate(n=Count("pk"))
            .values_list("current_step", "n")
        )

    def conversion(self, field: str) -> tuple[float | None, int, int]:
        return conversion_to_guided(qs=self.qs, field=field)

    def lag(self) -> float | None:
        lag, _n = median_days(qs=self.qs, days=DaysBetween("guided_on", "interest_on"), rows=Q(guided_on__isnull=False))
        return lag


def forecast_guided(
    *, queryset: QuerySet[Trajectory] | None, partner_id: int | None, today: datetime.date
) -> dict[str, Any]:
    """Return the expected guided count at the programme's end with 80 % and 95 % bands."""
    qs = base_queryset(queryset=queryset, partner_id=partner_id)
    return forecast_from(QuerySource(qs), partner_id=partner_id, today=today)


DRIFT_WINDOWS = 4  # at most this many whole 183-day windows back from today show the interest rate's trend


def summary_totals(
    *, today: datetime.date, programme_start: datetime.date, programme_end: datetime.date
) -> list[tuple[str, datetime.date, datetime.date]]:
    """Return the (fact, start, end) totals forecast_from asks a summary source for (fetched in one query)."""
    windows = trend_windows(today=today, programme_start=programme_start)
    return [("guided", programme_start, min(today, programme_end))] + [("funnel", a, b) for a, b in windows]


def trend_windows(*, today: datetime.date, programme_start: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """Return the inflow window (the last 183 days), then the whole 183-day windows before it in the programme."""
    windows = []
    for k in range(DRIFT_WINDOWS):
        end = today - datetime.timedelta(days=k * INFLOW_WINDOW_DAYS)
        start = end - datetime.timedelta(days=INFLOW_WINDOW_DAYS - 1)
        if k and start < programme_start:
            break
        windows.append((start, end))
    return windows


def drift_squared(counts: list[int]) -> float:
    """Return the squared relative change of the interest rate per window, seen over the last windows.

    `counts` are the interests per 183-day window, the latest first (index k = 0, 1, …). The least-squares
    line of count on k (statistics.linear_regression) gives the slope b and the latest window's fitted
    count c (the intercept): δ² = (b / c)². Chance moves the counts too and is not taken out: the
    allowance is on the safe side (the backtest, docs/kpis.md). Fewer than 2 windows, or c ≤ 0: 0.
    """
    if len(counts) < 2:
        return 0.0
    slope, latest = statistics.linear_regression(range(len(counts)), counts)
    if latest <= 0:
        return 0.0
    relative = slope / latest
    return relative * relative


def forecast_from(
    source: ForecastSource,
    *,
    partner_id: int | None,
    today: datetime.date,
    window: tuple[datetime.date, datetime.date] | None = None,
    target: int | None = None,
) -> dict[str, Any]:
    """Return the forecast computed from `source`'s counts (the same arithmetic whatever the source).

    `window` and `target` default to the configured programme's (the backtest passes its own).
    """
    programme_start, programme_end = window or programme_window()
    guided_so_far = source.guided_between(programme_start, min(today, programme_end))
    days_left = max(0, (programme_end - today).days)
    expected, variance = float(guided_so_far), 0.0
    pipeline, expected, variance = _pipeline(source, days_left=days_left, expected=expected, variance=variance)

    inflow: dict[str, Any] = {"included": partner_id is None and days_left > 0}
    if inflow["included"]:
        expected, variance = _add_inflow(
            inflow,
            source,
            today=today,
            programme_start=programme_start,
            days_left=days_left,
            expected=expected,
            variance=variance,
        )
    sd = math.sqrt(variance)
    # The configured target and end date (the programme settings page; settings.PROGRAMME as fallback).
    target = int(programme.current().target_guided) if target is None else target
    result = {
        "method": "pipeline × conversion + inflow; normal approximation (binomial, Poisson and rate errors)",
        "as_of": today.isoformat(),
        "programme_end": programme_end.isoformat(),
        "target": target,
        "guided_so_far": guided_so_far,
        "pipeline": pipeline,
        "inflow": inflow,
        "expected_guided_at_end": expected,
        "sd": sd,
        "band_80": _band(expected, sd, 0.80, floor=guided_so_far),
        "band_95": _band(expected, sd, 0.95, floor=guided_so_far),
        "probability_target_met": _probability_at_least(target, expected, sd),
    }
    if partner_id is not None:
        # One partner: the same forecast against its own quota (None when no quota is set).
        quota = Partner.objects.filter(pk=partner_id).values_list("quota_guided", flat=True).first()
        result["quota"] = quota
        result["probability_quota_met"] = _probability_at_least(quota, expected, sd) if quota is not None else None
    return result


def _pipeline(
    source: ForecastSource, *, days_left: int, expected: float, variance: float
) -> tuple[list[dict[str, Any]], float, float]:
    """Add the people already in the pipeline to the running mean and variance: open × conversion per step.

    The running totals go in and come out so that the sums are taken in the same order as ever (floats).
    """
    open_at = source.open_at([str(s) for s, _ in PIPELINE_STEPS])
    pipeline = []
    for step, field in PIPELINE_STEPS:
        n = int(open_at.get(step, 0)) if days_left else 0
        rate, _guided, resolved = source.conversion(field)
        p = rate or 0.0
        expected += n * p
        if resolved:
            variance += n * p * (1 - p) + n * n * p * (1 - p) / resolved
        pipeline.append(
            {
                "step": str(step),
                "open": n,
                "conversion_to_guided": rate,
                "based_on_resolved": resolved,
                "expected_guided": n * p,
            }
        )
    return pipeline, expected, variance


def _add_inflow(
    inflow: dict[str, Any],
    source: ForecastSource,
    *,
    today: datetime.date,
    programme_start: datetime.date,
    days_left: int,
    expected: float,
    variance: float,
) -> tuple[float, float]:
    """Add the people still to arrive to the running mean and variance, and describe them in `inflow`."""
    window_start = today - datetime.timedelta(days=INFLOW_WINDOW_DAYS - 1)
    arrivals = source.interests_between(window_start, today)
    # New entrants need time to reach a partner: only those arriving early enough are counted.
    lag = source.lag()
    effective_days = max(0.0, days_left - (lag or 0.0))
    scale = effective_days / INFLOW_WINDOW_DAYS
    rate, _guided, resolved = source.conversion("interest_on")
    p = rate or 0.0
    mean_arrivals = arrivals * scale
    var_arrivals = arrivals * scale * scale
    # The rate may keep moving as it moved over the last windows: a drift of δ per window, from the middle
    # of the inflow window to the middle of the days left, adds (mean arrivals × δ × distance)².
    windows = trend_windows(today=today, programme_start=programme_start)[1:]
    drift = drift_squared([arrivals, *(source.interests_between(a, b) for a, b in windows)])
    distance = (effective_days + INFLOW_WINDOW_DAYS) / 2 / INFLOW_WINDOW_DAYS
    spread = mean_arrivals * distance
    var_arrivals += spread * spread * drift
    var_p = p * (1 - p) / resolved if resolved else 0.0
    expected += mean_arrivals * p
    variance += mean_arrivals * p + mean_arrivals * mean_arrivals * var_p + p * p * var_arrivals + var_arrivals * var_p
    inflow.update(
        {
            "interests_in_window": arrivals,
            "window_days": INFLOW_WINDOW_DAYS,
            "median_days_interest_to_guided": lag,
            "days_for_new_entrants": effective_days,
            "expected_interests": mean_arrivals,
            "rate_drift_squared": drift,
            "conversion_to_guided": rate,
            "expected_guided": mean_arrivals * p,
        }
    )
    return expected, variance


def _band(mean: float, sd: float, level: float, *, floor: int) -> list[float]:
    z = _NORMAL.inv_cdf(0.5 + level / 2)
    return [max(float(floor), mean - z * sd), mean + z * sd]


def _probability_at_least(target: int, mean: float, sd: float) -> float:
    if sd == 0:
        return 1.0 if mean >= target else 0.0
    # Continuity correction: the count is an integer.
    return 1 - _NORMAL.cdf((target - 0.5 - mean) / sd)
