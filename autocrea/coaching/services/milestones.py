"""A guided person's project milestones (an enterprise registration needs its BCE/KBO number) and viability tests."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.backbone.errors import PathwayError
from autocrea.coaching.models import Milestone, MilestoneKind, ViabilityTest
from autocrea.coaching.services.guided import locked_guided, touch
from autocrea.lib.dates import RECORDED, SCHEDULE
from autocrea.pathways.models import Trajectory
from autocrea.pathways.services import ensure_can, valid_enterprise_number


@transaction.atomic
def record_milestone(
    *,
    trajectory: Trajectory,
    by: Any,
    kind: str,
    on: datetime.date,
    enterprise_number: str = "",
    details: str = "",
    version: int | None = None,
) -> Milestone:
    """Record a project milestone; an enterprise registration needs a valid BCE/KBO number."""
    ensure_can(by, "record_coaching", trajectory)
    trajectory = locked_guided(trajectory, version)
    if on > timezone.localdate():
        raise PathwayError(_("The date cannot be in the future."))
    if message := RECORDED.error(on):
        raise PathwayError(message)
    if kind not in MilestoneKind.values:
        raise PathwayError(_("Choose a milestone."))
    if kind == MilestoneKind.ENTERPRISE_REGISTRATION and not enterprise_number:
        raise PathwayError(_("Give the enterprise number (BCE/KBO) of the business created."))
    if enterprise_number:
        enterprise_number = valid_enterprise_number(enterprise_number)
    if Milestone.objects.filter(trajectory=trajectory, kind=kind).exists():
        raise PathwayError(_("This milestone is already recorded."))
    milestone = Milestone.objects.create(
        trajectory=trajectory, kind=kind, reached_on=on, enterprise_number=enterprise_number, details=details, by=by
    )
    touch(trajectory)
    audit.record(user=by, action=f"milestone:{kind}", obj=trajectory)
    return milestone


@transaction.atomic
def record_viability_test(
    *,
    trajectory: Trajectory,
    by: Any,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    revenue: Decimal | None = None,
    decision: str = "",
    version: int | None = None,
) -> ViabilityTest:
    """Record a viability test (activity test, on-site test) with its revenue and final decision."""
    ensure_can(by, "record_coaching", trajectory)
    trajectory = locked_guided(trajectory, version)
    if message := SCHEDULE.error(starts_on) or SCHEDULE.error(ends_on):
        raise PathwayError(message)
    if ends_on < starts_on:
        raise PathwayError(_("The end date cannot be before the start date."))
    if revenue is not None and revenue < 0:
        raise PathwayError(_("The revenue cannot be negative."))
    test = ViabilityTest.objects.create(
        trajectory=trajectory,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        revenue=revenue,
        decision=decision,
        by=by,
    )
    touch(trajectory)
    audit.record(user=by, action="viability_test", obj=trajectory)
    return test
