"""Time the programme dashboard's figures from the summary tables against the full scans, in the same run.

    manage.py benchmark_kpis [--runs 7] [--from D] [--to D] [--partner SLUG]

Three ways of computing `kpis.compute_kpis` (guided, target, exits, funnel, time in step, capacity,
forecast), each run `--runs` times, interleaved so that the machine's noise hits them alike:

- **summary**: `compute_kpis(source="summary")`, grouped sums over the summary counts;
- **full**: `compute_kpis(source="full")`, the reference: aggregates over the trajectory table;
- **full SQL only**: the SQL statements the full computation sends, replayed as raw SQL (no ORM, no
  Python around them): the database's share of the full scan, the baseline the ratio is judged on.

The numbers of summary and full must be identical (compared as JSON). Targets (issue 5, item 9):
summary median under 100 ms and at least 10× faster than the full scan's SQL. Medians are printed
with the ratio and PASS/FAIL. Survival and equity are timed too, for information: they still scan.
"""

from __future__ import annotations

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


class Command(BaseCommand):
    help = "Time the programme figures from the summary tables against the full scans (same run), check equality."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=7, help="Timed runs of each method (the median is kept).")
        parser.add_argument("--from", dest="start", help="First day of the period (default: programme start).")
        parser.add_argument("--to", dest="end", help="Last day of the period (default: programme end).")
        parser.add_argument("--partner", help="One partner's figures (slug) instead of the programme's.")
        parser.add_argument("--no-extras", action="store_true", help="Skip timing survival and equity.")

    def handle(
        self,
        *args: Any,
        runs: int,
        start: str | None,
        end: str | None,
        partner: str | None,
        no_extras: bool,
        **options: Any,
    ) -> None:
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        start_on = parse_date(start, option="--from")
        end_on = parse_date(end, option="--to")
        partner_id = None
        if partner:
            partner_id = Partner.objects.filter(slug=partner).values_list("pk", flat=True).first()
            if partner_id is None:
                raise CommandError(f"Unknown partner {partner!r}.")
        today = kpis.resolve_period(start=start_on, end=end_on)[2]

        def summary() -> dict[str, Any]:
            return kpis.compute_kpis(start=start_on, end=end_on, partner_id=partner_id, today=today, source="summary")

        def full() -> dict[str, Any]:
            return kpis.compute_kpis(start=start_on, end=end_on, partner_id=partner_id, today=today, source="full")

        # Warm up (plans, caches) and capture the full computation's SQL for the raw replay.
        reference = full()
        with CaptureQueriesContext(connection) as captured:
            full()
        statements = [q["sql"] for q in captured.captured_queries]
        summary()

        def replay() -> None:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        replay()
        times: dict[str, list[float]] = {"summary": [], "full": [], "full_sql": []}
        results: list[dict[str, Any]] = []
        for _ in range(runs):
            elapsed, result = _ms(summary)
            times["summary"].append(elapsed)
            results.append(result)
            times["full"].append(_ms(full)[0])
            times["full_sql"].append(_ms(replay)[0])
        expected = json.dumps(reference, sort_keys=True)
        identical = all(json.dumps(r, sort_keys=True) == expected for r in results)
        medians = {name: statistics.median(values) for name, values in times.items()}
        ratio_sql = medians["full_sql"] / medians["summary"] if medians["summary"] else float("inf")
        ratio_full = medians["full"] / medians["summary"] if medians["summary"] else float("inf")
        fast = medians["summary"] < TARGET_MS
        faster = ratio_sql >= TARGET_RATIO
        ok = identical and fast and faster

        out = self.stdout.write
        out(
            f"{connection.vendor}: {Trajectory.objects.count():,} trajectories, "
            f"{SummaryCount.objects.count():,} summary rows; period {reference['period']['start']} – "
            f"{reference['period']['end']}, partner {reference['period']['partner'] or 'all'}, "
            f"{runs} runs (median, ms)"
        )
        out(
            f"  summary tables          {medians['summary']:9.1f} ms  ({len(times['summary'])} runs: "
            f"{', '.join(f'{t:.1f}' for t in times['summary'])})"
        )
        out(f"  full scan, SQL only     {medians['full_sql']:9.1f} ms  ({len(statements)} statements)")
        out(f"  full scan, through ORM  {medians['full']:9.1f} ms")
        out(f"  ratio full SQL / summary   {ratio_sql:8.1f}×   (full ORM / summary {ratio_full:.1f}×)")
        out(f"  identical numbers: {'yes' if identical else 'NO'}")
        out(
            f"  summary < {TARGET_MS:.0f} ms: {'PASS' if fast else 'FAIL'}; "
            f"≥ {TARGET_RATIO:.0f}× faster than the full scan: {'PASS' if faster else 'FAIL'}"
        )
        if not no_extras:
            survival_ms = statistics.median(
                _ms(lambda: survival.survival_summary(start=start_on, end=end_on, partner_id=partner_id, today=today))[
                    0
                ]
                for _ in range(min(runs, 3))
            )
            equity_ms = statistics.median(
                _ms(lambda: kpis.equity(dimension="gender", start=start_on, end=end_on, partner_id=partner_id))[0]
                for _ in range(min(runs, 3))
            )
            out(f"  not from summaries yet: survival {survival_ms:.0f} ms, equity (one dimension) {equity_ms:.0f} ms")
        out("PASS" if ok else "FAIL")
        if not identical:
            raise CommandError("The figures from the summary tables differ from the full computation.")
