"""Time the whole programme dashboard from the summary tables against the full scans, in the same run.

    manage.py benchmark_kpis [--runs 7] [--from D] [--to D] [--partner SLUG] [--dimension gender …]

The dashboard view computes three things (reporting/views.py `_dashboard`): `kpis.compute_kpis`
(guided, target, exits, funnel, time in step, capacity, forecast), `survival.survival_summary`
(Kaplan–Meier, Aalen–Johansen at 6, 12 and 18 months) and `kpis.equity` for the dimension shown
(gender by default; `--dimension` again for more, `--dimension all` for the seven of `kpis --json`).
The whole set is computed three ways, each `--runs` times, interleaved so that the machine's noise hits
them alike:

- **summary**: every part with `source="summary"`: grouped sums over the summary counts;
- **full**: every part with `source="full"`, the reference: aggregates and scans over the trajectories;
- **full SQL only**: the SQL statements the full computation sends, replayed as raw SQL (no ORM, no
  Python around them): the database's share of the full scans, the baseline the ratio is judged on.

The numbers of summary and full must be identical (compared as JSON). Targets (issue 5, item 9): the
whole dashboard from the summaries under 100 ms (median) and at least 10× faster than the full scans'
SQL. Medians are printed per part and in total, with the ratio and PASS/FAIL.
"""

from __future__ import annotations

import datetime
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrea.partners.models import Partner
from autocrea.pathways.models import Trajectory
from autocrea.reporting import kpis, survival
from autocrea.reporting.management.commands.kpis import parse_date
from autocrea.reporting.models import SummaryCount

TARGET_MS = 100.0
TARGET_RATIO = 10.0


def _ms(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


PARTS = ("kpis", "survival", "equity")


def dashboard(
    *,
    source: str,
    start: datetime.date | None,
    end: datetime.date | None,
    partner_id: int | None,
    today: datetime.date,
    dimensions: list[str],
    timings: dict[str, list[float]] | None = None,
) -> dict[str, Any]:
    """Return everything the programme dashboard view computes, each part from `source`; time each part."""
    common: dict[str, Any] = {"start": start, "end": end, "partner_id": partner_id}
    parts: dict[str, Callable[[], Any]] = {
        "kpis": lambda: kpis.compute_kpis(**common, today=today, source=source),
        "survival": lambda: survival.survival_summary(**common, today=today, source=source),
        "equity": lambda: {d: kpis.equity(dimension=d, **common, source=source) for d in dimensions},
    }
    result = {}
    for name, compute in parts.items():
        elapsed, result[name] = _ms(compute)
        if timings is not None:
            timings.setdefault(name, []).append(elapsed)
    return result


class Command(BaseCommand):
    help = "Time the programme figures from the summary tables against the full scans (same run), check equality."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=7, help="Timed runs of each method (the median is kept).")
        parser.add_argument("--from", dest="start", help="First day of the period (default: programme start).")
        parser.add_argument("--to", dest="end", help="Last day of the period (default: programme end).")
        parser.add_argument("--partner", help="One partner's figures (slug) instead of the programme's.")
        parser.add_argument(
            "--dimension",
            dest="dimensions",
            action="append",
            help="Equity dimension(s) shown (default: gender, the dashboard's; 'all': the seven).",
        )

    def handle(
        self,
        *args: Any,
        runs: int,
        start: str | None,
        end: str | None,
        partner: str | None,
        dimensions: list[str] | None,
        **options: Any,
    ) -> None:
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        common = _period_and_scope(start=start, end=end, partner=partner, dimensions=dimensions)
        run = _measure(common, runs=runs)
        ok = _report(self.stdout.write, run, chosen=common["dimensions"], runs=runs)
        if not ok["identical"]:
            raise CommandError("The figures from the summary tables differ from the full computation.")


def _period_and_scope(
    *, start: str | None, end: str | None, partner: str | None, dimensions: list[str] | None
) -> dict[str, Any]:
    """Check the options and return the dashboard's arguments: the period, the partner and the dimensions."""
    start_on = parse_date(start, option="--from")
    end_on = parse_date(end, option="--to")
    chosen = dimensions or ["gender"]
    if "all" in chosen:
        chosen = list(kpis.DIMENSIONS)
    unknown = [d for d in chosen if d not in kpis.DIMENSIONS]
    if unknown:
        raise CommandError(f"Unknown dimension {unknown[0]!r}: {', '.join(kpis.DIMENSIONS)} or all.")
    partner_id = None
    if partner:
        partner_id = Partner.objects.filter(slug=partner).values_list("pk", flat=True).first()
        if partner_id is None:
            raise CommandError(f"Unknown partner {partner!r}.")
    today = kpis.resolve_period(start=start_on, end=end_on)[2]
    return {
        "start": start_on,
        "end": end_on,
        "partner_id": partner_id,
        "today": today,
        "dimensions": chosen,
    }


def _measure(common: dict[str, Any], *, runs: int) -> dict[str, Any]:
    """Time the three ways `runs` times, interleaved; return the timings, the results and the reference."""
    # Warm up (plans, caches) and capture the full computation's SQL for the raw replay.
    reference = dashboard(source="full", **common)
    with CaptureQueriesContext(connection) as captured:
        dashboard(source="full", **common)
    statements = [q["sql"] for q in captured.captured_queries]
    dashboard(source="summary", **common)

    def replay() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    replay()
    summary_parts: dict[str, list[float]] = {}
    full_parts: dict[str, list[float]] = {}
    times: dict[str, list[float]] = {"summary": [], "full": [], "full_sql": []}
    results: list[dict[str, Any]] = []
    for _ in range(runs):
        elapsed, result = _ms(lambda: dashboard(source="summary", timings=summary_parts, **common))
        times["summary"].append(elapsed)
        results.append(result)
        times["full"].append(_ms(lambda: dashboard(source="full", timings=full_parts, **common))[0])
        times["full_sql"].append(_ms(replay)[0])
    return {
        "reference": reference,
        "statements": statements,
        "summary_parts": summary_parts,
        "full_parts": full_parts,
        "times": times,
        "results": results,
    }


def _report(out: Callable[[str], None], run: dict[str, Any], *, chosen: list[str], runs: int) -> dict[str, bool]:
    """Print the medians per way and per part, the ratios and PASS/FAIL; return the verdicts."""
    reference, times = run["reference"], run["times"]
    summary_parts, full_parts = run["summary_parts"], run["full_parts"]
    expected = json.dumps(reference, sort_keys=True)
    identical = all(json.dumps(r, sort_keys=True) == expected for r in run["results"])
    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio_sql = medians["full_sql"] / medians["summary"] if medians["summary"] else float("inf")
    ratio_full = medians["full"] / medians["summary"] if medians["summary"] else float("inf")
    fast = medians["summary"] < TARGET_MS
    faster = ratio_sql >= TARGET_RATIO
    ok = identical and fast and faster

    period = reference["kpis"]["period"]
    out(
        f"{connection.vendor}: {Trajectory.objects.count():,} trajectories, "
        f"{SummaryCount.objects.count():,} summary rows; period {period['start']} – {period['end']}, "
        f"partner {period['partner'] or 'all'}, equity by {', '.join(chosen)}; {runs} runs (median, ms)"
    )
    out("  the whole dashboard (headline figures + survival + equity):")
    out(
        f"  summary tables          {medians['summary']:9.1f} ms  ({len(times['summary'])} runs: "
        f"{', '.join(f'{t:.1f}' for t in times['summary'])})"
    )
    out(f"  full scan, SQL only     {medians['full_sql']:9.1f} ms  ({len(run['statements'])} statements)")
    out(f"  full scan, through ORM  {medians['full']:9.1f} ms")
    for name in PARTS:
        out(
            f"    {name:9} summary {statistics.median(summary_parts[name]):8.1f} ms   "
            f"full {statistics.median(full_parts[name]):9.1f} ms"
        )
    out(f"  ratio full SQL / summary   {ratio_sql:8.1f}×   (full ORM / summary {ratio_full:.1f}×)")
    out(f"  identical numbers: {'yes' if identical else 'NO'}")
    out(
        f"  summary < {TARGET_MS:.0f} ms: {'PASS' if fast else 'FAIL'}; "
        f"≥ {TARGET_RATIO:.0f}× faster than the full scan: {'PASS' if faster else 'FAIL'}"
    )
    out("PASS" if ok else "FAIL")
    return {"identical": identical, "ok": ok}
