"""Database rules behind the services: one open trajectory per person, locks in primary-key order.

The services refuse a second open trajectory with a plain message; the partial unique constraint
holds when two writers both pass that check. Batches lock their rows in primary-key order, so two
transactions that lock the same rows given in opposite orders wait for each other, never deadlock.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Channel, Step
from autocrea.jobseekers.merge import merge_jobseekers
from autocrea.jobseekers.models import Jobseeker
from autocrea.pathways import services
from autocrea.pathways.caseload import assign_coach
from autocrea.pathways.models import Trajectory, TrajectoryQuerySet
from tests.factories import make_jobseeker, make_trajectory

ALREADY_OPEN = "This person already has an open trajectory."


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def without_the_services_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every "is there an open trajectory?" check answer no, as when two writers pass it together."""
    monkeypatch.setattr(TrajectoryQuerySet, "exists", lambda self: False)


def _open_trajectory(person: Jobseeker) -> Trajectory:
    return Trajectory(
        jobseeker=person, current_step=Step.INTEREST, intake_channel=Channel.COUNTER, interest_on=timezone.localdate()
    )


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_trajectory_but_not_a_closed_one(counsellor):
    first = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    person = first.jobseeker
    with pytest.raises(IntegrityError), transaction.atomic():
        _open_trajectory(person).save()
    assert Trajectory.objects.filter(jobseeker=person).count() == 1
    # Closed trajectories do not count: stopped ones sit beside the open one.
    services.stop(trajectory=first, by=counsellor, channel=Channel.PHONE, on=timezone.localdate(), reason="Moved")
    second = _open_trajectory(person)
    second.save()
    assert Trajectory.objects.filter(jobseeker=person).open().get() == second


@pytest.mark.django_db
def test_express_interest_past_its_check_is_refused_with_the_message_not_a_500(counsellor, without_the_services_check):
    person = make_jobseeker()
    services.express_interest(jobseeker=person, by=counsellor, channel=Channel.COUNTER)
    with pytest.raises(PathwayError) as refused:
        services.express_interest(jobseeker=person, by=counsellor, channel=Channel.COUNTER)
    assert refused.value.message == ALREADY_OPEN
    assert Trajectory.objects.filter(jobseeker=person).count() == 1


@pytest.mark.django_db
def test_reopening_while_another_trajectory_is_open_is_refused(counsellor):
    stopped = make_trajectory(step=Step.STOPPED, counsellor=counsellor)
    person = stopped.jobseeker
    services.express_interest(jobseeker=person, by=counsellor, channel=Channel.COUNTER)
    version = Trajectory.objects.get(pk=stopped.pk).version
    with pytest.raises(PathwayError) as refused:
        services.reopen(
            trajectory=stopped, by=counsellor, channel=Channel.PHONE, on=timezone.localdate(), reason="Back"
        )
    assert refused.value.message == ALREADY_OPEN
    fresh = Trajectory.objects.get(pk=stopped.pk)
    assert (fresh.current_step, fresh.version) == (Step.STOPPED, version), "nothing written"


@pytest.mark.django_db
def test_a_merge_past_its_check_is_refused_with_the_message(counsellor, without_the_services_check):
    keep = make_trajectory(step=Step.INTEREST, counsellor=counsellor).jobseeker
    duplicate = make_trajectory(step=Step.INTEREST, counsellor=counsellor).jobseeker
    with pytest.raises(PathwayError) as refused:
        merge_jobseekers(duplicate=duplicate, keep=keep, by=counsellor, take_from_duplicate=set())
    assert refused.value.message == ALREADY_OPEN
    assert Jobseeker.objects.get(pk=duplicate.pk).merged_into_id is None
    assert Trajectory.objects.filter(jobseeker=duplicate).count() == 1


# --- PostgreSQL: threads with their own connections ---------------------------------------------------


def _together(*calls: Any) -> list[Any]:
    """Run each call in its own thread and connection, released together; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Any) -> None:
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                results[index] = call()
        except Exception as exc:  # the test inspects what each writer got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_past_the_check_open_one_trajectory(counsellor, without_the_services_check):
    for _ in range(5):
        person = make_jobseeker()

        def submit(person: Jobseeker = person) -> Trajectory:
            return services.express_interest(jobseeker=person, by=counsellor, channel=Channel.COUNTER)

        results = _together(submit, submit)
        assert sum(isinstance(r, Trajectory) for r in results) == 1, results
        refused = [r for r in results if not isinstance(r, Trajectory)]
        assert isinstance(refused[0], PathwayError) and refused[0].message == ALREADY_OPEN, refused
        assert Trajectory.objects.filter(jobseeker=person).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_batches_of_the_same_files_in_opposite_orders_never_deadlock(counsellor, coach, cast, partners):
    colleague = cast["demo-partner-manager-credal"]
    for _ in range(5):
        files = [
            make_trajectory(step=Step.DIAGNOSTIC, counsellor=counsellor, coach=coach, partner=partners["credal"])
            for _ in range(6)
        ]
        results = _together(
            lambda files=files: assign_coach(trajectories=files, coach=coach, by=colleague),
            lambda files=files: assign_coach(trajectories=list(reversed(files)), coach=coach, by=colleague),
        )
        assert results == [6, 6], results  # both went through, one after the other


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_opposite_merges_of_the_same_pair_never_deadlock(counsellor, coach, partners):
    day = timezone.localdate() - datetime.timedelta(days=300)
    for _ in range(5):
        one = make_trajectory(step=Step.INTEREST, counsellor=counsellor).jobseeker
        other = make_trajectory(step=Step.STOPPED, counsellor=counsellor, start=day).jobseeker
        results = _together(
            lambda a=one, b=other: merge_jobseekers(duplicate=a, keep=b, by=counsellor, take_from_duplicate=set()),
            lambda a=other, b=one: merge_jobseekers(duplicate=a, keep=b, by=counsellor, take_from_duplicate=set()),
        )
        merged = [r for r in results if isinstance(r, Jobseeker)]
        refused = [r for r in results if not isinstance(r, Jobseeker)]
        assert len(merged) == 1, results
        assert isinstance(refused[0], PathwayError), refused  # "already merged", never a deadlock error


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reopening_and_a_new_interest_at_the_same_time_leave_one_open_trajectory(counsellor):
    # Reopening locks the trajectory, a new interest the person: only the database rule sees both.
    day = timezone.localdate() - datetime.timedelta(days=300)
    for _ in range(10):
        stopped = make_trajectory(step=Step.STOPPED, counsellor=counsellor, start=day)
        person = stopped.jobseeker

        def reopen(t: Trajectory = stopped) -> Trajectory:
            return services.reopen(
                trajectory=t, by=counsellor, channel=Channel.PHONE, on=timezone.localdate(), reason="Back"
            )

        def interest(person: Jobseeker = person) -> Trajectory:
            return services.express_interest(jobseeker=person, by=counsellor, channel=Channel.COUNTER)

        results = _together(reopen, interest)
        assert sum(isinstance(r, Trajectory) for r in results) == 1, results
        refused = [r for r in results if not isinstance(r, Trajectory)]
        assert isinstance(refused[0], PathwayError) and refused[0].message == ALREADY_OPEN, refused
        assert Trajectory.objects.filter(jobseeker=person).open().count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_merge_and_a_step_change_of_the_same_person_never_deadlock(counsellor):
    # The merge locks the people then their trajectories; a step change locks the trajectory only.
    day = timezone.localdate() - datetime.timedelta(days=300)
    for _ in range(10):
        informed = make_trajectory(step=Step.INFORMATION, counsellor=counsellor, start=day)
        kept = make_trajectory(step=Step.STOPPED, counsellor=counsellor, start=day).jobseeker

        def merge(duplicate: Jobseeker = informed.jobseeker, keep: Jobseeker = kept) -> Jobseeker:
            return merge_jobseekers(duplicate=duplicate, keep=keep, by=counsellor, take_from_duplicate=set())

        def decide(t: Trajectory = informed) -> Trajectory:
            return services.record_decision(
                trajectory=t,
                by=counsellor,
                channel=Channel.COUNTER,
                on=timezone.localdate(),
                go_ahead=True,
                reason="go",
            )

        results = _together(merge, decide)
        assert isinstance(results[0], Jobseeker), results
        assert isinstance(results[1], Trajectory | PathwayError), results  # never a deadlock error
