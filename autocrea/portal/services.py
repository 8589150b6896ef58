"""What a job seeker does from the portal: atomic, takes the acting user, checks ownership.

Step changes are never made here: they go through autocrea.pathways.services (express_interest,
orient), and information-session bookings through autocrea.pathways.sessions (book_one, cancel_booking:
the same rules as the staff's). These functions only orchestrate an account creation around
express_interest and write the records that do not move a step (an action of the plan marked done).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.models import Role, User
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Channel
from autocrea.coaching.models import Action, ActionOwner, ActionStatus
from autocrea.jobseekers.models import Jobseeker
from autocrea.pathways import services as pathways
from autocrea.pathways.models import Trajectory
from autocrea.portal.models import AccessibilityReport
from autocrea.reference.models import BusinessSector, Commune


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
