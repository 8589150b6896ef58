"""The staff screens of the funnel: the case list, a trajectory's page, intake on behalf and the step forms.

Every read goes through accounts.access (trajectories_for / get_trajectory_for); every write is one
call to pathways.services, through the shared `trajectory_action` for per-trajectory forms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from autocrea.accounts import audit
from autocrea.accounts.access import (
    can,
    coaching_records_for,
    get_trajectory_for,
    may_run_information_sessions,
    may_see_coaching_records,
    may_see_national_number,
    may_work_on_files,
    trajectories_for,
)
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import BACKBONE, Step
from autocrea.jobseekers.eligibility import evaluate as evaluate_eligibility
from autocrea.jobseekers.services import register_jobseeker
from autocrea.lib.identifiers import search_key
from autocrea.notifications.models import Notification, NotificationStatus
from autocrea.pathways import services
from autocrea.pathways.models import STEP_DATE_FIELDS, InformationSession, Trajectory
from autocrea.pathways.sessions import create_information_session
from autocrea.workspace.actions import available_actions
from autocrea.workspace.forms import (
    DecisionForm,
    InformationForm,
    InformationSessionForm,
    IntakeForm,
    OrientForm,
    ReasonForm,
    TrajectoryFilterForm,
)
from autocrea.workspace.listnav import list_nav_query, list_neighbours
from autocrea.workspace.selectors import filtered_trajectories
from autocrea.workspace.views.base import trajectory_action

PAGE_SIZE = 25

STEP_TAG_COLOURS = {
    Step.INTEREST: "grey",
    Step.INFORMATION: "light-blue",
    Step.DECISION: "blue",
    Step.ORIENTATION: "purple",
    Step.DIAGNOSTIC: "turquoise",
    Step.ACCOMPANIMENT: "green",
    Step.EXIT: "yellow",
    Step.FOLLOW_UP: "orange",
    Step.STOPPED: "red",
}


def require_case_staff(user: Any) -> None:
    """Refuse (403) anyone but case staff: shared by the workspace's case pages."""
    if not may_work_on_files(user):
        raise PermissionDenied


def url_with(params: QueryDict, **changes: Any) -> str:
    """Return `?…` of `params` with `changes` applied (None removes a parameter): the lists' links."""
    query = params.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@login_required
def trajectory_list(request: HttpRequest) -> HttpResponse:
    """List the trajectories the user may see: name prefix search, filters and keyset pagination."""
    require_case_staff(request.user)
    form = TrajectoryFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    scope = trajectories_for(request.user)
    rows = filtered_trajectories(request.user, filters)
    key = search_key(filters.get("q") or "")
    after = filters.get("after")
    if after:
        # The cursor is the last row's id only; its name is looked up in scope so no name goes in the URL.
        last_name = scope.filter(pk=after).values_list("jobseeker__search_name", flat=True).first()
        if last_name is not None:
            rows = rows.filter(
                Q(jobseeker__search_name__gt=last_name) | Q(jobseeker__search_name=last_name, pk__gt=after)
            )
    page = list(rows.order_by("jobseeker__search_name", "pk")[: PAGE_SIZE + 1])
    has_next = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    context = {
        "form": form,
        "rows": [{"trajectory": t, "colour": STEP_TAG_COLOURS[t.current_step]} for t in page],
        "next_url": url_with(request.GET, after=page[-1].pk) if has_next else "",
        "first_url": url_with(request.GET, after=None) if after else "",
        "filtered": bool(key or filters.get("step") or filters.get("partner")),
        "nav_query": list_nav_query("trajectories", request.GET),
    }
    return render(request, "workspace/trajectories.html", context)


def _backbone(trajectory: Trajectory) -> list[dict[str, Any]]:
    """Return the eight backbone steps with their state: done, skipped, current, to do or not reached."""
    stopped = trajectory.current_step == Step.STOPPED
    current = BACKBONE.index(Step(trajectory.current_step)) if not stopped else -1
    items = []
    for index, step in enumerate(BACKBONE):
        on = getattr(trajectory, STEP_DATE_FIELDS[step])
        if stopped:
            state = "done" if on else "not_reached"
        elif index < current:
            state = "done" if on else "skipped"
        elif index == current:
            state = "current"
        else:
            state = "todo"
        items.append({"step": step, "label": step.label, "on": on, "state": state})
    return items


def _timeline(user: Any, trajectory: Trajectory, partner_view: bool) -> list[dict[str, Any]]:
    """Return everything recorded on the trajectory, oldest first, each with its date and kind."""
    events: list[tuple[Any, int, int, str, Any]] = []

    def add(on: Any, rank: int, kind: str, obj: Any) -> None:
        events.append((on, rank, obj.pk, kind, obj))

    for att in trajectory.information_attendances.select_related("session"):
        on = timezone.localdate(att.session.starts_at) if att.session else att.individual_interview_on
        add(on, 0, "information", att)
    for decision in trajectory.decisions.all():
        add(decision.decided_on, 1, "decision", decision)
    for orientation in trajectory.orientations.select_related("partner"):
        add(orientation.oriented_on, 2, "orientation", orientation)
    for exit_row in trajectory.exits.select_related("kind", "partner"):
        add(exit_row.exit_on, 2, "exit", exit_row)
    for follow_up in trajectory.follow_ups.all():
        add(follow_up.answered_on or follow_up.due_on, 2, "follow_up", follow_up)
    if partner_view:
        # Coaching records stay with the partner that wrote them, even after a re-orientation.
        diagnostics = coaching_records_for(user, trajectory, trajectory.diagnostics.all(), partner_field="partner_id")
        for diagnostic in diagnostics.prefetch_related("barriers"):
            add(diagnostic.done_on, 2, "diagnostic", diagnostic)
        seats = coaching_records_for(
            user, trajectory, trajectory.session_attendances.all(), partner_field="session__partner_id"
        )
        for seat in seats.select_related("session__activity"):
            add(timezone.localdate(seat.session.starts_at), 2, "session", seat)
        for milestone in trajectory.milestones.all():
            add(milestone.reached_on, 2, "milestone", milestone)
    for row in trajectory.steps.select_related("by"):
        add(row.on, 3, "step", row)
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    return [{"on": on, "kind": kind, "obj": obj} for on, _rank, _pk, kind, obj in events]


@login_required
def trajectory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one trajectory: the person, the backbone, the actions and the timeline."""
    # Scope first: an object outside the user's scope is a 404 whatever their role (never a 403 hint).
    trajectory = get_trajectory_for(request.user, pk)
    require_case_staff(request.user)
    audit.record(user=request.user, action="read:trajectory", obj=trajectory)
    partner_view = may_see_coaching_records(request.user, trajectory)
    actions = available_actions(request.user, trajectory)
    context = {
        "trajectory": trajectory,
        "person": trajectory.jobseeker,
        "age": trajectory.jobseeker.age_on(timezone.localdate()),
        "show_national_number": may_see_national_number(request.user),
        "colour": STEP_TAG_COLOURS[trajectory.current_step],
        "backbone": _backbone(trajectory),
        "primary_actions": [a for a in actions if not a["secondary"]],
        "secondary_actions": [a for a in actions if a["secondary"]],
        "timeline": _timeline(request.user, trajectory, partner_view),
        "partner_view": partner_view,
        # Eligibility as it stood when the person expressed their interest.
        "eligibility": evaluate_eligibility(trajectory.jobseeker, on=trajectory.interest_on),
        # Previous / next inside the filtered list the page was opened from (workspace/listnav.py).
        "list_nav": list_neighbours(request, trajectory),
        "undelivered": _undelivered(request.user, trajectory),
    }
    return render(request, "workspace/trajectory.html", context)


def _undelivered(user: Any, trajectory: Trajectory) -> list[Notification]:
    """E-mails to the person that were not delivered after the last attempt, about sessions the user runs.

    Partner staff see those about their partner's sessions; counsellors those about information sessions.
    """
    rows = Notification.objects.filter(jobseeker_id=trajectory.jobseeker_id, status=NotificationStatus.FAILED)
    if getattr(user, "partner_id", None):
        rows = rows.filter(coaching_session__partner_id=user.partner_id)
    else:
        rows = rows.filter(information_session__isnull=False)
    return list(rows.select_related("information_session", "coaching_session").order_by("-created_at", "-pk")[:20])


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """Register a new person and their interest on their behalf, in one transaction."""
    require_case_staff(request.user)
    if not can(request.user, "express_interest"):
        raise PermissionDenied
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Both or neither: a refusal from the service rolls back the new person too.
            trajectory = register_jobseeker(
                jobseeker=form.save(commit=False),
                by=request.user,
                channel=data["channel"],
                project_summary=data["project_summary"],
                sector=data["sector"],
                eligibility_justification=data["eligibility_justification"],
            )
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The person and their interest are recorded."))
            if form.eligibility.eligible:
                messages.info(request, _("Eligible: %(reason)s") % {"reason": form.eligibility.reason})
            else:
                messages.warning(
                    request,
                    _("Outside the eligibility rules, recorded with your justification. %(reason)s")
                    % {"reason": form.eligibility.reason},
                )
            return redirect("workspace:trajectory", trajectory.pk)
    return render(request, "workspace/intake.html", {"form": form})


def _staff_action(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
    """Run `trajectory_action` for staff only: the person's own portal is not this workspace."""
    get_trajectory_for(request.user, pk)  # 404 before 403, as in trajectory_action
    require_case_staff(request.user)
    return trajectory_action(request, pk, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def information(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return services.record_information(
            trajectory=trajectory,
            by=request.user,
            channel=data["channel"],
            on=data.get("on") or timezone.localdate(),
            session=data["session"] if data["kind"] == InformationForm.SESSION else None,
            version=data["version"],
        )

    return _staff_action(
        request,
        pk,
        action="record_information",
        form_class=InformationForm,
        title=_("Record the information received"),
        intro=_("The person attended a collective information session or had an individual interview."),
        perform=perform,
        success=_("The information received is recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return services.record_decision(
            trajectory=trajectory,
            by=request.user,
            channel=data["channel"],
            on=data["on"],
            go_ahead=data["go_ahead"],
            reason=data["reason"],
            details=data["details"],
            skip_reason=data.get("skip_reason", ""),
            version=data["version"],
        )

    return _staff_action(
        request,
        pk,
        action="record_decision",
        form_class=DecisionForm,
        title=_("Record the decision"),
        intro=_("Deciding not to go ahead is a respected outcome: it closes the file without counting as a failure."),
        perform=perform,
        success=_("The decision is recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def orient(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return services.orient(
            trajectory=trajectory,
            partner=data["partner"],
            by=request.user,
            channel=data["channel"],
            on=data["on"],
            chosen_by_person=data["chosen_by_person"],
            reason=data.get("reason", ""),
            version=data["version"],
        )

    return _staff_action(
        request,
        pk,
        action="orient",
        form_class=OrientForm,
        title=_("Record the partner chosen"),
        intro=_("The choice is the person's. The partner then accepts, declines or puts them on its waiting list."),
        perform=perform,
        success=_("The orientation is recorded. The partner can now answer."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return services.stop(
            trajectory=trajectory,
            by=request.user,
            channel=data["channel"],
            on=data["on"],
            reason=data["reason"],
            version=data["version"],
        )

    return _staff_action(
        request,
        pk,
        action="stop",
        form_class=ReasonForm,
        title=_("Record that the person does not go ahead"),
        intro=_("The file is closed before any partner accepted the person. It can be reopened later."),
        perform=perform,
        success=_("The file is closed: the person does not go ahead."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return services.reopen(
            trajectory=trajectory,
            by=request.user,
            channel=data["channel"],
            on=data["on"],
            reason=data["reason"],
            version=data["version"],
        )

    return _staff_action(
        request,
        pk,
        action="reopen",
        form_class=ReasonForm,
        title=_("Reopen the file"),
        intro=_("The whole history is kept. A recorded exit is voided, not deleted."),
        perform=perform,
        success=_("The file is reopened."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def info_sessions(request: HttpRequest) -> HttpResponse:
    """List the information sessions and plan a new one (counsellors only)."""
    if not may_run_information_sessions(request.user):
        raise PermissionDenied
    form = InformationSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            create_information_session(
                by=request.user,
                starts_at=form.instance.starts_at,
                place=data["place"],
                language=data["language"],
                capacity=data["capacity"],
            )
        except PathwayError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The information session is planned."))
            return redirect("workspace:info_sessions")
    now = timezone.now()
    sessions = InformationSession.objects.annotate(
        registered=Count("attendances"), present=Count("attendances", filter=Q(attendances__status="present"))
    )
    context = {
        "form": form,
        "upcoming": sessions.filter(starts_at__gte=now).order_by("starts_at")[:50],
        "past": sessions.filter(starts_at__lt=now).order_by("-starts_at")[:20],
        "list_url": reverse("workspace:info_sessions"),
    }
    return render(request, "workspace/info_sessions.html", context)
