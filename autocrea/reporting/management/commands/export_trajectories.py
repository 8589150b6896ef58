"""Export one pseudonymised row per trajectory, as Belgian-Excel CSV or XLSX (columns: docs/export.md)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autocrea.partners.models import Partner
from autocrea.pathways.models import Trajectory
from autocrea.reporting import export


class Command(BaseCommand):
    help = "Export every trajectory as pseudonymised rows (no name, no national number): CSV to stdout or a file, XLSX to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", dest="fmt")
        parser.add_argument("--output", help="File to write; CSV goes to standard output without it.")
        parser.add_argument("--partner", help="Only the trajectories of this partner (slug).")

    def handle(self, *args: Any, fmt: str, output: str | None, partner: str | None, **options: Any) -> None:
        queryset = Trajectory.objects.all()
        if partner:
            if not Partner.objects.filter(slug=partner).exists():
                raise CommandError(f"Unknown partner {partner!r}.")
            queryset = queryset.filter(partner__slug=partner)
        started = time.monotonic()
        if fmt == "xlsx":
            if not output:
                raise CommandError("--format xlsx needs --output FILE (a workbook is not written to a terminal).")
            count = export.write_xlsx(queryset, output)
        elif output:
            with open(output, "w", encoding="utf-8", newline="") as file:
                count = export.write_csv(queryset, file)
        else:
            for chunk in export.iter_csv(queryset):
                self.stdout.write(chunk, ending="")
            return
        self.stderr.write(f"{count} trajectories written to {output} in {time.monotonic() - started:.1f} s")
