"""Censoring-aware time to exit: Kaplan–Meier and Aalen–Johansen cumulative incidence of exit kinds.

Most guided trajectories are still open while the programme runs, so rates on closed cases alone
are biased. The estimators take (days since guided, event code) pairs or (days, event code, people)
triples: the summary counts give the triples (kpis_summary.survival_triples: a few thousand rows
whatever the number of trajectories), the full computation (fact_triples) groups the same closure
facts (reporting/facts.py) over the trajectory table; both give identical figures, and equal the
pairs fetch_durations computes one guided trajectory at a time (the tests compare them). The estimators run in pure Python (no numpy).
Definitions: docs/kpis.md, "Time to exit" and "Cumulative incidence of exit kinds".
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from enum import IntEnum
from statistics import NormalDist
from typing import Any

from django.db.models import Case, Count, DateField, IntegerField, Q, QuerySet, Value, When

from autocrea.backbone.steps import Step
from autocrea.pathways.models import Trajectory
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


KM_FIELDS = tuple(f.name for f in fields(KmPoint))


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


Durations = Iterable[tuple[int, int]] | Iterable[tuple[int, int, int]]


def weighted(pairs: Durations) -> list[tuple[int, int, int]]:
    """Return (days, event code, people) triples: a pair counts one person."""
    return [(item[0], item[1], item[2] if len(item) > 2 else 1) for item in pairs]  # type: ignore[misc]


EventRow = tuple[int, int, dict[int, int], int, int]


def _event_table(pairs: Durations) -> list[EventRow]:
    """Group pairs (or weighted triples) by time: (time, at risk just before, events by code, censored, events)."""
    by_time: dict[int, dict[int, int]] = {}
    total = 0
    for days, code, n in weighted(pairs):
        counts = by_time.get(days)
        if counts is None:
            counts = by_time[days] = {}
        counts[code] = counts.get(code, 0) + n
        total += n
    table = []
    at_risk = total
    for days in sorted(by_time):
        counts = by_time[days]
        censored = counts.pop(Event.CENSORED, 0)
        events = {code: n for code, n in counts.items() if n}
        d = sum(events.values())
        if d or censored:
            table.append((days, at_risk, events, censored, d))
        at_risk -= d + censored
    return table


def kaplan_meier(pairs: Durations) -> list[KmPoint]:
    """Return the product-limit estimate of staying in the programme (any exit is the event).

    Trajectories censored at a time are still at risk at that time (the usual convention).
    The interval is the exponential Greenwood (log(−log)) interval, as lifelines computes it.
    """
    return _kaplan_meier(_event_table(pairs))


def _kaplan_meier(table: list[EventRow]) -> list[KmPoint]:
    points = []
    survival = 1.0
    greenwood = 0.0
    interval: tuple[float | None, float | None] = (None, None)
    for days, at_risk, _events, censored, d in table:
        if d:
            survival *= 1 - d / at_risk
            greenwood = greenwood + d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
            interval = _loglog_interval(survival, greenwood)  # unchanged at a time without exits
        points.append(KmPoint(days, at_risk, d, censored, survival, *interval))
    return points


def _loglog_interval(survival: float, greenwood: float) -> tuple[float | None, float | None]:
    if survival <= 0 or survival >= 1 or math.isinf(greenwood):
        return None, None
    v = math.log(survival)
    spread = Z95 * math.sqrt(greenwood) / v
    return math.exp(-math.exp(math.log(-v) - spread)), math.exp(-math.exp(math.log(-v) + spread))


def aalen_johansen(pairs: Durations, *, causes: Sequence[int]) -> list[tuple[int, float]]:
    """Return the cumulative incidence of the exits whose code is in `causes`, the other exits competing.

    CIF(t) = Σ over event times t_j ≤ t of S(t_j−) × d_causes(t_j) / n(t_j), S being Kaplan–Meier for any exit.
    """
    return _aalen_johansen(_event_table(pairs), causes=causes)


def _aalen_johansen(table: list[EventRow], *, causes: Sequence[int]) -> list[tuple[int, float]]:
    wanted = set(causes)
    curve = []
    survival = 1.0
    incidence = 0.0
    for days, at_risk, events, _censored, d in table:
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


def durations(
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    partner_id: int | None,
    queryset: QuerySet[Trajectory] | None = None,
    today: datetime.date | None = None,
    source: str = "auto",
) -> list[tuple[int, int, int]]:
    """Return (days at risk, event code, people) for everyone guided in the period.

    `source` as in kpis.compute_kpis: "summary" reads the summary counts, "full" groups the closure
    facts over the trajectory table (fact_triples), "auto" the summaries whenever the scope is one they hold.
    """
    from autocrea.reporting import kpis_summary

    if source not in {"auto", "summary", "full"}:
        raise ValueError(f"Unknown source {source!r}: auto, summary or full.")
    if source != "full" and kpis_summary.usable(queryset, partner_id):
        first, last, day = resolve_period(start=start, end=end, today=today)
        return kpis_summary.survival_triples(start=first, censor_on=min(last, day), partner_id=partner_id)
    if source == "summary":
        raise ValueError("The summaries hold every trajectory or one partner's: this scope needs source='full'.")
    first, last, day = resolve_period(start=start, end=end, today=today)
    return fact_triples(start=first, censor_on=min(last, day), partner_id=partner_id, queryset=queryset)


def fact_triples(
    *, start: datetime.date, censor_on: datetime.date, partner_id: int | None, queryset: QuerySet[Trajectory] | None
) -> list[tuple[int, int, int]]:
    """Return (days at risk, event code, people) from the closure facts over the trajectory table (full computation).

    The same fact queries as the summaries (reporting/facts.py): people guided in start…censor_on; a
    closure (`svc`) by censor_on is an event (a stop: censored) at its duration; anyone not closed by
    then (`svo`, or a closure after censor_on) is censored at censor_on. fetch_durations computes the
    same pairs one trajectory at a time (tests compare them).
    """
    from autocrea.reporting import facts, kpis_summary

    counts: dict[tuple[int, int], int] = defaultdict(int)
    for fact, rows in facts.closure_facts(base_queryset(queryset=queryset, partner_id=partner_id)):
        if fact == "svl":
            continue  # the same closures as svc, dated by their own day: for the summaries' period reads
        in_period = rows.filter(s_d__gte=start, s_d__lte=censor_on).values("s_d", "s_k1", "s_k2").order_by()
        for guided_on, key1, days, n in in_period.annotate(n=Count("pk")).values_list("s_d", "s_k1", "s_k2", "n"):
            until_censoring = (censor_on - guided_on).days
            if fact == "svc" and days <= until_censoring:
                counts[(int(days), kpis_summary.event_code(key1))] += n
            else:
                counts[(until_censoring, Event.CENSORED.value)] += n
    return [(days, code, n) for (days, code), n in counts.items()]


def survival_summary(
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    partner_id: int | None,
    queryset: QuerySet[Trajectory] | None = None,
    today: datetime.date | None = None,
    source: str = "auto",
) -> dict[str, Any]:
    """Return Kaplan–Meier and Aalen–Johansen figures at 6, 12 and 18 months, JSON-serialisable."""
    triples = durations(start=start, end=end, partner_id=partner_id, queryset=queryset, today=today, source=source)
    return summarise(triples)


def summarise(pairs: Durations) -> dict[str, Any]:
    """Return the figures of survival_summary from (days, event code[, people]) pairs or triples."""
    triples = weighted(pairs)
    table = _event_table(triples)
    km = _kaplan_meier(table)
    median = next((p.days for p in km if p.survival <= 0.5), None)
    categories = {
        "job_creation": [Event.JOB_CREATION],
        "other_positive": [Event.OTHER_POSITIVE],
        "positive": [Event.JOB_CREATION, Event.OTHER_POSITIVE],
        "not_positive": [Event.NOT_POSITIVE],
    }
    incidence_curves = {
        name: [(float(t), v) for t, v in _aalen_johansen(table, causes=codes)] for name, codes in categories.items()
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
                "at_risk": sum(n for d, _e, n in triples if d >= days),
                "cumulative_incidence": {
                    name: value_at(curve, days, initial=0.0) for name, curve in incidence_curves.items()
                },
            }
        )
    return {
        "population": sum(n for _d, _e, n in triples),
        "exits": sum(n for _d, e, n in triples if e != Event.CENSORED),
        "censored": sum(n for _d, e, n in triples if e == Event.CENSORED),
        "median_days_to_exit": median,
        "horizons": horizons,
        "kaplan_meier": [{name: getattr(p, name) for name in KM_FIELDS} for p in km],  # asdict, faster
    }
