"""What a job seeker does from the portal: atomic, takes the acting user, checks ownership.

Step changes are never made here: they go through autocrea.pathways.services (express_interest,
orient). These functions only orchestrate an account creation around express_interest and write
the records that do not move a step (a booking, an action of the plan marked done).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.access import can
from autocrea.accounts.models import Role, User
from autocrea.coaching.models import Action, ActionOwner, ActionStatus
from autocrea.jobseekers.models import Jobseeker
from autocrea.lib import registers
from autocrea.notifications.services import notify
from autocrea.pathways import services as pathways
from autocrea.pathways.models import Attendance, InformationAttendance, InformationSession, Trajectory
from autocrea.pathways.steps import Channel, PathwayError, Step
from autocrea.portal.models import AccessibilityReport
from autocrea.reference.models import BusinessSector, Commune

# Registrations that hold a seat: a cancelled booking is deleted, an absence after the fact still counts.
SEAT_STATUSES = [Attendance.REGISTERED, Attendance.PRESENT, Attendance.ABSENT]


class AccountExists(PathwayError):
    """The sign-in name is taken: the person already has an account (or submitted twice)."""


@dataclass(frozen=True)
class InterestAnswers:
    """Everything the interest questions collected, already validated by the forms."""

    username: str
    password_hash: str
    first_name: str
    last_name: str
    birth_date: datetime.date
    gender: str
    contact_language: str
    email: str
    phone: str
    commune: Commune
    education_level: str
    project_summary: str
    sector: BusinessSector | None
    screen_language: str


@transaction.atomic
def jobseeker_register_and_express_interest(*, answers: InterestAnswers) -> Trajectory:
    """Create the person's account and record, and start their trajectory at the interest step (online).

    The sign-in name is unique in the database, so a double submit (even two at the same time)
    cannot create two accounts: the second one raises AccountExists and writes nothing.
    """
    if User.objects.filter(username__iexact=answers.username).exists():
        raise AccountExists(_("An account already exists with this e-mail address or sign-in name. Sign in instead."))
    try:
        with transaction.atomic():
            user = User.objects.create(
                username=answers.username,
                password=answers.password_hash,
                email=answers.email,
                first_name=answers.first_name,
                last_name=answers.last_name,
                role=Role.JOBSEEKER,
                preferred_language=answers.screen_language,
            )
    except IntegrityError as exc:
        raise AccountExists(
            _("An account already exists with this e-mail address or sign-in name. Sign in instead.")
        ) from exc
    if answers.email:
        # The address to verify (django-allauth); the view sends the verification e-mail after commit.
        EmailAddress.objects.create(user=user, email=answers.email.lower(), primary=True, verified=False)
    jobseeker = Jobseeker.objects.create(
        user=user,
        first_name=answers.first_name,
        last_name=answers.last_name,
        birth_date=answers.birth_date,
        gender=answers.gender,
        contact_language=answers.contact_language,
        email=answers.email,
        phone=answers.phone,
        commune=answers.commune,
        education_level=answers.education_level,
    )
    return pathways.express_interest(
        jobseeker=jobseeker,
        by=user,
        channel=Channel.WEB,
        project_summary=answers.project_summary,
        sector=answers.sector,
    )


def sessions_with_seats(*, language: str) -> QuerySet[InformationSession]:
    """Return future information sessions in `language`, each annotated with `taken` seats."""
    return (
        InformationSession.objects.filter(starts_at__gt=timezone.now(), language=language)
        .annotate(taken=Count("attendances", filter=Q(attendances__status__in=SEAT_STATUSES)))
        .order_by("starts_at")
    )


@transaction.atomic
def information_session_book(*, trajectory: Trajectory, session: InformationSession, by: Any) -> InformationAttendance:
    """Book a seat for the person; the step does not move (staff record the attendance later)."""
    if trajectory.jobseeker.user_id != by.pk:
        raise PathwayError(_("You are not allowed to do this for this person."))
    if trajectory.current_step != Step.INTEREST:
        raise PathwayError(_("You no longer need an information session: you have already received the information."))
    # Lock the session row so that two people cannot take the last seat at the same time.
    session = InformationSession.objects.select_for_update().get(pk=session.pk)
    if session.starts_at <= timezone.now():
        raise PathwayError(_("This session has already started. Choose another date."))
    if InformationAttendance.objects.filter(
        trajectory=trajectory, session__starts_at__gt=timezone.now(), status=Attendance.REGISTERED
    ).exists():
        raise PathwayError(_("You already have a booking. Cancel it first if you want another date."))
    taken = session.attendances.filter(status__in=SEAT_STATUSES).count()
    if taken >= session.capacity:
        raise PathwayError(_("This session is full. Choose another date."))
    attendance = InformationAttendance.objects.create(
        trajectory=trajectory, session=session, status=Attendance.REGISTERED
    )
    audit.record(user=by, action="information:booked", obj=trajectory)
    notify.invite(jobseeker=trajectory.jobseeker, session=session)  # sent after commit
    return attendance


@transaction.atomic
def information_session_cancel(*, attendance: InformationAttendance, by: Any, version: int | None = None) -> None:
    """Cancel a future booking and free the seat: by the person, or by a counsellor on their behalf.

    The session row is locked first (as when registering) and its version goes up; a counsellor shows
    the version of the session they saw, and a stale one is refused. The person receives the same
    cancellation either way; the audit row says who did it.
    """
    booking = InformationAttendance.objects.select_related("trajectory__jobseeker").filter(pk=attendance.pk).first()
    if booking is None or booking.session_id is None:
        raise PathwayError(_("This booking can no longer be cancelled."))
    on_behalf = booking.trajectory.jobseeker.user_id != by.pk
    if on_behalf and not can(by, "record_information", booking.trajectory):
        raise PathwayError(_("You are not allowed to do this for this person."))
    session = registers.lock(InformationSession(pk=booking.session_id), version)
    booking = (
        InformationAttendance.objects.select_for_update(of=("self",))
        .select_related("trajectory__jobseeker")
        .filter(pk=booking.pk)
        .first()
    )
    if booking is None or booking.status != Attendance.REGISTERED or registers.has_started(session):
        raise PathwayError(_("This booking can no longer be cancelled."))
    trajectory = booking.trajectory
    booking.delete()
    registers.bump(session)
    action = "information:cancelled_for_person" if on_behalf else "information:cancelled"
    audit.record(user=by, action=action, obj=trajectory)
    notify.cancel(jobseeker=trajectory.jobseeker, session=session)  # sent after commit


@transaction.atomic
def action_mark_done(*, action: Action, by: Any) -> Action:
    """Mark one of the person's own actions of the plan as done."""
    action = (
        Action.objects.select_for_update(of=("self",)).select_related("goal__trajectory__jobseeker").get(pk=action.pk)
    )
    if action.goal.trajectory.jobseeker.user_id != by.pk or action.owner != ActionOwner.JOBSEEKER:
        raise PathwayError(_("You are not allowed to do this for this person."))
    if action.status != ActionStatus.TODO:
        raise PathwayError(_("This action is not waiting to be done."))
    action.status = ActionStatus.DONE
    action.save(update_fields=["status"])
    audit.record(user=by, action="action:done", obj=action.goal.trajectory)
    return action


@transaction.atomic
def accessibility_report_create(*, page: str, description: str, email: str, language: str) -> AccessibilityReport:
    """Store a report of an accessibility problem for the service team."""
    return AccessibilityReport.objects.create(
        page=page[:300], description=description, email=email, language=language[:5]
    )
