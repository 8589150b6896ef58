"""Two writers on one trajectory at the same time (PostgreSQL row locks): no lost update.

Each trial puts a trajectory at the orientation step, then two threads, each with its own database
connection, record conflicting answers (the partner accepts / the partner declines) based on the same
version. Exactly one must win; the other must be refused as stale and write nothing.
AUTOCREA_CONCURRENCY_TRIALS sets the number of trials (the drill in docs/trust.md runs 1,000).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone, translation

from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Channel, Step
from autocrea.jobseekers.models import Jobseeker
from autocrea.pathways import services
from autocrea.pathways.models import Orientation, StepLog, Trajectory
from tests.factories import make_jobseeker, make_trajectory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TRIALS = int(os.environ.get("AUTOCREA_CONCURRENCY_TRIALS", "50"))


def _race(*calls: Any) -> list[Any]:
    """Run each call in its own thread and connection, released together; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Any) -> None:
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):  # each thread has its own active language
                results[index] = call()
        except Exception as exc:  # the test inspects what each writer got
            results[index] = exc
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_writers_with_the_same_version_never_lose_an_update(counsellor, coach, partners):
    today = timezone.localdate()
    stale = "Someone else changed this trajectory while you were working on it. Reload the page and try again."
    outcomes = {"accepted": 0, "declined": 0}
    for _ in range(TRIALS):
        t = make_trajectory(step=Step.ORIENTATION, counsellor=counsellor, coach=coach, partner=partners["credal"])
        version, logs = t.version, StepLog.objects.filter(trajectory=t).count()

        def answer(kind: str, t: Trajectory = t, version: int = version) -> Trajectory:
            return services.answer_orientation(
                trajectory=t, by=coach, answer=kind, on=today, reason="Full this term", version=version
            )

        results = _race(lambda: answer("accepted"), lambda: answer("declined"))
        winners = [r for r in results if isinstance(r, Trajectory)]
        losers = [r for r in results if not isinstance(r, Trajectory)]
        assert len(winners) == 1, results
        assert len(losers) == 1 and isinstance(losers[0], PathwayError), results
        assert losers[0].message == stale, losers[0].message

        fresh = Trajectory.objects.get(pk=t.pk)
        assert fresh.version == version + 1, "exactly one write went through"
        assert StepLog.objects.filter(trajectory=t).count() == logs + 1
        won = "accepted" if fresh.current_step == Step.DIAGNOSTIC else "declined"
        assert fresh.current_step == (Step.DIAGNOSTIC if won == "accepted" else Step.ORIENTATION)
        statuses = list(Orientation.objects.filter(trajectory=t).values_list("status", flat=True))
        assert statuses == [won], statuses
        outcomes[won] += 1
    assert sum(outcomes.values()) == TRIALS
    print(f"concurrency: {TRIALS} trials, winners {outcomes}")


def test_a_double_submitted_interest_opens_one_trajectory(counsellor):
    for _ in range(max(TRIALS // 5, 5)):
        person = make_jobseeker()

        def submit(person: Jobseeker = person) -> Trajectory:
            return services.express_interest(jobseeker=person, by=counsellor, channel=Channel.COUNTER)

        results = _race(submit, submit)
        assert sum(isinstance(r, Trajectory) for r in results) == 1, results
        assert Trajectory.objects.filter(jobseeker=person).count() == 1
