"""The actions a staff member can take on a trajectory, shown as buttons on its page.

Each button opens the form of one service. For the backbone's services the steps where it shows and
who sees it come from the transition table (backbone/transitions.py): the steps from which the user's
role may take one of the actions the form offers. The coaching records are not transitions: their
steps are listed here. The page shows only the buttons the user may use now (accounts.access.can
adds the scope: partner staff only on their own partner's trajectories).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from autocrea.accounts.access import acting_role, can, may_print_attestations
from autocrea.backbone.steps import GUIDED_STEPS, Step
from autocrea.backbone.transitions import SERVICES, steps_for
from autocrea.pathways.models import Trajectory


@dataclass(frozen=True)
class ActionLink:
    url_name: str
    label: str | Promise
    permission: str  # a service of the transition table, or one of accounts.access.OTHER_ACTION_ROLES
    # The table's actions the form offers (default: every action of the service); None for coaching records.
    offers: tuple[str, ...] | None = ()
    steps: frozenset[str] = frozenset()  # only for what is not in the table (coaching records)
    secondary: bool = False

    def shown_in(self, step: str, role: str) -> bool:
        if self.offers is None:
            return step in self.steps
        offers = self.offers or tuple(a.name for a in SERVICES[self.permission])
        return any(step in steps_for(name, role) for name in offers)


def _coaching(url_name: str, label: Promise, steps: frozenset[str]) -> ActionLink:
    return ActionLink(url_name, label, "record_coaching", offers=None, steps=steps)


ACTIONS: tuple[ActionLink, ...] = (
    ActionLink("information", _("Record the information received"), "record_information"),
    # The form records a decision where going ahead is still possible; once it was taken, leaving is "stop".
    ActionLink("decision", _("Record the decision"), "record_decision", offers=("skip_information", "go_ahead")),
    ActionLink("orient", _("Record the partner chosen"), "orient"),
    ActionLink("answer", _("Answer the orientation"), "answer_orientation"),
    ActionLink("diagnostic", _("Record the diagnostic"), "record_diagnostic"),
    _coaching("session_add", _("Record or plan an individual session"), frozenset(GUIDED_STEPS)),
    _coaching("collective_enrol", _("Register to a collective session"), frozenset(GUIDED_STEPS)),
    _coaching("action_add", _("Add to the action plan"), frozenset(GUIDED_STEPS)),
    _coaching("milestone_add", _("Record a milestone"), frozenset({Step.ACCOMPANIMENT})),
    _coaching("viability_add", _("Record a viability test"), frozenset({Step.ACCOMPANIMENT})),
    _coaching("skills", _("Re-assess skills"), frozenset({Step.ACCOMPANIMENT})),
    ActionLink("exit", _("Record the exit"), "record_exit"),
    ActionLink("follow_up", _("Record the follow-up"), "record_follow_up"),
    ActionLink("reorient", _("Re-orient to another partner"), "reorient", secondary=True),
    ActionLink("stop", _("Record that the person does not go ahead"), "stop", secondary=True),
    ActionLink("reopen", _("Reopen"), "reopen", secondary=True),
)


def available_actions(user: Any, trajectory: Trajectory) -> list[dict[str, Any]]:
    """Return the actions `user` may take on `trajectory` now, with their URLs."""
    result = []
    role = acting_role(user)
    for action in ACTIONS:
        if not action.shown_in(trajectory.current_step, role) or not can(user, action.permission, trajectory):
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
