"""Recompute the summary counts behind the programme figures from the tables (reporting/summaries.py).

    manage.py rebuild_summaries

The services keep the counts current in the same transaction as each step; run this after writing
trajectories in bulk outside the services (generate_population and seed_demo call it at their end),
or to repair the counts. A few INSERT … SELECT statements in one transaction.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from autocrea.reporting import summaries


class Command(BaseCommand):
    help = "Recompute the summary counts behind the programme figures from the trajectory tables."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rows = summaries.rebuild()
        self.stdout.write(f"{rows} summary rows rebuilt in {time.monotonic() - started:.1f} s.")
