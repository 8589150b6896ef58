"""Generate a deterministic synthetic population for figures and scale (works for a million trajectories).

    manage.py generate_population --trajectories 1000000 --seed 1 [--batch-size 5000]

Same N and seed → same people and pathways (dates are counted from the programme start,
2024-01-01, and cut at today: a pathway whose next step would fall after today stays open there).
Each trajectory draws from its own random stream, seeded by (seed, index), so the data do not
depend on the batch size either.

Speed: rows are generated and written batch by batch (one transaction per batch, memory bounded
by the batch size), with PostgreSQL's COPY or SQLite's executemany, bypassing the services. The
rows keep every invariant the services guarantee: the step-log chain ("" → interest → … →
current step), the stored current step, partner, dates, exit kind and version, the one live
orientation and exit, and the model CheckConstraints. The pathways are drawn without the database
in autocrea/demo/population.py (Simulator) and written by autocrea/demo/bulk.py (write_batch).

Appending: a second run ADDS N more job seekers and trajectories (new ids); with the same seed
the new people have the same names and pathways as the first run's. No national number, e-mail
or phone is generated, so nothing unique can collide. Not meant to run concurrently with itself.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from autocrea.demo.bulk import Writer, write_batch
from autocrea.demo.personas import ensure_partners
from autocrea.demo.population import EXIT_WEIGHTS, Simulator
from autocrea.reference.models import ExitKind
from autocrea.reporting import summaries


class Command(BaseCommand):
    help = "Generate N synthetic trajectories (deterministic for a given seed); a second run appends."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trajectories", type=int, required=True, help="How many trajectories (and people).")
        parser.add_argument("--seed", type=int, default=1, help="Same N and seed → same data.")
        parser.add_argument("--batch-size", type=int, default=5000, help="Trajectories per transaction.")

    def handle(self, *args: Any, trajectories: int, seed: int, batch_size: int, **options: Any) -> None:
        if trajectories < 0 or batch_size < 1 or seed < 0:
            raise CommandError("--trajectories and --seed must be ≥ 0 and --batch-size ≥ 1.")
        partners = {slug: p.pk for slug, p in ensure_partners().items()}
        exit_kinds = {k.code: k for k in ExitKind.objects.filter(code__in=EXIT_WEIGHTS)}
        missing = set(EXIT_WEIGHTS) - set(exit_kinds)
        if missing:
            raise CommandError(f"Missing exit kinds in the reference data: {', '.join(sorted(missing))}.")
        simulator = Simulator(seed=seed, today=timezone.localdate(), partners=partners, exit_kinds=exit_kinds)
        writer = Writer()
        started = time.monotonic()
        rows = 0
        with tqdm(total=trajectories, unit=" trajectories", file=sys.stderr, disable=None, smoothing=0.1) as bar:
            for first in range(0, trajectories, batch_size):
                indexes = range(first, min(first + batch_size, trajectories))
                rows += write_batch(writer, simulator, indexes)
                bar.update(len(indexes))
        elapsed = max(time.monotonic() - started, 1e-6)
        self.stdout.write(
            f"{trajectories} trajectories, {rows} rows in {elapsed:.1f} s "
            f"({rows / elapsed:,.0f} rows/s, {trajectories / elapsed:,.0f} trajectories/s) on {connection.vendor}."
        )
        # A bulk load: rebuild the summary counts behind the figures now (reporting/summaries.py).
        rebuilt = time.monotonic()
        summary_rows = summaries.rebuild()
        self.stdout.write(f"{summary_rows} summary rows rebuilt in {time.monotonic() - rebuilt:.1f} s.")
