"""`manage.py restore FILE [--yes]`: put a backup back into the configured database (docs/operations.md).

Refused without --yes when the target database already holds tables (they would be replaced) or
when the settings are production's (DEVELOPMENT off), so that nobody overwrites live data by typing
the wrong command on the wrong machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from autocrea.operations.backups import OperationError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into the configured database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a file written by `manage.py backup`")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="replace a database that is not empty, or restore with production settings",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        connection = connections[options["database"]]
        name = connection.settings_dict["NAME"]
        if not settings.DEVELOPMENT and not options["yes"]:
            raise CommandError(
                f"These are production settings (database {name}). Restoring replaces its data: "
                "run again with --yes if that is what you mean."
            )
        try:
            restore(connection, path, replace=options["yes"])
        except OperationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {path} into {name}. Run `manage.py migrate` if the code is newer than the backup.")
