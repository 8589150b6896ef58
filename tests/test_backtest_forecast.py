"""The forecast backtest: coverage computed right on a hand-made case, the command's output on a few years."""

from __future__ import annotations

import datetime
import io
import re

from django.core.management import call_command

from autocrea.reporting import backtest, forecast
from autocrea.reporting.backtest import Outcome

DAY = datetime.date(2025, 6, 1)


def test_coverage_counts_the_realised_values_inside_the_band_bounds_included() -> None:
    outcomes = [
        Outcome(DAY, 15.0, 10.0, 20.0, 15),  # inside
        Outcome(DAY, 15.0, 10.0, 20.0, 20),  # on the upper bound: inside
        Outcome(DAY, 15.0, 10.0, 20.0, 21),  # above
        Outcome(DAY, 3.5, 3.0, 4.0, 2),  # below
    ]
    assert backtest.coverage(outcomes) == 0.5
    assert backtest.mean_error(outcomes) == ((15 - 15) + (15 - 20) + (15 - 21) + (3.5 - 2)) / 4
    assert backtest.coverage([]) == 0.0


def test_the_drift_of_the_interest_rate_by_hand() -> None:
    assert forecast.drift_squared([100]) == 0.0  # one window: no trend to see
    assert forecast.drift_squared([120, 100]) == (20 / 120) ** 2  # slope −20 per window back, latest 120
    assert forecast.drift_squared([5, 5, 5, 5]) == 0.0


def test_the_simulated_funnel_is_seen_as_on_the_cut_date() -> None:
    import random

    people = backtest.history(random.Random(3), start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31))
    seen = backtest.SeenOn(people, DAY)
    assert all(r["interest_on"] <= DAY for r in seen.rows)
    assert all(r["guided_on"] is None or r["guided_on"] <= DAY for r in seen.rows)
    guided = [r for r in seen.rows if r["guided_on"] is not None]
    assert guided and all(r["current_step"] == "diagnostic" for r in guided)
    rate, n_guided, resolved = seen.conversion("interest_on")
    assert rate == n_guided / resolved and 0.4 < rate < 0.9


def test_the_command_prints_coverage_mean_error_and_a_verdict() -> None:
    out = io.StringIO()
    call_command("backtest_forecast", "--years", "3", "--seed", "2", stdout=out)
    text = out.getvalue()
    assert "histories: 3 (seed 2)" in text
    inside = int(re.search(r"inside the 80 % band: (\d+)", text).group(1))
    coverage = float(re.search(r"coverage: ([\d.]+)%", text).group(1))
    assert coverage == round(inside / 3 * 100, 1)
    assert re.search(r"mean error \(forecast - realised\): [+-][\d.]+ people", text)
    assert re.search(r"^(PASS|FAIL): coverage", text, re.M)
    assert ("PASS" in text) == (70 <= coverage <= 90)


def test_the_export_recomputation_stays_independent_of_the_code_it_checks() -> None:
    """scripts/recompute_kpis_from_export.py imports the standard library only, and no line of the forecast."""
    import ast
    import inspect
    import sys
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.BASE_DIR) / "scripts" / "recompute_kpis_from_export.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert modules <= set(sys.stdlib_module_names) | {"__future__"}, modules
    script = {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}
    kernel = [line.strip() for line in inspect.getsource(forecast.forecast_from).splitlines()]
    # Output keys ("name": value,) are the contract both sides share; a statement of arithmetic is not.
    arithmetic = (" * ", " / ", " + ", " - ", "**")
    statements = [line for line in kernel if (" = " in line or " += " in line) and any(a in line for a in arithmetic)]
    copied = [line for line in statements if line in script]
    assert not copied, copied
