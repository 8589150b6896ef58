"""The partner staff's caseload: "my caseload" and "my partner's caseload", filters in the URL.

Rows come from trajectories_for only; pages are keyset-paginated like the trajectories list (no
OFFSET, no COUNT), and the next due action is one correlated subquery, not a query per row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from autocrea.accounts.access import may_view_caseload, trajectories_for
from autocrea.backbone.errors import PathwayError
from autocrea.pathways.caseload import assign_coach
from autocrea.workspace.forms_caseload import AssignCoachForm, CaseloadFilterForm, coaches_of
from autocrea.workspace.forms_collective import CaseloadRegisterForm
from autocrea.workspace.listnav import list_nav_query
from autocrea.workspace.selectors import filtered_caseload, sort_key
from autocrea.workspace.views.collective import register_from_caseload
from autocrea.workspace.views.funnel import STEP_TAG_COLOURS, url_with

PAGE_SIZE = 25


def _require_partner_staff(user: Any) -> None:
    if not may_view_caseload(user):
        raise PermissionDenied


def _page(rows: QuerySet[Any], criteria: dict[str, Any]) -> tuple[list[Any], bool]:
    """Return one page after the cursor (the last row's id) and whether another page follows."""
    key, descending = sort_key(criteria)
    after = criteria["after"]
    if after:
        # Only the id travels in the URL; its sort value is looked up in the same filtered scope.
        last = rows.filter(pk=after).values_list(key, flat=True).first()
        if last is not None:
            op = "lt" if descending else "gt"
            rows = rows.filter(Q(**{f"{key}__{op}": last}) | Q(**{key: last, f"pk__{op}": after}))
    order = [f"-{key}", "-pk"] if descending else [key, "pk"]
    page = list(rows.select_related("jobseeker", "coach").order_by(*order)[: PAGE_SIZE + 1])
    return page[:PAGE_SIZE], len(page) > PAGE_SIZE


@login_required
@require_http_methods(["GET", "POST"])
def caseload(request: HttpRequest) -> HttpResponse:
    """List my caseload or my partner's open caseload; on POST, assign the ticked files to a coach."""
    _require_partner_staff(request.user)
    if request.method == "POST":
        if request.POST.get("bulk") == "register":
            return register_from_caseload(request, back=request.get_full_path())
        return _assign(request)
    form = CaseloadFilterForm(request.GET or None, user=request.user, coaches=coaches_of(request.user.partner_id))
    criteria = form.criteria()
    now = timezone.now()
    today = timezone.localdate()
    page, has_next = _page(filtered_caseload(request.user, criteria, now), criteria)
    rows = []
    for trajectory in page:
        idle_weeks = (now - trajectory.last_activity_at).days // 7
        rows.append(
            {
                "trajectory": trajectory,
                "colour": STEP_TAG_COLOURS[trajectory.current_step],
                "stalled_weeks": idle_weeks if idle_weeks >= criteria["weeks"] else None,
                "overdue": trajectory.next_due_on is not None and trajectory.next_due_on < today,
            }
        )
    params = request.GET
    # The number of weeks shown: the one in use when the filter is on, what was typed when it is wrong.
    weeks_value = (
        params.get("weeks", "") if form.errors.get("weeks") else criteria["weeks"] if criteria["stalled"] else ""
    )
    context = {
        "form": form,
        "criteria": criteria,
        "weeks_value": weeks_value,
        "partner_scope": criteria["scope"] == CaseloadFilterForm.PARTNER,
        "mine_url": url_with(params, scope=CaseloadFilterForm.MINE, after=None, coach=None),
        "partner_url": url_with(params, scope=CaseloadFilterForm.PARTNER, after=None),
        "clear_url": f"?scope={criteria['scope']}",
        "rows": rows,
        "next_url": url_with(params, after=page[-1].pk) if has_next else "",
        "first_url": url_with(params, after=None) if criteria["after"] else "",
        "filtered": bool(criteria["step"] or criteria["coach"] or criteria["stalled"] or criteria["due"]),
        "assign_form": AssignCoachForm(coaches=coaches_of(request.user.partner_id)),
        "register_form": CaseloadRegisterForm(partner_id=request.user.partner_id),
        "action_url": request.get_full_path(),
        "nav_query": list_nav_query("caseload", request.GET),
    }
    return render(request, "workspace/caseload.html", context)


def _assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked files to one coach of the user's partner: all of them or none."""
    back = request.get_full_path()
    form = AssignCoachForm(request.POST, coaches=coaches_of(request.user.partner_id))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    ids = set(form.cleaned_data["selected"])
    trajectories = list(trajectories_for(request.user).filter(pk__in=ids))
    if len(trajectories) != len(ids):
        # An id outside the user's scope refuses the whole batch, and says nothing about that id.
        messages.error(request, _("Some selected files are not open files of your organisation: nothing was changed."))
        return redirect(back)
    coach = form.cleaned_data["assign_to"]
    try:
        count = assign_coach(trajectories=trajectories, coach=coach, by=request.user)
    except PathwayError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    name = coach.get_full_name() or coach.username
    messages.success(
        request,
        ngettext(
            "%(count)d file is now followed by %(coach)s.", "%(count)d files are now followed by %(coach)s.", count
        )
        % {"count": count, "coach": name},
    )
    return redirect(back)
