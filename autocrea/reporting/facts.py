"""Each figure's facts, defined once, in SQL: what every trajectory contributes to the figures.

The summary counts (reporting/summaries.py, table `reporting.SummaryCount`) are these queries grouped
and stored; the full computation (`source="full"`: kpis_summary.FactReader for the headline figures,
survival.fact_triples, kpis.equity_counts_full) groups the same queries live over a period, and the
same reading code turns either into figures; `verify_summaries` compares the two.

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
| `qg:<d>`   | guided_on                | group of dimension d |                                      |
| `qx:<d>`   | exit_on (live exits)     | group of dimension d | flag bits of the exit kind           |

Every fact is counted per partner holding the trajectory now (s_p, 0 for none). A *closure* is a
live exit (`x` + the exit kind's flag bits: 1 positive, 2 job creation) or a stop (`s`); `svl` is
the same closure dated by its own day, to move closures after a period's censoring day back to the
censored. Equity dimensions `<d>` (kpis.DIMENSIONS): g gender, a age band, e education level, l
contact language, c commune, u unemployment band, b barrier (one fact per distinct barrier of the
trajectory's diagnostics). Each query takes the trajectories it describes (every one for the
summaries).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import Case, CharField, Count, DateField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, ExtractYear

from autocrea.backbone.steps import Step
from autocrea.pathways.models import Orientation, OrientationStatus, StepLog, Trajectory
from autocrea.reporting.kpis import DIMENSIONS, DaysBetween, dimension_key, live_exit
from autocrea.reporting.models import Grain

UNDATED = datetime.date(1, 1, 1)
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
COLUMNS = ("s_p", "s_f", "s_d", "s_k1", "s_k2")


def _of(rows: QuerySet[Any], trajectories: QuerySet[Trajectory]) -> QuerySet[Any]:
    """Rows of the trajectories in scope (no subquery when the scope is every trajectory)."""
    return rows.filter(trajectory__in=trajectories) if trajectories.query.where.children else rows


def _zero_if_null(expression: Any) -> Coalesce:
    return Coalesce(expression, Value(0), output_field=IntegerField())


def _undated_period() -> Value:
    return Value(UNDATED, output_field=DateField())


def headline_facts(trajectories: QuerySet[Trajectory]) -> list[tuple[str, str, QuerySet[Any]]]:
    """Return (fact, grain, query) of the headline facts (guided … queue): rows s_p, s_f, s_d, s_k1, s_k2, counted.

    The summaries store them grouped (reporting/summaries.py); the full computation groups the same
    queries over a period (kpis_summary.FactReader).
    """
    return [
        *outcome_facts(trajectories),
        *funnel_facts(trajectories),
        *pipeline_facts(trajectories),
        *place_facts(trajectories),
    ]


def outcome_facts(trajectories: QuerySet[Trajectory]) -> list[tuple[str, str, QuerySet[Any]]]:
    """Return (fact, grain, query) of `guided`, `lag` (interest to guided) and `exit` (live exits)."""
    guided = trajectories.filter(guided_on__isnull=False)
    partner = _zero_if_null(F("partner_id"))
    no_key2 = Value(0, output_field=IntegerField())
    return [
        (
            "guided",
            Grain.DAY,
            guided.annotate(s_p=partner, s_f=Value("guided"), s_d=F("guided_on"), s_k1=Value(""), s_k2=no_key2),
        ),
        (
            "lag",
            Grain.NONE,
            guided.annotate(
                s_p=partner,
                s_f=Value("lag"),
                s_d=_undated_period(),
                s_k1=Value(""),
                s_k2=DaysBetween("guided_on", "interest_on"),
            ),
        ),
        (
            "exit",
            Grain.DAY,
            trajectories.filter(live_exit()).annotate(
                s_p=partner,
                s_f=Value("exit"),
                s_d=F("exit_on"),
                s_k1=Coalesce(F("exit_kind_id"), Value(""), output_field=CharField()),
                s_k2=_zero_if_null(Cast(ExtractYear("guided_on"), IntegerField())),
            ),
        ),
    ]


def funnel_facts(trajectories: QuerySet[Trajectory]) -> list[tuple[str, str, QuerySet[Any]]]:
    """Return (fact, grain, query) of `funnel` (the steps reached, by interest day), then `step` per funnel step."""
    partner = _zero_if_null(F("partner_id"))
    mask: Any = Value(0)
    for i, (_name, field) in enumerate(FUNNEL_FIELDS):
        mask = mask + Case(When(**{f"{field}__isnull": False}, then=Value(1 << i)), default=Value(0))
    found: list[tuple[str, str, QuerySet[Any]]] = [
        (
            "funnel",
            Grain.DAY,
            trajectories.annotate(
                s_p=partner,
                s_f=Value("funnel"),
                s_d=F("interest_on"),
                s_k1=Case(
                    When(current_step=Step.STOPPED, then=Value("stopped")), default=Value(""), output_field=CharField()
                ),
                s_k2=Cast(mask, IntegerField()),
            ),
        )
    ]
    for index, (name, field) in enumerate(FUNNEL_FIELDS[:-1]):
        later = [f for _n, f in FUNNEL_FIELDS[index + 1 :]]
        next_date = Coalesce(*later) if len(later) > 1 else F(later[0])
        # Dates in order only: a date overwritten by a later passage (re-orientation, reopening) can
        # come after the next step's.
        rows = trajectories.annotate(
            s_p=partner, s_f=Value("step"), s_d=F(field), s_k1=Value(name), s_k2=DaysBetween(next_date, field)
        ).filter(**{f"{field}__isnull": False, "s_k2__gte": 0})
        found.append(("step", Grain.DAY, rows))
    return found


def pipeline_facts(trajectories: QuerySet[Trajectory]) -> list[tuple[str, str, QuerySet[Any]]]:
    """Return (fact, grain, query) of `current` (the step now), then `conv` per pipeline step (the forecast's)."""
    partner = _zero_if_null(F("partner_id"))
    found: list[tuple[str, str, QuerySet[Any]]] = [
        (
            "current",
            Grain.NONE,
            trajectories.annotate(
                s_p=partner,
                s_f=Value("current"),
                s_d=_undated_period(),
                s_k1=F("current_step"),
                s_k2=Case(When(guided_on__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()),
            ),
        )
    ]
    for field in PIPELINE_FIELDS:
        # People guided before they reached this step again (re-orientation) are left out.
        reached = Q(**{f"{field}__isnull": False}) & (Q(guided_on__isnull=True) | Q(guided_on__gte=F(field)))
        outcome = Case(
            When(guided_on__isnull=False, then=Value(2)),
            When(current_step=Step.STOPPED, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        rows = trajectories.filter(reached).annotate(
            s_p=partner, s_f=Value("conv"), s_d=_undated_period(), s_k1=Value(field), s_k2=outcome
        )
        found.append(("conv", Grain.NONE, rows))
    return found


def place_facts(trajectories: QuerySet[Trajectory]) -> list[tuple[str, str, QuerySet[Any]]]:
    """Return (fact, grain, query) of `accepted` (the step log's acceptances) and `queue` (orientations waiting)."""
    return [
        (
            "accepted",
            Grain.DAY,
            # From the step log: a person re-oriented and accepted by a second partner takes a place at both.
            _of(StepLog.objects.filter(to_step=Step.DIAGNOSTIC), trajectories).annotate(
                s_p=_zero_if_null(F("trajectory__partner_id")),
                s_f=Value("accepted"),
                s_d=F("on"),
                s_k1=Value(""),
                s_k2=_zero_if_null(F("partner_id")),
            ),
        ),
        (
            "queue",
            Grain.NONE,
            _of(Orientation.objects.filter(status__in=QUEUE_STATUSES), trajectories).annotate(
                s_p=_zero_if_null(F("trajectory__partner_id")),
                s_f=Value("queue"),
                s_d=_undated_period(),
                s_k1=F("status"),
                s_k2=_zero_if_null(F("partner_id")),
            ),
        ),
    ]


def survival_equity_facts(trajectories: QuerySet[Trajectory]) -> Iterator[tuple[str, QuerySet[Any], Any]]:
    """Yield (grain, query, count) of the closures (svo, svc, svl) and the equity groups (qg:*, qx:*)."""
    for _fact, rows in closure_facts(trajectories):
        yield Grain.DAY, rows, Count("pk")
    for dimension in DIMENSIONS:
        # A person has several barriers: one row per (trajectory, barrier), a trajectory counted once per barrier.
        total = Count("pk", distinct=True) if dimension == "barrier" else Count("pk")
        for _fact, rows in equity_facts(trajectories, dimension):
            yield Grain.DAY, rows, total


def closure_facts(trajectories: QuerySet[Trajectory]) -> list[tuple[str, QuerySet[Any]]]:
    """Return (fact, query) of the censoring-aware facts of guided people: `svo`, then `svc` and `svl` per closure.

    The summaries store them per day; survival.durations(source="full") groups them over a period.
    """
    exited = live_exit()
    stopped = Q(current_step=Step.STOPPED, stopped_on__isnull=False)
    closure_kind = Case(
        When(exit_kind__is_positive=True, exit_kind__is_job_creation=True, then=Value("x3")),
        When(exit_kind__is_job_creation=True, then=Value("x2")),
        When(exit_kind__is_positive=True, then=Value("x1")),
        default=Value("x0"),
        output_field=CharField(),
    )
    guided = trajectories.filter(guided_on__isnull=False)
    partner = _zero_if_null(F("partner_id"))
    found: list[tuple[str, QuerySet[Any]]] = [
        (
            "svo",
            guided.filter(~(exited | stopped)).annotate(
                s_p=partner, s_f=Value("svo"), s_d=F("guided_on"), s_k1=Value(""), s_k2=Value(0, IntegerField())
            ),
        )
    ]
    for closed, on, kind in ((exited, "exit_on", closure_kind), (stopped, "stopped_on", Value(STOP))):
        for fact, dated in (("svc", "guided_on"), ("svl", on)):
            found.append(
                (
                    fact,
                    guided.filter(closed).annotate(
                        s_p=partner, s_f=Value(fact), s_d=F(dated), s_k1=kind, s_k2=DaysBetween(on, "guided_on")
                    ),
                )
            )
    return found


def equity_facts(trajectories: QuerySet[Trajectory], dimension: str) -> list[tuple[str, QuerySet[Any]]]:
    """Return (fact, query) of one equity dimension: `qg:<d>` guided per group, `qx:<d>` live exits per group.

    The summaries store them per day; kpis.equity_counts_full groups them over a period (the full computation).
    """
    code = DIMENSION_CODES[dimension]
    exited = live_exit()
    positive = Case(When(exit_kind__is_positive=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    job = Case(When(exit_kind__is_job_creation=True, then=Value(2)), default=Value(0), output_field=IntegerField())
    partner = _zero_if_null(F("partner_id"))
    return [
        (
            fact,
            rows.annotate(s_p=partner, s_f=Value(fact), s_d=F(dated), s_k1=dimension_key(dimension), s_k2=key2).filter(
                s_k1__isnull=False
            ),
        )
        for rows, fact, dated, key2 in (
            (trajectories.filter(guided_on__isnull=False), f"qg:{code}", "guided_on", Value(0, IntegerField())),
            (trajectories.filter(exited), f"qx:{code}", "exit_on", Cast(positive + job, IntegerField())),
        )
    ]


def every_fact(trajectories: QuerySet[Trajectory] | None = None) -> Iterator[tuple[str, QuerySet[Any], Any]]:
    """Yield (grain, query, count) of every fact family: the rows s_p, s_f, s_d, s_k1, s_k2 and their count."""
    scope = Trajectory.objects.all() if trajectories is None else trajectories
    for _fact, grain, queryset in headline_facts(scope):
        yield grain, queryset, Count("pk")
    yield from survival_equity_facts(scope)
