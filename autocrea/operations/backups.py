"""Backup and restore of the configured database (docs/operations.md).

PostgreSQL goes through the client tools (`pg_dump -Fc` / `pg_restore`), which must be of the
server's major version or newer; SQLite through its online backup API, so that a running site can
be copied page by page without stopping. A backup file says what it is by its first bytes ("PGDMP"
for pg_dump's custom format, "SQLite format 3" for SQLite), so that a restore never feeds one
database the other's file.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404  # why: the PostgreSQL client tools, run with fixed argument lists, no shell
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

POSTGRES_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class OperationError(Exception):
    """A backup, restore or drill that cannot go on; the message says what to do."""


def default_output(vendor: str) -> Path:
    """backups/autocrea-<UTC time>.<kind> under settings.BACKUP_DIR."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    suffix = "dump" if vendor == "postgresql" else "sqlite3"
    return Path(settings.BACKUP_DIR) / f"autocrea-{stamp}.{suffix}"


@contextmanager
def other_database(connection: BaseDatabaseWrapper, name: str, alias: str) -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own, same backend, to database `name` (the drill's copy, `postgres`).

    It is registered under `alias` while in use: Django's introspection opens transactions by alias.
    """
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["NAME"] = name
    # The class of the wrapper itself: `django.db.connection` is only a proxy to it.
    backend = connections[connection.alias].__class__
    other = backend(settings_dict, alias)
    connections[alias] = other
    try:
        yield other
    finally:
        other.close()
        del connections[alias]


def kind_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(POSTGRES_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise OperationError(f"{path} is neither a pg_dump custom-format file nor a SQLite database.")


def table_count(connection: BaseDatabaseWrapper) -> int:
    with connection.cursor() as cursor:
        return len(connection.introspection.table_names(cursor))


# --- SQLite ---------------------------------------------------------------------------------------


def _sqlite_backup(connection: BaseDatabaseWrapper, output: Path) -> None:
    connection.ensure_connection()
    # The raw connection also reaches an in-memory database (the tests'), which a file path could not.
    with closing(sqlite3.connect(output)) as target:
        connection.connection.backup(target)


def sqlite_copy(source: Path, target: sqlite3.Connection) -> None:
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup:
        backup.backup(target)


def _sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    connection.ensure_connection()
    # The backup API replaces every page of the target: what the file holds is what the database holds.
    sqlite_copy(path, connection.connection)


# --- PostgreSQL -----------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise OperationError(
            f"{name} is not installed. Install the PostgreSQL client of the server's major version, "
            "e.g. `apt-get install postgresql-client-15` (docs/operations.md)."
        )
    return found


def _major(text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    if not match:
        raise OperationError(f"cannot read a PostgreSQL version from {text!r}")
    return int(match.group(1))


def check_client_version(connection: BaseDatabaseWrapper, tool: str) -> str:
    """The tool's path, once its major version is known to handle the server's (older clients refuse)."""
    path = _tool(tool)
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603  # nosec B603  # why: a fixed argument list, no shell
    client = _major(out.split(")", 1)[-1])  # "pg_dump (PostgreSQL) 15.20 (Debian …)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = _major(cursor.fetchone()[0])
    if client < server:
        raise OperationError(
            f"{tool} {client} cannot handle a PostgreSQL {server} server: "
            f"install postgresql-client-{server} (docs/operations.md)."
        )
    return path


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    # Through the environment, so that the password never shows in the process list.
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({key: str(value) for key, value in pairs.items() if value})
    return env


def _run(args: list[str], settings_dict: dict[str, Any]) -> None:
    done = subprocess.run(args, env=_pg_env(settings_dict), capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603  # why: a fixed argument list, no shell
    if done.returncode != 0:
        raise OperationError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()}")


def pg_dump(connection: BaseDatabaseWrapper, output: Path, snapshot: str = "") -> None:
    tool = check_client_version(connection, "pg_dump")
    args = [tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={output}"]
    if snapshot:
        args.append(f"--snapshot={snapshot}")
    _run([*args, "--", str(connection.settings_dict["NAME"])], connection.settings_dict)


def pg_restore(connection: BaseDatabaseWrapper, path: Path, *, replace: bool) -> None:
    tool = check_client_version(connection, "pg_restore")
    args = [tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if replace:
        args += ["--clean", "--if-exists"]
    _run([*args, f"--dbname={connection.settings_dict['NAME']}", "--", str(path)], connection.settings_dict)


@contextmanager
def maintenance_cursor(connection: BaseDatabaseWrapper) -> Iterator[Any]:
    """A cursor on the server's `postgres` database, to create and drop the drill's database."""
    with other_database(connection, "postgres", "operations_maintenance") as other, other.cursor() as cursor:
        yield cursor


# --- the two operations ---------------------------------------------------------------------------


def backup(connection: BaseDatabaseWrapper, output: Path) -> Path:
    """Write a backup of the connection's database to `output` (readable by its owner only)."""
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new backup folder is private too
    # Personal data: the file is created private, before anything is written into it.
    output.touch(mode=0o600, exist_ok=False)
    try:
        if connection.vendor == "postgresql":
            pg_dump(connection, output)
        elif connection.vendor == "sqlite":
            _sqlite_backup(connection, output)
        else:
            raise OperationError(f"no backup for the {connection.vendor} database backend")
    except BaseException:
        output.unlink(missing_ok=True)
        raise
    return output


def restore(connection: BaseDatabaseWrapper, path: Path, *, replace: bool) -> None:
    """Restore `path` into the connection's database; `replace` allows a target that holds tables."""
    kind = kind_of(path)
    if kind != connection.vendor:
        raise OperationError(f"{path} is a {kind} backup; the configured database is {connection.vendor}.")
    tables = table_count(connection)
    if tables and not replace:
        raise OperationError(
            f"The target database {connection.settings_dict['NAME']} is not empty ({tables} tables). "
            "Restoring replaces what it holds: run again with --yes to replace it."
        )
    if kind == "postgresql":
        pg_restore(connection, path, replace=bool(tables))
    else:
        _sqlite_restore(connection, path)
    connection.close()  # whatever the connection cached (e.g. SQLite's schema) belongs to the old database
