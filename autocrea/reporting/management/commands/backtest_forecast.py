"""Backtest the guided-count forecast on generated programme histories: does its 80 % band cover 70–90 %?"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from autocrea.reporting import backtest

LOW, HIGH = 0.70, 0.90  # an honest 80 % band covers the realised value in about 80 % of the years


class Command(BaseCommand):
    help = (
        "Generate N programme histories in memory, cut each at an interim date, forecast the people guided at "
        "the end with the 80 %% band (reporting/forecast.py) and print the band's coverage and the mean error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=100, help="Number of generated histories (default 100).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args: Any, years: int, seed: int, **options: Any) -> None:
        outcomes = backtest.run(years=years, seed=seed)
        coverage = backtest.coverage(outcomes)
        errors = [o.expected - o.realised for o in outcomes]
        width = sum(o.high - o.low for o in outcomes) / len(outcomes)
        self.stdout.write(f"histories: {len(outcomes)} (seed {seed})")
        self.stdout.write(f"inside the 80 % band: {sum(o.covered for o in outcomes)}")
        self.stdout.write(f"coverage: {coverage:.1%}")
        self.stdout.write(f"mean error (forecast - realised): {backtest.mean_error(outcomes):+.1f} people")
        self.stdout.write(f"mean absolute error: {sum(abs(e) for e in errors) / len(errors):.1f} people")
        self.stdout.write(f"mean band width: {width:.1f} people")
        verdict = "PASS" if LOW <= coverage <= HIGH else "FAIL"
        self.stdout.write(f"{verdict}: coverage {'within' if verdict == 'PASS' else 'outside'} 70-90 %")
