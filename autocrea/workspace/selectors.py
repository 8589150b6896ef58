"""The workspace's list queries (selectors): the trajectory list and the partner's caseload, filtered.

Used by their pages (views/funnel.py, views/caseload.py) and by the previous / next links of a trajectory
page (listnav.py), so both read the same rows. Every query starts from accounts.access.trajectories_for.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import DateField, OuterRef, QuerySet, Subquery
from django.utils import timezone

from autocrea.accounts.access import trajectories_for
from autocrea.coaching.models import Action, ActionStatus
from autocrea.lib.identifiers import search_key
from autocrea.workspace.forms_caseload import CaseloadFilterForm

DUE_WITHIN_DAYS = 7


def filtered_trajectories(user: Any, filters: dict[str, Any]) -> Any:
    """Return the trajectories of `user`'s scope that match the list's search and filters, unordered."""
    rows = trajectories_for(user).select_related("jobseeker", "partner")
    key = search_key(filters.get("q") or "")
    if key:
        # A range on the normalised name, like JobseekerQuerySet.name_prefix, so an index can serve it.
        rows = rows.filter(jobseeker__search_name__gte=key, jobseeker__search_name__lt=key[:-1] + chr(ord(key[-1]) + 1))
    if filters.get("step"):
        rows = rows.filter(current_step=filters["step"])
    if filters.get("partner"):
        rows = rows.filter(partner=filters["partner"])
    return rows


def _next_due() -> Subquery:
    """Return the earliest due date of a trajectory's actions still to do (one subquery for the page)."""
    actions = Action.objects.filter(goal__trajectory=OuterRef("pk"), status=ActionStatus.TODO).order_by("due_on")
    return Subquery(actions.values("due_on")[:1], output_field=DateField())


def filtered_caseload(user: Any, criteria: dict[str, Any], now: datetime.datetime) -> QuerySet[Any]:
    """Return the filtered caseload, unordered and unpaginated."""
    rows = trajectories_for(user).open()
    if criteria["scope"] == CaseloadFilterForm.MINE:
        rows = rows.filter(coach_id=user.pk)
    elif criteria["coach"] is not None:
        rows = rows.filter(coach=criteria["coach"])
    if criteria["step"]:
        rows = rows.filter(current_step=criteria["step"])
    if criteria["stalled"]:
        rows = rows.filter(last_activity_at__lt=now - datetime.timedelta(weeks=criteria["weeks"]))
    rows = rows.annotate(next_due_on=_next_due())
    if criteria["due"]:
        rows = rows.filter(next_due_on__lte=timezone.localdate() + datetime.timedelta(days=DUE_WITHIN_DAYS))
    return rows


def sort_key(criteria: dict[str, Any]) -> tuple[str, bool]:
    """Return the field the caseload is sorted on and whether the order is descending."""
    if criteria["sort"] == CaseloadFilterForm.BY_NAME:
        return "jobseeker__search_name", False
    # Stalled files are worked oldest first; otherwise the most recently active come first.
    return "last_activity_at", not criteria["stalled"]
