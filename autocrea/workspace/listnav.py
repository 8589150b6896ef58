"""Previous / next inside a filtered list: from the caseload or the trajectory list to a trajectory's page.

A list's row links carry `?list=<name>&filters=<the list's own query string>`. The trajectory page
re-applies those filters, through the list's own query function (so within accounts.access scope
only), and looks up the two neighbours of the file in the list's order with two keyset queries.
Nothing but the list name and its filters travels in the URL; an unknown list or a file that no
longer matches the filters simply shows no links.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts.access import may_view_caseload
from autocrea.workspace.selectors import filtered_caseload, filtered_trajectories, sort_key

LISTS = ("caseload", "trajectories")
# The cursor of a page of the list says nothing about the order: it is left out.
DROPPED = {"after"}


def list_nav_query(name: str, params: QueryDict) -> str:
    """Return the query string a list's row links carry, keeping the list's filters and order."""
    filters = params.copy()
    for key in DROPPED:
        filters.pop(key, None)
    return urlencode({"list": name, "filters": filters.urlencode()})


def _rows_and_order(name: str, user: Any, filters: QueryDict) -> tuple[Any, str, bool] | None:
    """Return the filtered rows of list `name` for `user`, its sort field and whether it is descending."""
    if name == "caseload":
        from autocrea.workspace.forms_caseload import CaseloadFilterForm, coaches_of

        if not may_view_caseload(user):
            return None
        form = CaseloadFilterForm(filters or None, user=user, coaches=coaches_of(user.partner_id))
        criteria = form.criteria()
        key, descending = sort_key(criteria)
        return filtered_caseload(user, criteria, timezone.now()), key, descending
    if name == "trajectories":
        from autocrea.workspace.forms import TrajectoryFilterForm

        form = TrajectoryFilterForm(filters or None, user=user)
        form.is_valid()
        return filtered_trajectories(user, getattr(form, "cleaned_data", {})), "jobseeker__search_name", False
    return None


def _neighbour(rows: Any, key: str, value: Any, pk: int, forward: bool) -> Any:
    op = "gt" if forward else "lt"
    order = [key, "pk"] if forward else [f"-{key}", "-pk"]
    after = Q(**{f"{key}__{op}": value}) | Q(**{key: value, f"pk__{op}": pk})
    return rows.filter(after).select_related("jobseeker").order_by(*order).first()


def list_neighbours(request: HttpRequest, trajectory: Any) -> dict[str, Any] | None:
    """Return the previous and next files of the list the page was opened from, with URLs that keep it."""
    name = request.GET.get("list", "")
    if name not in LISTS:
        return None
    filters = QueryDict(request.GET.get("filters", ""))
    found = _rows_and_order(name, request.user, filters)
    if found is None:
        return None
    rows, key, descending = found
    value = rows.filter(pk=trajectory.pk).values_list(key, flat=True).first()
    if value is None:
        return None
    query = list_nav_query(name, filters)
    before = _neighbour(rows, key, value, trajectory.pk, forward=descending)
    after = _neighbour(rows, key, value, trajectory.pk, forward=not descending)

    def link(row: Any) -> dict[str, Any] | None:
        if row is None:
            return None
        return {"url": f"{reverse('workspace:trajectory', args=[row.pk])}?{query}", "name": str(row.jobseeker)}

    list_url = reverse(f"workspace:{name}")
    encoded = filters.urlencode()
    return {
        "previous": link(before),
        "next": link(after),
        "back_url": f"{list_url}?{encoded}" if encoded else list_url,
        "back_label": _("Back to the caseload") if name == "caseload" else _("Back to the list"),
    }
