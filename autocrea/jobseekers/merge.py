"""Merge a duplicate person into the record that is kept: all or nothing, history kept.

The duplicate is never deleted: it is marked `merged_into` the kept record (with who and when), its
trajectories and every other row that points to it move to the kept record, and both records get an
AuditEvent. Counsellors only, and only for people both in their scope.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.access import can, jobseekers_for
from autocrea.backbone.errors import PathwayError
from autocrea.jobseekers.models import Jobseeker, LanguageSkill
from autocrea.pathways.integrity import opening_trajectory
from autocrea.pathways.models import Trajectory

# The values a counsellor chooses between, field by field (the duplicate's or the kept record's).
MERGEABLE_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "national_number",
    "contact_language",
    "email",
    "phone",
    "commune",
    "education_level",
    "diploma_recognised",
    "unemployed_since",
    "income_source",
    "end_of_rights_on",
)
# Relations handled by hand below, or that are the merge's own bookkeeping.
_HANDLED = {"trajectories", "language_skills", "merged_records"}


def _move_related(duplicate: Jobseeker, keep: Jobseeker) -> None:
    """Point every other row that refers to the duplicate at the kept record (future relations too)."""
    for relation in Jobseeker._meta.related_objects:
        if relation.get_accessor_name() in _HANDLED or not relation.field.concrete:
            continue
        if relation.one_to_one or relation.many_to_many:
            continue
        relation.related_model._default_manager.filter(**{relation.field.name: duplicate}).update(
            **{relation.field.name: keep}
        )


@transaction.atomic
def merge_jobseekers(*, duplicate: Jobseeker, keep: Jobseeker, by: Any, take_from_duplicate: set[str]) -> Jobseeker:
    """Merge `duplicate` into `keep`, taking the fields named in `take_from_duplicate` from the duplicate.

    Refuses to merge a record into itself, a record already merged, people outside the user's
    scope, two people who both have an open trajectory or both an online account. A double
    submit is refused because the duplicate is then already merged.
    """
    if not can(by, "merge_jobseekers"):
        raise PathwayError(_("You are not allowed to do this for this person."))
    if duplicate.pk == keep.pk:
        raise PathwayError(_("A person cannot be merged into themselves."))
    unknown = set(take_from_duplicate) - set(MERGEABLE_FIELDS)
    if unknown:
        raise PathwayError(_("Choose values among the person's details only."))
    # Lock both rows in primary-key order (whichever is kept), so that two merges of the same pair
    # cannot deadlock or interleave; the people first, then their trajectories, like express_interest.
    people = jobseekers_for(by).select_for_update(of=("self",)).filter(pk__in=[duplicate.pk, keep.pk]).order_by("pk")
    locked = {p.pk: p for p in people}
    if len(locked) != 2:
        raise PathwayError(_("You can only merge people whose files you can see."))
    duplicate, keep = locked[duplicate.pk], locked[keep.pk]
    if duplicate.merged_into_id or keep.merged_into_id:
        raise PathwayError(_("One of these records was already merged."))
    list(Trajectory.objects.select_for_update().filter(jobseeker__in=[duplicate, keep]).order_by("pk"))
    if Trajectory.objects.filter(jobseeker=duplicate).open().exists() and (
        Trajectory.objects.filter(jobseeker=keep).open().exists()
    ):
        raise PathwayError(_("Both people have an open trajectory: stop one of them before merging."))
    if duplicate.user_id and keep.user_id:
        raise PathwayError(_("Both records have an online account: they cannot be merged here."))

    changed = sorted(take_from_duplicate)
    values = {name: getattr(duplicate, name) for name in changed}
    user_id = duplicate.user_id
    # Free the duplicate's unique values (national number, account) before the kept record takes them.
    duplicate.national_number = ""
    duplicate.user = None
    duplicate.merged_into = keep
    duplicate.merged_on = timezone.localdate()
    duplicate.merged_by = by
    duplicate.save(update_fields=["national_number", "user", "merged_into", "merged_on", "merged_by"])

    for name, value in values.items():
        setattr(keep, name, value)
    update = set(changed)
    if user_id and not keep.user_id:
        keep.user_id = user_id
        update.add("user")
    if update:
        keep.save(update_fields=sorted(update))

    with opening_trajectory():  # a trajectory of either person may have been reopened meanwhile
        Trajectory.objects.filter(jobseeker=duplicate).update(jobseeker=keep)
    known = set(keep.language_skills.values_list("language", flat=True))
    LanguageSkill.objects.filter(jobseeker=duplicate).exclude(language__in=known).update(jobseeker=keep)
    _move_related(duplicate, keep)

    audit.record(user=by, action="jobseeker:merged_into", obj=duplicate)
    audit.record(user=by, action="jobseeker:merged_from", obj=keep)
    return keep
