#!/usr/bin/env python3
"""Recompute the headline programme figures from `export_trajectories` alone, and compare with `kpis --json`.

    manage.py export_trajectories --output /tmp/t.csv
    manage.py kpis --json > /tmp/kpis.json
    python scripts/recompute_kpis_from_export.py /tmp/t.csv --kpis /tmp/kpis.json

Standard library only (no Django, no database): the CSV (Belgian Excel dialect: BOM, `;`, dd/mm/yyyy)
is read row by row and every figure is recomputed from the definitions in docs/kpis.md: guided, the
target, exits with their positive and job-creation rates (overall, per partner, year, cohort), the
funnel, the median time in each step, the partners' people in guidance now, and the forecast. The
period, the partner, the as-of date and the programme's dates and target are read from the JSON's
`period` and `target` sections (they are parameters, not data). Capacity use and queues (step log,
orientations), survival and equity (person attributes and barriers) are not in the export and are
not recomputed. Every number must agree exactly (floats included): the exit status is 0 when they
all do, 1 otherwise, with the differences printed.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import math
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from statistics import NormalDist
from typing import Any

FUNNEL = [
    ("interest", "interest_on"),
    ("information", "information_on"),
    ("decision", "decision_on"),
    ("orientation", "orientation_on"),
    ("guided", "guided_on"),
    ("accompaniment", "accompaniment_on"),
    ("exit", "exit_on"),
    ("follow_up", "follow_up_on"),
]
PIPELINE = [
    ("interest", "interest_on"),
    ("information", "information_on"),
    ("decision", "decision_on"),
    ("orientation", "orientation_on"),
]
DATES = [field for _name, field in FUNNEL] + ["stopped_on"]
INFLOW_WINDOW_DAYS = 183
_NORMAL = NormalDist()


def read_export(lines: Iterable[str], *, partner: str | None = None) -> list[dict[str, Any]]:
    """Return the export's rows with dates parsed (only the partner's rows when `partner` is given)."""
    rows = []
    for raw in csv.DictReader(lines, delimiter=";"):
        row: dict[str, Any] = {key.lstrip("\ufeff"): value for key, value in raw.items()}
        for field in DATES:
            value = row[field]
            row[field] = datetime.datetime.strptime(value, "%d/%m/%Y").date() if value else None
        row["partner"] = row["partner"] or None
        if partner is None or row["partner"] == partner:
            rows.append(row)
    return rows


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _median(values: list[int]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    n = len(values)
    return (values[(n - 1) // 2] + values[n // 2]) / 2


def _between(day: datetime.date | None, start: datetime.date, end: datetime.date) -> bool:
    return day is not None and start <= day <= end


def _exit_row(exits: int, positive: int, job: int) -> dict[str, Any]:
    return {
        "exits": exits,
        "positive": positive,
        "job_creation": job,
        "positive_rate": _rate(positive, exits),
        "job_creation_rate": _rate(job, exits),
    }


def guided(rows: list[dict[str, Any]], start: datetime.date, end: datetime.date) -> dict[str, Any]:
    by_partner = Counter(r["partner"] for r in rows if _between(r["guided_on"], start, end))
    return {
        "count": sum(by_partner.values()),
        "by_partner": dict(by_partner),
    }


def exits(rows: list[dict[str, Any]], start: datetime.date, end: datetime.date) -> dict[str, Any]:
    cells: dict[tuple[str, Any], list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        if r["current_step"] not in {"exit", "follow_up"} or not _between(r["exit_on"], start, end):
            continue
        positive, job = r["positive"] == "1", r["job_creation"] == "1"
        cohort = r["guided_on"].year if r["guided_on"] else None
        for key in (("all", None), ("partner", r["partner"]), ("year", r["exit_on"].year), ("cohort", cohort)):
            cells[key][0] += 1
            cells[key][1] += positive
            cells[key][2] += job
    result: dict[str, Any] = _exit_row(*cells[("all", None)])
    for name in ("partner", "year", "cohort"):
        result[f"by_{name}"] = {key: _exit_row(*c) for (kind, key), c in cells.items() if kind == name}
    return result


def funnel(rows: list[dict[str, Any]], start: datetime.date, end: datetime.date) -> dict[str, Any]:
    cohort = [r for r in rows if _between(r["interest_on"], start, end)]
    steps = []
    for index, (name, field) in enumerate(FUNNEL):
        reached = sum(1 for r in cohort if r[field] is not None)
        step: dict[str, Any] = {"step": name, "reached": reached}
        if index + 1 < len(FUNNEL):
            next_name, next_field = FUNNEL[index + 1]
            both = sum(1 for r in cohort if r[field] is not None and r[next_field] is not None)
            step["next_step"] = next_name
            step["conversion_to_next"] = _rate(both, reached)
        steps.append(step)
    return {"steps": steps, "stopped": sum(1 for r in cohort if r["current_step"] == "stopped")}


def time_in_step(rows: list[dict[str, Any]], start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    results = []
    for index, (name, field) in enumerate(FUNNEL[:-1]):
        days = []
        for r in rows:
            if not _between(r[field], start, end):
                continue
            later = next((r[f] for _n, f in FUNNEL[index + 1 :] if r[f] is not None), None)
            if later is not None and (later - r[field]).days >= 0:
                days.append((later - r[field]).days)
        results.append({"step": name, "median_days": _median(days), "trajectories": len(days)})
    return results


def in_guidance(rows: list[dict[str, Any]]) -> dict[str | None, int]:
    return dict(Counter(r["partner"] for r in rows if r["current_step"] in {"diagnostic", "accompaniment"}))


# ---------------------------------------------------------------- the forecast, from docs/kpis.md alone
# Written from the numbered definition in docs/kpis.md, "Forecast of the guided count" (steps 1–7), not
# from reporting/forecast.py. The definition fixes the order of every sum and product, so that a
# faithful reimplementation agrees with `kpis --json` to the last digit.


def _reached_and_resolved(rows: list[dict[str, Any]], field: str) -> tuple[float | None, int, int]:
    """Definition step 3: P(guided | reached s) = g_s / r_s over the people who reached s."""
    reached = [r for r in rows if r[field] is not None and (r["guided_on"] is None or r["guided_on"] >= r[field])]
    g = sum(r["guided_on"] is not None for r in reached)
    r_s = g + sum(r["guided_on"] is None and r["current_step"] == "stopped" for r in reached)
    return (g / r_s if r_s else None), g, r_s


def _binomial_terms(n: int, p: float, r_s: int) -> tuple[float, float]:
    """Definition step 3: mean_s = n·p and var_s = n·p·(1−p) + n·n·p·(1−p) / r_s (0 when r_s = 0)."""
    q = 1 - p
    return n * p, (n * p * q + n * n * p * q / r_s) if r_s else 0.0


def _rate_drift(counts: list[int]) -> float:
    """Definition step 4: δ² = (b / c)², the least-squares line of the window counts on k = 0, 1, …"""
    if len(counts) < 2:
        return 0.0
    fit = statistics.linear_regression(list(range(len(counts))), counts)
    if fit.intercept <= 0:
        return 0.0
    ratio = fit.slope / fit.intercept
    return ratio * ratio


def _window_counts(rows: list[dict[str, Any]], today: datetime.date, programme_start: datetime.date) -> list[int]:
    """Definition step 4: interests per 183-day window back from today, the earlier ones while inside the programme."""
    counts = []
    end = today
    while len(counts) < 4:
        first = end - datetime.timedelta(days=INFLOW_WINDOW_DAYS - 1)
        if counts and first < programme_start:
            break
        counts.append(sum(1 for r in rows if _between(r["interest_on"], first, end)))
        end = first - datetime.timedelta(days=1)
    return counts


def _inflow(
    rows: list[dict[str, Any]], *, today: datetime.date, programme_start: datetime.date, days_left: int
) -> tuple[dict[str, Any], float, float]:
    """Definition step 4: the people who have not arrived yet, their mean and their variance."""
    counts = _window_counts(rows, today, programme_start)
    a0 = counts[0]
    lag = _median([(r["guided_on"] - r["interest_on"]).days for r in rows if r["guided_on"] is not None])
    d_eff = max(0.0, days_left - (lag or 0.0))
    scale = d_eff / INFLOW_WINDOW_DAYS
    rate, _g, r_in = _reached_and_resolved(rows, "interest_on")
    p = rate or 0.0
    m = a0 * scale
    delta2 = _rate_drift(counts)
    h = (d_eff + INFLOW_WINDOW_DAYS) / 2 / INFLOW_WINDOW_DAYS
    spread = m * h
    v_a = a0 * scale * scale + spread * spread * delta2
    v_p = p * (1 - p) / r_in if r_in else 0.0
    mean = m * p
    var = m * p + m * m * v_p + p * p * v_a + v_a * v_p
    shown = {
        "included": True,
        "interests_in_window": a0,
        "window_days": INFLOW_WINDOW_DAYS,
        "median_days_interest_to_guided": lag,
        "days_for_new_entrants": d_eff,
        "expected_interests": m,
        "rate_drift_squared": delta2,
        "conversion_to_guided": rate,
        "expected_guided": mean,
    }
    return shown, mean, var


def forecast(
    rows: list[dict[str, Any]],
    *,
    today: datetime.date,
    programme_start: datetime.date,
    programme_end: datetime.date,
    target: int,
    partner: str | None,
) -> dict[str, Any]:
    """docs/kpis.md, "Forecast of the guided count", steps 1–7."""
    g0 = sum(1 for r in rows if _between(r["guided_on"], programme_start, min(today, programme_end)))  # step 1
    days_left = max(0, (programme_end - today).days)  # step 2
    open_now = Counter(r["current_step"] for r in rows if r["guided_on"] is None)
    means: list[float] = []
    variances: list[float] = []
    pipeline = []
    for step, field in PIPELINE:  # step 3, in the definition's order
        n = open_now[step] if days_left > 0 else 0
        rate, _g, r_s = _reached_and_resolved(rows, field)
        mean, var = _binomial_terms(n, rate or 0.0, r_s)
        means.append(mean)
        variances.append(var)
        pipeline.append(
            {"step": step, "open": n, "conversion_to_guided": rate, "based_on_resolved": r_s, "expected_guided": mean}
        )
    inflow: dict[str, Any] = {"included": False}
    if partner is None and days_left > 0:  # step 4: programme-wide only
        inflow, mean, var = _inflow(rows, today=today, programme_start=programme_start, days_left=days_left)
        means.append(mean)
        variances.append(var)
    expected = float(g0)  # step 5: left to right, in this order
    for mean in means:
        expected += mean
    total_variance = 0.0
    for var in variances:
        total_variance += var
    sd = math.sqrt(total_variance)

    def band(level: float) -> list[float]:  # step 6
        z = _NORMAL.inv_cdf(0.5 + level / 2)
        return [max(float(g0), expected - z * sd), expected + z * sd]

    # Step 7: with no spread the target is met or not.
    probability = (1.0 if expected >= target else 0.0) if sd == 0 else 1 - _NORMAL.cdf((target - 0.5 - expected) / sd)
    return {
        "guided_so_far": g0,
        "pipeline": pipeline,
        "inflow": inflow,
        "expected_guided_at_end": expected,
        "sd": sd,
        "band_80": band(0.80),
        "band_95": band(0.95),
        "probability_target_met": probability,
    }


def recompute(rows: list[dict[str, Any]], figures: dict[str, Any]) -> dict[str, Any]:
    """Return the recomputed figures for the parameters of `figures` (the kpis JSON)."""
    period = figures["period"]
    start, end = (datetime.date.fromisoformat(period[k]) for k in ("start", "end"))
    today = datetime.date.fromisoformat(period["as_of"])
    target = figures["target"]
    programme_start = datetime.date.fromisoformat(target["programme_start"])
    programme_end = datetime.date.fromisoformat(target["programme_end"])
    in_target = guided(rows, programme_start, programme_end)
    return {
        "guided": guided(rows, start, end),
        "target": {
            "guided": in_target["count"],
            "share_of_target": _rate(in_target["count"], target["target"]),
            "remaining": max(0, target["target"] - in_target["count"]),
            "by_partner": in_target["by_partner"],
        },
        "exits": exits(rows, start, end),
        "funnel": funnel(rows, start, end),
        "time_in_step": time_in_step(rows, start, end),
        "in_guidance_now": in_guidance(rows),
        "forecast": forecast(
            rows,
            today=today,
            programme_start=programme_start,
            programme_end=programme_end,
            target=target["target"],
            partner=period["partner"],
        ),
    }


def _keyed(items: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {item[key]: {k: v for k, v in item.items() if k != key} for item in items}


def published(figures: dict[str, Any]) -> dict[str, Any]:
    """Return the same figures taken from the kpis JSON, in the shape `recompute` gives them."""
    ex = figures["exits"]
    fc = figures["forecast"]
    return {
        "guided": {
            "count": figures["guided"]["count"],
            "by_partner": {r["partner"]: r["guided"] for r in figures["guided"]["by_partner"]},
        },
        "target": {
            "guided": figures["target"]["guided"],
            "share_of_target": figures["target"]["share_of_target"],
            "remaining": figures["target"]["remaining"],
            "by_partner": {r["partner"]: r["guided"] for r in figures["target"]["by_partner"]},
        },
        "exits": {
            **{k: ex[k] for k in ("exits", "positive", "job_creation", "positive_rate", "job_creation_rate")},
            "by_partner": _keyed(ex["by_partner"], "partner"),
            "by_year": _keyed(ex["by_year"], "year"),
            "by_cohort": _keyed(ex["by_cohort"], "cohort"),
        },
        "funnel": {"steps": figures["funnel"]["steps"], "stopped": figures["funnel"]["stopped"]},
        "time_in_step": figures["time_in_step"],
        "in_guidance_now": {r["partner"]: r["in_guidance_now"] for r in figures["capacity"] if r["in_guidance_now"]},
        "forecast": {
            k: fc[k]
            for k in (
                "guided_so_far",
                "pipeline",
                "inflow",
                "expected_guided_at_end",
                "sd",
                "band_80",
                "band_95",
                "probability_target_met",
            )
        },
    }


def differences(left: Any, right: Any, path: str = "") -> Iterator[str]:
    """Yield every path where the two structures differ (exactly: floats must be equal to the last digit)."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right), key=str):
            if key not in left or key not in right:
                yield f"{path}/{key}: {'missing in the recomputation' if key not in left else 'missing in kpis'}"
            else:
                yield from differences(left[key], right[key], f"{path}/{key}")
    elif isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            yield from differences(a, b, f"{path}[{index}]")
    elif left != right:
        yield f"{path}: recomputed {left!r}, kpis {right!r}"


def _json_keys(value: Any) -> Any:
    """Normalise dict keys as JSON does (None → "null", ints → strings) so both sides compare alike."""
    if isinstance(value, dict):
        return {("null" if k is None else str(k)): _json_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_keys(v) for v in value]
    return value


def compare(rows: list[dict[str, Any]], figures: dict[str, Any]) -> list[str]:
    """Return the differences between the recomputation and the published figures (empty when they agree)."""
    return list(differences(_json_keys(recompute(rows, figures)), _json_keys(published(figures))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="The CSV written by `manage.py export_trajectories --output FILE`.")
    parser.add_argument("--kpis", required=True, help="The JSON printed by `manage.py kpis --json` (same options).")
    args = parser.parse_args(argv)
    with open(args.kpis, encoding="utf-8") as file:
        figures = json.load(file)
    with open(args.csv, encoding="utf-8", newline="") as file:
        rows = read_export(file, partner=figures["period"]["partner"])
    found = compare(rows, figures)
    for line in found:
        print(line)
    print(
        f"{len(rows)} trajectories read; "
        + ("every recomputed figure agrees with kpis --json." if not found else f"{len(found)} differences.")
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
