"""Summary tables (reporting/summaries.py): rebuilt from the tables, never by the services, same figures.

- After sequences of service calls (reopen, re-orient, decline, waiting list, exit, follow-up, stop…),
  the rebuilt counts give compute_kpis, survival and equity equal to the full computation, for the
  programme and for each partner, over several periods, and `verify_summaries` agrees.
- A partner's scope reads only that partner's counts; other scopes fall back to the full computation.
- On a generated population, `kpis --json` agrees to the last digit with a recomputation from
  `export_trajectories` alone (scripts/recompute_kpis_from_export.py).
"""

from __future__ import annotations

import datetime
import importlib.util
import io
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from autocrea.accounts.access import export_scope_for
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Channel, Step
from autocrea.pathways import services
from autocrea.pathways.models import Trajectory
from autocrea.reference.models import ExitKind
from autocrea.reporting import kpis, kpis_summary, summaries, survival
from autocrea.reporting.models import SummaryCount
from tests.factories import make_trajectory

D = datetime.date
TODAY = datetime.date.today()


def _load_recompute_script() -> Any:
    path = Path(django_settings.BASE_DIR) / "scripts" / "recompute_kpis_from_export.py"
    spec = importlib.util.spec_from_file_location("recompute_kpis_from_export", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _periods() -> list[tuple[D | None, D | None]]:
    """The programme, whole years, whole months, and periods cut mid-month and across year ends."""
    year = TODAY.year
    return [
        (None, None),
        (D(year - 1, 1, 1), D(year - 1, 12, 31)),
        (D(year - 2, 11, 17), D(year, 2, 9)),  # edge days, whole months, a whole year, whole months, edge days
        (TODAY - datetime.timedelta(days=45), TODAY),
    ]


def assert_summaries_consistent(partner_ids: list[int], *, today: D | None = None) -> None:
    """A rebuild is reproducible, the figures from it equal the full computation, verify_summaries agrees."""
    summaries.rebuild()
    rebuilt = summaries.totals()
    summaries.rebuild()
    assert summaries.totals() == rebuilt
    out = io.StringIO()
    call_command("verify_summaries", stdout=out)
    assert "identical" in out.getvalue()
    for partner_id in [None, *partner_ids]:
        for start, end in _periods():
            common: dict[str, Any] = {"start": start, "end": end, "partner_id": partner_id, "today": today}
            from_summaries = kpis.compute_kpis(**common, source="summary")
            assert from_summaries == kpis.compute_kpis_full(**common), (partner_id, start, end)
            assert_survival_and_equity_identical(**common)


def assert_survival_and_equity_identical(
    *, start: D | None, end: D | None, partner_id: int | None, today: D | None = None
) -> None:
    """Survival and every equity dimension from the summaries equal the full computation, number for number."""
    common: dict[str, Any] = {"start": start, "end": end, "partner_id": partner_id}
    full = survival.survival_summary(**common, today=today, source="full")
    assert survival.survival_summary(**common, today=today, source="summary") == full, (partner_id, start, end)
    # The triples are the full computation's pairs, counted.
    triples = survival.durations(**common, today=today, source="summary")
    pairs = survival.fetch_durations(**common, today=today)
    assert Counter({(d, e): n for d, e, n in triples}) == Counter(pairs)
    for dimension in kpis.DIMENSIONS:
        expected = kpis.equity(dimension=dimension, **common, source="full")
        assert kpis.equity(dimension=dimension, **common, source="summary") == expected, (dimension, partner_id)


def _exit(t: Trajectory, code: str, on: D, by: Any) -> Trajectory:
    kind = ExitKind.objects.get(code=code)
    bce = "0403.170.701" if kind.evidence_hint == "enterprise_number" else ""
    return services.record_exit(trajectory=t, kind=kind, on=on, by=by, enterprise_number=bce)


def test_edge_cases_keep_the_counts_equal_to_a_rebuild(
    partners: dict[str, Any], counsellor: Any, coach: Any, other_coach: Any
) -> None:
    credal, microstart = partners["credal"], partners["microstart"]
    start = TODAY - datetime.timedelta(days=420)
    day = start + datetime.timedelta(days=20)
    # Reopened exit, then a second exit: only the live one counts.
    t = make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach, partner=credal, start=start)
    t = services.reopen(trajectory=t, by=coach, channel=Channel.PARTNER, on=day, reason="New market")
    _exit(t, "self_employed", day + datetime.timedelta(days=30), coach)
    # Re-oriented to a second partner, accepted there, exited and followed up.
    t = make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=credal, start=start)
    t = services.reorient(
        trajectory=t, partner=microstart, by=coach, channel=Channel.PARTNER, on=day, reason="Microcredit"
    )
    t = services.answer_orientation(trajectory=t, by=other_coach, answer="accepted", on=day)
    t = _exit(t, "salaried_job", day + datetime.timedelta(days=40), other_coach)
    services.record_follow_up(trajectory=t, by=other_coach, on=day + datetime.timedelta(days=60), responded=False)
    # Declined by the second partner after a re-orientation: guided, no partner any more, then stopped.
    t = make_trajectory(step=Step.DIAGNOSTIC, counsellor=counsellor, coach=coach, partner=credal, start=start)
    t = services.reorient(trajectory=t, partner=microstart, by=coach, channel=Channel.PARTNER, on=day, reason="Why")
    t = services.answer_orientation(trajectory=t, by=other_coach, answer="declined", on=day, reason="Full")
    services.stop(trajectory=t, by=counsellor, channel=Channel.PHONE, on=day, reason="Moved away")
    # Waiting list, then accepted; pending at another partner; stopped and reopened.
    t = make_trajectory(step=Step.ORIENTATION, counsellor=counsellor, coach=coach, partner=credal, start=start)
    t = services.answer_orientation(trajectory=t, by=coach, answer="waitlisted", on=day)
    services.answer_orientation(trajectory=t, by=coach, answer="accepted", on=day + datetime.timedelta(days=5))
    make_trajectory(step=Step.ORIENTATION, counsellor=counsellor, coach=other_coach, partner=microstart, start=start)
    t = make_trajectory(step=Step.STOPPED, counsellor=counsellor, start=start)
    services.reopen(trajectory=t, by=counsellor, channel=Channel.PHONE, on=day, reason="Back")
    # Exit without follow-up, exit with follow-up.
    make_trajectory(
        step=Step.EXIT, counsellor=counsellor, coach=coach, partner=credal, start=start, exit_kind="company"
    )
    make_trajectory(step=Step.FOLLOW_UP, counsellor=counsellor, coach=other_coach, partner=microstart, start=start)
    summaries.ensure_current()  # SUMMARIES_REFRESH_ON_READ (tests): the data changed, rebuilt
    assert SummaryCount.objects.exists()
    assert_summaries_consistent([credal.pk, microstart.pk])


def _random_step(rng: random.Random, t: Trajectory, *, day: D, users: dict[str, Any], partners: dict[str, Any]) -> None:
    """Try one service call that the trajectory's step allows (refusals write nothing and are fine)."""
    counsellor = users["counsellor"]
    staff = {partners["credal"].pk: users["credal"], partners["microstart"].pk: users["microstart"]}
    t.refresh_from_db()
    partner_staff = staff.get(t.partner_id or 0)
    step = t.current_step
    try:
        if step == Step.INTEREST:
            if rng.random() < 0.8:
                services.record_information(trajectory=t, by=counsellor, channel=Channel.COUNTER, on=day)
            else:
                services.stop(trajectory=t, by=counsellor, channel=Channel.PHONE, on=day, reason="Left")
        elif step == Step.INFORMATION:
            go = rng.random() < 0.8
            services.record_decision(
                trajectory=t,
                by=counsellor,
                channel=Channel.COUNTER,
                on=day,
                go_ahead=go,
                reason="go" if go else "not_now",
            )
        elif step == Step.DECISION:
            partner = rng.choice([partners["credal"], partners["microstart"]])
            services.orient(trajectory=t, partner=partner, by=counsellor, channel=Channel.COUNTER, on=day)
        elif step == Step.ORIENTATION:
            if partner_staff is None:
                services.orient(
                    trajectory=t, partner=partners["credal"], by=counsellor, channel=Channel.COUNTER, on=day
                )
                return
            answer = rng.choice(["accepted", "accepted", "declined", "waitlisted"])
            services.answer_orientation(trajectory=t, by=partner_staff, answer=answer, on=day, reason="Reason")
        elif step in {Step.DIAGNOSTIC, Step.ACCOMPANIMENT}:
            r = rng.random()
            if r < 0.2:
                other = partners["microstart"] if t.partner_id == partners["credal"].pk else partners["credal"]
                services.reorient(
                    trajectory=t, partner=other, by=partner_staff, channel=Channel.PARTNER, on=day, reason="Move"
                )
            elif r < 0.45 and step == Step.DIAGNOSTIC:
                services.start_accompaniment(trajectory=t, by=partner_staff, on=day)
            else:
                _exit(t, rng.choice(["self_employed", "salaried_job", "dropped_out", "training"]), day, partner_staff)
        elif step == Step.EXIT:
            if rng.random() < 0.4:
                services.reopen(trajectory=t, by=partner_staff, channel=Channel.PARTNER, on=day, reason="Again")
            else:
                services.record_follow_up(trajectory=t, by=partner_staff, on=day, responded=False)
        elif step == Step.STOPPED and rng.random() < 0.5:
            services.reopen(trajectory=t, by=counsellor, channel=Channel.PHONE, on=day, reason="Back")
    except PathwayError:
        pass


@pytest.mark.parametrize("seed", [1, 2])
def test_random_sequences_of_service_calls_keep_the_counts_equal_to_a_rebuild(
    seed: int, partners: dict[str, Any], counsellor: Any, coach: Any, other_coach: Any
) -> None:
    rng = random.Random(seed)
    users = {"counsellor": counsellor, "credal": coach, "microstart": other_coach}
    start = TODAY - datetime.timedelta(days=500)
    people = [
        make_trajectory(
            step=Step.INTEREST, counsellor=counsellor, start=start + datetime.timedelta(days=rng.randint(0, 90))
        )
        for _ in range(6)
    ]
    day = start + datetime.timedelta(days=95)
    for _round in range(12):
        day += datetime.timedelta(days=rng.randint(3, 31))
        for t in people:
            if rng.random() < 0.7:
                _random_step(rng, t, day=day, users=users, partners=partners)
    steps = set(Trajectory.objects.values_list("current_step", flat=True))
    assert len(steps) >= 4, steps  # the walk reached a variety of steps
    assert_summaries_consistent([partners["credal"].pk, partners["microstart"].pk], today=TODAY)


def test_a_partner_scope_reads_only_that_partners_counts(
    cast: dict[str, Any], partners: dict[str, Any], counsellor: Any, coach: Any, other_coach: Any
) -> None:
    credal, microstart = partners["credal"], partners["microstart"]
    start = TODAY - datetime.timedelta(days=300)
    make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach, partner=credal, start=start)
    make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=credal, start=start)
    make_trajectory(step=Step.FOLLOW_UP, counsellor=counsellor, coach=other_coach, partner=microstart, start=start)
    own = export_scope_for(coach)
    assert kpis_summary.usable(own, credal.pk)
    assert not kpis_summary.usable(own, microstart.pk)  # a foreign partner id with this scope: full computation
    assert not kpis_summary.usable(own, None)
    assert kpis_summary.usable(export_scope_for(cast["demo-programme-manager"]), None)
    assert not kpis_summary.usable(Trajectory.objects.none(), None)
    assert not kpis_summary.usable(Trajectory.objects.filter(current_step=Step.EXIT), None)
    figures = kpis.compute_kpis(start=None, end=None, partner_id=credal.pk, queryset=own)
    assert figures == kpis.compute_kpis_full(start=None, end=None, partner_id=credal.pk, queryset=own)
    assert figures["guided"]["by_partner"] == [{"partner": "credal", "guided": 2}]
    assert figures["exits"]["exits"] == 1
    assert [row["partner"] for row in figures["capacity"]] == ["credal"]
    # The dashboard's survival and equity calls (the partner's own scope) read the summaries too.
    scoped: dict[str, Any] = {"start": None, "end": None, "partner_id": credal.pk, "queryset": own}
    assert survival.survival_summary(**scoped, source="summary") == survival.survival_summary(**scoped, source="full")
    assert survival.survival_summary(**scoped)["population"] == 2
    assert kpis.equity(dimension="gender", **scoped, source="summary") == kpis.equity(
        dimension="gender", **scoped, source="full"
    )
    with pytest.raises(ValueError):
        survival.survival_summary(start=None, end=None, partner_id=None, queryset=own, source="summary")
    # A scope the summaries do not hold is computed in full, and refused when the summaries are demanded.
    narrow = Trajectory.objects.filter(current_step=Step.EXIT)
    assert kpis.compute_kpis(start=None, end=None, partner_id=None, queryset=narrow)["exits"]["exits"] == 1
    with pytest.raises(ValueError):
        kpis.compute_kpis(start=None, end=None, partner_id=None, queryset=narrow, source="summary")


def test_a_period_reads_each_day_exactly_once(partners: dict[str, Any], counsellor: Any, coach: Any) -> None:
    rng = random.Random(7)
    for _ in range(6):
        begin = TODAY - datetime.timedelta(days=rng.randint(60, 900))
        make_trajectory(
            step=Step.DIAGNOSTIC, counsellor=counsellor, coach=coach, partner=partners["credal"], start=begin
        )
    reader = kpis_summary.Reader(None)
    for _ in range(60):
        a = TODAY - datetime.timedelta(days=rng.randint(0, 1000))
        b = a + datetime.timedelta(days=rng.randint(0, 800))
        expected = Trajectory.objects.filter(guided_on__gte=a, guided_on__lte=b).count()
        assert reader.total("guided", start=a, end=b) == expected, (a, b)


def test_generated_population_rebuild_then_services_then_commands(
    partners: dict[str, Any], counsellor: Any, coach: Any
) -> None:
    call_command("generate_population", trajectories=300, seed=5, stdout=io.StringIO())
    rebuilt = summaries.totals()
    assert rebuilt
    # Services on generated trajectories never touch the counts: the next rebuild takes their changes.
    for t in Trajectory.objects.filter(current_step=Step.INTEREST)[:5]:
        services.record_information(trajectory=t, by=counsellor, channel=Channel.COUNTER, on=TODAY)
    for t in Trajectory.objects.filter(current_step=Step.EXIT, partner=partners["credal"])[:3]:
        services.reopen(trajectory=t, by=coach, channel=Channel.PARTNER, on=TODAY, reason="Again")
    assert summaries.totals() == rebuilt
    out = io.StringIO()
    call_command("rebuild_summaries", stdout=out)
    assert "summary rows rebuilt" in out.getvalue()
    assert summaries.totals() != rebuilt
    out = io.StringIO()
    call_command("benchmark_kpis", runs=1, dimensions=["all"], stdout=out)
    assert "identical numbers: yes" in out.getvalue()


def test_kpis_json_agrees_with_a_recomputation_from_the_export_alone(db: Any, tmp_path: Path) -> None:
    call_command("generate_population", trajectories=2000, seed=3, stdout=io.StringIO())
    script = _load_recompute_script()
    export = tmp_path / "trajectories.csv"
    call_command("export_trajectories", output=str(export), stderr=io.StringIO())
    for options in ({}, {"partner": "credal", "start": "2024-03-04", "end": "2025-07-31"}):
        out = io.StringIO()
        call_command("kpis", as_json=True, stdout=out, **options)
        figures = json.loads(out.getvalue())
        with export.open(encoding="utf-8", newline="") as file:
            rows = script.read_export(file, partner=figures["period"]["partner"])
        assert (
            len(rows)
            == Trajectory.objects.filter(
                **({"partner__slug": options["partner"]} if "partner" in options else {})
            ).count()
        )
        assert figures["exits"]["exits"] > 0
        assert script.compare(rows, figures) == []
    # The comparison does see a difference in the last digit.
    figures["exits"]["positive_rate"] += 1e-15
    assert any("positive_rate" in line for line in script.compare(rows, figures))


def test_barriers_merges_and_exit_kind_changes_keep_survival_and_equity_exact(
    partners: dict[str, Any], counsellor: Any, coach: Any, other_coach: Any, settings: Any
) -> None:
    from autocrea.coaching.services import action_plan
    from autocrea.jobseekers.merge import merge_jobseekers
    from autocrea.reference.models import BarrierCode
    from tests.factories import SKILLS, make_jobseeker

    credal, microstart = partners["credal"], partners["microstart"]
    barriers = list(BarrierCode.objects.order_by("code")[:3])
    start = TODAY - datetime.timedelta(days=700)
    people = [
        make_jobseeker(gender="male", birth_date=D(2000, 3, 1), commune_id=None, unemployed_since=None),
        make_jobseeker(gender="female", birth_date=D(1960, 12, 31), contact_language="nl"),
        make_jobseeker(gender="x", birth_date=D(1990, 6, 15), unemployed_since=TODAY - datetime.timedelta(days=900)),
    ]
    rows = []
    for index, person in enumerate(people * 2):
        if index >= len(people):
            person = make_jobseeker(gender=person.gender, birth_date=person.birth_date)
        begin = start + datetime.timedelta(days=97 * index)
        partner, staff = (credal, coach) if index % 2 else (microstart, other_coach)
        t = make_trajectory(
            step=Step.DIAGNOSTIC, counsellor=counsellor, coach=staff, partner=partner, jobseeker=person, start=begin
        )
        # Barriers recorded at the diagnostic: the equity monitor's barrier groups follow.
        action_plan.record_diagnostic(
            trajectory=t,
            by=staff,
            on=begin + datetime.timedelta(days=6),
            barriers=barriers[: index % 4],
            maturity="idea",
            viability="uncertain",
            skills=SKILLS,
        )
        t.refresh_from_db()
        if index % 3 != 2:
            t = _exit(
                t,
                ["self_employed", "salaried_job", "dropped_out"][index % 3],
                TODAY - datetime.timedelta(days=index * 30),
                staff,
            )
        rows.append(t)
    # Guided, re-oriented, declined by the second partner, then stopped: censored at the stop.
    t = make_trajectory(step=Step.DIAGNOSTIC, counsellor=counsellor, coach=coach, partner=credal, start=start)
    day = start + datetime.timedelta(days=300)
    t = services.reorient(trajectory=t, partner=microstart, by=coach, channel=Channel.PARTNER, on=day, reason="Why")
    t = services.answer_orientation(trajectory=t, by=other_coach, answer="declined", on=day, reason="Full")
    services.stop(trajectory=t, by=counsellor, channel=Channel.PHONE, on=day, reason="Moved away")
    barrier_groups = kpis.equity(dimension="barrier", start=None, end=None, partner_id=None, source="summary")["groups"]
    assert {g["group"] for g in barrier_groups} == {b.code for b in barriers[:3]}
    counted = summaries.totals()
    assert any(key[1] == "svc" and key[4] == summaries.STOP for key in counted)  # a stop, censored at its day
    assert any(key[1] == "svo" for key in counted) and any(key[1] == "svl" for key in counted)
    assert_summaries_consistent([credal.pk, microstart.pk], today=TODAY)
    # A period ending before the exits: they are censored at its end, from the closures dated by their day.
    last_year = D(TODAY.year - 1, 12, 31)
    assert survival.survival_summary(start=None, end=last_year, partner_id=None, source="summary")["exits"] == 0

    # A merge gives the kept person the duplicate's details: their trajectories change groups.
    keep = make_jobseeker(gender="female", birth_date=D(1999, 1, 1), first_name="Keep", last_name="Person")
    make_trajectory(step=Step.DECISION, counsellor=counsellor, jobseeker=keep, start=start)
    merge_jobseekers(
        duplicate=people[0],
        keep=keep,
        by=counsellor,
        take_from_duplicate={"gender", "birth_date", "commune", "unemployed_since"},
    )
    summaries.ensure_current()
    assert summaries.totals() != counted  # the kept person's trajectories moved to other groups
    assert_summaries_consistent([credal.pk, microstart.pk], today=TODAY)

    # An exit kind's flags changed afterwards: the figures stay those of the last rebuild (their "as of"
    # time), then the next rebuild reflects the change.
    settings.SUMMARIES_REFRESH_ON_READ = False
    ExitKind.objects.filter(code="salaried_job").update(is_positive=False)
    common: dict[str, Any] = {"start": None, "end": None, "partner_id": None}
    first, last, _today = kpis.resolve_period(start=None, end=None)
    window: dict[str, Any] = {"dimension": "gender", "start": first, "end": last, "partner_id": None}
    assert kpis_summary.equity_counts(**window) != kpis.equity_counts_full(**window)  # positives counted as before
    assert survival.survival_summary(**common, source="summary") != survival.survival_summary(**common, source="full")
    summaries.rebuild()
    assert_survival_and_equity_identical(**common)


def test_the_full_computation_groups_the_same_facts_live_and_never_reads_the_summaries(
    partners: dict[str, Any], counsellor: Any, coach: Any, other_coach: Any
) -> None:
    """source="full" groups reporting/facts.py's queries over the trajectories: the stored counts, row for row."""
    rng = random.Random(11)
    for step in (Step.ORIENTATION, Step.DIAGNOSTIC, Step.ACCOMPANIMENT, Step.EXIT, Step.FOLLOW_UP, Step.STOPPED):
        for partner, person in ((partners["credal"], coach), (partners["microstart"], other_coach)):
            begin = TODAY - datetime.timedelta(days=rng.randint(60, 900))
            make_trajectory(step=step, counsellor=counsellor, coach=person, partner=partner, start=begin)
    summaries.rebuild()
    for partner_id in (None, partners["credal"].pk):
        stored = kpis_summary.Reader(partner_id)
        live = kpis_summary.FactReader(kpis.base_queryset(queryset=None, partner_id=partner_id), partner_id)
        # Whole and cut periods, and periods starting or ending on a day with facts (the bounds are inclusive).
        days = sorted({d for t in Trajectory.objects.all() for d in (t.interest_on, t.guided_on, t.exit_on) if d})
        periods = [p for p in _periods() if p[0] is not None] + [(d, d) for d in days[::3]] + [(days[1], days[-2])]
        for start, end in periods:
            assert start is not None and end is not None
            for facts in (("guided", "exit"), ("funnel", "step"), ("accepted",)):
                by = ("fact", "partner", "year", "key1", "key2")
                assert sorted(live.grouped(facts, by, start=start, end=end)) == sorted(
                    stored.grouped(facts, by, start=start, end=end)
                ), (facts, start, end)
            assert live.total("funnel", start=start, end=end) == stored.total("funnel", start=start, end=end)
        for fact in kpis_summary.UNDATED_FACTS:
            assert sorted(live.undated(fact)) == sorted(stored.undated(fact)), fact
            assert live.undated(fact), fact  # every undated fact has rows here: the comparison means something
    expected = kpis.compute_kpis_full(start=None, end=None, partner_id=None)
    assert expected["guided"]["count"] and expected["exits"]["exits"]
    # Wrong summaries change nothing in the full computation: it scans the facts, never the summary rows.
    SummaryCount.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        assert kpis.compute_kpis_full(start=None, end=None, partner_id=None) == expected
    assert captured.captured_queries
    assert not [q for q in captured.captured_queries if SummaryCount._meta.db_table in q["sql"]]
