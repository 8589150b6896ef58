"""The synthetic population: deterministic, complete step logs, the services' invariants, calibrated exits."""

from __future__ import annotations

import hashlib
import io
from itertools import groupby, pairwise

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from autocrea.backbone.steps import GUIDED_STEPS, Step
from autocrea.backbone.transitions import BY_NAME
from autocrea.jobseekers.models import Jobseeker
from autocrea.pathways.models import (
    STEP_DATE_FIELDS,
    Exit,
    FollowUp,
    Orientation,
    StepLog,
    Trajectory,
)
from autocrea.reporting.export import iter_rows

pytestmark = pytest.mark.django_db


def generate(n: int, seed: int = 1, batch_size: int = 5000) -> None:
    call_command("generate_population", trajectories=n, seed=seed, batch_size=batch_size, stdout=io.StringIO())


def content_hash() -> str:
    """Hash the export rows without the ids (which differ from one database to the next), plus the names."""
    digest = hashlib.sha256()
    for row in iter_rows(Trajectory.objects.all()):
        digest.update(repr(row[1:]).encode())
    for name in Jobseeker.objects.order_by("pk").values_list("first_name", "last_name", "birth_date"):
        digest.update(repr(name).encode())
    return digest.hexdigest()


def delete_everything() -> None:
    Trajectory.objects.all().delete()
    Jobseeker.objects.all().delete()


def test_population_is_deterministic_chained_and_calibrated():
    generate(2000, seed=1)
    first = content_hash()
    assert Trajectory.objects.count() == 2000 and Jobseeker.objects.count() == 2000
    today = timezone.localdate()

    # Every step log is complete and chained, allowed by the backbone, in date order, never in the future.
    trajectories = {t.pk: t for t in Trajectory.objects.all()}
    rows = StepLog.objects.order_by("trajectory_id", "id").values_list(
        "trajectory_id", "from_step", "to_step", "on", "reason", "partner_id", "action"
    )
    seen = set()
    for tid, group in groupby(rows, key=lambda r: r[0]):
        steps = list(group)
        t = trajectories[tid]
        seen.add(tid)
        assert steps[0][1:3] == ("", Step.INTEREST) and steps[0][6] == "express_interest"
        assert steps[0][3] == t.interest_on
        for previous, row in pairwise(steps):
            assert row[1] == previous[2]
            # Each row names an action of the transition table that takes this edge.
            action = BY_NAME[row[6]]
            assert row[1] in action.sources and row[2] in action.targets, row
            assert not action.needs_reason or row[4]
            assert previous[3] <= row[3] <= today
        assert steps[-1][2] == t.current_step
        assert steps[-1][5] == t.partner_id
        assert t.version >= len(steps)
        for step, field in STEP_DATE_FIELDS.items():
            reached = [row[3] for row in steps if row[2] == step]
            if step == Step.DIAGNOSTIC:
                assert getattr(t, field) == (reached[0] if reached else None)
            else:
                assert getattr(t, field) == (reached[-1] if reached else None), (field, steps)
    assert seen == set(trajectories)

    # The CheckConstraints and unique constraints of pathways/models.py, as the services keep them.
    guided = [s.value for s in GUIDED_STEPS]
    assert not Trajectory.objects.filter(current_step__in=guided, partner__isnull=True).exists()
    assert not Trajectory.objects.filter(
        Q(current_step__in=["exit", "follow_up"]) & (Q(exit_kind__isnull=True) | Q(exit_on__isnull=True))
    ).exists()
    live = Orientation.objects.filter(status__in=["pending", "waitlisted", "accepted"])
    assert not live.values("trajectory").annotate(n=Count("id")).filter(n__gt=1).exists()
    accepted = set(Orientation.objects.filter(status="accepted").values_list("trajectory_id", "partner_id"))
    for pk, partner_id in Trajectory.objects.filter(current_step__in=guided).values_list("pk", "partner_id"):
        assert (pk, partner_id) in accepted
    exited = Trajectory.objects.filter(exit_kind__isnull=False)
    assert Exit.objects.count() == exited.count() == FollowUp.objects.count()
    assert FollowUp.objects.exclude(status="due").count() == Trajectory.objects.filter(current_step="follow_up").count()
    assert not Exit.objects.exclude(exit_on=F("trajectory__exit_on")).exists()
    assert not Exit.objects.filter(kind__evidence_hint="enterprise_number", enterprise_number="").exists()

    # Funnel outcomes and open trajectories are there too; exits reproduce the programme's figures.
    assert set(Trajectory.objects.values_list("current_step", flat=True)) == set(Step.values)
    assert Trajectory.objects.open().count() > 200
    exits = Exit.objects.count()
    assert exits > 300
    positive = Exit.objects.filter(kind__is_positive=True).count() / exits
    job_creation = Exit.objects.filter(kind__is_job_creation=True).count() / exits
    assert positive == pytest.approx(0.50, abs=0.05)
    assert job_creation == pytest.approx(0.12, abs=0.035)

    # The same N and seed give the same data again.
    delete_everything()
    generate(2000, seed=1)
    assert content_hash() == first


def test_population_does_not_depend_on_the_batch_size():
    generate(300, seed=7, batch_size=1000)
    whole = content_hash()
    delete_everything()
    generate(300, seed=7, batch_size=7)
    assert content_hash() == whole


def test_a_second_run_appends_new_people():
    generate(50, seed=3)
    generate(50, seed=4)
    assert Trajectory.objects.count() == Jobseeker.objects.count() == 100
    assert StepLog.objects.filter(to_step="interest").count() == 100
