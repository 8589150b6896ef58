"""Writes on job seekers: registering a person, with duplicate detection."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.access import can
from autocrea.backbone.errors import PathwayError
from autocrea.jobseekers.eligibility import evaluate
from autocrea.jobseekers.models import Jobseeker
from autocrea.lib.dates import BIRTH, END_OF_RIGHTS, UNEMPLOYED_SINCE
from autocrea.lib.identifiers import search_key
from autocrea.pathways import services as pathways
from autocrea.pathways.models import Trajectory
from autocrea.reference.models import BusinessSector


def with_national_number(digits: str) -> Any:
    """The people (not merged into another record) registered with these 11 digits; also the federal login's match."""
    return Jobseeker.objects.filter(national_number=digits, merged_into__isnull=True)


def find_duplicates(*, jobseeker: Jobseeker) -> list[Jobseeker]:
    """Return people already registered with the same national number, or the same name and birth date."""
    same_person = Jobseeker.objects.filter(
        search_name=search_key(jobseeker.last_name, jobseeker.first_name), birth_date=jobseeker.birth_date
    )
    if jobseeker.national_number:
        same_person = same_person | with_national_number(jobseeker.national_number)
    if jobseeker.pk:
        same_person = same_person.exclude(pk=jobseeker.pk)
    # A record merged into another is history, not a person to register against.
    same_person = same_person.filter(merged_into__isnull=True)
    return list(same_person[:5])


def check_person_dates(jobseeker: Jobseeker) -> None:
    """Refuse a birth or unemployment date outside its range (lib/dates.py), whichever screen or API sent it."""
    for kind, value in (
        (BIRTH, jobseeker.birth_date),
        (UNEMPLOYED_SINCE, jobseeker.unemployed_since),
        (END_OF_RIGHTS, jobseeker.end_of_rights_on),
    ):
        if message := kind.error(value):
            raise PathwayError(message)


@transaction.atomic
def register_jobseeker(
    *,
    jobseeker: Jobseeker,
    by: Any,
    channel: str,
    project_summary: str = "",
    sector: BusinessSector | None = None,
    eligibility_justification: str = "",
) -> Trajectory:
    """Save a new person and their interest together; refuse a duplicate (which also stops a double submit).

    A person outside the eligibility rules is recorded only with the counsellor's justification.
    """
    if jobseeker.pk is not None:
        raise PathwayError(_("This person is already registered."))
    check_person_dates(jobseeker)
    if find_duplicates(jobseeker=jobseeker):
        raise PathwayError(
            _("A person with this national register number, or this name and date of birth, is already registered.")
        )
    today = timezone.localdate()
    justification = eligibility_justification.strip()
    if not evaluate(jobseeker, on=today).eligible:
        if not justification:
            raise PathwayError(
                _(
                    "This person meets none of the programme's eligibility rules: give the justification for recording them."
                )
            )
        jobseeker.eligibility_justification = justification
        jobseeker.eligibility_justified_on = today
        jobseeker.eligibility_justified_by = by
    try:
        with transaction.atomic():
            jobseeker.save()
    except IntegrityError as exc:
        # Two counsellors registering the same national number at the same moment.
        raise PathwayError(_("A person with this national register number is already registered.")) from exc
    if jobseeker.eligibility_justification:
        audit.record(user=by, action="jobseeker:eligibility_justified", obj=jobseeker)
    return pathways.express_interest(
        jobseeker=jobseeker, by=by, channel=channel, project_summary=project_summary, sector=sector
    )


@transaction.atomic
def justify_eligibility(*, jobseeker: Jobseeker, by: Any, justification: str, on: Any = None) -> Jobseeker:
    """Record why a person outside the eligibility rules is in the programme (counsellors only, audited)."""
    if not can(by, "justify_eligibility"):
        raise PathwayError(_("You are not allowed to do this for this person."))
    justification = justification.strip()
    if not justification:
        raise PathwayError(_("Give the justification."))
    person = Jobseeker.objects.select_for_update().get(pk=jobseeker.pk)
    today = timezone.localdate()
    if evaluate(person, on=on or today).eligible:
        raise PathwayError(_("This person meets the programme's rules: no justification is needed."))
    person.eligibility_justification = justification
    person.eligibility_justified_on = today
    person.eligibility_justified_by = by
    person.save(update_fields=["eligibility_justification", "eligibility_justified_on", "eligibility_justified_by"])
    audit.record(user=by, action="jobseeker:eligibility_justified", obj=person)
    return person
