"""The summary counts behind the programme figures: reporting/facts.py's facts, grouped and stored.

The write path never touches them (no service imports reporting): they are **rebuilt** from the
tables by `rebuild()` — every `SUMMARY_REFRESH_SECONDS` by the background worker (reporting/tasks.py),
after bulk loads (generate_population, seed_demo), and soon after a change to reference data the facts
depend on (reporting/apps.py). The figures read from them say when they were built (`built_at()`:
"figures as of"). Dated facts are stored per day, per month and per year, so that a period is read
as a few whole years and months plus its edge days (`period_q`); `svo` and the all-time `svc` rows
are also added up over every partner (partner_key −1, ALL_PARTNERS).

Keys are never null (0 = no partner or unknown, 0001-01-01 = undated): one row per key.

On PostgreSQL the new counts are built into a table aside, then swapped in by a short transaction
of renames: readers keep reading the previous counts during the build and wait at most for the swap.
(A materialised view refreshed CONCURRENTLY would also not block readers, but it needs a unique
index and computes a diff row by row; the counts are built in a few `INSERT … SELECT`, the month
and year rows from the day rows, which a single view definition cannot express as cheaply.) A
session advisory lock makes a second rebuild skip while one runs. On SQLite: a plain rebuild in one
transaction.

`SUMMARIES_REFRESH_ON_READ` (development and tests only, off in production): the readers call
`ensure_current()`, which rebuilds first when any model was saved or deleted since the last build in
this process (Django's model signals, connected in reporting/apps.py) — so that a test writing
through the services and then reading a dashboard sees current numbers.
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.reporting.facts import COLUMNS, UNDATED, every_fact
from autocrea.reporting.facts import STOP as STOP  # the closure key of a stop, read with the counts
from autocrea.reporting.models import Grain, SummaryCount, SummaryState

# (partner key, fact, grain, period, key1, key2): every part non-null (models.SummaryCount: 0 = none).
Key = tuple[int, str, str, datetime.date, str, int]
DAY_ONLY_FACTS = ("svl", "svo")  # never rolled up into months and years
ALL_TIME_FACTS = ("svc",)  # also rolled up over all time (grain "", undated)
# partner_key of the rows adding up every partner (svo per day, svc over all time): the programme reads few rows.
ALL_PARTNERS = -1
_TABLE = SummaryCount._meta.db_table
_ASIDE = f"{_TABLE}_next"
# pg_try_advisory_lock key: any constant shared by every process (here: "summ" in ASCII).
_LOCK_KEY = 0x7375_6D6D
# The table's index and constraints (models.SummaryCount), renamed with it on PostgreSQL.
_NAMES = (("summary_key", "constraint"), ("summary_partner_fact_idx", "index"), (f"{_TABLE}_pkey", "constraint"))


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert(table: str, grain: str, queryset: QuerySet[Any], *, total: Any) -> None:
    grouped = queryset.values(*COLUMNS).annotate(s_n=total).order_by()
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_q(table)} (partner_key, fact, grain, period, key1, key2, n) "  # noqa: S608  # nosec B608  # why: table and column names are ours, values are parameters
            f"SELECT s.s_p, s.s_f, %s, s.s_d, s.s_k1, s.s_k2, s.s_n FROM ({sql}) s",
            [grain, *params],
        )


def _first_of(unit: str) -> str:
    """SQL for the first day of the row's month or year."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('{unit}', period) AS date)"
    return f"date(period, 'start of {unit}')"


def _roll_up(table: str) -> None:
    """Add the month, year, all-time and every-partner rows, from the day rows just inserted."""
    t = _q(table)
    day_only = ", ".join(f"'{fact}'" for fact in DAY_ONLY_FACTS)
    all_time = ", ".join(f"'{fact}'" for fact in ALL_TIME_FACTS)
    columns = "partner_key, fact, grain, period, key1, key2, n"
    undated = connection.ops.adapt_datefield_value(UNDATED)
    statements: list[tuple[str, list[Any]]] = [
        (
            f"INSERT INTO {t} ({columns}) SELECT partner_key, fact, %s, {_first_of(unit)}, key1, key2, SUM(n) "  # noqa: S608  # nosec B608  # why: table and column names are ours, values are parameters
            f"FROM {t} WHERE grain = %s AND fact NOT IN ({day_only}) "
            f"GROUP BY partner_key, fact, {_first_of(unit)}, key1, key2",
            [grain, Grain.DAY],
        )
        for grain, unit in ((Grain.MONTH, "month"), (Grain.YEAR, "year"))
    ]
    statements.append(
        (
            f"INSERT INTO {t} ({columns}) SELECT partner_key, fact, %s, %s, key1, key2, SUM(n) "  # noqa: S608  # nosec B608  # why: table and column names are ours, values are parameters
            f"FROM {t} WHERE grain = %s AND fact IN ({all_time}) GROUP BY partner_key, fact, key1, key2",
            [Grain.NONE, undated, Grain.DAY],
        )
    )
    for grain, fact in ((Grain.DAY, "svo"), (Grain.NONE, "svc")):
        statements.append(
            (
                f"INSERT INTO {t} ({columns}) SELECT %s, fact, grain, period, key1, key2, SUM(n) "  # noqa: S608  # nosec B608  # why: table and column names are ours, values are parameters
                f"FROM {t} WHERE fact = %s AND grain = %s GROUP BY fact, grain, period, key1, key2",
                [ALL_PARTNERS, fact, grain],
            )
        )
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def _fill(table: str) -> None:
    for grain, queryset, total in every_fact():
        _insert(table, grain, queryset, total=total)
    _roll_up(table)


def _record(rows: int) -> datetime.datetime:
    built_at = timezone.now()
    SummaryState.objects.update_or_create(pk=1, defaults={"built_at": built_at, "rows": rows})
    return built_at


def rebuild() -> int | None:
    """Recompute every summary count from the tables; return the number of rows (None: another rebuild runs)."""
    global _changed
    _changed = False  # changes made from here on are not necessarily in the counts: a later read rebuilds
    if connection.vendor != "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {_q(_TABLE)}")  # noqa: S608  # nosec B608  # why: table and column names are ours, values are parameters
            _fill(_TABLE)
            rows = SummaryCount.objects.count()
            _record(rows)
        return rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
        if not cursor.fetchone()[0]:
            return None
        try:
            return _rebuild_aside(cursor)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])


def _rebuild_aside(cursor: Any) -> int:
    """PostgreSQL: build the counts in a table aside (readers undisturbed), then swap it in."""
    table, aside = _q(_TABLE), _q(_ASIDE)
    with transaction.atomic():
        cursor.execute(f"DROP TABLE IF EXISTS {aside}")
        cursor.execute(f"CREATE TABLE {aside} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)")
        _fill(_ASIDE)
        # The indexes once the rows are in (faster than maintaining them row by row), under temporary names.
        cursor.execute(f"ALTER TABLE {aside} ADD CONSTRAINT {_q(_NAMES[2][0] + '_next')} PRIMARY KEY (id)")
        cursor.execute(
            f"ALTER TABLE {aside} ADD CONSTRAINT {_q('summary_key_next')} "
            "UNIQUE (fact, grain, period, partner_key, key1, key2)"
        )
        cursor.execute(
            f"CREATE INDEX {_q('summary_partner_fact_idx_next')} ON {aside} (partner_key, fact, grain, period)"
        )
        # Rows of one partner and fact side by side: a period's rows are read from a few pages.
        cursor.execute(f"CLUSTER {aside} USING {_q('summary_partner_fact_idx_next')}")
        cursor.execute(f"ANALYZE {aside}")
        cursor.execute(f"SELECT COUNT(*) FROM {aside}")  # noqa: S608  # nosec B608  # why: table and column names are ours, values are parameters
        rows = int(cursor.fetchone()[0])
    with transaction.atomic():
        # The swap: a few renames under an exclusive lock, held for milliseconds once the readers in flight end.
        cursor.execute("SET LOCAL lock_timeout = '60s'")
        cursor.execute(f"DROP TABLE {table}")
        cursor.execute(f"ALTER TABLE {aside} RENAME TO {table}")
        for name, kind in _NAMES:
            if kind == "index":
                cursor.execute(f"ALTER INDEX {_q(name + '_next')} RENAME TO {_q(name)}")
            else:
                cursor.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {_q(name + '_next')} TO {_q(name)}")
        _record(rows)
    return rows


def built_at() -> datetime.datetime | None:
    """When the summary counts were last built: the "figures as of" time (None: never built)."""
    return SummaryState.objects.filter(pk=1).values_list("built_at", flat=True).first()


BRUSSELS = ZoneInfo("Europe/Brussels")


def as_of_time(moment: datetime.datetime | None) -> str:
    """The build time as shown with the figures, dd/mm/yyyy HH:MM in Brussels ("" when never built)."""
    return moment.astimezone(BRUSSELS).strftime("%d/%m/%Y %H:%M") if moment else ""


def as_of_iso() -> str | None:
    """The build time for machines (API, `kpis --json`): ISO 8601 in Brussels time, None when never built."""
    built = built_at()
    return built.astimezone(BRUSSELS).isoformat(timespec="seconds") if built else None


def as_of_label() -> str:
    """Say when the figures read from the summaries were computed (dashboards, PDF, exports)."""
    built = built_at()
    if built is None:
        return _("Figures not computed yet.")
    return _("Figures as of %(time)s") % {"time": as_of_time(built)}


# Set by any model save or delete when SUMMARIES_REFRESH_ON_READ is on (reporting/apps.py); starts
# true: this process does not know what changed before it started.
_changed = True


def mark_changed(**_kwargs: Any) -> None:
    global _changed
    _changed = True


def ensure_current() -> None:
    """Rebuild first when SUMMARIES_REFRESH_ON_READ is on and data changed since (development and tests)."""
    if not settings.SUMMARIES_REFRESH_ON_READ:
        return
    if _changed or not SummaryState.objects.filter(pk=1).exists():
        rebuild()


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
