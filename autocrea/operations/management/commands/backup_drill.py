"""`manage.py backup_drill`: back up, restore into an empty database, compare table by table.

Prints one line per table (rows in the source, rows restored, content hash equal) and fails with a
non-zero exit status on any difference (docs/operations.md says when to run it).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from autocrea.operations.backups import OperationError
from autocrea.operations.drill import TableComparison, run_drill


def render(rows: list[TableComparison]) -> list[str]:
    width = max([len("table"), *(len(row.table) for row in rows)])
    lines = [f"{'table':<{width}}  {'rows source':>12}  {'rows restored':>13}  hash equal"]
    for row in rows:
        source = "-" if row.rows_source is None else str(row.rows_source)
        restored = "-" if row.rows_restored is None else str(row.rows_restored)
        verdict = "yes" if row.hash_equal else "NO"
        lines.append(f"{row.table:<{width}}  {source:>12}  {restored:>13}  {verdict}")
    return lines


class Command(BaseCommand):
    help = "Backup drill: back up, restore into a fresh database, compare row counts and content hashes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = run_drill(connections[options["database"]])
        except OperationError as exc:
            raise CommandError(str(exc)) from exc
        for line in render(rows):
            self.stdout.write(line)
        different = [row.table for row in rows if not row.equal]
        total = sum(row.rows_source or 0 for row in rows)
        if different:
            raise CommandError(f"Backup drill FAILED: {len(different)} table(s) differ: {', '.join(different)}")
        self.stdout.write(f"Backup drill passed: {len(rows)} tables, {total} rows, counts and hashes equal.")
