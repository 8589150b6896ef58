"""The +6-month follow-up worklist (due, overdue, upcoming, all scheduled): attempts, answers, non-responses.

Rows come from pathways.followups.worklist, which starts from accounts.access.trajectories_for:
partner staff see their partner's follow-ups, counsellors every follow-up. Pages are keyset-paginated
on (due date, id): no OFFSET, no COUNT per page (docs/performance.md, trap 6).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from autocrea.accounts.access import can, get_trajectory_for
from autocrea.backbone.errors import PathwayError
from autocrea.pathways import followups, services
from autocrea.pathways.followups import View
from autocrea.pathways.models import FollowUpStatus, Trajectory
from autocrea.workspace.forms_followups import (
    VIEW_LABELS,
    AnswerForm,
    AttemptForm,
    FollowUpFilterForm,
    NoResponseForm,
)
from autocrea.workspace.views.funnel import require_case_staff, url_with

PAGE_SIZE = 25


def _page(rows: QuerySet[Any], criteria: dict[str, Any]) -> tuple[list[Any], bool]:
    """Return one page after the cursor (the last row's id) and whether another page follows."""
    descending = criteria["sort"] == FollowUpFilterForm.LATEST
    after = criteria["after"]
    if after:
        # Only the id travels in the URL; its due date is looked up in the same filtered scope.
        last = rows.filter(pk=after).values_list("due_on", flat=True).first()
        if last is not None:
            op = "lt" if descending else "gt"
            rows = rows.filter(Q(**{f"due_on__{op}": last}) | Q(due_on=last, **{f"pk__{op}": after}))
    order = ["-due_on", "-pk"] if descending else ["due_on", "pk"]
    page = list(rows.order_by(*order)[: PAGE_SIZE + 1])
    return page[:PAGE_SIZE], len(page) > PAGE_SIZE


@login_required
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """List the follow-ups of one view (due and overdue by default), sorted by due date."""
    require_case_staff(request.user)
    form = FollowUpFilterForm(request.GET or None)
    criteria = form.criteria()
    today = timezone.localdate()
    page, has_next = _page(followups.worklist(request.user, view=criteria["show"], today=today), criteria)
    rows = [
        {
            "follow_up": f,
            "trajectory": f.trajectory,
            "person": f.trajectory.jobseeker,
            "open": f.status == FollowUpStatus.DUE,
            "overdue": followups.is_overdue(status=f.status, due_on=f.due_on, today=today),
            "reminder": followups.reminder_due(
                status=f.status, due_on=f.due_on, last_attempt_on=f.last_attempt_on, today=today
            ),
        }
        for f in page
    ]
    counts = followups.view_counts(request.user, today=today)
    params = request.GET
    tabs = [
        {
            "label": label,
            "count": counts[view],
            "url": url_with(params, show=view, after=None),
            "current": view == criteria["show"],
        }
        for view, label in VIEW_LABELS.items()
    ]
    context = {
        "form": form,
        "criteria": criteria,
        "tabs": tabs,
        "current_label": VIEW_LABELS[criteria["show"]],
        "rows": rows,
        "back": criteria["show"],
        "next_url": url_with(params, after=page[-1].pk) if has_next else "",
        "first_url": url_with(params, after=None) if criteria["after"] else "",
        "reminder_days": followups.REMINDER_AFTER_DAYS,
        "overdue_days": followups.OVERDUE_AFTER_DAYS,
    }
    return render(request, "workspace/followups/worklist.html", context)


def _worklist_url(request: HttpRequest) -> str:
    """Return the worklist in the view the user came from (only a known view name is kept)."""
    show = request.GET.get("show", "")
    url = reverse("workspace:follow_ups")
    return f"{url}?show={show}" if show in View.ALL else url


def _follow_up_action(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[forms.Form],
    title: str,
    intro: str,
    perform: Callable[[Trajectory, dict[str, Any]], Any],
    success: str,
) -> HttpResponse:
    """Show one follow-up action for a trajectory: the person's contact details, the attempts, the form.

    404 outside the user's scope, 403 for a role that may not record follow-ups; when the
    trajectory has no follow-up to do the page says so and shows no form.
    """
    trajectory = get_trajectory_for(request.user, pk)
    require_case_staff(request.user)
    if not can(request.user, "record_follow_up", trajectory):
        raise PermissionDenied
    follow_up = followups.live_follow_up(trajectory)
    is_open = follow_up is not None and follow_up.status == FollowUpStatus.DUE
    kwargs = {"trajectory": trajectory}
    form = form_class(request.POST, **kwargs) if request.method == "POST" else form_class(**kwargs)
    if request.method == "POST" and is_open and form.is_valid():
        try:
            perform(trajectory, form.cleaned_data)
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success)
            return redirect(_worklist_url(request))
    today = timezone.localdate()
    attempts = list(follow_up.attempts.select_related("by")) if follow_up is not None else []
    context = {
        "trajectory": trajectory,
        "person": trajectory.jobseeker,
        "follow_up": follow_up,
        "is_open": is_open,
        "attempts": attempts,
        "reminder": follow_up is not None
        and followups.reminder_due(
            status=follow_up.status,
            due_on=follow_up.due_on,
            last_attempt_on=attempts[-1].on if attempts else None,
            today=today,
        ),
        "form": form,
        "title": title,
        "intro": intro,
        "back_url": _worklist_url(request),
    }
    return render(request, "workspace/followups/action.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return followups.record_follow_up_attempt(
            trajectory=trajectory, by=request.user, on=data["on"], channel=data["channel"], note=data["note"]
        )

    return _follow_up_action(
        request,
        pk,
        form_class=AttemptForm,
        title=_("Record a contact attempt"),
        intro=_("Each call, message or letter counts: after attempts without an answer you can record a non-response."),
        perform=perform,
        success=_("The contact attempt is recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return services.record_follow_up(
            trajectory=trajectory,
            by=request.user,
            on=data["on"],
            responded=True,
            situation=data["situation"],
            improved=data["improved_value"],
            source=data["source"],
            version=data["version"],
        )

    return _follow_up_action(
        request,
        pk,
        form_class=AnswerForm,
        title=_("Record the answer to the follow-up"),
        intro=_("Six months after the exit: what is the person doing now?"),
        perform=perform,
        success=_("The follow-up is recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def no_response(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return followups.record_no_response(
            trajectory=trajectory, by=request.user, on=data["on"], version=data["version"]
        )

    return _follow_up_action(
        request,
        pk,
        form_class=NoResponseForm,
        title=_("Record a non-response"),
        intro=_(
            "The person could not be reached. The follow-up is closed as “no response”: nothing is guessed about "
            "their situation."
        ),
        perform=perform,
        success=_("The non-response is recorded."),
    )
