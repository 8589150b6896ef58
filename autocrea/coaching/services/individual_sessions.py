"""Individual coaching sessions: recorded as held, or planned ahead (invited), then recorded or cancelled."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.backbone.errors import PathwayError
from autocrea.coaching.models import CoachingSession, SessionAttendance, SessionKind
from autocrea.coaching.services.guided import ensure_guided, locked_guided, touch
from autocrea.lib.dates import SESSION
from autocrea.notifications.services import notify
from autocrea.partners.activities import check_activity
from autocrea.pathways import registers
from autocrea.pathways.models import Trajectory
from autocrea.pathways.services import ensure_can


@transaction.atomic
def record_individual_session(
    *,
    trajectory: Trajectory,
    by: Any,
    starts_at: datetime.datetime,
    duration_minutes: int,
    mode: str,
    topic: str,
    notes: str = "",
    attended: bool = True,
    version: int | None = None,
    activity: Any = None,
) -> CoachingSession:
    """Record an individual coaching session with its attendance, or plan one to come.

    `activity`, when given, is an active activity of the trajectory's partner (partners/activities.py).

    A session in the past is recorded as held (present or absent). A session to come is planned: the
    person is registered and invited (.ics in their contact language, after commit); its attendance
    and notes are recorded once it has taken place (record_individual_outcome), or it is cancelled
    (cancel_individual_session).
    """
    ensure_can(by, "record_coaching", trajectory)
    trajectory = locked_guided(trajectory, version)
    partner_id = ensure_guided(trajectory)
    if duration_minutes <= 0 or duration_minutes > 8 * 60:
        raise PathwayError(_("Give a duration between 1 minute and 8 hours."))
    if message := SESSION.error(starts_at):
        raise PathwayError(message)
    check_activity(activity, partner_id)
    if starts_at > timezone.now() and notes.strip():
        raise PathwayError(_("Write the coaching notes once the session has taken place."))
    session = CoachingSession.objects.create(
        partner_id=partner_id,
        kind=SessionKind.INDIVIDUAL,
        topic=topic,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        capacity=1,
        notes=notes,
        by=by,
        activity=activity,
    )
    # A session planned ahead is a registration (its attendance is recorded later) and the person is invited.
    upcoming = starts_at > timezone.now()
    status = "registered" if upcoming else ("present" if attended else "absent")
    SessionAttendance.objects.create(session=session, trajectory=trajectory, status=status)
    touch(trajectory)
    audit.record(user=by, action="session:individual", obj=trajectory)
    if upcoming:
        notify.invite(jobseeker=trajectory.jobseeker, session=session)  # sent after commit
    return session


def _locked_individual(session: CoachingSession, trajectory: Trajectory, by: Any) -> tuple[CoachingSession, Any]:
    """Lock a planned individual session of `trajectory` and its attendance; refuse one already closed."""
    ensure_can(by, "record_coaching", trajectory)
    fresh = CoachingSession.objects.select_for_update().filter(pk=session.pk, kind=SessionKind.INDIVIDUAL).first()
    attendance = (
        SessionAttendance.objects.select_related("trajectory__jobseeker")
        .filter(session=fresh, trajectory=trajectory)
        .first()
    )
    if fresh is None or attendance is None or fresh.partner_id != trajectory.partner_id:
        raise PathwayError(_("This session is not one of this person's sessions with your organisation."))
    if fresh.cancelled or attendance.status != "registered":
        raise PathwayError(_("This session is already recorded or cancelled: it can no longer be changed."))
    return fresh, attendance


@transaction.atomic
def record_individual_outcome(
    *,
    session: CoachingSession,
    trajectory: Trajectory,
    by: Any,
    attended: bool,
    notes: str = "",
    version: int | None = None,
) -> CoachingSession:
    """Record whether the person came to a planned individual session, and the notes, once it has started."""
    trajectory = locked_guided(trajectory, version)
    session, attendance = _locked_individual(session, trajectory, by)
    if session.starts_at > timezone.now():
        raise PathwayError(_("This session has not taken place yet: record it once it has started."))
    attendance.status = "present" if attended else "absent"
    attendance.save(update_fields=["status"])
    session.notes = notes
    registers.bump(session, "notes")
    touch(trajectory)
    audit.record(user=by, action="session:individual_held", obj=trajectory)
    return session


@transaction.atomic
def cancel_individual_session(
    *, session: CoachingSession, trajectory: Trajectory, by: Any, version: int | None = None
) -> CoachingSession:
    """Cancel a planned individual session still to come; the person receives the cancellation .ics."""
    trajectory = locked_guided(trajectory, version)
    session, attendance = _locked_individual(session, trajectory, by)
    if session.starts_at <= timezone.now():
        raise PathwayError(_("This session has already started: it can no longer be cancelled."))
    session.cancelled = True
    session.finalised_at = timezone.now()
    session.finalised_by = by
    registers.bump(session, "cancelled", "finalised_at", "finalised_by")
    attendance.status = "excused"
    attendance.save(update_fields=["status"])
    touch(trajectory)
    audit.record(user=by, action="session:individual_cancelled", obj=trajectory)
    notify.cancel(jobseeker=trajectory.jobseeker, session=session)  # sent after commit
    return session
