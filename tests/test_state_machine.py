# ruff: noqa: S608 (the raw SQL formats in table names from the models only; values are parameters)
"""The backbone as a state machine, driven by random sequences of service calls (hypothesis).

Each example starts from one job seeker with no trajectory and applies up to a dozen service calls
by random actors (the counsellor, a coach of the trajectory's partner, a coach of another partner,
the person), with random dates, versions and reasons. After every call the invariants of the
backbone must hold, and a refused call (PathwayError) must have changed nothing at all.
Each example runs inside a savepoint that is rolled back, so examples do not see each other.

The model is the transition table itself (backbone/transitions.py): which services fit which step,
who may call them, and which step-log rows are legal all come from it, never restated here.
"""

from __future__ import annotations

import datetime
import os
from collections import Counter
from functools import partial
from itertools import pairwise
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from autocrea.accounts.models import AuditEvent
from autocrea.backbone.errors import PathwayError, TransitionError
from autocrea.backbone.roles import Role
from autocrea.backbone.steps import CLOSED_STEPS, GUIDED_STEPS, Channel, Step
from autocrea.backbone.transitions import ACTIONS, BY_NAME, NEW, SERVICES, check_action, roles_for, steps_for
from autocrea.coaching.models import Diagnostic, SkillAssessment
from autocrea.coaching.services import action_plan
from autocrea.pathways import services
from autocrea.pathways.models import (
    Decision,
    Exit,
    FollowUp,
    InformationAttendance,
    Orientation,
    OrientationStatus,
    StepLog,
    Trajectory,
)
from autocrea.reference.models import ExitKind
from tests.factories import SKILLS, make_jobseeker, make_trajectory

pytestmark = pytest.mark.django_db


def _fits(service: str) -> set[str | None]:
    # NEW (before a trajectory exists) is a person with no trajectory yet, or whose last one is closed.
    steps: set[str | None] = set(steps_for(service))
    if NEW in steps:
        steps = (steps - {NEW}) | {None} | set(CLOSED_STEPS)
    return steps


# Each service of the transition table and the steps where it makes sense (None: no trajectory yet).
FITS: dict[str, set[str | None]] = {service: _fits(service) for service in SERVICES}
PARTNER_SLUGS = ("credal", "microstart", "refresh")
MODELS = (
    Trajectory,
    StepLog,
    Decision,
    Orientation,
    Exit,
    FollowUp,
    InformationAttendance,
    Diagnostic,
    SkillAssessment,
    AuditEvent,
)
LIVE = [OrientationStatus.PENDING, OrientationStatus.WAITLISTED, OrientationStatus.ACCEPTED]

# "allowed" is whoever the role table lets do the action, so that walks get past the first steps.
actors = st.sampled_from(["allowed", "allowed", "counsellor", "right_coach", "other_coach", "jobseeker"])
# Days after the last step: mostly forward, sometimes before it or in the future (both refused).
day_offsets = st.sampled_from([0, 1, 2, 1, 3, -2, 1000])
versions = st.sampled_from(["current", "none", "current", "stale"])
reasons = st.sampled_from(["The person asked for it", "", "   ", "Moved to Ghent"])


COLUMNS = [f.column for f in Trajectory._meta.concrete_fields]


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    # Raw SQL: the invariants run thousands of times and the ORM's query compilation would dominate.
    # Only table and column names from the models are formatted in; values go as parameters.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _state(jobseeker_id: int) -> dict[str, Any]:
    """Return the person's trajectories with their log, orientations and exits, and every table's row count."""
    t, log, o, e, f = (m._meta.db_table for m in (Trajectory, StepLog, Orientation, Exit, FollowUp))
    mine = f"SELECT id FROM {t} WHERE jobseeker_id = %s"
    return {
        "trajectories": _rows(
            f"SELECT {', '.join(COLUMNS)} FROM {t} WHERE jobseeker_id = %s ORDER BY id", [jobseeker_id]
        ),
        "log": _rows(
            f"SELECT trajectory_id, from_step, to_step, action, reason FROM {log} "
            f"WHERE trajectory_id IN ({mine}) ORDER BY id",
            [jobseeker_id],
        ),
        "orientations": _rows(
            f"SELECT trajectory_id, status, partner_id, answered_on FROM {o} WHERE trajectory_id IN ({mine}) ORDER BY id",
            [jobseeker_id],
        ),
        "exits": _rows(
            f"SELECT e.trajectory_id, e.voided_on, f.status FROM {e} e LEFT JOIN {f} f ON f.exit_id = e.id "
            f"WHERE e.trajectory_id IN ({mine}) ORDER BY e.id",
            [jobseeker_id],
        ),
        "counts": _rows(
            "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {m._meta.db_table})" for m in MODELS),
            [],
        )[0],
    }


class Backbone(RuleBasedStateMachine):
    """Random service calls on one person's trajectories; the invariants are checked after each."""

    ctx: dict[str, Any] = {}

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.jobseeker = make_jobseeker(user=self.ctx["jobseeker_user"])
        self.start = timezone.localdate() - datetime.timedelta(days=300)
        self.calls = 0
        self.refusals = 0
        self.last_state: dict[str, Any] | None = None
        self.logged_before: Counter[str] | None = None

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        stats = self.ctx["stats"]
        stats["calls"] += self.calls
        stats["refusals"] += self.refusals
        stats["examples"] += 1

    @initialize(
        # Every step, with the partner's steps twice as likely: they need the longest walks to reach.
        step=st.sampled_from([None, *(s.value for s in Step), Step.ORIENTATION, Step.DIAGNOSTIC, Step.DIAGNOSTIC]),
        slug=st.sampled_from(PARTNER_SLUGS),
    )
    def start_somewhere(self, step: str | None, slug: str) -> None:
        """Start with no trajectory, or one walked through the services to a random step."""
        if step is None:
            return
        make_trajectory(
            step=step,
            counsellor=self.ctx["counsellor"],
            coach=self.ctx["coaches"][slug],
            partner=self.ctx["partners"][slug],
            jobseeker=self.jobseeker,
            start=self.start,
        )

    # -- helpers -----------------------------------------------------------------------------

    def current(self) -> Trajectory | None:
        return Trajectory.objects.filter(jobseeker=self.jobseeker).order_by("-pk").first()

    def actor(self, name: str, trajectory: Trajectory | None) -> Any:
        coaches = self.ctx["coaches"]
        partner_slug = trajectory.partner.slug if trajectory is not None and trajectory.partner_id else "credal"
        if name == "counsellor":
            return self.ctx["counsellor"]
        if name == "right_coach":
            return coaches[partner_slug]
        if name == "other_coach":
            return next(c for slug, c in coaches.items() if slug != partner_slug)
        return self.ctx["jobseeker_user"]

    def day(self, trajectory: Trajectory | None, offset: int) -> datetime.date:
        if trajectory is None:
            return self.start + datetime.timedelta(days=offset)
        dates = [
            trajectory.interest_on,
            trajectory.information_on,
            trajectory.decision_on,
            trajectory.orientation_on,
            trajectory.guided_on,
            trajectory.accompaniment_on,
            trajectory.exit_on,
            trajectory.follow_up_on,
            trajectory.stopped_on,
        ]
        return max(d for d in dates if d is not None) + datetime.timedelta(days=offset)

    @staticmethod
    def version(trajectory: Trajectory, choice: str) -> int | None:
        return {"none": None, "current": trajectory.version, "stale": trajectory.version - 1}[choice]

    def attempt(self, action: str, actor_name: str, by: Any, trajectory: Trajectory | None, call: Any) -> None:
        """Run one service call; a refusal must leave every row as it was."""
        self.calls += 1
        # The invariant just read the same state after the previous step: reuse it as the "before".
        before = self.last_state if self.last_state is not None else _state(self.jobseeker.pk)
        self.last_state = None
        try:
            call()
        except PathwayError as exc:
            self.refusals += 1
            self.ctx["stats"]["messages"][f"{action}: {exc.message[:60]}"] += 1
            assert _state(self.jobseeker.pk) == before, f"a refused {action} changed data"
            return
        # Accepted: the actor's role may do this, and partner staff only on their own partner's file.
        assert by.role in roles_for(action), f"{action} accepted from a {by.role}"
        assert actor_name != "other_coach", f"{action} accepted from a coach of another partner"
        self.ctx["stats"]["accepted"][action] += 1
        self.logged_before = Counter(row[3] for row in before["log"])
        if trajectory is not None and action != "express_interest":
            after = Trajectory.objects.get(pk=trajectory.pk).version
            assert after > trajectory.version, f"an accepted {action} did not bump the version"

    # -- one rule: a service call drawn from those that fit the step now, or from all of them -----

    @rule(data=st.data())
    def call_a_service(self, data: st.DataObject) -> None:
        trajectory = self.current()
        step = trajectory.current_step if trajectory is not None else None
        fitting = [name for name, steps in FITS.items() if step in steps]
        # Mostly a call that fits the step (so walks go deep), sometimes any call (so refusals are tried).
        action = data.draw(
            st.sampled_from(fitting) if fitting and data.draw(st.booleans()) else st.sampled_from(list(FITS))
        )
        actor_name = data.draw(actors)
        if actor_name == "allowed":
            actor_name = "counsellor" if Role.COUNSELLOR in roles_for(action) else "right_coach"
        by = self.actor(actor_name, trajectory)
        offset = data.draw(day_offsets)
        if action == "express_interest":
            on = self.day(trajectory, offset) if trajectory is not None else self.day(None, max(offset, 0) % 5)
            channel = data.draw(st.sampled_from(["counter", "web", "counter", "bogus"]))
            self.attempt(
                action,
                actor_name,
                by,
                trajectory,
                lambda: services.express_interest(jobseeker=self.jobseeker, by=by, channel=channel, on=on),
            )
            return
        if trajectory is None:
            return
        kwargs: dict[str, Any] = {
            "trajectory": trajectory,
            "by": by,
            "on": self.day(trajectory, offset),
            "version": self.version(trajectory, data.draw(versions)),
        }
        reason = data.draw(reasons)
        if action == "record_information":
            call = partial(services.record_information, channel="counter", **kwargs)
        elif action == "record_decision":
            go_ahead, why = data.draw(
                st.sampled_from([(True, "go"), (False, "not_now"), (True, "go"), (True, "not_now"), (False, "bogus")])
            )
            call = partial(
                services.record_decision, channel="phone", go_ahead=go_ahead, reason=why, skip_reason=reason, **kwargs
            )
        elif action in {"orient", "reorient"}:
            partner = self.ctx["partners"][data.draw(st.sampled_from(PARTNER_SLUGS))]
            service = services.orient if action == "orient" else services.reorient
            call = partial(service, partner=partner, channel="counter", reason=reason, **kwargs)
        elif action == "answer_orientation":
            answer = data.draw(st.sampled_from(["accepted", "declined", "accepted", "waitlisted", "bogus"]))
            call = partial(services.answer_orientation, answer=answer, reason=reason, **kwargs)
        elif action == "record_diagnostic":
            skills = data.draw(st.sampled_from([SKILLS, SKILLS, {"finance": 9}]))
            call = partial(
                action_plan.record_diagnostic,
                barriers=[],
                maturity="idea",
                viability="uncertain",
                skills=skills,
                **kwargs,
            )
        elif action == "record_exit":
            kind = self.ctx["exit_kinds"][data.draw(st.sampled_from(["salaried_job", "self_employed", "dropped_out"]))]
            bce = data.draw(st.sampled_from(["", "0403.170.701", "1234"]))
            call = partial(services.record_exit, kind=kind, enterprise_number=bce, **kwargs)
        elif action == "record_follow_up":
            responded, situation, source = data.draw(
                st.sampled_from([(False, "", ""), (True, "employed", "phone"), (True, "", "phone")])
            )
            call = partial(services.record_follow_up, responded=responded, situation=situation, source=source, **kwargs)
        else:  # stop, reopen
            service = services.stop if action == "stop" else services.reopen
            call = partial(service, channel="phone", reason=reason, **kwargs)
        self.attempt(action, actor_name, by, trajectory, call)

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def the_backbone_holds(self) -> None:
        state = self.last_state = _state(self.jobseeker.pk)
        if self.logged_before is not None:  # an accepted call: the actions it logged
            self.ctx["stats"]["logged"].update(Counter(row[3] for row in state["log"]) - self.logged_before)
            self.logged_before = None
        trajectories = [dict(zip(COLUMNS, row, strict=True)) for row in state["trajectories"]]
        closed = {Step.EXIT, Step.FOLLOW_UP, Step.STOPPED}
        assert sum(1 for t in trajectories if t["current_step"] not in closed) <= 1, "two open trajectories"
        for t in trajectories:
            pk, step, partner = t["id"], t["current_step"], t["partner_id"]
            rows = [row[1:] for row in state["log"] if row[0] == pk]
            log = [(src, dst) for src, dst, _name, _reason in rows]
            assert rows[0][:3] == (NEW, Step.INTEREST, "express_interest"), rows[0]
            for from_step, to_step, name, reason in rows:
                # Every row names an action of the table that takes this edge, with a reason when it needs one.
                action = BY_NAME[name]
                assert from_step in action.sources and to_step in action.targets, f"{name}: {from_step}->{to_step}"
                assert reason.strip() or not action.needs_reason, f"{name} logged without a reason"
            for (_, previous_to), (from_step, _to) in pairwise(log):
                assert from_step == previous_to, f"broken chain {log}"
            assert step == log[-1][1], (step, log)
            assert t["version"] >= len(log), "every step change bumps the version"

            live = [(status, p) for tid, status, p, _ in state["orientations"] if tid == pk and status in LIVE]
            assert len(live) <= 1, live
            live_exits = [row for row in state["exits"] if row[0] == pk and row[1] is None]
            assert len(live_exits) <= 1, live_exits

            if step in GUIDED_STEPS:
                assert partner is not None, "a guided step needs a partner"
                assert live == [(OrientationStatus.ACCEPTED, partner)], (live, partner)
            elif step == Step.ORIENTATION:
                # Waiting for a partner's answer, or back to choosing after a refusal.
                assert live == ([(live[0][0], partner)] if partner else []), (live, partner)
                assert all(status != OrientationStatus.ACCEPTED for status, _ in live), live
            elif step in {Step.EXIT, Step.FOLLOW_UP}:
                assert partner is not None
            else:  # interest, information, decision, stopped: no partner yet, or no longer
                assert partner is None, (step, partner)
                assert not live, live

            exited = step in {Step.EXIT, Step.FOLLOW_UP}
            assert (t["exit_kind_id"] is not None) == exited, (step, t["exit_kind_id"])
            assert (t["exit_on"] is not None) == exited, (step, t["exit_on"])
            assert bool(live_exits) == exited, (step, live_exits)
            assert (t["guided_on"] is not None) == any(dst == Step.DIAGNOSTIC for _, dst in log)


STEPS = int(os.environ.get("AUTOCREA_STATE_MACHINE_STEPS", "12"))
EXAMPLES = int(os.environ.get("AUTOCREA_STATE_MACHINE_EXAMPLES", "500"))


def test_random_service_calls_never_break_the_backbone(cast, partners):
    ctx: dict[str, Any] = {
        "counsellor": cast["demo-counsellor"],
        "jobseeker_user": cast["demo-jobseeker"],
        "coaches": {slug: cast[f"demo-coach-{slug}"] for slug in PARTNER_SLUGS},
        "partners": partners,
        "exit_kinds": {k.code: k for k in ExitKind.objects.all()},
        "stats": {
            "calls": 0,
            "refusals": 0,
            "examples": 0,
            "accepted": Counter(),
            "logged": Counter(),
            "messages": Counter(),
        },
    }
    assert cast["demo-jobseeker"].role == Role.JOBSEEKER
    Backbone.ctx = ctx
    run_state_machine_as_test(
        Backbone,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            # The same walks on every run: the coverage check below (every service accepted at least once)
            # must not depend on luck; exits followed by a follow-up are rare in a random walk.
            derandomize=True,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    stats = ctx["stats"]
    assert stats["examples"] >= EXAMPLES
    # The random walks reached every service with an accepted call, not only refusals.
    print(f"state machine: {stats['examples']} examples, {stats['calls']} calls, {stats['refusals']} refused")
    print(f"accepted: {dict(stats['accepted'])}")
    print(f"logged: {dict(stats['logged'])}")
    for message, n in sorted(stats["messages"].items()):
        print(n, message)
    assert set(stats["accepted"]) >= BACKBONE_ACTIONS, stats["accepted"]


ALL_STEPS = [s.value for s in Step]
# The pathway services this machine drives: every service of the transition table. The other permissions
# (coaching records, eligibility justification, merging people) are not backbone transitions.
BACKBONE_ACTIONS = set(SERVICES)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_an_action_is_refused_outside_its_steps_and_targets(action):
    for source in [NEW, *ALL_STEPS]:
        if source not in action.sources:
            with pytest.raises(TransitionError):
                check_action(action.name, source, reason="a reason does not make an illegal action legal")
            continue
        for target in ALL_STEPS:
            if target in action.targets:
                assert check_action(action.name, source, reason="A reason", target=target) == action
            else:
                with pytest.raises(TransitionError):
                    check_action(action.name, source, reason="A reason", target=target)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_an_action_is_refused_to_roles_and_channels_outside_its_row(action):
    source = min(action.sources)
    for role in Role.values:
        if role in action.roles:
            assert check_action(action.name, source, role=role, reason="A reason") == action
        else:
            with pytest.raises(TransitionError):
                check_action(action.name, source, role=role, reason="A reason")
    for channel in [*Channel.values, "bogus"]:
        if channel in action.channels:
            assert check_action(action.name, source, channel=channel, reason="A reason") == action
        else:
            with pytest.raises(TransitionError):
                check_action(action.name, source, channel=channel, reason="A reason")


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_an_action_that_skips_or_undoes_a_step_needs_a_reason(action):
    for source in action.sources:
        if action.needs_reason:
            for blank in ("", "   "):
                with pytest.raises(TransitionError):
                    check_action(action.name, source, reason=blank)
        else:
            assert check_action(action.name, source) == action
        assert check_action(action.name, source, reason="A reason") == action
