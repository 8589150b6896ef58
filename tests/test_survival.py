"""Kaplan–Meier and Aalen–Johansen in reporting/survival.py agree with lifelines to 1e-6."""

from __future__ import annotations

import random

import pytest

from autocrea.reporting import survival
from autocrea.reporting.survival import Event


def _generated(seed: int, n: int = 400) -> list[tuple[int, int]]:
    """Integer durations (many ties, including censorings tied with exits) with three exit kinds.

    No exit on day 0: lifelines' AalenJohansenFitter forces the first row of its table to zero, which
    would drop exits there (our estimator counts them).
    """
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        exit_after = int(rng.expovariate(1 / 300))
        censored_after = rng.randint(0, 720)
        if exit_after <= censored_after:
            pairs.append((exit_after // 7 * 7 + 7, rng.choice([1, 1, 2, 3, 3, 3])))  # weekly records: ties
        else:
            pairs.append((censored_after // 7 * 7 + 7, Event.CENSORED.value))
    return pairs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kaplan_meier_and_greenwood_interval_match_lifelines(seed: int) -> None:
    lifelines = pytest.importorskip("lifelines")
    pairs = _generated(seed)
    ours = survival.kaplan_meier(pairs)
    fitter = lifelines.KaplanMeierFitter().fit([d for d, _ in pairs], [e != 0 for _, e in pairs])
    theirs = fitter.survival_function_.iloc[:, 0]
    interval = fitter.confidence_interval_
    assert [p.days for p in ours] == [int(t) for t in theirs.index if t > 0 or (0 in {d for d, _ in pairs})]
    for point in ours:
        assert point.survival == pytest.approx(theirs.loc[point.days], abs=1e-6)
        assert point.at_risk == fitter.event_table.loc[point.days, "at_risk"]
        if point.ci_low is not None:
            assert point.ci_low == pytest.approx(interval.loc[point.days].iloc[0], abs=1e-6)
            assert point.ci_high == pytest.approx(interval.loc[point.days].iloc[1], abs=1e-6)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.filterwarnings("ignore:Tied event times were detected:Warning")
def test_aalen_johansen_matches_lifelines_with_competing_exits(seed: int) -> None:
    lifelines = pytest.importorskip("lifelines")
    pairs = _generated(seed)
    # lifelines jitters tied exit times by up to 1e-4; a censoring is moved half a day later so that it
    # stays after the exits of its day, the convention both estimators use for ties.
    durations = [d + (0.5 if e == 0 else 0.0) for d, e in pairs]
    events = [e for _, e in pairs]
    for cause in (1, 2, 3):
        ours = survival.aalen_johansen(pairs, causes=[cause])
        fitter = lifelines.AalenJohansenFitter(seed=seed, calculate_variance=False)
        fitter.fit(durations, events, event_of_interest=cause)
        theirs = fitter.cumulative_density_.iloc[:, 0]
        for months in (*survival.HORIZON_MONTHS, 3, 24):
            days = months * survival.MONTH_DAYS
            expected = float(theirs[theirs.index <= days].iloc[-1])
            assert survival.value_at(ours, days, initial=0.0) == pytest.approx(expected, abs=1e-6)
        # And at every exit day, just after its (jittered) exits.
        for day, value in ours:
            expected = float(theirs[theirs.index <= day + 0.01].iloc[-1])
            assert value == pytest.approx(expected, abs=1e-6)


def test_cumulative_incidences_and_survival_add_up_to_one() -> None:
    pairs = _generated(7)
    km = survival.kaplan_meier(pairs)
    curves = [survival.aalen_johansen(pairs, causes=[c]) for c in (1, 2, 3)]
    for point in km:
        if point.events:
            total = sum(survival.value_at(curve, point.days, initial=0.0) for curve in curves)
            assert total + point.survival == pytest.approx(1.0, abs=1e-12)


def test_hand_computed_small_example() -> None:
    # Times 2 (exit kind 1), 2 (censored), 3 (kind 3), 5 (kind 1), 8 (censored).
    pairs = [(2, 1), (2, 0), (3, 3), (5, 1), (8, 0)]
    km = survival.kaplan_meier(pairs)
    assert [(p.days, p.at_risk, p.events, p.censored) for p in km] == [
        (2, 5, 1, 1),
        (3, 3, 1, 0),
        (5, 2, 1, 0),
        (8, 1, 0, 1),
    ]
    assert [p.survival for p in km] == pytest.approx([4 / 5, 4 / 5 * 2 / 3, 4 / 5 * 2 / 3 * 1 / 2, 4 / 15])
    job = survival.aalen_johansen(pairs, causes=[1])
    assert job == [(2, pytest.approx(1 / 5)), (3, pytest.approx(1 / 5)), (5, pytest.approx(1 / 5 + 8 / 15 / 2))]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_weighted_triples_give_exactly_the_figures_of_the_pairs(seed: int) -> None:
    # The summary tables give (days, event, people) triples: the same people counted, the same numbers.
    pairs = _generated(seed)
    counted: dict[tuple[int, int], int] = {}
    for pair in pairs:
        counted[pair] = counted.get(pair, 0) + 1
    triples = [(d, e, n) for (d, e), n in sorted(counted.items(), reverse=True)]
    assert len(triples) < len(pairs)  # ties were grouped
    assert survival.kaplan_meier(triples) == survival.kaplan_meier(pairs)
    for cause in (1, 2, 3):
        assert survival.aalen_johansen(triples, causes=[cause]) == survival.aalen_johansen(pairs, causes=[cause])
    summary = survival.summarise(triples)
    assert summary == survival.summarise(pairs)
    assert summary["population"] == len(pairs)
    assert summary["exits"] == sum(1 for _, e in pairs if e != Event.CENSORED)
    assert summary["horizons"][0]["at_risk"] == sum(1 for d, _ in pairs if d >= 6 * survival.MONTH_DAYS)
