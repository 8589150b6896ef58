"""Recompute the summary counts behind the programme figures from the tables (reporting/summaries.py).

    manage.py rebuild_summaries             # rebuild now
    manage.py rebuild_summaries --schedule  # rebuild now, then every SUMMARY_REFRESH_SECONDS by the worker

The services never touch the counts: the worker rebuilds them on a schedule (reporting/tasks.py),
started by `--schedule` (run it once at each deployment, after `migrate`: it never queues a second
repeating refresh). generate_population and seed_demo rebuild at their end. On PostgreSQL the
readers are not blocked (a table built aside, then swapped in); a rebuild already running elsewhere
makes this one skip.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from autocrea.reporting import summaries, tasks


class Command(BaseCommand):
    help = "Recompute the summary counts behind the programme figures from the trajectory tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Also have the background worker rebuild them every SUMMARY_REFRESH_SECONDS.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rows = summaries.rebuild()
        if rows is None:
            self.stdout.write("Another rebuild of the summaries is running: skipped.")
        else:
            self.stdout.write(f"{rows} summary rows rebuilt in {time.monotonic() - started:.1f} s.")
        if options["schedule"]:
            delay = settings.SUMMARY_REFRESH_SECONDS
            if tasks.schedule(delay=delay):
                self.stdout.write(f"The worker rebuilds them every {delay} s from now on.")
            else:
                self.stdout.write("A scheduled rebuild is already queued (or the task backend cannot defer).")
