"""Factories with domain traits: a person at any step of the backbone, built through the services."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from autocrea.backbone.steps import Channel, Step
from autocrea.coaching.services import action_plan
from autocrea.jobseekers.models import Jobseeker
from autocrea.partners.models import Partner
from autocrea.pathways import services
from autocrea.pathways.models import Trajectory
from autocrea.reference.models import ExitKind

_counter = itertools.count(1)


def make_jobseeker(**overrides: Any) -> Jobseeker:
    """Create a job seeker with plausible defaults."""
    n = next(_counter)
    values: dict[str, Any] = {
        "first_name": f"Amina{n}",
        "last_name": f"Benali{n}",
        "birth_date": datetime.date(1985, 7, 30),
        "gender": "female",
        "commune_id": "21009",
        "education_level": "upper_secondary",
        "contact_language": "fr",
        "unemployed_since": datetime.date(2023, 1, 15),
    }
    values.update(overrides)
    return Jobseeker.objects.create(**values)


SKILLS = {"entrepreneurship": 2, "finance": 1, "marketing": 2, "language": 3, "digital": 2, "confidence": 2}


def make_trajectory(
    *,
    step: str,
    counsellor: Any,
    coach: Any | None = None,
    partner: Partner | None = None,
    jobseeker: Jobseeker | None = None,
    exit_kind: str = "salaried_job",
    start: datetime.date | None = None,
) -> Trajectory:
    """Walk a new trajectory through the services up to `step`, one day per step."""
    day = start or (timezone.localdate() - datetime.timedelta(days=400))
    jobseeker = jobseeker or make_jobseeker()
    t = services.express_interest(jobseeker=jobseeker, by=counsellor, channel=Channel.COUNTER, on=day)
    order = [
        Step.INFORMATION,
        Step.DECISION,
        Step.ORIENTATION,
        Step.DIAGNOSTIC,
        Step.ACCOMPANIMENT,
        Step.EXIT,
        Step.FOLLOW_UP,
    ]
    if step == Step.INTEREST:
        return t
    if step == Step.STOPPED:
        return services.stop(trajectory=t, by=counsellor, channel=Channel.PHONE, on=day, reason="Moved away")
    for target in order:
        day += datetime.timedelta(days=1)
        if target == Step.INFORMATION:
            t = services.record_information(trajectory=t, by=counsellor, channel=Channel.COUNTER, on=day)
        elif target == Step.DECISION:
            t = services.record_decision(
                trajectory=t, by=counsellor, channel=Channel.COUNTER, on=day, go_ahead=True, reason="go"
            )
        elif target == Step.ORIENTATION:
            assert partner is not None, "a partner is needed from orientation on"
            t = services.orient(trajectory=t, partner=partner, by=counsellor, channel=Channel.COUNTER, on=day)
        elif target == Step.DIAGNOSTIC:
            t = services.answer_orientation(trajectory=t, by=coach, answer="accepted", on=day)
        elif target == Step.ACCOMPANIMENT:
            action_plan.record_diagnostic(
                trajectory=t, by=coach, on=day, barriers=[], maturity="idea", viability="uncertain", skills=SKILLS
            )
            t.refresh_from_db()
        elif target == Step.EXIT:
            kind = ExitKind.objects.get(code=exit_kind)
            bce = "0403.170.701" if kind.evidence_hint == "enterprise_number" else ""
            t = services.record_exit(trajectory=t, kind=kind, on=day, by=coach, enterprise_number=bce)
        elif target == Step.FOLLOW_UP:
            t = services.record_follow_up(trajectory=t, by=coach, on=day, responded=False)
        if target == step:
            return t
    raise AssertionError(f"unknown step {step}")
