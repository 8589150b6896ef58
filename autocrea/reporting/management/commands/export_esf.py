"""Write the ESF+ participant indicators (docs/kpis.md), by gender, with cells under 5 people emptied."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autocrea.partners.models import Partner
from autocrea.reporting import esf
from autocrea.reporting.kpis import resolve_period
from autocrea.reporting.management.commands.kpis import parse_date


class Command(BaseCommand):
    help = "Write the ESF+ participant indicators for a period (CSV, XLSX or JSON), small cells suppressed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", help="First day of the period (DD/MM/YYYY or YYYY-MM-DD).")
        parser.add_argument("--to", dest="end", help="Last day of the period (DD/MM/YYYY or YYYY-MM-DD).")
        parser.add_argument("--format", dest="fmt", choices=["csv", "xlsx", "json"], default="csv")
        parser.add_argument("--output", help="File to write (default: standard output; required for xlsx).")
        parser.add_argument("--partner", help="Only the trajectories this partner holds (slug).")

    def handle(
        self,
        *args: Any,
        start: str | None,
        end: str | None,
        fmt: str,
        output: str | None,
        partner: str | None,
        **options: Any,
    ) -> None:
        partner_id = None
        if partner:
            partner_id = Partner.objects.filter(slug=partner).values_list("pk", flat=True).first()
            if partner_id is None:
                raise CommandError(f"Unknown partner {partner!r}.")
        try:
            start_on, end_on, _today = resolve_period(
                start=parse_date(start, option="--from"), end=parse_date(end, option="--to")
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        data = esf.esf_indicators(start=start_on, end=end_on, partner_id=partner_id)
        if fmt == "xlsx":
            if not output:
                raise CommandError("--output is required for xlsx.")
            with open(output, "wb") as file:
                esf.write(data, "xlsx", file)
        elif fmt == "json":
            text = json.dumps(esf.export_json(data), indent=2, ensure_ascii=False)
            if output:
                with open(output, "w", encoding="utf-8") as file:
                    file.write(text + "\n")
            else:
                self.stdout.write(text)
        elif output:
            with open(output, "w", encoding="utf-8", newline="") as file:
                esf.write(data, "csv", file)
        else:
            esf.write(data, "csv", self.stdout)  # type: ignore[arg-type]
        if output:
            self.stderr.write(f"ESF+ indicators {start_on.isoformat()} – {end_on.isoformat()} written to {output}.")
