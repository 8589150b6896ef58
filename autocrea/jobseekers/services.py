"""Writes on job seekers: registering a person, with duplicate detection."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from autocrea.jobseekers.models import Jobseeker
from autocrea.lib.identifiers import search_key
from autocrea.pathways import services as pathways
from autocrea.pathways.models import Trajectory
from autocrea.pathways.steps import PathwayError
from autocrea.reference.models import BusinessSector


def find_duplicates(*, jobseeker: Jobseeker) -> list[Jobseeker]:
    """Return people already registered with the same national number, or the same name and birth date."""
    same_person = Jobseeker.objects.filter(
        search_name=search_key(jobseeker.last_name, jobseeker.first_name), birth_date=jobseeker.birth_date
    )
    if jobseeker.national_number:
        same_person = same_person | Jobseeker.objects.filter(national_number=jobseeker.national_number)
    if jobseeker.pk:
        same_person = same_person.exclude(pk=jobseeker.pk)
    return list(same_person[:5])


@transaction.atomic
def register_jobseeker(
    *,
    jobseeker: Jobseeker,
    by: Any,
    channel: str,
    project_summary: str = "",
    sector: BusinessSector | None = None,
) -> Trajectory:
    """Save a new person and their interest together; refuse a duplicate (which also stops a double submit)."""
    if jobseeker.pk is not None:
        raise PathwayError(_("This person is already registered."))
    if find_duplicates(jobseeker=jobseeker):
        raise PathwayError(
            _("A person with this national register number, or this name and date of birth, is already registered.")
        )
    try:
        with transaction.atomic():
            jobseeker.save()
    except IntegrityError as exc:
        # Two counsellors registering the same national number at the same moment.
        raise PathwayError(_("A person with this national register number is already registered.")) from exc
    return pathways.express_interest(
        jobseeker=jobseeker, by=by, channel=channel, project_summary=project_summary, sector=sector
    )
