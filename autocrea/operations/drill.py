"""The backup drill: back up, restore into an empty database, compare table by table.

Each table gets a fingerprint: its row count and a SHA-256 of every row, every column, in
primary-key order (all columns when a table has no primary key). Values are written in one
canonical text form before hashing, so that the fingerprint depends on the data only, not on the
connection that read it. The source is read in the same snapshot that pg_dump copies (PostgreSQL:
an exported snapshot of a REPEATABLE READ transaction), so a site in use still gives equal figures.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from autocrea.operations import backups

FETCH = 2000


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    digest: str


@dataclass(frozen=True)
class TableComparison:
    table: str
    rows_source: int | None
    rows_restored: int | None
    hash_equal: bool

    @property
    def equal(self) -> bool:
        return self.hash_equal and self.rows_source == self.rows_restored


def _canonical(value: Any) -> Any:
    if isinstance(value, memoryview | bytes | bytearray):
        return {"bytes": bytes(value).hex()}
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return {"time": value.isoformat()}
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return {type(value).__name__: str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    return value


def _fingerprint_table(connection: BaseDatabaseWrapper, cursor: Any, table: str) -> Fingerprint:
    quote = connection.ops.quote_name
    columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
    order = connection.introspection.get_primary_key_columns(cursor, table) or columns
    # Names come from the database's own catalogue and are quoted: no outside input reaches this query.
    query = "SELECT {} FROM {} ORDER BY {}".format(  # noqa: S608  # nosec B608  # why: identifiers from introspection, quoted
        ", ".join(quote(c) for c in columns), quote(table), ", ".join(quote(c) for c in order)
    )
    cursor.execute(query)
    digest, rows = hashlib.sha256(), 0
    while batch := cursor.fetchmany(FETCH):
        for row in batch:
            digest.update(json.dumps(_canonical(list(row)), sort_keys=True, default=str).encode())
            digest.update(b"\n")
            rows += 1
    return Fingerprint(rows=rows, digest=digest.hexdigest())


def fingerprints(connection: BaseDatabaseWrapper, cursor: Any | None = None) -> dict[str, Fingerprint]:
    """Row count and content hash of every table of the connection's database."""
    if cursor is not None:
        return _fingerprints(connection, cursor)
    with connection.cursor() as own:
        return _fingerprints(connection, own)


def _fingerprints(connection: BaseDatabaseWrapper, cursor: Any) -> dict[str, Fingerprint]:
    tables = sorted(connection.introspection.table_names(cursor))
    return {table: _fingerprint_table(connection, cursor, table) for table in tables}


def compare(source: dict[str, Fingerprint], restored: dict[str, Fingerprint]) -> list[TableComparison]:
    """One line per table found on either side; a table missing on one side is a difference."""
    result = []
    for table in sorted(set(source) | set(restored)):
        left, right = source.get(table), restored.get(table)
        result.append(
            TableComparison(
                table=table,
                rows_source=left.rows if left else None,
                rows_restored=right.rows if right else None,
                hash_equal=bool(left and right and left.digest == right.digest),
            )
        )
    return result


Tamper = Callable[[BaseDatabaseWrapper], None]


def run_drill(connection: BaseDatabaseWrapper, *, before_compare: Tamper | None = None) -> list[TableComparison]:
    """Back up the connection's database, restore into a fresh one, compare; the copy is removed after.

    `before_compare` receives the restored copy's connection: the tests change a row there to prove
    that the comparison sees it.
    """
    with tempfile.TemporaryDirectory(prefix="autocrea-drill-") as folder:
        dump = Path(folder) / "drill.backup"
        if connection.vendor == "postgresql":
            source = _postgres_backup_in_snapshot(connection, dump)
            with _postgres_copy(connection, dump) as copy:
                return _finish(source, copy, before_compare)
        if connection.vendor == "sqlite":
            backups.backup(connection, dump)
            source = fingerprints(connection)
            with _sqlite_copy(connection, dump, Path(folder) / "restored.sqlite3") as copy:
                return _finish(source, copy, before_compare)
    raise backups.OperationError(f"no drill for the {connection.vendor} database backend")


def _finish(
    source: dict[str, Fingerprint], copy: BaseDatabaseWrapper, before_compare: Tamper | None
) -> list[TableComparison]:
    if before_compare is not None:
        before_compare(copy)
    return compare(source, fingerprints(copy))


def _postgres_backup_in_snapshot(connection: BaseDatabaseWrapper, dump: Path) -> dict[str, Fingerprint]:
    """pg_dump and the source's fingerprints read the very same snapshot of the database."""
    name = connection.settings_dict["NAME"]
    with backups.other_database(connection, name, "operations_source") as reader, reader.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        dump.touch(mode=0o600)
        backups.pg_dump(connection, dump, snapshot=snapshot)
        source = fingerprints(reader, cursor)
        cursor.execute("COMMIT")
    return source


@contextmanager
def _postgres_copy(connection: BaseDatabaseWrapper, dump: Path) -> Iterator[BaseDatabaseWrapper]:
    name = f"{connection.settings_dict['NAME']}_drill"
    quoted = connection.ops.quote_name(name)
    with backups.maintenance_cursor(connection) as cursor:
        # A drill that was killed half-way leaves its copy behind: start from nothing each time.
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")
    try:
        with backups.other_database(connection, name, "operations_drill") as copy:
            backups.restore(copy, dump, replace=False)
            yield copy
    finally:
        with backups.maintenance_cursor(connection) as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


@contextmanager
def _sqlite_copy(connection: BaseDatabaseWrapper, dump: Path, target: Path) -> Iterator[BaseDatabaseWrapper]:
    with backups.other_database(connection, str(target), "operations_drill") as copy:
        backups.restore(copy, dump, replace=False)  # a new file: an empty database
        yield copy
