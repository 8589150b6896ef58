"""Programme figures on a small world whose every number is computed by hand (definitions: docs/kpis.md)."""

from __future__ import annotations

import datetime
import io
import json
import math
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from scipy.stats import binomtest

from autocrea.backbone.steps import Channel, Step
from autocrea.pathways import services
from autocrea.reporting import kpis, summaries, survival
from autocrea.reporting.survival import Event
from tests.factories import make_jobseeker, make_trajectory

D = datetime.date
TODAY = D(2026, 6, 30)


@pytest.fixture
def world(cast: Any, partners: dict[str, Any], counsellor: Any, coach: Any, other_coach: Any) -> dict[str, Any]:
    """Eleven trajectories, one per situation (dates: interest, +1 information, +2 decision, +3 orientation,
    +4 guided, +5 accompaniment, +6 exit, +7 follow-up; make_trajectory walks one day per step)."""
    credal, microstart = partners["credal"], partners["microstart"]

    def make(step: str, start: D, partner: Any = None, who: Any = None, **kw: Any) -> Any:
        return make_trajectory(
            step=step, counsellor=counsellor, coach=who or coach, partner=partner or credal, start=start, **kw
        )

    t: dict[str, Any] = {}
    t["A"] = make(Step.INTEREST, D(2025, 1, 6))
    t["B"] = make(Step.STOPPED, D(2025, 1, 6))
    t["C"] = make(Step.ORIENTATION, D(2025, 1, 6))  # oriented 09/01, then waitlisted
    t["C"] = services.answer_orientation(trajectory=t["C"], by=coach, answer="waitlisted", on=D(2025, 1, 10))
    t["D"] = make(Step.DIAGNOSTIC, D(2025, 2, 3))  # guided 07/02
    t["E"] = make(Step.ACCOMPANIMENT, D(2025, 2, 3))  # guided 07/02
    # F: exit into self-employment without follow-up; the person turned 29 the day after being guided.
    t["F"] = make(
        Step.EXIT, D(2025, 3, 3), exit_kind="self_employed", jobseeker=make_jobseeker(birth_date=D(1995, 3, 8))
    )
    # G: salaried job at microStart, followed up; 55 on the day she was guided.
    t["G"] = make(
        Step.FOLLOW_UP,
        D(2025, 3, 3),
        partner=microstart,
        who=other_coach,
        exit_kind="salaried_job",
        jobseeker=make_jobseeker(birth_date=D(1970, 3, 7)),
    )
    t["H"] = make(Step.FOLLOW_UP, D(2025, 4, 7), exit_kind="dropped_out")
    # I: exited on 11/05, reopened on 20/05: the voided exit does not count.
    t["I"] = make(Step.EXIT, D(2025, 5, 5), exit_kind="salaried_job")
    t["I"] = services.reopen(
        trajectory=t["I"], by=coach, channel=Channel.PARTNER, on=D(2025, 5, 20), reason="New market"
    )
    # J: guided at Crédal on 06/06, re-oriented to microStart on 20/06, accepted 25/06, exit 01/07, follow-up 11/07.
    t["J"] = make(Step.ACCOMPANIMENT, D(2025, 6, 2))
    t["J"] = services.reorient(
        trajectory=t["J"],
        partner=microstart,
        by=coach,
        channel=Channel.PARTNER,
        on=D(2025, 6, 20),
        reason="Microcredit",
    )
    t["J"] = services.answer_orientation(trajectory=t["J"], by=other_coach, answer="accepted", on=D(2025, 6, 25))
    t["J"] = _exit(t["J"], "self_employed", D(2025, 7, 1), other_coach)
    services.record_follow_up(trajectory=t["J"], by=other_coach, on=D(2025, 7, 11), responded=False)
    # K: guided 30/12/2025 at microStart, exit 01/01/2026 (cohort 2025, exit year 2026), follow-up 05/01/2026.
    t["K"] = make(Step.EXIT, D(2025, 12, 26), partner=microstart, who=other_coach, exit_kind="self_employed")
    services.record_follow_up(trajectory=t["K"], by=other_coach, on=D(2026, 1, 5), responded=False)
    return {"t": t, "credal": credal, "microstart": microstart}


def _exit(trajectory: Any, kind: str, on: D, by: Any) -> Any:
    from autocrea.reference.models import ExitKind

    return services.record_exit(
        trajectory=trajectory, kind=ExitKind.objects.get(code=kind), on=on, by=by, enterprise_number="0403.170.701"
    )


def _by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


def test_guided_counts_each_trajectory_once_for_the_partner_holding_it(world: dict[str, Any]) -> None:
    figures = kpis.compute_kpis(start=None, end=None, partner_id=None, today=TODAY)
    assert figures["guided"]["count"] == 8  # D, E, F, G, H, I, J (re-oriented: once), K
    assert figures["guided"]["by_partner"] == [
        {"partner": "credal", "guided": 5},  # D, E, F, H, I
        {"partner": "microstart", "guided": 3},  # G, J, K
    ]
    target = figures["target"]
    assert (target["target"], target["guided"], target["remaining"]) == (4000, 8, 3992)
    assert target["share_of_target"] == 8 / 4000


def test_exits_leave_out_voided_exits_and_follow_the_second_partner(world: dict[str, Any]) -> None:
    exits = kpis.compute_kpis(start=None, end=None, partner_id=None, today=TODAY)["exits"]
    # F self-employed, G salaried, H dropped out, J self-employed (microStart), K self-employed; I voided.
    assert (exits["exits"], exits["positive"], exits["job_creation"]) == (5, 4, 3)
    assert (exits["positive_rate"], exits["job_creation_rate"]) == (0.8, 0.6)
    by_partner = _by(exits["by_partner"], "partner")
    assert by_partner["credal"] == {
        "partner": "credal",
        "exits": 2,
        "positive": 1,
        "job_creation": 1,
        "positive_rate": 0.5,
        "job_creation_rate": 0.5,
    }
    assert (by_partner["microstart"]["exits"], by_partner["microstart"]["positive"]) == (3, 3)
    assert by_partner["microstart"]["job_creation_rate"] == 2 / 3
    by_year = _by(exits["by_year"], "year")
    assert set(by_year) == {2025, 2026}
    assert (by_year[2025]["exits"], by_year[2025]["positive"], by_year[2025]["job_creation"]) == (4, 3, 2)
    assert (by_year[2026]["exits"], by_year[2026]["positive"], by_year[2026]["job_creation"]) == (1, 1, 1)
    assert [(c["cohort"], c["exits"]) for c in exits["by_cohort"]] == [(2025, 5)]


def test_period_counts_exits_by_exit_date_and_guided_by_guided_date(world: dict[str, Any]) -> None:
    figures = kpis.compute_kpis(start=D(2025, 1, 1), end=D(2025, 12, 31), partner_id=None, today=TODAY)
    assert figures["guided"]["count"] == 8  # K was guided on 30/12/2025
    assert figures["exits"]["exits"] == 4  # K left on 01/01/2026
    spring = kpis.compute_kpis(start=D(2025, 3, 1), end=D(2025, 4, 30), partner_id=None, today=TODAY)
    assert (spring["guided"]["count"], spring["exits"]["exits"]) == (3, 3)  # F, G, H


def test_funnel_counts_steps_reached_and_conditional_conversions(world: dict[str, Any]) -> None:
    funnel = kpis.compute_kpis(start=None, end=None, partner_id=None, today=TODAY)["funnel"]
    steps = _by(funnel["steps"], "step")
    reached = {name: row["reached"] for name, row in steps.items()}
    assert reached == {
        "interest": 11,
        "information": 9,
        "decision": 9,
        "orientation": 9,
        "guided": 8,
        "accompaniment": 7,  # E, F, G, H, I (reopened), J, K
        "exit": 5,  # I's exit was voided
        "follow_up": 4,  # G, H, J, K: F exited without follow-up
    }
    assert steps["interest"]["conversion_to_next"] == 9 / 11
    assert steps["orientation"]["conversion_to_next"] == 8 / 9
    assert steps["guided"]["conversion_to_next"] == 7 / 8
    assert steps["accompaniment"]["conversion_to_next"] == 5 / 7
    assert steps["exit"]["conversion_to_next"] == 4 / 5
    assert "conversion_to_next" not in steps["follow_up"]
    assert funnel["stopped"] == 1  # B: a funnel outcome, not an exit


def test_time_in_step_is_the_median_of_whole_days_to_the_next_reached_step(world: dict[str, Any]) -> None:
    rows = _by(kpis.compute_kpis(start=None, end=None, partner_id=None, today=TODAY)["time_in_step"], "step")
    medians = {name: (row["median_days"], row["trajectories"]) for name, row in rows.items()}
    assert medians == {
        "interest": (1.0, 9),
        "information": (1.0, 9),
        "decision": (1.0, 9),
        # J's orientation date (re-orientation, 20/06) comes after its guided date: left out.
        "orientation": (1.0, 7),
        # I: 09/05 → 20/05 (the reopening rewrote its accompaniment date): 11 days.
        "guided": (1.0, 7),
        # F, G, H, K: 1 day; J: 07/06 → 01/07 = 24 days; I has not left since its reopening.
        "accompaniment": (1.0, 5),
        # G 1, H 1, J 10, K 4: the median of an even count is the mean of the two middle values.
        "exit": (2.5, 4),
    }


def test_capacity_counts_this_years_acceptances_and_the_queues(world: dict[str, Any]) -> None:
    rows = _by(kpis.compute_kpis(start=None, end=None, partner_id=None, today=D(2025, 12, 31))["capacity"], "partner")
    assert len(rows) == 6
    assert rows["credal"] == {
        "partner": "credal",
        "year": 2025,
        "yearly_capacity": 150,
        "accepted_this_year": 6,  # D, E, F, H, I, J (before its re-orientation)
        "capacity_use": 6 / 150,
        "in_guidance_now": 3,  # D, E, I
        "pending": 0,
        "waitlisted": 1,  # C
    }
    assert (rows["microstart"]["accepted_this_year"], rows["microstart"]["in_guidance_now"]) == (3, 0)
    assert rows["refresh"]["accepted_this_year"] == 0
    next_year = _by(kpis.compute_kpis(start=None, end=None, partner_id=None, today=TODAY)["capacity"], "partner")
    assert next_year["credal"]["accepted_this_year"] == 0


def test_forecast_adds_pipeline_and_inflow_with_a_normal_band(world: dict[str, Any]) -> None:
    forecast = kpis.compute_kpis(start=None, end=None, partner_id=None, today=D(2025, 12, 31))["forecast"]
    assert forecast["guided_so_far"] == 8
    pipeline = _by(forecast["pipeline"], "step")
    # Open and not yet guided: A (interest), C (orientation). Resolved after interest: 8 guided + B stopped.
    assert (pipeline["interest"]["open"], pipeline["interest"]["conversion_to_guided"]) == (1, 8 / 9)
    # After orientation: D…K minus J (guided before its later orientation date): 7 of 7; C is unresolved.
    assert (pipeline["orientation"]["open"], pipeline["orientation"]["conversion_to_guided"]) == (1, 1.0)
    assert pipeline["orientation"]["based_on_resolved"] == 7
    inflow = forecast["inflow"]
    # One interest (K, 26/12) in the 183 days up to 31/12; everyone took 4 days from interest to guided.
    assert (inflow["interests_in_window"], inflow["median_days_interest_to_guided"]) == (1, 4.0)
    p = 8 / 9
    arrivals = (730 - 4) / 183
    expected = 8 + p + 1 + arrivals * p
    var_p = p * (1 - p) / 9
    # The interest rate's drift (docs/kpis.md, backtested): interests per 183-day window back from 31/12/2025,
    # whole windows inside the programme (from 01/01/2024): 1 (K), 10 (A…J), 0. Least-squares slope on the
    # window index: −0.5; fitted latest count 11/3 + 0.5 = 25/6; δ² = (0.5 / (25/6))² = (3/25)².
    assert inflow["rate_drift_squared"] == pytest.approx((3 / 25) ** 2)
    distance = (726 + 183) / 2 / 183  # from the middle of the window to the middle of the days that count
    var_arrivals = arrivals**2 + (arrivals * distance) ** 2 * (3 / 25) ** 2  # Poisson (1 × scale²) + drift
    variance = (p * (1 - p) + p * (1 - p) / 9) + (
        arrivals * p + arrivals**2 * var_p + p * p * var_arrivals + var_arrivals * var_p
    )
    assert forecast["expected_guided_at_end"] == pytest.approx(expected)
    assert forecast["sd"] == pytest.approx(math.sqrt(variance))
    low, high = forecast["band_95"]
    assert (low, high) == (
        pytest.approx(max(8, expected - 1.959964 * math.sqrt(variance)), abs=1e-4),
        pytest.approx(expected + 1.959964 * math.sqrt(variance), abs=1e-4),
    )
    assert forecast["probability_target_met"] == pytest.approx(0.0)


def test_survival_pairs_count_from_the_first_guided_date(world: dict[str, Any]) -> None:
    t = world["t"]
    pairs = survival.fetch_durations(start=None, end=None, partner_id=None, today=TODAY)
    assert sorted(pairs) == sorted(
        [
            ((TODAY - D(2025, 2, 7)).days, Event.CENSORED),  # D
            ((TODAY - D(2025, 2, 7)).days, Event.CENSORED),  # E
            (2, Event.JOB_CREATION),  # F
            (2, Event.OTHER_POSITIVE),  # G
            (2, Event.NOT_POSITIVE),  # H
            ((TODAY - D(2025, 5, 9)).days, Event.CENSORED),  # I, reopened
            (25, Event.JOB_CREATION),  # J, from its first guided date 06/06
            (2, Event.JOB_CREATION),  # K
        ]
    )
    assert t["J"].guided_on == D(2025, 6, 6)
    # Censored at the period's end when it comes before today: K's exit on 01/01/2026 is not seen yet.
    in_2025 = survival.fetch_durations(start=None, end=D(2025, 12, 31), partner_id=None, today=TODAY)
    assert (1, Event.CENSORED) in in_2025
    summary = survival.survival_summary(start=None, end=None, partner_id=None, today=TODAY)
    assert (summary["population"], summary["exits"], summary["censored"]) == (8, 5, 3)
    six = summary["horizons"][0]
    # At 2 days: 4 exits among 8 at risk; at 25 days: 1 among 4 at risk.
    assert six["still_in_programme"] == pytest.approx(0.5 * 0.75)
    assert six["cumulative_incidence"]["job_creation"] == pytest.approx(2 / 8 + 0.5 * 1 / 4)
    assert six["cumulative_incidence"]["not_positive"] == pytest.approx(1 / 8)


def test_equity_suppresses_small_cells_with_their_complements(world: dict[str, Any]) -> None:
    table = kpis.equity(dimension="age_band", start=None, end=None, partner_id=None)
    groups = _by(table["groups"], "group")
    assert set(groups) == {"under_30", "30_54", "55_plus"}  # F is 29, G is 55 on the guided date
    assert groups["30_54"]["guided"] == 6
    assert groups["under_30"]["guided"] is None and groups["55_plus"]["guided"] is None
    for group in groups.values():
        assert group["exits"] is None and group["positive"] is None and group["positive_rate"] is None
    gender = kpis.equity(dimension="gender", start=None, end=None, partner_id=None)["groups"]
    assert [(g["group"], g["guided"], g["exits"], g["positive"]) for g in gender] == [("female", 8, 5, None)]
    assert kpis.equity(dimension="barrier", start=None, end=None, partner_id=None)["groups"] == []


def test_equity_gives_wilson_intervals_on_cells_large_enough(
    world: dict[str, Any], counsellor: Any, coach: Any
) -> None:
    for _ in range(5):
        make_trajectory(
            step=Step.EXIT,
            counsellor=counsellor,
            coach=coach,
            partner=world["credal"],
            exit_kind="dropped_out",
            start=D(2025, 8, 4),
        )
    for _ in range(5):
        make_trajectory(
            step=Step.EXIT,
            counsellor=counsellor,
            coach=coach,
            partner=world["credal"],
            exit_kind="salaried_job",
            start=D(2025, 8, 4),
        )
    female = kpis.equity(dimension="gender", start=None, end=None, partner_id=None)["groups"][0]
    # 15 exits: 3 job creation (F, J, K), 6 other positive (G + 5 salaried), 6 not positive (H + 5 dropped out).
    # Job creation (3) is hidden, and so is the smallest other cell of the row (other positive), which hides
    # the positive count: 15 − 6 would give it away.
    assert (female["exits"], female["positive"], female["job_creation"]) == (15, None, None)
    assert female["suppressed"] == ["positive", "job_creation"]
    assert female["positive_rate"] is None and female["positive_rate_ci"] is None
    for _ in range(2):
        make_trajectory(
            step=Step.EXIT,
            counsellor=counsellor,
            coach=coach,
            partner=world["credal"],
            exit_kind="self_employed",
            start=D(2025, 9, 1),
        )
    female = kpis.equity(dimension="gender", start=None, end=None, partner_id=None)["groups"][0]
    assert (female["exits"], female["positive"], female["job_creation"], female["suppressed"]) == (17, 11, 5, [])
    assert female["positive_rate"] == 11 / 17
    reference = binomtest(11, 17).proportion_ci(confidence_level=0.95, method="wilson")
    assert female["positive_rate_ci"] == [pytest.approx(reference.low), pytest.approx(reference.high)]
    reference = binomtest(5, 17).proportion_ci(confidence_level=0.95, method="wilson")
    assert female["job_creation_rate_ci"] == [pytest.approx(reference.low), pytest.approx(reference.high)]


def test_unemployment_band_uses_the_interest_date(world: dict[str, Any]) -> None:
    groups = kpis.equity(dimension="unemployment_band", start=None, end=None, partner_id=None)["groups"]
    # Unemployed since 15/01/2023: 2 years or more for interests from 15/01/2025 on, 1–2 years before.
    assert {g["group"] for g in groups} == {"2y_plus"}


def test_unknown_dimension_is_refused(db: Any) -> None:
    with pytest.raises(ValueError, match="Unknown equity dimension"):
        kpis.equity(dimension="shoe_size", start=None, end=None, partner_id=None)


def test_partner_filter_restricts_every_figure(world: dict[str, Any]) -> None:
    figures = kpis.compute_kpis(start=None, end=None, partner_id=world["microstart"].pk, today=TODAY)
    assert figures["period"]["partner"] == "microstart"
    assert figures["guided"] == {"count": 3, "by_partner": [{"partner": "microstart", "guided": 3}]}
    assert (figures["exits"]["exits"], figures["exits"]["positive"], figures["exits"]["job_creation"]) == (3, 3, 2)
    assert [r["partner"] for r in figures["exits"]["by_partner"]] == ["microstart"]
    assert figures["funnel"]["steps"][0]["reached"] == 3
    assert [r["partner"] for r in figures["capacity"]] == ["microstart"]
    assert figures["forecast"]["inflow"] == {"included": False}
    assert figures["forecast"]["guided_so_far"] == 3


def test_kpis_command_prints_compute_kpis_as_json(world: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("kpis", "--json", "--from", "01/01/2025", "--to", "2025-12-31", "--partner", "credal", stdout=out)
    printed = json.loads(out.getvalue())
    assert set(printed["equity"]) == set(kpis.DIMENSIONS)
    assert printed["survival"]["population"] == 5
    expected = kpis.compute_kpis(start=D(2025, 1, 1), end=D(2025, 12, 31), partner_id=world["credal"].pk)
    expected["as_of"] = summaries.as_of_iso()  # when the summaries were built (the command says it)
    assert {k: v for k, v in printed.items() if k not in {"survival", "equity"}} == json.loads(json.dumps(expected))


def test_kpis_command_prints_a_summary_without_json(world: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("kpis", stdout=out)
    assert "Guided in the period: 8" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "31/02/2025"], "--from: '31/02/2025' is not a date"),
        (["--to", "yesterday"], "--to: 'yesterday' is not a date"),
        (["--partner", "nowhere"], "Unknown partner 'nowhere'"),
        (["--from", "2025-12-31", "--to", "2025-01-01"], "The period starts after it ends"),
    ],
)
def test_kpis_command_refuses_bad_input_clearly(db: Any, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("kpis", "--json", *args, stdout=io.StringIO())
