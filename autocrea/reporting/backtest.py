"""Backtest of the guided-count forecast (forecast.py) on generated programme histories.

Each history is a whole programme run simulated in memory: interests arrive as a Poisson process whose
daily rate and trend are drawn per history, and every person walks the funnel with the probabilities and
delays of `demo/population.py` (generate_population) (stops, skipped information, "not going
ahead", a decline and a new choice, the waiting list). The history is cut at an interim date, the
forecast is computed from what was known on that day (`forecast.forecast_from` over an in-memory
source), and compared with the number of people actually guided by the programme's end.

Why in memory and not the generator's database rows: a backtest needs many independent histories
(50 or more), each of thousands of people, seen at a cut date; writing them through the database
would take minutes per history on the shared machine. The funnel below keeps the generator's
transition probabilities and delays (only the funnel up to "guided" matters to the forecast).
"""

from __future__ import annotations

import datetime
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autocrea.backbone.steps import Step
from autocrea.reporting import forecast

START = datetime.date(2024, 1, 1)
END = datetime.date(2026, 12, 31)
TARGET = 4000
TREND = 0.4
DAYS = datetime.timedelta


@dataclass
class Person:
    """A trajectory's funnel dates and its current step as known at `seen_on` (None: not yet)."""

    interest_on: datetime.date
    information_on: datetime.date | None = None
    decision_on: datetime.date | None = None
    orientation_on: datetime.date | None = None
    guided_on: datetime.date | None = None
    stopped_on: datetime.date | None = None
    # Every (day, step) the person entered, in order: the state on a day is the last one entered by then.
    moves: list[tuple[datetime.date, str]] | None = None


def _walk(rng: random.Random, interest_on: datetime.date) -> Person:
    """Walk one person through the funnel as generate_population does (up to the partner's acceptance)."""
    p = Person(interest_on=interest_on, moves=[(interest_on, Step.INTEREST)])
    assert p.moves is not None

    def move(step: str, on: datetime.date) -> None:
        assert p.moves is not None
        p.moves.append((on, step))
        if step == Step.STOPPED:
            p.stopped_on = on
        elif step == Step.DIAGNOSTIC:
            p.guided_on = p.guided_on or on
        else:
            setattr(p, f"{step}_on", on)

    day, informed = interest_on, False
    r = rng.random()
    if r < 0.04:
        move(Step.STOPPED, day + DAYS(rng.randint(5, 60)))
        return p
    if r >= 0.07:
        day += DAYS(rng.randint(5, 35))
        move(Step.INFORMATION, day)
        informed = True
    day += DAYS(rng.randint(2, 21))
    r = rng.random()
    if (informed and r < 0.04) or r < 0.28:
        move(Step.STOPPED, day)
        return p
    move(Step.DECISION, day)
    day += DAYS(rng.randint(1, 14))
    if rng.random() < 0.04:
        move(Step.STOPPED, day)
        return p
    move(Step.ORIENTATION, day)
    declined_once, waitlisted = False, False
    while True:
        day += DAYS(rng.randint(3, 25))
        r = rng.random()
        if r < 0.04:
            move(Step.STOPPED, day)
            return p
        if r < 0.11 and not declined_once:
            declined_once, waitlisted = True, False  # the new partner's answer is pending again
            day += DAYS(rng.randint(2, 14))
            move(Step.ORIENTATION, day)  # a new choice: the orientation date is rewritten
            continue
        if r < 0.20 and not waitlisted:
            waitlisted = True
            day += DAYS(rng.randint(14, 80))
            continue
        move(Step.DIAGNOSTIC, day)
        return p


def history(rng: random.Random, *, start: datetime.date = START, end: datetime.date = END) -> list[Person]:
    """Return one programme history: everyone who expressed interest between start and end."""
    span = (end - start).days + 1
    rate = rng.uniform(2.0, 8.0)  # interests per day at the start
    trend = rng.uniform(-TREND, TREND)  # relative change of the rate over the whole programme
    people = []
    for offset in range(span):
        # A rate drawn per history with a linear trend (programmes speed up or slow down over the years).
        expected = rate * (1 + trend * (offset / span - 0.5))
        for _ in range(_poisson(rng, expected)):
            people.append(_walk(rng, start + DAYS(offset)))
    return people


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small daily means used here.
    limit, k, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


class SeenOn:
    """The forecast's counts (forecast.ForecastSource) as the database would have given them on `today`."""

    def __init__(self, people: Sequence[Person], today: datetime.date) -> None:
        self.rows = [self._as_of(p, today) for p in people if p.interest_on <= today]

    @staticmethod
    def _as_of(p: Person, today: datetime.date) -> dict[str, Any]:
        assert p.moves is not None
        known = [(on, step) for on, step in p.moves if on <= today]
        row: dict[str, Any] = {"current_step": known[-1][1], "interest_on": p.interest_on}
        for field in ("information_on", "decision_on", "guided_on"):
            value = getattr(p, field)
            row[field] = value if value is not None and value <= today else None
        orientations = [on for on, step in known if step == Step.ORIENTATION]
        row["orientation_on"] = orientations[-1] if orientations else None
        return row

    def guided_between(self, start: datetime.date, end: datetime.date) -> int:
        return sum(1 for r in self.rows if r["guided_on"] is not None and start <= r["guided_on"] <= end)

    def interests_between(self, start: datetime.date, end: datetime.date) -> int:
        return sum(1 for r in self.rows if start <= r["interest_on"] <= end)

    def open_at(self, steps: list[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.rows:
            if r["guided_on"] is None and r["current_step"] in steps:
                counts[r["current_step"]] = counts.get(r["current_step"], 0) + 1
        return counts

    def conversion(self, field: str) -> tuple[float | None, int, int]:
        guided = resolved = 0
        for r in self.rows:
            if r[field] is None or (r["guided_on"] is not None and r["guided_on"] < r[field]):
                continue
            if r["guided_on"] is not None:
                guided += 1
                resolved += 1
            elif r["current_step"] == Step.STOPPED:
                resolved += 1
        return (guided / resolved if resolved else None), guided, resolved

    def lag(self) -> float | None:
        days = [(r["guided_on"] - r["interest_on"]).days for r in self.rows if r["guided_on"] is not None]
        return float(statistics.median(days)) if days else None


@dataclass
class Outcome:
    cut_on: datetime.date
    expected: float
    low: float
    high: float
    realised: int

    @property
    def covered(self) -> bool:
        return self.low <= self.realised <= self.high


def run(*, years: int, seed: int) -> list[Outcome]:
    """Generate `years` histories, cut each at an interim date (40–80 % of the way) and forecast its end."""
    outcomes = []
    for index in range(years):
        rng = random.Random(seed * 1_000_003 + index)
        people = history(rng)
        cut_on = START + DAYS(int((END - START).days * rng.uniform(0.4, 0.8)))
        seen = SeenOn(people, cut_on)
        f = forecast.forecast_from(seen, partner_id=None, today=cut_on, window=(START, END), target=TARGET)
        realised = sum(1 for p in people if p.guided_on is not None and START <= p.guided_on <= END)
        low, high = f["band_80"]
        outcomes.append(Outcome(cut_on, f["expected_guided_at_end"], low, high, realised))
    return outcomes


def coverage(outcomes: Sequence[Outcome]) -> float:
    """Return the share of histories whose realised value falls inside the band (bounds included)."""
    return sum(o.covered for o in outcomes) / len(outcomes) if outcomes else 0.0


def mean_error(outcomes: Sequence[Outcome]) -> float:
    """Return the mean of forecast − realised (positive: the forecast was too high)."""
    return statistics.fmean(o.expected - o.realised for o in outcomes) if outcomes else 0.0
