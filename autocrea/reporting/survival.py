"""Censoring-aware time to exit: Kaplan–Meier and Aalen–Johansen cumulative incidence of exit kinds.

Most guided trajectories are still open while the programme runs, so rates on closed cases alone
are biased. The database gives two integers per guided trajectory (days since guided, event code);
the estimators below run in pure Python (no numpy at run time: a few thousand pairs in Brussels).
Definitions: docs/kpis.md, "Time to exit" and "Cumulative incidence of exit kinds".
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import IntEnum
from statistics import NormalDist
from typing import Any

from django.db.models import Case, DateField, IntegerField, Q, QuerySet, Value, When

from autocrea.pathways.models import Trajectory
from autocrea.pathways.steps import Step
from autocrea.reporting.kpis import DaysBetween, base_queryset, resolve_period

MONTH_DAYS = 30.4375  # 365.25 / 12: one average month
HORIZON_MONTHS = (6, 12, 18)
Z95 = NormalDist().inv_cdf(0.975)


class Event(IntEnum):
    """What ended (or censored) a guided trajectory's time at risk."""

    CENSORED = 0
    JOB_CREATION = 1
    OTHER_POSITIVE = 2
    NOT_POSITIVE = 3


@dataclass(frozen=True)
class KmPoint:
    """The Kaplan–Meier estimate just after `days`, with a 95 % log(−log) Greenwood interval."""

    days: int
    at_risk: int
    events: int
    censored: int
    survival: float
    ci_low: float | None
    ci_high: float | None


def fetch_durations(
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    partner_id: int | None,
    queryset: QuerySet[Trajectory] | None = None,
    today: datetime.date | None = None,
) -> list[tuple[int, int]]:
    """Return (days at risk, event code) for every trajectory guided in the period, computed in the database."""
    start, end, today = resolve_period(start=start, end=end, today=today)
    censor_on = min(end, today)
    exited = Q(current_step__in=[Step.EXIT, Step.FOLLOW_UP], exit_on__lte=censor_on)
    # A guided person who left from a later orientation (stopped) is no longer at risk of an exit.
    stopped = Q(current_step=Step.STOPPED, stopped_on__lte=censor_on)
    duration = Case(
        When(exited, then=DaysBetween("exit_on", "guided_on")),
        When(stopped, then=DaysBetween("stopped_on", "guided_on")),
        default=DaysBetween(Value(censor_on, output_field=DateField()), "guided_on"),
        output_field=IntegerField(),
    )
    event = Case(
        When(exited & Q(exit_kind__is_job_creation=True), then=Value(Event.JOB_CREATION.value)),
        When(exited & Q(exit_kind__is_positive=True), then=Value(Event.OTHER_POSITIVE.value)),
        When(exited, then=Value(Event.NOT_POSITIVE.value)),
        default=Value(Event.CENSORED.value),
        output_field=IntegerField(),
    )
    rows = (
        base_queryset(queryset=queryset, partner_id=partner_id)
        .filter(guided_on__gte=start, guided_on__lte=censor_on)
        .annotate(duration_days=duration, event_code=event)
        .values_list("duration_days", "event_code")
    )
    return [(int(d), int(e)) for d, e in rows]


def _event_table(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int, Counter[int], int]]:
    """Group pairs by time: (time, at risk just before, events by code, censored)."""
    by_time: dict[int, Counter[int]] = {}
    total = 0
    for days, code in pairs:
        by_time.setdefault(days, Counter())[code] += 1
        total += 1
    table = []
    at_risk = total
    for days in sorted(by_time):
        counts = by_time[days]
        censored = counts.get(Event.CENSORED, 0)
        events = Counter({code: n for code, n in counts.items() if code != Event.CENSORED})
        table.append((days, at_risk, events, censored))
        at_risk -= sum(counts.values())
    return table


def kaplan_meier(pairs: Iterable[tuple[int, int]]) -> list[KmPoint]:
    """Return the product-limit estimate of staying in the programme (any exit is the event).

    Trajectories censored at a time are still at risk at that time (the usual convention).
    The interval is the exponential Greenwood (log(−log)) interval, as lifelines computes it.
    """
    points = []
    survival = 1.0
    greenwood = 0.0
    for days, at_risk, events, censored in _event_table(pairs):
        d = sum(events.values())
        if d:
            survival *= 1 - d / at_risk
            greenwood = greenwood + d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
        points.append(KmPoint(days, at_risk, d, censored, survival, *_loglog_interval(survival, greenwood)))
    return points


def _loglog_interval(survival: float, greenwood: float) -> tuple[float | None, float | None]:
    if survival <= 0 or survival >= 1 or math.isinf(greenwood):
        return None, None
    v = math.log(survival)
    spread = Z95 * math.sqrt(greenwood) / v
    return math.exp(-math.exp(math.log(-v) - spread)), math.exp(-math.exp(math.log(-v) + spread))


def aalen_johansen(pairs: Iterable[tuple[int, int]], *, causes: Sequence[int]) -> list[tuple[int, float]]:
    """Return the cumulative incidence of the exits whose code is in `causes`, the other exits competing.

    CIF(t) = Σ over event times t_j ≤ t of S(t_j−) × d_causes(t_j) / n(t_j), S being Kaplan–Meier for any exit.
    """
    wanted = set(causes)
    curve = []
    survival = 1.0
    incidence = 0.0
    for days, at_risk, events, _censored in _event_table(pairs):
        d = sum(events.values())
        if not d:
            continue
        incidence += survival * sum(n for code, n in events.items() if code in wanted) / at_risk
        survival *= 1 - d / at_risk
        curve.append((days, incidence))
    return curve


def value_at(curve: Sequence[tuple[float, float]], days: float, *, initial: float) -> float:
    """Return a right-continuous step function's value at `days`."""
    value = initial
    for t, v in curve:
        if t > days:
            break
        value = v
    return value


def survival_summary(
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    partner_id: int | None,
    queryset: QuerySet[Trajectory] | None = None,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """Return Kaplan–Meier and Aalen–Johansen figures at 6, 12 and 18 months, JSON-serialisable."""
    pairs = fetch_durations(start=start, end=end, partner_id=partner_id, queryset=queryset, today=today)
    km = kaplan_meier(pairs)
    median = next((p.days for p in km if p.survival <= 0.5), None)
    categories = {
        "job_creation": [Event.JOB_CREATION],
        "other_positive": [Event.OTHER_POSITIVE],
        "positive": [Event.JOB_CREATION, Event.OTHER_POSITIVE],
        "not_positive": [Event.NOT_POSITIVE],
    }
    incidence_curves = {
        name: [(float(t), v) for t, v in aalen_johansen(pairs, causes=codes)] for name, codes in categories.items()
    }
    horizons = []
    for months in HORIZON_MONTHS:
        days = months * MONTH_DAYS
        last = next((p for p in reversed(km) if p.days <= days), None)
        horizons.append(
            {
                "months": months,
                "days": days,
                "still_in_programme": last.survival if last else 1.0,
                "ci_low": last.ci_low if last else None,
                "ci_high": last.ci_high if last else None,
                "at_risk": sum(1 for d, _ in pairs if d >= days),
                "cumulative_incidence": {
                    name: value_at(curve, days, initial=0.0) for name, curve in incidence_curves.items()
                },
            }
        )
    return {
        "population": len(pairs),
        "exits": sum(1 for _, e in pairs if e != Event.CENSORED),
        "censored": sum(1 for _, e in pairs if e == Event.CENSORED),
        "median_days_to_exit": median,
        "horizons": horizons,
        "kaplan_meier": [asdict(p) for p in km],
    }
