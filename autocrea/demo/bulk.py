"""Writing the synthetic population in bulk: one transaction per batch, bypassing the services.

PostgreSQL's COPY or SQLite's executemany, memory bounded by the batch size. The rows keep every
invariant the services guarantee: the step-log chain ("" → interest → … → current step), the stored
current step, partner, dates, exit kind and version, the one live orientation and exit, and the
model CheckConstraints. The pathways come from autocrea/demo/population.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import CommandError
from django.db import connection, models, transaction

from autocrea.demo.population import Simulator
from autocrea.jobseekers.models import Jobseeker
from autocrea.pathways.models import (
    Decision,
    Exit,
    FollowUp,
    InformationAttendance,
    Orientation,
    StepLog,
    Trajectory,
)


@dataclass
class Table:
    """A table written in bulk: the fields the generator fills, then constant defaults for the others."""

    model: type[models.Model]
    fields: tuple[str, ...]
    with_id: bool
    columns: list[str] = field(init=False)
    defaults: tuple[Any, ...] = field(init=False)
    rest: list[models.Field[Any, Any]] = field(init=False)
    date_positions: list[int] = field(init=False)
    datetime_positions: list[int] = field(init=False)

    def __post_init__(self) -> None:
        meta = self.model._meta
        given = (("id",) if self.with_id else ()) + self.fields
        by_attname = {f.attname: f for f in meta.concrete_fields}
        rest = [f for f in meta.concrete_fields if f.attname not in given and not f.primary_key]
        defaults = []
        for f in rest:
            value = f.get_default()
            if value is None and not f.null:
                raise CommandError(f"generate_population does not fill {meta.label}.{f.name}: add it to the generator.")
            defaults.append(value)
        fields = [by_attname[name] for name in given] + rest
        self.columns = [str(f.column) for f in fields]
        self.defaults = tuple(defaults)
        self.rest = rest
        self.date_positions = [
            i
            for i, f in enumerate(fields)
            if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)
        ]
        self.datetime_positions = [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]

    @property
    def name(self) -> str:
        return self.model._meta.db_table


class Writer:
    """Reserve primary keys and insert rows: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self._adapted: dict[Any, Any] = {}
        self._defaults: dict[str, tuple[Any, ...]] = {}

    def defaults(self, table: Table) -> tuple[Any, ...]:
        """Return the constant values of the columns the generator does not fill, prepared for the database."""
        if table.name not in self._defaults:
            prepared = (f.get_db_prep_save(v, connection) for f, v in zip(table.rest, table.defaults, strict=True))
            self._defaults[table.name] = tuple(prepared)
        return self._defaults[table.name]

    def reserve_ids(self, table: Table, count: int) -> list[int]:
        """Return `count` new primary keys for `table`."""
        if count == 0:
            return []
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table.name, count],
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: one writer at a time (the batch's transaction holds the write lock once it writes).
            cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table.name}"')  # noqa: S608  # nosec B608  # why: table name from the models
            top = int(cursor.fetchone()[0])
            return list(range(top + 1, top + 1 + count))

    def insert(self, table: Table, rows: Sequence[tuple[Any, ...]]) -> int:
        if not rows:
            return 0
        columns = ", ".join(f'"{c}"' for c in table.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                defaults = self.defaults(table)
                with cursor.cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row + defaults)
            else:
                placeholders = ", ".join(["%s"] * len(table.columns))
                sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({placeholders})'  # noqa: S608  # nosec B608  # why: names from the models, values as parameters
                defaults = self.defaults(table)
                cursor.executemany(sql, [self._adapt_sqlite(table, row + defaults) for row in rows])
        return len(rows)

    def _adapt_sqlite(self, table: Table, row: tuple[Any, ...]) -> tuple[Any, ...]:
        # Python 3.12 deprecates sqlite3's implicit date adapters; adapt as Django does (cached: few distinct values).
        values = list(row)
        cache = self._adapted
        for i in table.date_positions:
            v = values[i]
            if v is not None and not isinstance(v, str):
                values[i] = cache.get(v) or cache.setdefault(v, v.isoformat())
        for i in table.datetime_positions:
            v = values[i]
            if v is not None and not isinstance(v, str):
                key = ("dt", v)
                values[i] = cache.get(key) or cache.setdefault(key, connection.ops.adapt_datetimefield_value(v))
        return tuple(values)


JOBSEEKERS = Table(
    Jobseeker,
    (
        "first_name",
        "last_name",
        "search_name",
        "contact_language",
        "birth_date",
        "gender",
        "commune_id",
        "education_level",
        "diploma_recognised",
        "unemployed_since",
        "income_source",
        "created_at",
        "updated_at",
    ),
    with_id=True,
)
TRAJECTORIES = Table(
    Trajectory,
    (
        "jobseeker_id",
        "current_step",
        "partner_id",
        "sector_id",
        "intake_channel",
        "interest_on",
        "information_on",
        "decision_on",
        "orientation_on",
        "guided_on",
        "accompaniment_on",
        "exit_on",
        "follow_up_on",
        "stopped_on",
        "exit_kind_id",
        "version",
        "last_activity_at",
        "created_at",
    ),
    with_id=True,
)
STEPS = Table(
    StepLog, ("trajectory_id", "from_step", "to_step", "on", "at", "channel", "reason", "partner_id", "action"), False
)
DECISIONS = Table(Decision, ("trajectory_id", "go_ahead", "reason", "decided_on"), False)
ORIENTATIONS = Table(
    Orientation,
    ("trajectory_id", "partner_id", "chosen_by_person", "oriented_on", "status", "answered_on", "answer_reason"),
    False,
)
ATTENDANCES = Table(InformationAttendance, ("trajectory_id", "individual_interview_on", "status"), False)
EXITS = Table(Exit, ("trajectory_id", "partner_id", "kind_id", "exit_on", "enterprise_number"), with_id=True)
FOLLOW_UPS = Table(
    FollowUp,
    ("trajectory_id", "exit_id", "due_on", "status", "answered_on", "situation", "improved", "source"),
    False,
)


def write_batch(writer: Writer, simulator: Simulator, indexes: Iterable[int]) -> int:
    """Generate and insert the pathways `indexes` in one transaction; return the rows written."""
    pathways = [simulator.pathway(i) for i in indexes]
    with transaction.atomic():
        person_ids = writer.reserve_ids(JOBSEEKERS, len(pathways))
        rows = writer.insert(JOBSEEKERS, [(pid, *p.person) for pid, p in zip(person_ids, pathways, strict=True)])
        trajectory_ids = writer.reserve_ids(TRAJECTORIES, len(pathways))
        moment = Simulator.moment
        trajectories: list[tuple[Any, ...]] = []
        steps: list[tuple[Any, ...]] = []
        decisions: list[tuple[Any, ...]] = []
        orientations: list[tuple[Any, ...]] = []
        attendances: list[tuple[Any, ...]] = []
        exits: list[tuple[Any, ...]] = []
        follow_ups: list[tuple[Any, ...]] = []
        exit_ids = iter(writer.reserve_ids(EXITS, sum(1 for p in pathways if p.exit)))
        for tid, pid, p in zip(trajectory_ids, person_ids, pathways, strict=True):
            d = p.dates
            assert p.last_activity is not None
            trajectories.append(
                (
                    tid,
                    pid,
                    p.step,
                    p.partner_id,
                    p.sector,
                    p.intake_channel,
                    d["interest_on"],
                    d["information_on"],
                    d["decision_on"],
                    d["orientation_on"],
                    d["guided_on"],
                    d["accompaniment_on"],
                    d["exit_on"],
                    d["follow_up_on"],
                    d["stopped_on"],
                    p.exit_kind,
                    p.version,
                    moment(p.last_activity),
                    moment(d["interest_on"]),  # type: ignore[arg-type]
                )
            )
            steps.extend((tid, s[0], s[1], s[2], moment(s[2]), s[3], s[4], s[5], s[6]) for s in p.steps)
            decisions.extend((tid, *decision) for decision in p.decisions)
            orientations.extend((tid, *o) for o in p.orientations)
            if p.interview_on is not None:
                attendances.append((tid, p.interview_on, "present"))
            if p.exit is not None:
                eid = next(exit_ids)
                exits.append((eid, tid, *p.exit))
                assert p.follow_up is not None
                follow_ups.append((tid, eid, *p.follow_up))
        rows += writer.insert(TRAJECTORIES, trajectories)
        rows += writer.insert(STEPS, steps)
        rows += writer.insert(DECISIONS, decisions)
        rows += writer.insert(ORIENTATIONS, orientations)
        rows += writer.insert(ATTENDANCES, attendances)
        rows += writer.insert(EXITS, exits)
        rows += writer.insert(FOLLOW_UPS, follow_ups)
    return rows
