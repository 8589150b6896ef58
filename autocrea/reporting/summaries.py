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

from autocrea.pathways.models import Orientation, OrientationStatus, StepLog, Trajectory
from autocrea.pathways.steps import Step
from autocrea.reporting.kpis import DaysBetween
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


def row_facts(t: Trajectory) -> Counter[Key]:
    """Return the facts read from the trajectory row alone (no query)."""
    p = t.partner_id
    keys: list[Key] = []
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
    keys = row_facts(trajectory)
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


def snapshot(trajectory: Trajectory) -> None:
    """Remember the facts of a trajectory just locked, before a service changes it.

    Queries only at the orientation step (the live orientations: pending and waiting-list places exist
    only there, the services guarantee it); acceptances are derived at refresh from the step log.
    """
    t = trajectory
    queues = _queue_facts(t) if t.current_step == Step.ORIENTATION else Counter()
    setattr(t, _ATTRIBUTE, _Snapshot(row_facts(t), t.partner_id, str(t.current_step), queues))


def refresh(trajectory: Trajectory, *, created: bool = False) -> None:
    """Add to the counts the difference between the trajectory's facts now and at its snapshot (one upsert)."""
    t = trajectory
    before: _Snapshot | None = _Snapshot(Counter(), None, "", Counter()) if created else getattr(t, _ATTRIBUTE, None)
    if before is None:
        raise RuntimeError("The trajectory was not locked through pathways.services._locked: no summary snapshot.")
    after = _Snapshot(row_facts(t), t.partner_id, str(t.current_step), Counter())
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
    setattr(t, _ATTRIBUTE, _Snapshot(after.row, after.partner_id, after.step, after.queues))


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
            f"INSERT INTO {table} (partner_key, fact, grain, period, key1, key2, n) VALUES {values} "  # noqa: S608
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


_COLUMNS = ("s_p", "s_f", "s_d", "s_k1", "s_k2")


def _insert(grain: str, queryset: QuerySet[Any], *, total: Any) -> None:
    grouped = queryset.values(*_COLUMNS).annotate(s_n=total).order_by()
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(_TABLE)} (partner_key, fact, grain, period, key1, key2, n) "  # noqa: S608
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
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(_TABLE)}")  # noqa: S608
    for grain, queryset in _sources():
        _insert(grain, queryset, total=Count("pk"))
    days = SummaryCount.objects.filter(grain=Grain.DAY)
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
