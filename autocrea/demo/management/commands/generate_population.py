"""Generate a deterministic synthetic population for figures and scale (works for a million trajectories).

    manage.py generate_population --trajectories 1000000 --seed 1 [--batch-size 5000]

Same N and seed → same people and pathways (dates are counted from the programme start,
2024-01-01, and cut at today: a pathway whose next step would fall after today stays open there).
Each trajectory draws from its own random stream, seeded by (seed, index), so the data do not
depend on the batch size either.

Speed: rows are generated and written batch by batch (one transaction per batch, memory bounded
by the batch size), with PostgreSQL's COPY or SQLite's executemany, bypassing the services. The
rows keep every invariant the services guarantee: the step-log chain ("" → interest → … →
current step), the stored current step, partner, dates, exit kind and version, the one live
orientation and exit, and the model CheckConstraints.

Appending: a second run ADDS N more job seekers and trajectories (new ids); with the same seed
the new people have the same names and pathways as the first run's. No national number, e-mail
or phone is generated, so nothing unique can collide. Not meant to run concurrently with itself.
"""

from __future__ import annotations

import datetime
import random
import sys
import time
from bisect import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from autocrea.demo import names
from autocrea.demo.personas import PARTNERS, ensure_partners
from autocrea.jobseekers.models import Jobseeker
from autocrea.lib.identifiers import search_key
from autocrea.pathways.models import (
    Decision,
    DecisionReason,
    Exit,
    FollowUp,
    InformationAttendance,
    Orientation,
    StepLog,
    Trajectory,
)
from autocrea.pathways.services import FOLLOW_UP_DELAY_DAYS
from autocrea.reference.models import ExitKind
from autocrea.reporting import summaries

PROGRAMME_START = datetime.date(2024, 1, 1)
BRUSSELS = ZoneInfo("Europe/Brussels")

# Exit kinds among exits: 50 % positive, 12 % job creation (the programme's published figures).
# The kind is drawn independently of the time to exit, so censoring (open trajectories) does not
# bias the shares among the exits observed so far.
EXIT_WEIGHTS = {
    "self_employed": 9,
    "company": 3,
    "salaried_job": 27,
    "training": 11,
    "reoriented": 12,
    "dropped_out": 22,
    "not_viable": 10,
    "other": 6,
}
CHANNEL_WEIGHTS = {"web": 45, "counter": 30, "phone": 20, "post": 5}
SECTOR_WEIGHTS = {"G": 20, "I": 15, "S": 14, "M": 12, "C": 8, "F": 8, "N": 6, "J": 5, "R": 5, "A": 3, "Q": 2, "P": 2}
STOP_REASONS = ("Moved out of Brussels", "Found a salaried job", "Health reasons", "No longer reachable")
NOT_GO_REASONS = ("not_now", "other_plan", "financial", "family", "not_ready", "other")
DECLINE_REASON = "Project outside the partner's field"
WAITLIST_REASON = "Full until the next intake"
REORIENT_REASON = "New choice after the partner declined"
SKIP_REASON = "Already informed at a previous session"


def _cum(weights: Mapping[Any, float]) -> tuple[list[Any], list[float]]:
    return list(weights), list(accumulate(weights.values()))


def _pick(rng: random.Random, table: tuple[list[Any], list[float]]) -> Any:
    keys, cum = table
    return keys[bisect(cum, rng.random() * cum[-1])]


# -- writing rows ----------------------------------------------------------------------------


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
            cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table.name}"')  # noqa: S608 - table name from models
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
                sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({placeholders})'  # noqa: S608
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
STEPS = Table(StepLog, ("trajectory_id", "from_step", "to_step", "on", "at", "channel", "reason", "partner_id"), False)
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


# -- simulating one pathway ------------------------------------------------------------------


@dataclass
class Pathway:
    """One person's generated pathway; ids are filled in when the batch's keys are reserved."""

    person: tuple[Any, ...]
    step: str = "interest"
    partner_id: int | None = None
    dates: dict[str, datetime.date | None] = field(default_factory=dict)
    exit_kind: str | None = None
    version: int = 1
    last_activity: datetime.date | None = None
    steps: list[tuple[Any, ...]] = field(default_factory=list)  # (from, to, on, channel, reason, partner_id)
    decisions: list[tuple[Any, ...]] = field(default_factory=list)  # (go_ahead, reason, decided_on)
    orientations: list[list[Any]] = field(default_factory=list)  # [partner, chosen, on, status, answered, reason]
    interview_on: datetime.date | None = None
    exit: tuple[Any, ...] | None = None  # (partner_id, kind, exit_on, enterprise_number)
    follow_up: tuple[Any, ...] | None = None  # (due_on, status, answered_on, situation, improved, source)
    intake_channel: str = "web"
    sector: str = ""


DATE_FIELD = {
    "interest": "interest_on",
    "information": "information_on",
    "decision": "decision_on",
    "orientation": "orientation_on",
    "diagnostic": "guided_on",
    "accompaniment": "accompaniment_on",
    "exit": "exit_on",
    "follow_up": "follow_up_on",
    "stopped": "stopped_on",
}


class Simulator:
    """Draw people and their way through the backbone, cut at today."""

    def __init__(self, *, seed: int, today: datetime.date, partners: dict[str, int], exit_kinds: dict[str, Any]):
        self.seed = seed
        self.today = today
        self.span = (today - PROGRAMME_START).days
        self.exit_table = _cum(EXIT_WEIGHTS)
        self.job_creation = {code for code, kind in exit_kinds.items() if kind.is_job_creation}
        self.needs_bce = {code for code, kind in exit_kinds.items() if kind.evidence_hint == "enterprise_number"}
        capacity = {spec.slug: spec.capacity for spec in PARTNERS}
        women = {spec.slug: 2.5 if spec.focus_women else 1.0 for spec in PARTNERS}
        self.partner_ids = partners
        self.partners_men = _cum({partners[s]: capacity[s] for s in capacity})
        self.partners_women = _cum({partners[s]: capacity[s] * women[s] for s in capacity})
        self.origins = _cum({o: o.weight for o in names.ORIGINS})
        self.communes = _cum(names.COMMUNE_WEIGHTS)
        self.education = _cum(names.EDUCATION_WEIGHTS)
        self.channels = _cum(CHANNEL_WEIGHTS)
        self.sectors = _cum(SECTOR_WEIGHTS)
        self._search: dict[tuple[str, str], str] = {}
        self._not_go_labels = {code: str(DecisionReason(code).label) for code in NOT_GO_REASONS}

    def person(self, rng: random.Random, interest_on: datetime.date) -> tuple[Any, ...]:
        r = rng.random()
        gender = "female" if r < 0.46 else ("male" if r < 0.99 else "non_binary")
        origin = _pick(rng, self.origins)
        if gender == "non_binary":
            first = rng.choice(names.NON_BINARY_FIRST_NAMES)
        else:
            first = rng.choice(origin.women if gender == "female" else origin.men)
        last = rng.choice(origin.last_names)
        if "/" in last:
            male_form, female_form = last.split("/")
            last = female_form if gender == "female" else male_form
        key = (first, last)
        search = self._search.get(key) or self._search.setdefault(key, search_key(last, first))
        r = rng.random()
        age = rng.randint(18, 29) if r < 0.22 else (rng.randint(30, 54) if r < 0.85 else rng.randint(55, 64))
        # `age` on the interest date: the last birthday falls within the year before it.
        birthday = datetime.date(interest_on.year - age, interest_on.month, min(interest_on.day, 28))
        birth_date = birthday - datetime.timedelta(days=rng.randint(0, 360))
        r = rng.random()
        unemployed_days = (
            rng.randint(30, 364) if r < 0.25 else (rng.randint(365, 729) if r < 0.55 else rng.randint(730, 3650))
        )
        created = self.moment(interest_on)
        return (
            first,
            last,
            search,
            "nl" if rng.random() < 0.3 else "fr",
            birth_date,
            gender,
            _pick(rng, self.communes),
            _pick(rng, self.education),
            None if origin.key.startswith("belgian") or rng.random() < 0.5 else rng.random() < 0.4,
            interest_on - datetime.timedelta(days=unemployed_days),
            "benefits" if (r := rng.random()) < 0.6 else ("cpas" if r < 0.88 else ("none" if r < 0.96 else "other")),
            created,
            created,
        )

    @staticmethod
    @lru_cache(maxsize=4096)
    def moment(day: datetime.date) -> datetime.datetime:
        return datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=BRUSSELS)

    def pathway(self, index: int) -> Pathway:
        """Return the pathway number `index` of this seed (the same whatever the batch size)."""
        rng = random.Random((self.seed << 32) | index)
        today = self.today
        interest_on = PROGRAMME_START + datetime.timedelta(days=int(self.span * rng.random() ** 0.8))
        p = Pathway(person=self.person(rng, interest_on))
        p.intake_channel = _pick(rng, self.channels)
        p.sector = _pick(rng, self.sectors)
        p.dates = dict.fromkeys(DATE_FIELD.values())
        p.dates["interest_on"] = interest_on
        p.steps.append(("", "interest", interest_on, p.intake_channel, "", None))
        p.last_activity = interest_on
        day = interest_on
        days = datetime.timedelta

        def move(target: str, on: datetime.date, channel: str, reason: str = "", partner: Any = ...) -> None:
            if partner is not ...:
                p.partner_id = partner
            p.steps.append((p.step, target, on, channel, reason, p.partner_id))
            if not (target == "diagnostic" and p.dates["guided_on"] is not None):
                p.dates[DATE_FIELD[target]] = on
            p.step = target
            p.version += 1
            p.last_activity = on

        def stop(on: datetime.date) -> None:
            for o in p.orientations:
                if o[3] in {"pending", "waitlisted"}:
                    o[3], o[4] = "ended", on
            move("stopped", on, rng.choice(("phone", "counter")), rng.choice(STOP_REASONS), partner=None)

        # Interest → information (or a recorded skip straight to the decision, or a stop).
        r = rng.random()
        if r < 0.04:
            on = day + days(rng.randint(5, 60))
            if on <= today:
                stop(on)
            return p
        if r >= 0.07:
            on = day + days(rng.randint(5, 35))
            if on > today:
                return p
            p.interview_on = on
            move("information", on, rng.choice(("counter", "counter", "phone", "web")))
            day = on
        # → decision.
        on = day + days(rng.randint(2, 21))
        if on > today:
            return p
        r = rng.random()
        if p.step == "information" and r < 0.04:
            stop(on)
            return p
        if r < 0.28:
            reason = rng.choice(NOT_GO_REASONS)
            p.decisions.append((False, reason, on))
            move("stopped", on, rng.choice(("counter", "web", "phone")), self._not_go_labels[reason], partner=None)
            return p
        p.decisions.append((True, "go", on))
        move("decision", on, rng.choice(("counter", "web", "phone")), SKIP_REASON if p.step == "interest" else "")
        day = on
        # → orientation: the person's choice of partner.
        on = day + days(rng.randint(1, 14))
        if on > today:
            return p
        if rng.random() < 0.04:
            stop(on)
            return p
        women = p.person[5] == "female"
        partner = _pick(rng, self.partners_women if women else self.partners_men)
        p.orientations.append([partner, rng.random() < 0.95, on, "pending", None, ""])
        move("orientation", on, rng.choice(("counter", "web")), partner=partner)
        day = on
        # The partner answers: accepted, waitlisted, declined (the person chooses again) — or the person stops.
        declined_once = False
        while True:
            on = day + days(rng.randint(3, 25))
            if on > today:
                return p
            r = rng.random()
            current = p.orientations[-1]
            if r < 0.04:
                stop(on)
                return p
            if r < 0.11 and not declined_once:
                declined_once = True
                current[3], current[4], current[5] = "declined", on, DECLINE_REASON
                move("orientation", on, "partner", DECLINE_REASON, partner=None)
                on = on + days(rng.randint(2, 14))
                if on > today:
                    return p
                others = [pid for pid in self.partner_ids.values() if pid != current[0]]
                partner = rng.choice(others)
                p.orientations.append([partner, True, on, "pending", None, ""])
                move("orientation", on, rng.choice(("counter", "web")), REORIENT_REASON, partner=partner)
                day = on
                continue
            if r < 0.20 and current[3] == "pending":
                current[3], current[4], current[5] = "waitlisted", on, WAITLIST_REASON
                p.version += 1  # the service bumps the version without a step
                p.last_activity = on
                day = on + days(rng.randint(14, 80))
                continue
            current[3], current[4] = "accepted", on
            move("diagnostic", on, "partner")
            day = on
            break
        # Guided from here: diagnostic → accompaniment → exit (the kind is independent of the duration).
        kind = _pick(rng, self.exit_table)
        on = day + days(rng.randint(7, 40))
        if on > today:
            return p
        if rng.random() >= 0.04:  # a few leave during the diagnostic already
            move("accompaniment", on, "partner")
            r = rng.random()
            months = rng.uniform(1, 6) if r < 0.25 else (rng.uniform(6, 18) if r < 0.75 else rng.uniform(18, 24))
            on = on + days(int(months * 30.4))
            if on > today:
                return p
        bce = names.enterprise_number(rng) if kind in self.needs_bce else ""
        p.exit_kind = kind
        p.exit = (p.partner_id, kind, on, bce)
        move("exit", on, "partner")
        # The +6-month follow-up: due, then answered or recorded as a non-response.
        due = on + days(FOLLOW_UP_DELAY_DAYS)
        answered_on = due + days(rng.randint(0, 45))
        if answered_on > today:
            p.follow_up = (due, "due", None, "", None, "")
            return p
        if rng.random() < 0.62:
            if kind in self.job_creation:
                situation = "self_employed" if rng.random() < 0.85 else "employed"
            else:
                situation = rng.choice(("employed", "employed", "training", "job_seeking", "inactive"))
            source = rng.choice(("phone", "phone", "email", "register", "letter", "in_person"))
            p.follow_up = (
                due,
                "answered",
                answered_on,
                situation,
                situation not in {"job_seeking", "inactive"},
                source,
            )
        else:
            p.follow_up = (due, "no_response", answered_on, "", None, "")
        move("follow_up", answered_on, "partner")
        return p


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
            steps.extend((tid, s[0], s[1], s[2], moment(s[2]), s[3], s[4], s[5]) for s in p.steps)
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


class Command(BaseCommand):
    help = "Generate N synthetic trajectories (deterministic for a given seed); a second run appends."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trajectories", type=int, required=True, help="How many trajectories (and people).")
        parser.add_argument("--seed", type=int, default=1, help="Same N and seed → same data.")
        parser.add_argument("--batch-size", type=int, default=5000, help="Trajectories per transaction.")

    def handle(self, *args: Any, trajectories: int, seed: int, batch_size: int, **options: Any) -> None:
        if trajectories < 0 or batch_size < 1 or seed < 0:
            raise CommandError("--trajectories and --seed must be ≥ 0 and --batch-size ≥ 1.")
        partners = {slug: p.pk for slug, p in ensure_partners().items()}
        exit_kinds = {k.code: k for k in ExitKind.objects.filter(code__in=EXIT_WEIGHTS)}
        missing = set(EXIT_WEIGHTS) - set(exit_kinds)
        if missing:
            raise CommandError(f"Missing exit kinds in the reference data: {', '.join(sorted(missing))}.")
        simulator = Simulator(seed=seed, today=timezone.localdate(), partners=partners, exit_kinds=exit_kinds)
        writer = Writer()
        started = time.monotonic()
        rows = 0
        with tqdm(total=trajectories, unit=" trajectories", file=sys.stderr, disable=None, smoothing=0.1) as bar:
            for first in range(0, trajectories, batch_size):
                indexes = range(first, min(first + batch_size, trajectories))
                rows += write_batch(writer, simulator, indexes)
                bar.update(len(indexes))
        elapsed = max(time.monotonic() - started, 1e-6)
        self.stdout.write(
            f"{trajectories} trajectories, {rows} rows in {elapsed:.1f} s "
            f"({rows / elapsed:,.0f} rows/s, {trajectories / elapsed:,.0f} trajectories/s) on {connection.vendor}."
        )
        # A bulk load: rebuild the summary counts behind the figures now (reporting/summaries.py).
        rebuilt = time.monotonic()
        summary_rows = summaries.rebuild()
        self.stdout.write(f"{summary_rows} summary rows rebuilt in {time.monotonic() - rebuilt:.1f} s.")
