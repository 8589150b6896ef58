"""My pathway: the backbone as a task list, what happens next, my partner, my actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from autocrea.accounts.access import jobseeker_actions_from, only_partner_staff_take, trajectories_for
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import BACKBONE, Step
from autocrea.backbone.transitions import forward_actions
from autocrea.coaching.models import Action, ActionOwner, ActionStatus
from autocrea.pathways.models import Attendance, InformationAttendance, OrientationStatus, Trajectory
from autocrea.portal import services
from autocrea.portal.views.base import jobseeker_required, my_trajectory

# The backbone in plain words, for the person (staff screens use the step labels).
STEP_TEXT = {
    Step.INTEREST: (gettext_lazy("Say that you are interested"), gettext_lazy("You fill in a short form.")),
    Step.INFORMATION: (
        gettext_lazy("Get the information"),
        gettext_lazy("You come to an information session, or you have an interview."),
    ),
    Step.DECISION: (
        gettext_lazy("Decide if you want to go ahead"),
        gettext_lazy("You can say no: that is a good decision too."),
    ),
    Step.ORIENTATION: (
        gettext_lazy("Choose a partner"),
        gettext_lazy("You choose the organisation that will help you."),
    ),
    Step.DIAGNOSTIC: (
        gettext_lazy("Take stock with your partner"),
        gettext_lazy("Together you look at your project and make a plan."),
    ),
    Step.ACCOMPANIMENT: (
        gettext_lazy("Work on your project with a coach"),
        gettext_lazy("Up to 18 months of help, plus 6 months after you start."),
    ),
    Step.EXIT: (gettext_lazy("End of the accompaniment"), gettext_lazy("We note what you do next.")),
    Step.FOLLOW_UP: (gettext_lazy("News after 6 months"), gettext_lazy("We ask you how you are doing.")),
}

DONE, CURRENT, TODO, NOT_APPLICABLE = "done", "current", "todo", "not_applicable"
STATUS_LABELS = {
    DONE: gettext_lazy("Done"),
    CURRENT: gettext_lazy("Now"),
    TODO: gettext_lazy("To do"),
    NOT_APPLICABLE: gettext_lazy("Not needed"),
}


def _stopped_from(trajectory: Trajectory) -> str:
    row = trajectory.steps.filter(to_step=Step.STOPPED).order_by("-id").first()
    return row.from_step if row and row.from_step else Step.INTEREST


def current_task(step: str) -> int:
    """Return the index of the backbone task in progress when the trajectory is at `step`.

    Read from the transition table: the step the next forward action leads to is the task in progress
    ("at interest" the person waits for the information), except when only the partner takes that
    action: then the partner is working on the current step ("at orientation" the partner is to answer,
    the guided steps last while the partner accompanies). After the last step everything is done.
    """
    index = [str(s) for s in BACKBONE].index(step)
    forward = forward_actions(step)
    if not forward:
        return len(BACKBONE)
    partner_only = only_partner_staff_take(forward)
    return index if partner_only else index + 1


def task_list(trajectory: Trajectory) -> list[dict[str, object]]:
    """Return each backbone step with its status for this trajectory."""
    current = str(trajectory.current_step)
    stopped = current == Step.STOPPED
    # Stopped: everything up to the step where the person stopped is done; the rest is not needed.
    reached = [str(s) for s in BACKBONE].index(_stopped_from(trajectory)) + 1 if stopped else current_task(current)
    rows: list[dict[str, object]] = []
    for index, step in enumerate(BACKBONE):
        if index < reached:
            status = DONE
        elif stopped:
            status = NOT_APPLICABLE
        elif index == reached:
            status = CURRENT
        else:
            status = TODO
        name, hint = STEP_TEXT[step]
        rows.append({"slug": str(step), "name": name, "hint": hint, "status": status, "label": STATUS_LABELS[status]})
    return rows


def _my_actions(trajectory: Trajectory) -> list[Action]:
    return list(
        Action.objects.filter(goal__trajectory=trajectory, owner=ActionOwner.JOBSEEKER)
        .exclude(status=ActionStatus.CANCELLED)
        .select_related("goal")
        .order_by("status", "due_on", "id")
    )


@jobseeker_required
def pathway(request: HttpRequest) -> HttpResponse:
    trajectory = my_trajectory(request)
    context: dict[str, object] = {"trajectory": trajectory}
    if trajectory is not None:
        orientation = (
            trajectory.orientations.filter(
                status__in=[OrientationStatus.PENDING, OrientationStatus.WAITLISTED, OrientationStatus.ACCEPTED]
            )
            .select_related("partner__commune")
            .first()
        )
        booking = (
            InformationAttendance.objects.filter(
                trajectory=trajectory, status=Attendance.REGISTERED, session__starts_at__gt=timezone.now()
            )
            .select_related("session")
            .first()
        )
        context.update(
            {
                "tasks": task_list(trajectory),
                "orientation": orientation,
                "booking": booking,
                "actions": _my_actions(trajectory),
                "can_choose_partner": can_choose_partner(trajectory),
                "today": timezone.localdate(),
            }
        )
    return render(request, "portal/pathway.html", context)


def can_choose_partner(trajectory: Trajectory) -> bool:
    """Return whether the person may choose a partner here now.

    After deciding to go ahead, or again after a partner declined: the transition table's choose_partner
    and choose_again, for the person's role. The portal does not offer changing a partner who has not
    answered yet (change_partner): that goes through a counsellor.
    """
    offered = {action.name for action in jobseeker_actions_from(trajectory.current_step)}
    if "choose_partner" in offered:
        return True
    if "choose_again" in offered:
        return not trajectory.orientations.filter(
            status__in=[OrientationStatus.PENDING, OrientationStatus.WAITLISTED, OrientationStatus.ACCEPTED]
        ).exists()
    return False


@require_POST
@jobseeker_required
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    # Scoped lookup: somebody else's action answers 404, exactly like one that does not exist.
    action = (
        Action.objects.filter(goal__trajectory__in=trajectories_for(request.user), owner=ActionOwner.JOBSEEKER)
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404
    try:
        services.action_mark_done(action=action, by=request.user)
    except PathwayError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Well done! The action “%(title)s” is marked as done.") % {"title": action.title})
    return redirect("portal:pathway")
