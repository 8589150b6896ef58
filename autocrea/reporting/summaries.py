"""The summary counts behind the programme figures: what each trajectory contributes, kept current.

Every trajectory contributes a few *facts* (docs/kpis.md, "Summary tables"), each counted per partner
holding the trajectory now:

| fact       | dated by                 | key1                 | key2                                 |
|------------|--------------------------|----------------------|--------------------------------------|
| `guided`   | guided_on                |                      |                                      |
| `exit`     | exit_on (live exits)     | exit kind            | year of guided_on (cohort)           |
| `funnel`   | interest_on              | `stopped` or empty   | bit mask of the funnel dates set     |
| `step`     | the step's date          | step name            | whole days to the next reached step  |
| `accepted` | step-log day of an acceptance |                 | the accepting partner                |
| `queue`    | (undated)                | orientation status   | the orientation's partner            |
| `current`  | (undated)                | current step         | 1 when not guided yet, else 0        |
| `conv`     | (undated)                | funnel date field    | 2 guided, 1 stopped, 0 still open    |
| `lag`      | (undated)                |                      | days from interest to guided         |
| `svo`      | guided_on (day only)     |                      | (guided, not closed: censored)       |
| `svc`      | guided_on, and all time  | closure `s` or `x`+bits | days from guided to the closure   |
| `svl`      | closure day (day only)   | closure `s` or `x`+bits | days from guided to the closure   |
| `kflags`   | (undated)                | exit kind            | its flag bits when counted           |
| `qg:<d>`   | guided_on                | group of dimension d |                                      |
| `qx:<d>`   | exit_on (live exits)     | group of dimension d | flag bits of the exit kind           |

`svo` and the all-time `svc` rows are also added up over every partner (partner_key −1, ALL_PARTNERS).
The last six serve the censoring-aware figures (survival.py) and the equity monitor (kpis.equity):
a *closure* is a live exit (`x` + the exit kind's flag bits: 1 positive, 2 job creation) or a stop
(`s`); `svl` is the same closure dated by its own day, to move closures after a period's censoring
day back to the censored. `kflags` records the flags each live exit was counted with: when an exit
kind's flags are changed afterwards, the readers see it and compute those figures in full until
`rebuild_summaries`. Equity dimensions `<d>`: g gender, a age band, e education level, l contact
language, c commune, u unemployment band, b barrier (one fact per distinct barrier of the
trajectory's diagnostics; `coaching.services.record_diagnostic` calls `refresh_barriers()`, the merge of
two people `people_facts()` before and after).

Keys are never null (0 = no partner or unknown, 0001-01-01 = undated) so that each key has one row,
upserted. Maintenance, in the same transaction as the step log (performance.md trap 5):
`pathways.services._locked` calls `snapshot()` on the row it locks (the facts before the change) and
`_move` (and the waiting-list answer, which changes no step) calls `refresh()` once the change is
written: the difference between the facts after and before is added to the counts in one
`INSERT … ON CONFLICT DO UPDATE`. `express_interest` calls `refresh(created=True)`. Only the row's own
facts are free; the step log is read when the holder changes or a partner accepts, the orientations
at the orientation step (the only step with a pending or waiting-list place). `rebuild()` recomputes every count from the tables in a few
`INSERT … SELECT` statements (command `rebuild_summaries`; generate_population and seed_demo call it).
`facts()` (Python, one trajectory) and `_sources()` (SQL, all trajectories) are the same definition
twice: tests/test_summaries.py checks that they agree.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, TruncMonth, TruncYear

from autocrea.coaching.models import Diagnostic
from autocrea.pathways.models import Orientation, OrientationStatus, StepLog, Trajectory
from autocrea.pathways.steps import Step
from autocrea.reference.models import ExitKind
from autocrea.reporting.kpis import DIMENSIONS, DaysBetween, _dimension_key
from autocrea.reporting.models import Grain, SummaryCount

# (partner key, fact, grain, period, key1, key2): every part non-null (models.SummaryCount: 0 = none).
Key = tuple[int, str, str, datetime.date, str, int]
UNDATED = datetime.date(1, 1, 1)

EXITED_STEPS = (Step.EXIT.value, Step.FOLLOW_UP.value)
FUNNEL_FIELDS = (
    ("interest", "interest_on"),
    ("information", "information_on"),
    ("decision", "decision_on"),
    ("orientation", "orientation_on"),
    ("guided", "guided_on"),
    ("accompaniment", "accompaniment_on"),
    ("exit", "exit_on"),
    ("follow_up", "follow_up_on"),
)
PIPELINE_FIELDS = ("interest_on", "information_on", "decision_on", "orientation_on")
QUEUE_STATUSES = (OrientationStatus.PENDING.value, OrientationStatus.WAITLISTED.value)
_ATTRIBUTE = "_summary_facts"
_TABLE = SummaryCount._meta.db_table
# Equity dimensions (kpis.DIMENSIONS) as one letter in the fact's name.
DIMENSION_CODES = {
    "gender": "g",
    "age_band": "a",
    "education_level": "e",
    "contact_language": "l",
    "commune": "c",
    "unemployment_band": "u",
    "barrier": "b",
}
STOP = "s"  # svc/svl key1 of a stop (censored at its day); an exit is "x" + its flag bits
DAY_ONLY_FACTS = ("svl", "svo")  # never rolled up into months and years
ALL_TIME_FACTS = ("svc",)  # also rolled up over all time (grain "", undated)
# partner_key of the rows adding up every partner (svo per day, svc over all time): the programme reads few rows.
ALL_PARTNERS = -1


def exit_bits(positive: bool, job_creation: bool) -> int:
    """The exit kind's flags as bits: 1 positive, 2 job creation (0 for no kind)."""
    return (1 if positive else 0) | (2 if job_creation else 0)


def current_flags() -> dict[str, int]:
    """Return each exit kind's flag bits now (a handful of rows)."""
    return {
        code: exit_bits(p, j) for code, p, j in ExitKind.objects.values_list("code", "is_positive", "is_job_creation")
    }


class Context:
    """What a trajectory's facts need beyond its row, each read at most once: exit kinds' flags, its barriers."""

    def __init__(self, trajectory: Trajectory, *, barriers: frozenset[str] | None = None) -> None:
        self.trajectory = trajectory
        self._flags: dict[str, int] | None = None
        self._barriers = barriers

    def flags(self) -> dict[str, int]:
        if self._flags is None:
            self._flags = current_flags()
        return self._flags

    def barriers(self) -> frozenset[str]:
        if self._barriers is None:
            self._barriers = barrier_codes(self.trajectory) if self.trajectory.pk is not None else frozenset()
        return self._barriers


def barrier_codes(trajectory: Trajectory) -> frozenset[str]:
    """Return the distinct barrier codes of the trajectory's diagnostics (one query)."""
    through = Diagnostic.barriers.through
    return frozenset(
        through.objects.filter(diagnostic__trajectory_id=trajectory.pk).values_list("barriercode_id", flat=True)
    )


def _yyyymmdd(day: datetime.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def dimension_groups(t: Trajectory, dimension: str, context: Context) -> list[str]:
    """Return the groups of the trajectory in an equity dimension: kpis._dimension_key, in Python."""
    if dimension == "barrier":
        return sorted(context.barriers())
    person = t.jobseeker
    if dimension == "gender":
        return [person.gender]
    if dimension == "education_level":
        return [person.education_level]
    if dimension == "contact_language":
        return [person.contact_language]
    if dimension == "commune":
        return [person.commune_id or "unknown"]
    if dimension == "age_band":
        if t.guided_on is None:  # SQL: NULL < bound is not true, the CASE falls to its default
            return ["55_plus"]
        age = _yyyymmdd(t.guided_on) - _yyyymmdd(person.birth_date)
        return ["under_30" if age < 30_0000 else "30_54" if age < 55_0000 else "55_plus"]
    if dimension == "unemployment_band":
        if person.unemployed_since is None:
            return ["unknown"]
        seniority = _yyyymmdd(t.interest_on) - _yyyymmdd(person.unemployed_since)
        return ["under_1y" if seniority < 1_0000 else "1_2y" if seniority < 2_0000 else "2y_plus"]
    raise ValueError(dimension)


def _closure(t: Trajectory, context: Context) -> tuple[datetime.date, str] | None:
    """Return (day, key1) of what ended the trajectory's time at risk: a live exit or a stop."""
    if t.current_step in EXITED_STEPS and t.exit_on is not None:
        return t.exit_on, f"x{context.flags().get(t.exit_kind_id or '', 0)}"
    if t.current_step == Step.STOPPED and t.stopped_on is not None:
        return t.stopped_on, STOP
    return None


def survival_equity_facts(t: Trajectory, context: Context) -> list[Key]:
    """Return the facts of the censoring-aware figures and of the equity monitor (docstring table)."""
    p = t.partner_id
    keys: list[Key] = []
    live_exit = t.current_step in EXITED_STEPS and t.exit_on is not None
    if t.guided_on is not None:
        closure = _closure(t, context)
        if closure is None:
            for partner in (p or 0, ALL_PARTNERS):
                keys.append((partner, "svo", Grain.DAY.value, t.guided_on, "", 0))
        else:
            on, kind = closure
            keys += _dated(p, "svc", t.guided_on, kind, (on - t.guided_on).days)
            for partner in (p or 0, ALL_PARTNERS):  # all time: a long period is all but its outside
                keys.append(_undated(partner, "svc", kind, (on - t.guided_on).days))
            keys.append((p or 0, "svl", Grain.DAY.value, on, kind, (on - t.guided_on).days))
    if live_exit:
        bits = context.flags().get(t.exit_kind_id or "", 0)
        keys.append(_undated(p, "kflags", t.exit_kind_id or "", bits))
    if t.guided_on is None and not live_exit:
        return keys
    for dimension in DIMENSIONS:
        code = DIMENSION_CODES[dimension]
        for group in dimension_groups(t, dimension, context):
            if t.guided_on is not None:
                keys += _dated(p, f"qg:{code}", t.guided_on, group)
            if live_exit:
                assert t.exit_on is not None
                keys += _dated(p, f"qx:{code}", t.exit_on, group, context.flags().get(t.exit_kind_id or "", 0))
    return keys


# ---------------------------------------------------------------- one trajectory's facts (Python)


def _dated(partner: int | None, fact: str, day: datetime.date, key1: str = "", key2: int | None = 0) -> list[Key]:
    p, k2 = partner or 0, key2 or 0
    return [
        (p, fact, Grain.DAY.value, day, key1, k2),
        (p, fact, Grain.MONTH.value, day.replace(day=1), key1, k2),
        (p, fact, Grain.YEAR.value, datetime.date(day.year, 1, 1), key1, k2),
    ]


def _undated(partner: int | None, fact: str, key1: str = "", key2: int | None = 0) -> Key:
    return (partner or 0, fact, Grain.NONE.value, UNDATED, key1, key2 or 0)


def row_facts(t: Trajectory, context: Context | None = None) -> Counter[Key]:
    """Return the facts of the trajectory row, its person and barriers (queries only for guided or exited rows)."""
    p = t.partner_id
    keys: list[Key] = survival_equity_facts(t, context or Context(t))
    if t.guided_on is not None:
        keys += _dated(p, "guided", t.guided_on)
        keys.append(_undated(p, "lag", key2=(t.guided_on - t.interest_on).days))
    if t.current_step in EXITED_STEPS and t.exit_on is not None:
        cohort = t.guided_on.year if t.guided_on is not None else None
        keys += _dated(p, "exit", t.exit_on, t.exit_kind_id or "", cohort)
    dates = [getattr(t, field) for _name, field in FUNNEL_FIELDS]
    mask = sum(1 << i for i, day in enumerate(dates) if day is not None)
    keys += _dated(p, "funnel", t.interest_on, "stopped" if t.current_step == Step.STOPPED else "", mask)
    for index, (name, _field) in enumerate(FUNNEL_FIELDS[:-1]):
        day = dates[index]
        later = next((d for d in dates[index + 1 :] if d is not None), None)
        if day is not None and later is not None and (later - day).days >= 0:
            keys += _dated(p, "step", day, name, (later - day).days)
    keys.append(_undated(p, "current", str(t.current_step), 1 if t.guided_on is None else 0))
    for field in PIPELINE_FIELDS:
        day = getattr(t, field)
        if day is not None and (t.guided_on is None or t.guided_on >= day):
            code = 2 if t.guided_on is not None else (1 if t.current_step == Step.STOPPED else 0)
            keys.append(_undated(p, "conv", field, code))
    return Counter(keys)


def _acceptances(t: Trajectory) -> list[tuple[datetime.date, int | None]]:
    """Return (day, accepting partner) of each acceptance in the step log, oldest first."""
    return list(
        StepLog.objects.filter(trajectory_id=t.pk, to_step=Step.DIAGNOSTIC)
        .order_by("id")
        .values_list("on", "partner_id")
    )


def _acceptance_facts(holder: int | None, rows: list[tuple[datetime.date, int | None]]) -> Counter[Key]:
    return Counter(key for on, accepting in rows for key in _dated(holder, "accepted", on, "", accepting))


def _queue_facts(t: Trajectory) -> Counter[Key]:
    rows = Orientation.objects.filter(trajectory_id=t.pk, status__in=QUEUE_STATUSES).values_list("status", "partner_id")
    return Counter(_undated(t.partner_id, "queue", status, partner) for status, partner in rows)


def facts(trajectory: Trajectory) -> Counter[Key]:
    """Return every fact the trajectory contributes now: its row, its acceptances and live orientations."""
    keys = row_facts(trajectory, Context(trajectory))
    if trajectory.pk is not None:
        keys.update(_acceptance_facts(trajectory.partner_id, _acceptances(trajectory)))
        keys.update(_queue_facts(trajectory))
    return keys


@dataclass
class _Snapshot:
    row: Counter[Key]
    partner_id: int | None
    step: str
    queues: Counter[Key]
    context: Context | None = None


def snapshot(trajectory: Trajectory) -> None:
    """Remember the facts of a trajectory just locked, before a service changes it.

    Queries only at the orientation step (the live orientations: pending and waiting-list places exist
    only there, the services guarantee it); acceptances are derived at refresh from the step log.
    """
    t = trajectory
    queues = _queue_facts(t) if t.current_step == Step.ORIENTATION else Counter()
    context = Context(t)
    setattr(t, _ATTRIBUTE, _Snapshot(row_facts(t, context), t.partner_id, str(t.current_step), queues, context))


def refresh(trajectory: Trajectory, *, created: bool = False) -> None:
    """Add to the counts the difference between the trajectory's facts now and at its snapshot (one upsert)."""
    t = trajectory
    before: _Snapshot | None = _Snapshot(Counter(), None, "", Counter()) if created else getattr(t, _ATTRIBUTE, None)
    if before is None:
        raise RuntimeError("The trajectory was not locked through pathways.services._locked: no summary snapshot.")
    # The barriers and the exit kinds' flags do not change within a step: read once for both states.
    context = before.context or Context(t)
    context.trajectory = t
    after = _Snapshot(row_facts(t, context), t.partner_id, str(t.current_step), Counter(), context)
    delta = Counter(after.row)
    delta.subtract(before.row)
    accepted_now = before.step == Step.ORIENTATION and after.step == Step.DIAGNOSTIC
    if not created and (accepted_now or before.partner_id != after.partner_id):
        # The step log is append-only: before this change it held the same acceptances but the one just written.
        rows = _acceptances(t)
        delta.update(_acceptance_facts(after.partner_id, rows))
        delta.subtract(_acceptance_facts(before.partner_id, rows[:-1] if accepted_now else rows))
    if Step.ORIENTATION in {before.step, after.step}:
        after.queues = _queue_facts(t)
        delta.update(after.queues)
        delta.subtract(before.queues)
    apply(delta)
    # A second change in the same transaction starts from here.
    setattr(t, _ATTRIBUTE, _Snapshot(after.row, after.partner_id, after.step, after.queues, context))


def refresh_barriers(trajectory: Trajectory, previous: frozenset[str]) -> None:
    """Count the trajectory in the barrier groups it has now instead of `previous` (after a diagnostic)."""
    t = trajectory
    now = barrier_codes(t)
    if now == previous:
        return
    flags = current_flags()
    delta: Counter[Key] = Counter()
    for codes, sign in ((now, 1), (previous, -1)):
        context = Context(t, barriers=codes)
        context._flags = flags
        for key in survival_equity_facts(t, context):
            if key[1].startswith("qg:b") or key[1].startswith("qx:b"):
                delta[key] += sign
    apply(delta)
    snap = getattr(t, _ATTRIBUTE, None)
    if snap is not None and snap.context is not None:
        snap.context._barriers = now
        snap.row = row_facts(t, snap.context)


def people_facts(jobseeker_ids: list[int]) -> Counter[Key]:
    """Return the facts of every trajectory of these people (before and after merging two records)."""
    total: Counter[Key] = Counter()
    for t in Trajectory.objects.filter(jobseeker_id__in=jobseeker_ids).select_related("jobseeker").order_by("pk"):
        total.update(facts(t))
    return total


def apply(delta: Counter[Key]) -> None:
    """Add each non-zero change to its count in one upsert (INSERT … ON CONFLICT DO UPDATE)."""
    changes = sorted((key, change) for key, change in delta.items() if change)
    if not changes:
        return
    table = connection.ops.quote_name(_TABLE)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(changes))
    params: list[Any] = []
    for (partner, fact, grain, period, key1, key2), change in changes:
        params += [partner, fact, grain, connection.ops.adapt_datefield_value(period), key1, key2, change]
    with connection.cursor() as cursor:
        # Sorted keys: two transactions touching the same counts lock them in the same order.
        cursor.execute(
            f"INSERT INTO {table} (partner_key, fact, grain, period, key1, key2, n) VALUES {values} "  # noqa: S608  # nosec B608  # why: constant table, placeholders only
            f"ON CONFLICT (fact, grain, period, partner_key, key1, key2) DO UPDATE SET n = {table}.n + excluded.n",
            params,
        )


# ---------------------------------------------------------------- every trajectory's facts (SQL)


def _zero_if_null(expression: Any) -> Coalesce:
    return Coalesce(expression, Value(0), output_field=IntegerField())


def _undated_period() -> Value:
    return Value(UNDATED, output_field=DateField())


def _sources() -> Iterator[tuple[str, QuerySet[Any]]]:
    """Yield (grain, query) pairs whose rows are s_p, s_f, s_d, s_k1, s_k2, s_n: the same facts as `facts()`."""
    trajectories = Trajectory.objects.all()
    no_key2 = Value(0, output_field=IntegerField())
    yield (
        Grain.DAY,
        trajectories.filter(guided_on__isnull=False).annotate(
            s_p=_zero_if_null(F("partner_id")), s_f=Value("guided"), s_d=F("guided_on"), s_k1=Value(""), s_k2=no_key2
        ),
    )
    yield (
        Grain.NONE,
        trajectories.filter(guided_on__isnull=False).annotate(
            s_p=_zero_if_null(F("partner_id")),
            s_f=Value("lag"),
            s_d=_undated_period(),
            s_k1=Value(""),
            s_k2=DaysBetween("guided_on", "interest_on"),
        ),
    )
    yield (
        Grain.DAY,
        trajectories.filter(current_step__in=EXITED_STEPS, exit_on__isnull=False).annotate(
            s_p=_zero_if_null(F("partner_id")),
            s_f=Value("exit"),
            s_d=F("exit_on"),
            s_k1=Coalesce(F("exit_kind_id"), Value(""), output_field=CharField()),
            s_k2=_zero_if_null(Cast(ExtractYear("guided_on"), IntegerField())),
        ),
    )
    mask: Any = Value(0)
    for i, (_name, field) in enumerate(FUNNEL_FIELDS):
        mask = mask + Case(When(**{f"{field}__isnull": False}, then=Value(1 << i)), default=Value(0))
    yield (
        Grain.DAY,
        trajectories.annotate(
            s_p=_zero_if_null(F("partner_id")),
            s_f=Value("funnel"),
            s_d=F("interest_on"),
            s_k1=Case(
                When(current_step=Step.STOPPED, then=Value("stopped")), default=Value(""), output_field=CharField()
            ),
            s_k2=Cast(mask, IntegerField()),
        ),
    )
    for index, (name, field) in enumerate(FUNNEL_FIELDS[:-1]):
        later = [f for _n, f in FUNNEL_FIELDS[index + 1 :]]
        next_date = Coalesce(*later) if len(later) > 1 else F(later[0])
        yield (
            Grain.DAY,
            trajectories.annotate(
                s_p=_zero_if_null(F("partner_id")),
                s_f=Value("step"),
                s_d=F(field),
                s_k1=Value(name),
                s_k2=DaysBetween(next_date, field),
            ).filter(**{f"{field}__isnull": False, "s_k2__gte": 0}),
        )
    yield (
        Grain.NONE,
        trajectories.annotate(
            s_p=_zero_if_null(F("partner_id")),
            s_f=Value("current"),
            s_d=_undated_period(),
            s_k1=F("current_step"),
            s_k2=Case(When(guided_on__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()),
        ),
    )
    for field in PIPELINE_FIELDS:
        reached = Q(**{f"{field}__isnull": False}) & (Q(guided_on__isnull=True) | Q(guided_on__gte=F(field)))
        yield (
            Grain.NONE,
            trajectories.filter(reached).annotate(
                s_p=_zero_if_null(F("partner_id")),
                s_f=Value("conv"),
                s_d=_undated_period(),
                s_k1=Value(field),
                s_k2=Case(
                    When(guided_on__isnull=False, then=Value(2)),
                    When(current_step=Step.STOPPED, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
            ),
        )
    yield (
        Grain.DAY,
        StepLog.objects.filter(to_step=Step.DIAGNOSTIC).annotate(
            s_p=_zero_if_null(F("trajectory__partner_id")),
            s_f=Value("accepted"),
            s_d=F("on"),
            s_k1=Value(""),
            s_k2=_zero_if_null(F("partner_id")),
        ),
    )
    yield (
        Grain.NONE,
        Orientation.objects.filter(status__in=QUEUE_STATUSES).annotate(
            s_p=_zero_if_null(F("trajectory__partner_id")),
            s_f=Value("queue"),
            s_d=_undated_period(),
            s_k1=F("status"),
            s_k2=_zero_if_null(F("partner_id")),
        ),
    )


def _survival_equity_sources() -> Iterator[tuple[str, QuerySet[Any], Any]]:
    """Yield (grain, query, count) for the facts of `survival_equity_facts()`, in SQL."""
    trajectories = Trajectory.objects.all()
    exited = Q(current_step__in=EXITED_STEPS, exit_on__isnull=False)
    stopped = Q(current_step=Step.STOPPED, stopped_on__isnull=False)
    positive = Case(When(exit_kind__is_positive=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    job = Case(When(exit_kind__is_job_creation=True, then=Value(2)), default=Value(0), output_field=IntegerField())
    bits = Cast(positive + job, IntegerField())
    closure_kind = Case(
        When(exit_kind__is_positive=True, exit_kind__is_job_creation=True, then=Value("x3")),
        When(exit_kind__is_job_creation=True, then=Value("x2")),
        When(exit_kind__is_positive=True, then=Value("x1")),
        default=Value("x0"),
        output_field=CharField(),
    )
    guided = trajectories.filter(guided_on__isnull=False)
    partner = _zero_if_null(F("partner_id"))
    count = Count("pk")
    yield (
        Grain.DAY,
        guided.filter(~(exited | stopped)).annotate(
            s_p=partner, s_f=Value("svo"), s_d=F("guided_on"), s_k1=Value(""), s_k2=Value(0, IntegerField())
        ),
        count,
    )
    for closed, on, kind in ((exited, "exit_on", closure_kind), (stopped, "stopped_on", Value(STOP))):
        for fact, dated, grain in (("svc", "guided_on", Grain.DAY), ("svl", on, Grain.DAY)):
            yield (
                grain,
                guided.filter(closed).annotate(
                    s_p=partner, s_f=Value(fact), s_d=F(dated), s_k1=kind, s_k2=DaysBetween(on, "guided_on")
                ),
                count,
            )
    yield (
        Grain.NONE,
        trajectories.filter(exited).annotate(
            s_p=partner,
            s_f=Value("kflags"),
            s_d=_undated_period(),
            s_k1=Coalesce(F("exit_kind_id"), Value(""), output_field=CharField()),
            s_k2=bits,
        ),
        count,
    )
    for dimension in DIMENSIONS:
        code = DIMENSION_CODES[dimension]
        # A person has several barriers: one row per (trajectory, barrier), a trajectory counted once per barrier.
        total = Count("pk", distinct=True) if dimension == "barrier" else count
        for rows, fact, dated, key2 in (
            (guided, f"qg:{code}", "guided_on", Value(0, IntegerField())),
            (trajectories.filter(exited), f"qx:{code}", "exit_on", bits),
        ):
            yield (
                Grain.DAY,
                rows.annotate(
                    s_p=partner, s_f=Value(fact), s_d=F(dated), s_k1=_dimension_key(dimension), s_k2=key2
                ).filter(s_k1__isnull=False),
                total,
            )


_COLUMNS = ("s_p", "s_f", "s_d", "s_k1", "s_k2")


def _insert(grain: str, queryset: QuerySet[Any], *, total: Any) -> None:
    grouped = queryset.values(*_COLUMNS).annotate(s_n=total).order_by()
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(_TABLE)} (partner_key, fact, grain, period, key1, key2, n) "  # noqa: S608  # nosec B608  # why: constant table, sql built by the ORM
            f"SELECT s.s_p, s.s_f, %s, s.s_d, s.s_k1, s.s_k2, s.s_n FROM ({sql}) s",
            [grain, *params],
        )


@transaction.atomic
def rebuild() -> int:
    """Recompute every summary count from the tables; return the number of summary rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {connection.ops.quote_name(_TABLE)}")
        else:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(_TABLE)}")  # noqa: S608  # nosec B608  # why: constant table
    for grain, queryset in _sources():
        _insert(grain, queryset, total=Count("pk"))
    for grain, queryset, total in _survival_equity_sources():
        _insert(grain, queryset, total=total)
    days = SummaryCount.objects.filter(grain=Grain.DAY).exclude(fact__in=DAY_ONLY_FACTS)
    for grain, trunc in ((Grain.MONTH, TruncMonth), (Grain.YEAR, TruncYear)):
        _insert(
            grain,
            days.annotate(
                s_p=F("partner_key"),
                s_f=F("fact"),
                s_d=trunc("period", output_field=DateField()),
                s_k1=F("key1"),
                s_k2=F("key2"),
            ),
            total=Sum("n"),
        )
    _insert(
        Grain.NONE,
        days.filter(fact__in=ALL_TIME_FACTS).annotate(
            s_p=F("partner_key"), s_f=F("fact"), s_d=_undated_period(), s_k1=F("key1"), s_k2=F("key2")
        ),
        total=Sum("n"),
    )
    for grain, fact in ((Grain.DAY, "svo"), (Grain.NONE, "svc")):
        _insert(
            grain,
            SummaryCount.objects.filter(fact=fact, grain=grain).annotate(
                s_p=Value(ALL_PARTNERS, IntegerField()),
                s_f=F("fact"),
                s_d=F("period"),
                s_k1=F("key1"),
                s_k2=F("key2"),
            ),
            total=Sum("n"),
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Rows of one partner and fact side by side: a period's rows are read from a few pages.
            cursor.execute(f"CLUSTER {connection.ops.quote_name(_TABLE)} USING summary_partner_fact_idx")
            cursor.execute(f"ANALYZE {connection.ops.quote_name(_TABLE)}")
    return SummaryCount.objects.count()


def totals() -> dict[Key, int]:
    """Return every non-zero count, duplicate rows added up (to compare two ways of building the table)."""
    rows = (
        SummaryCount.objects.values("partner_key", "fact", "grain", "period", "key1", "key2")
        .annotate(total=Sum("n"))
        .exclude(total=0)
        .order_by()
    )
    return {(r["partner_key"], r["fact"], r["grain"], r["period"], r["key1"], r["key2"]): int(r["total"]) for r in rows}


# ---------------------------------------------------------------- reading a period


def _month_after(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _last_of_month(day: datetime.date) -> datetime.date:
    return _month_after(day) - datetime.timedelta(days=1)


def period_q(start: datetime.date, end: datetime.date) -> Q:
    """Return the rows covering the days start…end exactly once: whole years, whole months, edge days."""
    if start > end:
        return Q(grain="-")  # no row: an empty period (compiles inside a FILTER clause, unlike pk__in=[])
    parts: list[Q] = []
    first_year = start.year if (start.month, start.day) == (1, 1) else start.year + 1
    last_year = end.year if (end.month, end.day) == (12, 31) else end.year - 1
    rest: list[tuple[datetime.date, datetime.date]]
    if first_year <= last_year:
        parts.append(
            Q(grain=Grain.YEAR, period__gte=datetime.date(first_year, 1, 1), period__lte=datetime.date(last_year, 1, 1))
        )
        rest = [(start, datetime.date(first_year, 1, 1) - datetime.timedelta(days=1))]
        rest.append((datetime.date(last_year + 1, 1, 1), end))
    else:
        rest = [(start, end)]
    for low, high in rest:
        if low > high:
            continue
        first_month = low if low.day == 1 else _month_after(low)
        last_month = high.replace(day=1)
        if high != _last_of_month(high):
            last_month = (last_month - datetime.timedelta(days=1)).replace(day=1)
        if first_month <= last_month:
            parts.append(Q(grain=Grain.MONTH, period__gte=first_month, period__lte=last_month))
            edges = [(low, first_month - datetime.timedelta(days=1)), (_month_after(last_month), high)]
        else:
            edges = [(low, high)]
        parts.extend(Q(grain=Grain.DAY, period__gte=a, period__lte=b) for a, b in edges if a <= b)
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def histogram_median(histogram: dict[int, int]) -> tuple[float | None, int]:
    """Return (median, count) of whole-day values given as {value: count}; the mean of the middle two when even."""
    n = sum(histogram.values())
    if n == 0:
        return None, 0
    middle = [(n - 1) // 2, n // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        while len(found) < 2 and middle[len(found)] < seen + count:
            found.append(value)
        seen += count
        if len(found) == 2:
            break
    low, high = found
    return (low + high) / 2, n
