"""The +6-month follow-up as a workflow: the worklist, contact attempts, reminders and non-response.

Reads go through accounts.access (a follow-up is visible when its trajectory is); writes are
atomic, take the acting user `by`, lock the trajectory row and append an AuditEvent. The answer
itself and the non-response end in pathways.services.record_follow_up, which writes the step.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.access import can, trajectories_for
from autocrea.backbone.errors import PathwayError
from autocrea.lib.dates import RECORDED
from autocrea.pathways import services
from autocrea.pathways.models import ContactChannel, FollowUp, FollowUpAttempt, FollowUpStatus, Trajectory

# A reminder is due when nobody tried to reach the person in the last 7 days (today included).
REMINDER_AFTER_DAYS = 7
# A follow-up still unanswered this many days after its due date is overdue.
OVERDUE_AFTER_DAYS = 30
# "Upcoming" looks this many days ahead.
UPCOMING_DAYS = 30
NOTE_MAX_LENGTH = 300


class View:
    """The worklist's filters (the `show` parameter of its URL)."""

    TODO = "todo"  # due now and overdue: the default
    DUE = "due"
    OVERDUE = "overdue"
    UPCOMING = "upcoming"  # due in the next UPCOMING_DAYS days
    SCHEDULED = "scheduled"  # every follow-up still to come, however far ahead
    ANSWERED = "answered"
    NO_RESPONSE = "no_response"
    ALL = (TODO, DUE, OVERDUE, UPCOMING, SCHEDULED, ANSWERED, NO_RESPONSE)


def follow_ups_for(user: Any) -> QuerySet[FollowUp]:
    """Return the live follow-ups (of an exit that was not voided) of the trajectories `user` may see."""
    return FollowUp.objects.filter(trajectory__in=trajectories_for(user), exit__voided_on__isnull=True)


def _view_filter(view: str, today: datetime.date) -> Q:
    overdue_before = today - datetime.timedelta(days=OVERDUE_AFTER_DAYS)
    due = Q(status=FollowUpStatus.DUE)
    return {
        View.TODO: due & Q(due_on__lte=today),
        View.DUE: due & Q(due_on__lte=today, due_on__gte=overdue_before),
        View.OVERDUE: due & Q(due_on__lt=overdue_before),
        View.UPCOMING: due & Q(due_on__gt=today, due_on__lte=today + datetime.timedelta(days=UPCOMING_DAYS)),
        View.SCHEDULED: due & Q(due_on__gt=today),
        View.ANSWERED: Q(status=FollowUpStatus.ANSWERED),
        View.NO_RESPONSE: Q(status=FollowUpStatus.NO_RESPONSE),
    }[view]


def worklist(user: Any, *, view: str, today: datetime.date) -> QuerySet[FollowUp]:
    """Return the follow-ups of one worklist view with their attempt count and last attempt, unordered."""
    return (
        follow_ups_for(user)
        .filter(_view_filter(view, today))
        .annotate(attempt_count=Count("attempts"), last_attempt_on=Max("attempts__on"))
        .select_related("trajectory__jobseeker", "trajectory__partner", "exit__kind")
    )


def view_counts(user: Any, *, today: datetime.date) -> dict[str, int]:
    """Return the number of follow-ups in each worklist view, in one query."""
    aggregates = {view: Count("pk", filter=_view_filter(view, today)) for view in View.ALL}
    return follow_ups_for(user).aggregate(**aggregates)


def due_count(user: Any, *, today: datetime.date) -> int:
    """Return the number of follow-ups due now or overdue in `user`'s scope (the home page's figure)."""
    return follow_ups_for(user).filter(_view_filter(View.TODO, today)).count()


def reminder_due(
    *, status: str, due_on: datetime.date, last_attempt_on: datetime.date | None, today: datetime.date
) -> bool:
    """Return whether someone should try to reach the person today.

    The follow-up is due (its date has come and it is not answered) and the last attempt, if any,
    is at least REMINDER_AFTER_DAYS old: an attempt 6 days ago silences the reminder, 7 days does not.
    """
    if status != FollowUpStatus.DUE or due_on > today:
        return False
    return last_attempt_on is None or (today - last_attempt_on).days >= REMINDER_AFTER_DAYS


def is_overdue(*, status: str, due_on: datetime.date, today: datetime.date) -> bool:
    return status == FollowUpStatus.DUE and (today - due_on).days > OVERDUE_AFTER_DAYS


def live_follow_up(trajectory: Trajectory) -> FollowUp | None:
    """Return the follow-up of the trajectory's live exit, if any."""
    return (
        FollowUp.objects.filter(trajectory=trajectory, exit__voided_on__isnull=True)
        .select_related("exit", "exit__kind")
        .first()
    )


def _due_follow_up(trajectory: Trajectory, by: Any) -> tuple[Trajectory, FollowUp]:
    """Check permission, lock the trajectory and return its follow-up still to do, or refuse."""
    if not can(by, "record_follow_up", trajectory):
        raise PathwayError(_("You are not allowed to do this for this person."))
    locked = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
    follow_up = live_follow_up(locked)
    if follow_up is None or follow_up.status != FollowUpStatus.DUE:
        raise PathwayError(_("There is no follow-up to record for this trajectory."))
    return locked, follow_up


def _check_attempt_date(on: datetime.date, follow_up: FollowUp) -> None:
    if on > timezone.localdate():
        raise PathwayError(_("The date cannot be in the future."))
    if message := RECORDED.error(on):
        raise PathwayError(message)
    if on < follow_up.exit.exit_on:
        raise PathwayError(
            _("The date cannot be before %(date)s, the date of the exit.")
            % {"date": follow_up.exit.exit_on.strftime("%d/%m/%Y")}
        )


@transaction.atomic
def record_follow_up_attempt(
    *, trajectory: Trajectory, by: Any, on: datetime.date, channel: str, note: str = ""
) -> FollowUpAttempt:
    """Record one attempt to reach the person for their follow-up (a call, an e-mail, a letter).

    The same channel on the same day with the same note is one attempt: a double submit returns
    the attempt already recorded instead of a second row.
    """
    _locked, follow_up = _due_follow_up(trajectory, by)
    if channel not in ContactChannel.values:
        raise PathwayError(_("Choose how you tried to reach the person."))
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise PathwayError(_("Keep the note under 300 characters."))
    _check_attempt_date(on, follow_up)
    existing = follow_up.attempts.filter(on=on, channel=channel, note=note).first()
    if existing is not None:
        return existing
    attempt = FollowUpAttempt.objects.create(follow_up=follow_up, on=on, channel=channel, note=note, by=by)
    audit.record(user=by, action="follow_up:attempt", obj=follow_up)
    return attempt


@transaction.atomic
def record_no_response(*, trajectory: Trajectory, by: Any, on: datetime.date, version: int | None = None) -> Trajectory:
    """Record explicitly that the person did not answer, after at least one recorded attempt."""
    locked, follow_up = _due_follow_up(trajectory, by)
    last = follow_up.attempts.aggregate(last=Max("on"))["last"]
    if last is None:
        raise PathwayError(_("Record at least one attempt to reach the person before recording a non-response."))
    if on < last:
        raise PathwayError(
            _("The date cannot be before %(date)s, the date of the last attempt.") % {"date": last.strftime("%d/%m/%Y")}
        )
    result = services.record_follow_up(trajectory=locked, by=by, on=on, responded=False, version=version)
    audit.record(user=by, action="follow_up:no_response", obj=follow_up)
    return result
