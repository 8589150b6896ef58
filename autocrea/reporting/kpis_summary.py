"""The figures of kpis.compute_kpis, read from the fact counts: stored (the summaries) or grouped live (full).

Every headline fact is defined once, in SQL, in reporting/facts.py. The figures here read its counts
through a `Counts` reader, whatever their source: `Reader` the summary rows (reporting/summaries.py:
a few grouped sums over whole years and months of the period plus its edge days), `FactReader` the
same fact queries grouped over the trajectories in scope (the full computation, kpis.compute_kpis_full,
the reference `verify_summaries` and `benchmark_kpis` compare with). Only aggregated rows (never a
trajectory) reach Python, for the medians and the exit kinds' flags.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Case, Count, DateField, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, ExtractYear

from autocrea.backbone.steps import Step
from autocrea.partners.models import Partner
from autocrea.pathways.models import OrientationStatus, Trajectory
from autocrea.reference.models import ExitKind
from autocrea.reporting import facts, kpis, summaries
from autocrea.reporting.facts import DIMENSION_CODES, FUNNEL_FIELDS, STOP, UNDATED
from autocrea.reporting.models import Grain, SummaryCount
from autocrea.reporting.summaries import histogram_median, period_q


def usable(queryset: QuerySet[Trajectory] | None, partner_id: int | None) -> bool:
    """Whether the caller's scope is one the summaries hold: everything, or the partner's own trajectories."""
    if queryset is None:
        return True
    query = queryset.query
    if queryset.model is not Trajectory or query.is_empty() or query.distinct or query.combinator:
        return False
    if query.low_mark or query.high_mark is not None:
        return False
    if not query.where.children:
        return True
    return partner_id is not None and query.where == Trajectory.objects.filter(partner_id=partner_id).query.where


UNDATED_FACTS = ("conv", "current", "lag", "queue")
# What a count can be grouped by: the summary table's column, the fact row's annotation.
_SUMMARY_COLUMNS = {"fact": "fact", "partner": "partner_key", "key1": "key1", "key2": "key2"}
_FACT_COLUMNS = {"partner": "s_p", "year": "s_year", "key1": "s_k1", "key2": "s_k2"}
Row = tuple[Any, ...]


class Counts:
    """The fact counts one compute_kpis call reads, each fetched once: from the summaries or live from the facts.

    The figures below read only `grouped`, `total` and `undated`: the same reading code whatever the
    source. A subclass says where the counts come from: `Reader` the stored summary rows (a few
    grouped sums), `FactReader` the fact queries of reporting/facts.py grouped over the trajectories
    in scope (the full computation). Both give the same rows, so the same figures.
    """

    def __init__(self, partner_id: int | None) -> None:
        self.partner_id = partner_id
        self._undated: dict[str, list[tuple[int | None, str, int | None, int]]] = {}
        self._partners: list[tuple[int, str, bool, int]] | None = None
        self._totals: dict[tuple[str, datetime.date, datetime.date], int] = {}
        self._period_rows: dict[tuple[datetime.date, datetime.date], list[Any]] = {}

    def grouped(
        self, facts: tuple[str, ...], by: tuple[str, ...], *, start: datetime.date, end: datetime.date
    ) -> list[Row]:
        """Return (*by, count) of the dated facts in start…end, by any of fact, partner, year, key1, key2."""
        raise NotImplementedError

    def fetch_undated(self, facts: tuple[str, ...]) -> list[Row]:
        """Return (fact, partner, key1, key2, count) of undated facts."""
        raise NotImplementedError

    def undated_batch(self, fact: str) -> tuple[str, ...]:
        """The undated facts fetched together when `fact` is first read (the facts: one query each)."""
        return (fact,)

    def fetch_totals(self, keys: list[tuple[str, datetime.date, datetime.date]]) -> list[int]:
        """Return the count of each (fact, start, end)."""
        raise NotImplementedError

    def total(self, fact: str, *, start: datetime.date, end: datetime.date) -> int:
        key = (fact, start, end)
        if key not in self._totals:
            self._totals[key] = self.fetch_totals([key])[0]
        return self._totals[key]

    def prefetch_totals(self, keys: list[tuple[str, datetime.date, datetime.date]]) -> None:
        """Fetch several (fact, start, end) totals at once (the summaries: in one query)."""
        self._totals.update(zip(keys, self.fetch_totals(keys), strict=True))

    def period_rows(
        self, start: datetime.date, end: datetime.date
    ) -> list[tuple[str, int | None, int, str, int | None, int]]:
        """Return (fact, partner, year, key1, key2, count) of guided and exits in the period."""
        key = (start, end)
        if key not in self._period_rows:
            by = ("fact", "partner", "year", "key1", "key2")
            self._period_rows[key] = self.grouped(("guided", "exit"), by, start=start, end=end)
        return self._period_rows[key]

    def undated(self, fact: str) -> list[tuple[int | None, str, int | None, int]]:
        """Return (partner, key1, key2, count) of an undated fact."""
        if fact not in self._undated:
            wanted = self.undated_batch(fact)
            for name in wanted:
                self._undated[name] = []
            for name, partner, key1, key2, n in self.fetch_undated(wanted):
                self._undated[name].append((partner, key1, key2, n))
        return self._undated[fact]

    def partners(self) -> list[tuple[int, str, bool, int]]:
        if self._partners is None:
            self._partners = list(
                Partner.objects.order_by("slug").values_list("pk", "slug", "active", "yearly_capacity")
            )
        return self._partners

    def slugs(self) -> dict[int | None, str | None]:
        slugs: dict[int | None, str | None] = {pk: slug for pk, slug, _a, _c in self.partners()}
        slugs[0] = slugs[None] = None  # partner_key 0: no partner
        return slugs


class Reader(Counts):
    """The counts read from the stored summary rows (whole years and months of a period, plus its edge days)."""

    def __init__(self, partner_id: int | None) -> None:
        summaries.ensure_current()
        super().__init__(partner_id)

    def rows(self, *facts: str) -> QuerySet[SummaryCount]:
        qs = (
            SummaryCount.objects.filter(fact__in=facts)
            if len(facts) > 1
            else SummaryCount.objects.filter(fact=facts[0])
        )
        return qs.filter(partner_key=self.partner_id) if self.partner_id is not None else qs

    def grouped(
        self, facts: tuple[str, ...], by: tuple[str, ...], *, start: datetime.date, end: datetime.date
    ) -> list[Row]:
        rows = self.rows(*facts).filter(period_q(start, end))
        if "year" in by:
            rows = rows.annotate(year=Cast(ExtractYear("period"), IntegerField()))
        columns = [_SUMMARY_COLUMNS.get(name, name) for name in by]
        found = rows.values(*columns).annotate(t=Sum("n")).values_list(*columns, "t")
        return [(*row[:-1], int(row[-1])) for row in found if row[-1]]

    def undated_batch(self, fact: str) -> tuple[str, ...]:
        return UNDATED_FACTS  # every undated summary row in one query

    def fetch_undated(self, facts: tuple[str, ...]) -> list[Row]:
        # The fact first: the index (fact, grain, period, partner) then reads only the undated rows.
        qs = SummaryCount.objects.filter(fact__in=facts, grain=Grain.NONE)
        if self.partner_id is not None:
            qs = qs.filter(partner_key=self.partner_id)
        columns = ("fact", "partner_key", "key1", "key2")
        found = qs.values(*columns).annotate(t=Sum("n")).values_list(*columns, "t")
        return [(*row[:-1], int(row[-1])) for row in found if row[-1]]

    def fetch_totals(self, keys: list[tuple[str, datetime.date, datetime.date]]) -> list[int]:
        where = Q(grain="-")  # no row: the OR of each total's rows follows
        sums: dict[str, Sum] = {}
        for index, (fact, start, end) in enumerate(keys):
            rows = Q(fact=fact) & period_q(start, end)
            where |= rows
            sums[f"t{index}"] = Sum("n", filter=rows)
        qs = SummaryCount.objects.filter(where)
        if self.partner_id is not None:
            qs = qs.filter(partner_key=self.partner_id)
        result = qs.aggregate(**sums)
        return [int(result[f"t{index}"] or 0) for index in range(len(keys))]


class FactReader(Counts):
    """The counts of the fact queries (reporting/facts.py) grouped live over the trajectories in scope.

    The full computation: every count is a scan of the trajectories (or of the step log and
    orientations), never a read of the summary rows; `trajectories` is already the caller's scope.
    """

    def __init__(self, trajectories: QuerySet[Trajectory], partner_id: int | None) -> None:
        super().__init__(partner_id)
        self.queries: dict[str, list[QuerySet[Any]]] = defaultdict(list)
        for fact, _grain, rows in facts.headline_facts(trajectories):
            self.queries[fact].append(rows)

    def _counted(self, fact: str, by: tuple[str, ...], period: Q | None) -> list[Row]:
        """Return (*by, count) of one fact's queries; `fact` in `by` is this fact, `year` the year of its day."""
        columns = [_FACT_COLUMNS[name] for name in by if name != "fact"]
        counted: dict[Row, int] = defaultdict(int)
        for rows in self.queries[fact]:
            if period is not None:
                rows = rows.filter(period)
            if "year" in by:
                rows = rows.annotate(s_year=Cast(ExtractYear("s_d"), IntegerField()))
            for *key, n in rows.values(*columns).annotate(s_n=Count("pk")).order_by().values_list(*columns, "s_n"):
                counted[tuple(key)] += int(n)
        at = by.index("fact") if "fact" in by else None
        return [(*k[:at], fact, *k[at:], n) if at is not None else (*k, n) for k, n in counted.items() if n]

    def grouped(
        self, facts: tuple[str, ...], by: tuple[str, ...], *, start: datetime.date, end: datetime.date
    ) -> list[Row]:
        return [row for fact in facts for row in self._counted(fact, by, Q(s_d__gte=start, s_d__lte=end))]

    def fetch_undated(self, facts: tuple[str, ...]) -> list[Row]:
        return [row for fact in facts for row in self._counted(fact, ("fact", "partner", "key1", "key2"), None)]

    def prefetch_totals(self, keys: list[tuple[str, datetime.date, datetime.date]]) -> None:
        """Nothing ahead: each total is a scan of its own, made when (and only if) it is read."""

    def fetch_totals(self, keys: list[tuple[str, datetime.date, datetime.date]]) -> list[int]:
        return [
            sum(rows.filter(s_d__gte=start, s_d__lte=end).count() for rows in self.queries[fact])
            for fact, start, end in keys
        ]


def _ordered(rows: Iterable[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Sort like ORDER BY in the database: NULL last on PostgreSQL, first on SQLite."""
    nulls_last = connection.vendor == "postgresql"
    return sorted(rows, key=lambda r: ((r[key] is None) == nulls_last, r[key] if r[key] is not None else 0))


def guided_figures(reader: Counts, *, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    slugs = reader.slugs()
    counts: dict[int | None, int] = defaultdict(int)
    for fact, partner, _year, _key1, _key2, n in reader.period_rows(start, end):
        if fact == "guided":
            counts[partner] += n
    by_partner = [{"partner": slugs[partner], "guided": n} for partner, n in counts.items() if n]
    return {"count": sum(r["guided"] for r in by_partner), "by_partner": _ordered(by_partner, "partner")}


def target_figures(
    reader: Counts, *, programme: tuple[datetime.date, datetime.date], guided: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The guided count over the programme window against the configured target and quotas (as kpis.target_figures)."""
    if guided is None:
        guided = guided_figures(reader, start=programme[0], end=programme[1])
    return kpis.target_section(guided=guided["count"], by_partner=guided["by_partner"], partner_id=reader.partner_id)


def exit_figures(reader: Counts, *, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    flags = {
        code: (positive, job)
        for code, positive, job in ExitKind.objects.values_list("code", "is_positive", "is_job_creation")
    }
    rows = [row[1:] for row in reader.period_rows(start, end) if row[0] == "exit"]
    slugs = reader.slugs()
    groups: dict[str, dict[Any, list[int]]] = {
        name: defaultdict(lambda: [0, 0, 0]) for name in ("partner", "year", "cohort")
    }
    overall = [0, 0, 0]
    for partner, year, kind, cohort, t in rows:
        n = int(t or 0)
        if not n:
            continue
        positive, job = flags.get(kind, (False, False))
        for cells in (
            overall,
            groups["partner"][slugs[partner]],
            groups["year"][year],
            groups["cohort"][cohort or None],
        ):
            cells[0] += n
            cells[1] += n if positive else 0
            cells[2] += n if job else 0

    def row(cells: list[int]) -> dict[str, Any]:
        return kpis.exit_figures_row({"n_exits": cells[0], "n_positive": cells[1], "n_job_creation": cells[2]})

    def grouped(name: str) -> list[dict[str, Any]]:
        return _ordered(({name: key, **row(cells)} for key, cells in groups[name].items() if cells[0]), name)

    return {
        **row(overall),
        "by_partner": grouped("partner"),
        "by_year": grouped("year"),
        "by_cohort": grouped("cohort"),
    }


def funnel_and_steps(
    reader: Counts, *, start: datetime.date, end: datetime.date
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the funnel and the time in each step, from one grouped query over both facts."""
    rows = reader.grouped(("funnel", "step"), ("fact", "key1", "key2"), start=start, end=end)
    reached = [0] * len(FUNNEL_FIELDS)
    both = [0] * (len(FUNNEL_FIELDS) - 1)
    stopped = 0
    histograms: dict[str, dict[int, int]] = defaultdict(dict)
    for fact, key1, key2, t in rows:
        n = int(t or 0)
        if not n:
            continue
        if fact == "step":
            histograms[key1][int(key2 or 0)] = n
            continue
        mask = int(key2 or 0)
        stopped += n if key1 == "stopped" else 0
        for i in range(len(FUNNEL_FIELDS)):
            if mask >> i & 1:
                reached[i] += n
                if i + 1 < len(FUNNEL_FIELDS) and mask >> (i + 1) & 1:
                    both[i] += n
    steps = []
    for index, (name, _field) in enumerate(FUNNEL_FIELDS):
        step: dict[str, Any] = {"step": name, "reached": reached[index]}
        if index + 1 < len(FUNNEL_FIELDS):
            step["next_step"] = FUNNEL_FIELDS[index + 1][0]
            step["conversion_to_next"] = kpis.rate_or_none(both[index], reached[index])
        steps.append(step)
    times = []
    for name, _field in FUNNEL_FIELDS[:-1]:
        median, count = histogram_median(histograms.get(name, {}))
        times.append({"step": name, "median_days": median, "trajectories": count})
    return {"cohort": "interest_on in the period", "steps": steps, "stopped": stopped}, times


def capacity_figures(reader: Counts, *, today: datetime.date) -> list[dict[str, Any]]:
    year_start, year_end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    accepted: dict[int | None, int] = defaultdict(int)
    for key2, n in reader.grouped(("accepted",), ("key2",), start=year_start, end=year_end):
        accepted[key2] += n
    queues: dict[tuple[int | None, str], int] = defaultdict(int)
    for _partner, status, orientation_partner, n in reader.undated("queue"):
        queues[(orientation_partner, status)] += n
    in_guidance: dict[int | None, int] = defaultdict(int)
    for partner, step, _key2, n in reader.undated("current"):
        if step in {Step.DIAGNOSTIC, Step.ACCOMPANIMENT}:
            in_guidance[partner] += n
    rows = []
    for pk, slug, active, capacity in reader.partners():
        if not active or (reader.partner_id is not None and pk != reader.partner_id):
            continue
        n = accepted.get(pk, 0)
        rows.append(
            {
                "partner": slug,
                "year": today.year,
                "yearly_capacity": capacity,
                "accepted_this_year": n,
                "capacity_use": kpis.rate_or_none(n, capacity),
                "in_guidance_now": in_guidance.get(pk, 0),
                "pending": queues.get((pk, OrientationStatus.PENDING), 0),
                "waitlisted": queues.get((pk, OrientationStatus.WAITLISTED), 0),
            }
        )
    return rows


class CountSource:
    """The forecast's inputs (forecast.ForecastSource) read from the counts: the summaries or the facts."""

    def __init__(self, reader: Counts) -> None:
        self.reader = reader

    def guided_between(self, start: datetime.date, end: datetime.date) -> int:
        return self.reader.total("guided", start=start, end=end)

    def interests_between(self, start: datetime.date, end: datetime.date) -> int:
        return self.reader.total("funnel", start=start, end=end)

    def open_at(self, steps: list[str]) -> dict[str, int]:
        open_at: dict[str, int] = defaultdict(int)
        for _partner, step, not_guided, n in self.reader.undated("current"):
            if not_guided == 1 and step in steps:
                open_at[step] += n
        return dict(open_at)

    def conversion(self, field: str) -> tuple[float | None, int, int]:
        guided = resolved = 0
        for _partner, key1, code, n in self.reader.undated("conv"):
            if key1 == field:
                guided += n if code == 2 else 0
                resolved += n if code in {1, 2} else 0
        return (guided / resolved if resolved else None), guided, resolved

    def lag(self) -> float | None:
        histogram: dict[int, int] = defaultdict(int)
        for _partner, _key1, days, n in self.reader.undated("lag"):
            histogram[int(days or 0)] += n
        return histogram_median(histogram)[0]


def compute(reader: Counts, *, start: datetime.date, end: datetime.date, today: datetime.date) -> dict[str, Any]:
    """Return the figures of compute_kpis (without `period`), reading the counts of `reader` (summaries or facts)."""
    from autocrea.reporting import forecast

    programme_start, programme_end = kpis.programme_window()
    reader.prefetch_totals(
        forecast.summary_totals(today=today, programme_start=programme_start, programme_end=programme_end)
    )
    guided = guided_figures(reader, start=start, end=end)
    programme = (programme_start, programme_end)
    funnel, times = funnel_and_steps(reader, start=start, end=end)
    return {
        "guided": guided,
        "target": target_figures(reader, programme=programme, guided=guided if (start, end) == programme else None),
        "exits": exit_figures(reader, start=start, end=end),
        "funnel": funnel,
        "time_in_step": times,
        "capacity": capacity_figures(reader, today=today),
        "forecast": forecast.forecast_from(CountSource(reader), partner_id=reader.partner_id, today=today),
    }


# ---------------------------------------------------------------- censoring-aware figures and equity


EARLIEST, LATEST = datetime.date(2, 1, 1), datetime.date(9998, 12, 31)  # years 2 to 9998: all the data


def event_code(key1: str) -> int:
    """Return survival.Event's code of a closure key (svc/svl key1): a stop is censored."""
    if key1 == STOP:
        return 0
    bits = int(key1[1:])
    return 1 if bits & 2 else 2 if bits & 1 else 3  # job creation, other positive, not positive


def survival_triples(
    *, start: datetime.date, censor_on: datetime.date, partner_id: int | None
) -> list[tuple[int, int, int]]:
    """Return (days at risk, event code, people) of survival.fetch_durations, from the summary counts.

    Everyone guided in start…censor_on: closures (`svc`, by guided day: whole years and months, edge
    days) are events or stops at their duration; people never closed (`svo`, per guided day) are
    censored at censor_on; closures after censor_on (`svl`, per closure day, none when censor_on is
    today) are moved from the events to the censored. The exit kinds' flags are those of the last
    rebuild (the figures' "as of" time).
    """
    summaries.ensure_current()
    day = datetime.timedelta(days=1)
    programme_start = kpis.programme_window()[0]
    # A long period is read as all time minus its outside (for the programme: nothing to subtract).
    complement = start <= censor_on and 2 * (censor_on - start).days > (censor_on - min(start, programme_start)).days
    # The programme reads the rows added up over every partner where they exist (svo, all-time svc).
    everyone = Q(partner_key=summaries.ALL_PARTNERS if partner_id is None else partner_id)
    if complement:
        outside = period_q(EARLIEST, start - day) | period_q(censor_on + day, LATEST)
        closures = Q(fact="svc") & ((Q(grain=Grain.NONE) & everyone) | outside)
    else:
        closures = Q(fact="svc") & period_q(start, censor_on)
    rows = SummaryCount.objects.filter(
        closures | (Q(fact="svo", grain=Grain.DAY, period__gte=start, period__lte=censor_on) & everyone)
    )
    late = SummaryCount.objects.filter(
        Q(fact="svl", grain=Grain.DAY, period__gt=censor_on)
        # guided on or before censor_on and on or after start: start ≤ closure day − days ≤ censor_on
        & Q(key2__gte=kpis.DaysBetween(F("period"), Value(censor_on, output_field=DateField())))
        & Q(key2__lte=kpis.DaysBetween(F("period"), Value(start, output_field=DateField())))
    )
    if partner_id is not None:
        rows = rows.filter(partner_key=partner_id)
        late = late.filter(partner_key=partner_id)
    dated = Case(When(fact="svc", then=Value(UNDATED)), default=F("period"), output_field=DateField())
    whole = Case(When(grain=Grain.NONE, then=Value(1)), default=Value(0), output_field=IntegerField())
    events: dict[tuple[int, int], int] = defaultdict(int)
    censored: dict[datetime.date, int] = defaultdict(int)  # by guided day
    for fact, on, all_time, key1, key2, t in (
        rows.annotate(on=dated, all_time=whole)
        .values("fact", "on", "all_time", "key1", "key2")
        .annotate(t=Sum("n"))
        .values_list("fact", "on", "all_time", "key1", "key2", "t")
    ):
        n = int(t or 0)
        if fact == "svc":
            events[(int(key2), event_code(key1))] += n if all_time or not complement else -n
        else:  # svo
            censored[on] += n
    # Closed after censor_on (none when it is today): not an event, censored at censor_on. Two grouped
    # reads (by duration and kind, then by guided day) rather than one row per closure day.
    moved = 0
    for key1, key2, t in late.values("key1", "key2").annotate(t=Sum("n")).values_list("key1", "key2", "t"):
        events[(int(key2), event_code(key1))] -= int(t or 0)
        moved += int(t or 0)
    if moved:
        offset = Cast(
            kpis.DaysBetween(F("period"), Value(censor_on, output_field=DateField())) - F("key2"), IntegerField()
        )
        for before, t in late.annotate(before=offset).values("before").annotate(t=Sum("n")).values_list("before", "t"):
            censored[censor_on + datetime.timedelta(days=int(before))] += int(t or 0)  # guided `before` days from it
    triples = [(days, code, n) for (days, code), n in events.items() if n]
    triples += [((censor_on - day).days, 0, n) for day, n in censored.items() if n]
    return triples


def equity_counts(
    *, dimension: str, start: datetime.date, end: datetime.date, partner_id: int | None
) -> list[tuple[str, int, int, int, int]]:
    """Return (group, guided, exits, positive, job creation) of kpis.equity from the summary counts, by group.

    The exit kinds' flags are those of the last rebuild (the figures' "as of" time).
    """
    summaries.ensure_current()
    code = DIMENSION_CODES[dimension]
    rows = SummaryCount.objects.filter(fact__in=[f"qg:{code}", f"qx:{code}"]).filter(period_q(start, end))
    if partner_id is not None:
        rows = rows.filter(partner_key=partner_id)
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for fact, group, bits, t in (
        rows.values("fact", "key1", "key2").annotate(t=Sum("n")).values_list("fact", "key1", "key2", "t")
    ):
        n = int(t or 0)
        cells = groups[group]
        if fact.startswith("qg"):
            cells[0] += n
        else:
            cells[1] += n
            cells[2] += n if bits & 1 else 0
            cells[3] += n if bits & 2 else 0
    return sorted((group, *cells) for group, cells in groups.items() if any(cells))  # type: ignore[misc]
