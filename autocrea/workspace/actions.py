"""The actions a staff member can take on a trajectory, shown as buttons on its page.

Each entry: URL name in the `workspace` namespace, label, the permission (accounts.access.ACTION_ROLES)
and the steps in which it applies. The page shows only those the user may perform now.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from autocrea.accounts.access import can, may_print_attestations
from autocrea.pathways.models import Trajectory
from autocrea.pathways.steps import Step


@dataclass(frozen=True)
class ActionLink:
    url_name: str
    label: str | Promise
    permission: str
    steps: frozenset[str]
    secondary: bool = False


ACTIONS: tuple[ActionLink, ...] = (
    ActionLink("information", _("Record the information received"), "record_information", frozenset({Step.INTEREST})),
    ActionLink("decision", _("Record the decision"), "record_decision", frozenset({Step.INTEREST, Step.INFORMATION})),
    ActionLink("orient", _("Record the partner chosen"), "orient", frozenset({Step.DECISION, Step.ORIENTATION})),
    ActionLink("answer", _("Answer the orientation"), "answer_orientation", frozenset({Step.ORIENTATION})),
    ActionLink("diagnostic", _("Record the diagnostic"), "record_diagnostic", frozenset({Step.DIAGNOSTIC})),
    ActionLink(
        "session_add",
        _("Record or plan an individual session"),
        "record_coaching",
        frozenset({Step.DIAGNOSTIC, Step.ACCOMPANIMENT}),
    ),
    ActionLink(
        "collective_enrol",
        _("Register to a collective session"),
        "record_coaching",
        frozenset({Step.DIAGNOSTIC, Step.ACCOMPANIMENT}),
    ),
    ActionLink(
        "action_add", _("Add to the action plan"), "record_coaching", frozenset({Step.DIAGNOSTIC, Step.ACCOMPANIMENT})
    ),
    ActionLink("milestone_add", _("Record a milestone"), "record_coaching", frozenset({Step.ACCOMPANIMENT})),
    ActionLink("viability_add", _("Record a viability test"), "record_coaching", frozenset({Step.ACCOMPANIMENT})),
    ActionLink("skills", _("Re-assess skills"), "record_coaching", frozenset({Step.ACCOMPANIMENT})),
    ActionLink("exit", _("Record the exit"), "record_exit", frozenset({Step.DIAGNOSTIC, Step.ACCOMPANIMENT})),
    ActionLink("follow_up", _("Record the follow-up"), "record_follow_up", frozenset({Step.EXIT})),
    ActionLink(
        "reorient",
        _("Re-orient to another partner"),
        "reorient",
        frozenset({Step.DIAGNOSTIC, Step.ACCOMPANIMENT}),
        secondary=True,
    ),
    ActionLink(
        "stop",
        _("Record that the person does not go ahead"),
        "stop",
        frozenset({Step.INTEREST, Step.INFORMATION, Step.DECISION, Step.ORIENTATION}),
        secondary=True,
    ),
    ActionLink("reopen", _("Reopen"), "reopen", frozenset({Step.STOPPED, Step.EXIT}), secondary=True),
)


def available_actions(user: Any, trajectory: Trajectory) -> list[dict[str, Any]]:
    """Return the actions `user` may take on `trajectory` now, with their URLs."""
    result = []
    for action in ACTIONS:
        if trajectory.current_step not in action.steps or not can(user, action.permission, trajectory):
            continue
        if action.permission == "reopen" and trajectory.current_step == Step.STOPPED and user.role != "counsellor":
            continue
        url = reverse(f"workspace:{action.url_name}", args=[trajectory.pk])
        result.append({"url": url, "label": action.label, "secondary": action.secondary})
    return result


# Documents: every case staff member who can see the trajectory may print its attestations (the view
# scopes through accounts.access first); they come out in the person's contact language.


def available_documents(user: Any, trajectory: Trajectory) -> list[dict[str, Any]]:
    """Return the attestations `user` may print for `trajectory` now, with their URLs."""
    from autocrea.pathways import attestations

    if not may_print_attestations(user):
        return []
    base = reverse("workspace:attestation", args=[trajectory.pk])
    return [
        {"url": f"{base}?kind={document.kind}", "label": document.title, "kind": document.kind}
        for document in attestations.available(trajectory)
    ]
