"""Print the programme figures (docs/kpis.md): KPIs, censoring-aware survival and equity breakdowns."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autocrea.partners.models import Partner
from autocrea.reporting import kpis, summaries, survival

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def parse_date(value: str | None, *, option: str) -> datetime.date | None:
    """Parse DD/MM/YYYY (the Belgian form) or YYYY-MM-DD, or raise CommandError."""
    if value is None:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise CommandError(f"{option}: {value!r} is not a date; write DD/MM/YYYY or YYYY-MM-DD.")


def build_report(
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    partner_id: int | None,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """Return compute_kpis' figures plus the survival and equity sections."""
    report = kpis.compute_kpis(start=start, end=end, partner_id=partner_id, today=today)
    report["survival"] = survival.survival_summary(start=start, end=end, partner_id=partner_id, today=today)
    report["equity"] = {
        dimension: kpis.equity(dimension=dimension, start=start, end=end, partner_id=partner_id)
        for dimension in kpis.DIMENSIONS
    }
    return report


class Command(BaseCommand):
    help = "Print the programme figures (guided, exits, funnel, capacity, forecast, survival, equity)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print every figure as JSON.")
        parser.add_argument("--from", dest="start", help="First day of the period (DD/MM/YYYY or YYYY-MM-DD).")
        parser.add_argument("--to", dest="end", help="Last day of the period (DD/MM/YYYY or YYYY-MM-DD).")
        parser.add_argument("--partner", help="Only the trajectories this partner holds (slug).")

    def handle(
        self, *args: Any, as_json: bool, start: str | None, end: str | None, partner: str | None, **options: Any
    ) -> None:
        start_on = parse_date(start, option="--from")
        end_on = parse_date(end, option="--to")
        partner_id = None
        if partner:
            partner_id = Partner.objects.filter(slug=partner).values_list("pk", flat=True).first()
            if partner_id is None:
                raise CommandError(f"Unknown partner {partner!r}.")
        try:
            report = build_report(start=start_on, end=end_on, partner_id=partner_id)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        report["as_of"] = summaries.as_of_iso()  # when the summaries behind the figures were built
        if as_json:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
            return
        exits = report["exits"]
        target = report["target"]
        forecast = report["forecast"]
        lines = [
            f"Period {report['period']['start']} – {report['period']['end']}",
            f"Guided in the period: {report['guided']['count']}",
            f"Guided towards the target: {target['guided']} / {target['target']}",
            f"Exits: {exits['exits']} (positive {_pct(exits['positive_rate'])}, "
            f"job creation {_pct(exits['job_creation_rate'])})",
            f"Forecast at {forecast['programme_end']}: {forecast['expected_guided_at_end']:.0f} "
            f"(95 % band {forecast['band_95'][0]:.0f}–{forecast['band_95'][1]:.0f})",
            f"Figures as of {summaries.as_of_time(summaries.built_at()) or 'never (no summaries built yet)'}",
            "Use --json for every figure.",
        ]
        self.stdout.write("\n".join(lines))


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"
