"""`manage.py backup [--output FILE]`: a backup of the configured database (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from autocrea.operations.backups import OperationError, backup, default_output


class Command(BaseCommand):
    help = "Back up the configured database (pg_dump -Fc on PostgreSQL, the backup API on SQLite)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="file to write (default: BACKUP_DIR/autocrea-<UTC time>.*)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        output = options["output"] or default_output(connection.vendor)
        if output.exists():
            raise CommandError(f"{output} already exists: a backup never overwrites another.")
        try:
            written = backup(connection, output)
        except OperationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{written} ({written.stat().st_size} bytes)")
