"""The partner's screens for one trajectory: answer, diagnostic, plan, sessions, milestones, exit, follow-up.

Every view is the same shape (views/base.trajectory_action): access helper → form → one service call
→ message → redirect. What the partner panel of the trajectory page shows is read by
coaching.selectors.partner_panel_context.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from autocrea.accounts.access import can, get_trajectory_for, trajectories_for
from autocrea.coaching.models import SKILLS, CoachingSession, SessionAttendance, SessionKind
from autocrea.coaching.services import action_plan, individual_sessions, milestones
from autocrea.pathways import services as pathways
from autocrea.pathways.models import Trajectory
from autocrea.workspace import forms_coaching, forms_exit, forms_followups, forms_orientation
from autocrea.workspace.views.base import trajectory_action


def _staff_page(view: Any) -> Any:
    return login_required(require_http_methods(["GET", "POST"])(view))


def _leave_if_out_of_scope(request: HttpRequest, pk: int, response: HttpResponse) -> HttpResponse:
    """After a decline or a re-orientation the partner no longer sees the file: go to the list instead."""
    if response.status_code != 302 or trajectories_for(request.user).filter(pk=pk).exists():
        return response
    try:
        return redirect(reverse("workspace:trajectories"))
    except NoReverseMatch:  # the list slice is not built yet
        return redirect(reverse("workspace:home"))


@_staff_page
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return pathways.answer_orientation(
            trajectory=trajectory,
            by=request.user,
            answer=data["answer"],
            on=data["on"],
            reason=data["reason"],
            version=data["version"],
        )

    response = trajectory_action(
        request,
        pk,
        action="answer_orientation",
        form_class=forms_orientation.AnswerForm,
        title=_("Answer the orientation"),
        intro=_("The person chose your organisation. Accept, decline or put them on the waiting list."),
        perform=perform,
        success=_("Your answer is recorded."),
    )
    return _leave_if_out_of_scope(request, pk, response)


@_staff_page
def diagnostic(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return action_plan.record_diagnostic(
            trajectory=trajectory,
            by=request.user,
            on=data["on"],
            barriers=data["barriers"],
            maturity=data["maturity"],
            viability=data["viability"],
            skills={name: data[name] for name in SKILLS},
            notes=data["notes"],
            version=data["version"],
        )

    return trajectory_action(
        request,
        pk,
        action="record_diagnostic",
        form_class=forms_coaching.DiagnosticForm,
        title=_("Record the diagnostic"),
        intro=_("Saving the diagnostic starts the accompaniment."),
        perform=perform,
        success=_("The diagnostic is recorded and the accompaniment has started."),
    )


@_staff_page
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return action_plan.add_action(
            trajectory=trajectory,
            by=request.user,
            goal_title=data["goal_title"],
            title=data["title"],
            owner=data["owner"],
            due_on=data["due_on"],
            version=data["version"],
            activity=data.get("activity"),
        )

    return trajectory_action(
        request,
        pk,
        action="record_coaching",
        form_class=forms_coaching.ActionForm,
        title=_("Add to the action plan"),
        perform=perform,
        success=_("The action is added to the plan."),
    )


@_staff_page
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return individual_sessions.record_individual_session(
            trajectory=trajectory,
            by=request.user,
            starts_at=data["starts_at"],
            duration_minutes=data["duration"],
            mode=data["mode"],
            topic=data["topic"],
            notes=data["notes"],
            attended=data["attended"],
            version=data["version"],
            activity=data.get("activity"),
        )

    return trajectory_action(
        request,
        pk,
        action="record_coaching",
        form_class=forms_coaching.SessionForm,
        title=_("Record or plan an individual session"),
        intro=_(
            "A session in the past is recorded as held. A session to come is planned: the person receives an "
            "invitation in their language if they have an e-mail address, and you record their attendance and "
            "your notes once it has taken place."
        ),
        perform=perform,
        success=_("The session is recorded."),
    )


def _planned_session(request: HttpRequest, pk: int, session_pk: int) -> CoachingSession:
    """Return an individual session of this trajectory with its current partner; 404 otherwise.

    The trajectory's scope (404) and the user's role (403) are checked first, as on every action page.
    """
    trajectory = get_trajectory_for(request.user, pk)
    if not can(request.user, "record_coaching", trajectory):
        raise PermissionDenied
    seat = (
        SessionAttendance.objects.filter(
            session_id=session_pk,
            trajectory=trajectory,
            session__kind=SessionKind.INDIVIDUAL,
            session__partner_id=trajectory.partner_id,
        )
        .select_related("session")
        .first()
    )
    if seat is None:
        raise Http404
    return seat.session


def _session_intro(session: CoachingSession) -> str:
    when = formats.date_format(timezone.localtime(session.starts_at), "d/m/Y H:i")
    return _("Session of %(date)s: %(topic)s.") % {"date": when, "topic": session.topic}


@_staff_page
def session_outcome(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Once a planned individual session has taken place: record whether the person came, and the notes."""
    session = _planned_session(request, pk, session_pk)

    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return individual_sessions.record_individual_outcome(
            session=session,
            trajectory=trajectory,
            by=request.user,
            attended=data["attended"],
            notes=data["notes"],
            version=data["version"],
        )

    return trajectory_action(
        request,
        pk,
        action="record_coaching",
        form_class=forms_coaching.SessionOutcomeForm,
        title=_("Record the planned session"),
        intro=_session_intro(session),
        perform=perform,
        success=_("The session is recorded."),
    )


@_staff_page
def session_cancel(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Cancel a planned individual session still to come; the person receives the cancellation."""
    session = _planned_session(request, pk, session_pk)

    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return individual_sessions.cancel_individual_session(
            session=session, trajectory=trajectory, by=request.user, version=data["version"]
        )

    return trajectory_action(
        request,
        pk,
        action="record_coaching",
        form_class=forms_coaching.SessionCancelForm,
        title=_("Cancel the planned session"),
        intro=_session_intro(session)
        + " "
        + _("The person receives the cancellation, with a calendar file that removes the appointment."),
        perform=perform,
        success=_("The session is cancelled."),
    )


@_staff_page
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return milestones.record_milestone(
            trajectory=trajectory,
            by=request.user,
            kind=data["kind"],
            on=data["on"],
            enterprise_number=data["enterprise_number"],
            details=data["details"],
            version=data["version"],
        )

    return trajectory_action(
        request,
        pk,
        action="record_coaching",
        form_class=forms_coaching.MilestoneForm,
        title=_("Record a milestone"),
        perform=perform,
        success=_("The milestone is recorded."),
    )


@_staff_page
def viability_add(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return milestones.record_viability_test(
            trajectory=trajectory,
            by=request.user,
            kind=data["kind"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            revenue=data["revenue"],
            decision=data["decision"],
            version=data["version"],
        )

    return trajectory_action(
        request,
        pk,
        action="record_coaching",
        form_class=forms_coaching.ViabilityTestForm,
        title=_("Record a viability test"),
        intro=_("An activity test in a cooperative, an on-site test or a Tremplin-indépendants period."),
        perform=perform,
        success=_("The viability test is recorded."),
    )


@_staff_page
def skills(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return action_plan.assess_skills(
            trajectory=trajectory,
            by=request.user,
            on=data["on"],
            scores={name: data[name] for name in SKILLS},
            version=data["version"],
        )

    return trajectory_action(
        request,
        pk,
        action="record_coaching",
        form_class=forms_coaching.SkillsForm,
        title=_("Re-assess skills"),
        intro=_("Use the same scale as the diagnostic, so that progress shows."),
        perform=perform,
        success=_("The skills assessment is recorded."),
    )


@_staff_page
def exit_(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return pathways.record_exit(
            trajectory=trajectory,
            by=request.user,
            kind=data["kind"],
            on=data["on"],
            enterprise_number=data["enterprise_number"],
            evidence=data["evidence"],
            version=data["version"],
        )

    return trajectory_action(
        request,
        pk,
        action="record_exit",
        form_class=forms_exit.ExitForm,
        title=_("Record the exit"),
        perform=perform,
        success=_("The exit is recorded. The follow-up is due six months after the exit date."),
    )


@_staff_page
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return pathways.record_follow_up(
            trajectory=trajectory,
            by=request.user,
            on=data["on"],
            responded=data["responded"],
            situation=data["situation"],
            improved=data["improved_value"],
            source=data["source"],
            version=data["version"],
        )

    return trajectory_action(
        request,
        pk,
        action="record_follow_up",
        form_class=forms_followups.FollowUpForm,
        title=_("Record the follow-up"),
        intro=_("Six months after the exit: what is the person doing now? If they did not answer, record it as such."),
        perform=perform,
        success=_("The follow-up is recorded."),
    )


@_staff_page
def reorient(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(trajectory: Trajectory, data: dict[str, Any]) -> Any:
        return pathways.reorient(
            trajectory=trajectory,
            partner=data["partner"],
            by=request.user,
            channel=data.get("channel") or "partner",
            on=data["on"],
            reason=data["reason"],
            chosen_by_person=data["chosen_by_person"],
            version=data["version"],
        )

    response = trajectory_action(
        request,
        pk,
        action="reorient",
        form_class=forms_orientation.ReorientForm,
        form_kwargs={"user": request.user},
        title=_("Re-orient to another partner"),
        intro=_("The history with the current partner is kept. The new partner will accept, decline or waitlist."),
        perform=perform,
        success=_("The re-orientation is recorded."),
    )
    return _leave_if_out_of_scope(request, pk, response)
