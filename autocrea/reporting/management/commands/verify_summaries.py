"""Compare the figures read from the summary counts with the full computation; fail loudly on any difference.

    manage.py verify_summaries               # rebuild the summaries first, then compare
    manage.py verify_summaries --no-rebuild  # compare the summaries as they are (a live check)

Headline figures (kpis.compute_kpis), survival (survival.survival_summary) and every equity dimension
(kpis.equity), for the programme and for each partner, over the programme period, a whole year, an odd
period cut mid-month across year ends, and the last 45 days. Prints each difference (the path in the
figures, both values) and exits non-zero when there is any. CI runs it on a generated population.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from autocrea.partners.models import Partner
from autocrea.reporting import kpis, summaries, survival


def differences(summary: Any, full: Any, path: str = "") -> Iterator[str]:
    """Yield 'path: summary != full' for every value that differs between two JSON-like structures."""
    if isinstance(summary, dict) and isinstance(full, dict):
        for key in sorted(set(summary) | set(full), key=str):
            yield from differences(summary.get(key), full.get(key), f"{path}.{key}" if path else str(key))
    elif isinstance(summary, list) and isinstance(full, list) and len(summary) == len(full):
        for index, (a, b) in enumerate(zip(summary, full, strict=True)):
            yield from differences(a, b, f"{path}[{index}]")
    elif summary != full:
        yield f"{path}: summaries {summary!r} != full {full!r}"


def periods(today: datetime.date) -> list[tuple[datetime.date | None, datetime.date | None]]:
    """The programme period, last year, an odd period (edge days, months, a year), the last 45 days."""
    year = today.year
    return [
        (None, None),
        (datetime.date(year - 1, 1, 1), datetime.date(year - 1, 12, 31)),
        (datetime.date(year - 2, 11, 17), datetime.date(year, 2, 9)),
        (today - datetime.timedelta(days=45), today),
    ]


def compare(*, today: datetime.date) -> Iterator[str]:
    """Yield every difference between the summaries and the full computation."""
    scopes: list[tuple[str, int | None]] = [("programme", None)]
    scopes += [(slug, pk) for pk, slug in Partner.objects.order_by("slug").values_list("pk", "slug")]
    for name, partner_id in scopes:
        for start, end in periods(today):
            common: dict[str, Any] = {"start": start, "end": end, "partner_id": partner_id}
            where = f"{name} {start or 'programme start'}…{end or 'programme end'}"
            pairs: list[tuple[str, Any, Any]] = [
                (
                    "kpis",
                    kpis.compute_kpis(**common, today=today, source="summary"),
                    kpis.compute_kpis(**common, today=today, source="full"),
                ),
                (
                    "survival",
                    survival.survival_summary(**common, today=today, source="summary"),
                    survival.survival_summary(**common, today=today, source="full"),
                ),
            ]
            pairs += [
                (
                    f"equity:{dimension}",
                    kpis.equity(dimension=dimension, **common, source="summary"),
                    kpis.equity(dimension=dimension, **common, source="full"),
                )
                for dimension in kpis.DIMENSIONS
            ]
            for part, from_summaries, full in pairs:
                for difference in differences(from_summaries, full):
                    yield f"{where} {part} {difference}"


class Command(BaseCommand):
    help = "Compare the figures from the summary counts with the full computation; exit non-zero on a difference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-rebuild", action="store_true", help="Compare the summaries as they are.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_rebuild"] and summaries.rebuild() is None:
            raise CommandError("Another rebuild of the summaries is running: try again in a moment.")
        built = summaries.built_at()
        found = 0
        for line in compare(today=timezone.localdate()):
            found += 1
            self.stdout.write(line)
        as_of = f"as of {timezone.localtime(built):%Y-%m-%d %H:%M:%S}" if built else "never built"
        if found:
            raise CommandError(f"{found} differences between the summaries ({as_of}) and the full computation.")
        self.stdout.write(f"Summaries ({as_of}) and full computation: identical figures.")
