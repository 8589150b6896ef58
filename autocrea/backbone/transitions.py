"""The one transition table of the backbone, keyed by action.

Each row is one thing a user does to a trajectory: the service that performs it, the steps it may be
taken from, the step(s) it leads to, the roles allowed, whether a reason must be recorded, and the
channels it may be recorded through. Everything else reads this table:

- the services' checks (`check_action`, called by pathways/services.py and coaching/services/),
- `accounts.access.can` (the roles of a service: the union of its actions' roles),
- the buttons on the staff trajectory page (workspace/actions.py: `steps_for`),
- the portal's task list (portal/views/pathway.py: `actions_from`, `forward_actions`),
- the state machine's model in tests/test_state_machine.py.

The step log stores the action's name (`StepLog.action`), so that a partner's refusal and the
person's new choice, which take the same edge (orientation → orientation), stay distinguishable.
A leaf module: Django and the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from autocrea.backbone.errors import TransitionError
from autocrea.backbone.roles import Role
from autocrea.backbone.steps import BACKBONE, Channel, Step

# The "step" before a trajectory exists: express_interest starts one (the first step-log row's `from`).
NEW = ""

ANY_CHANNEL = frozenset(Channel.values)
# Partner staff record their actions themselves: the step log always says "by the partner".
BY_PARTNER = frozenset({Channel.PARTNER})

PARTNER_STAFF = frozenset({Role.COACH, Role.PARTNER_MANAGER})
PERSON_OR_COUNSELLOR = frozenset({Role.COUNSELLOR, Role.JOBSEEKER})
COUNSELLOR = frozenset({Role.COUNSELLOR})

FUNNEL_OPEN = frozenset({Step.INTEREST, Step.INFORMATION, Step.DECISION, Step.ORIENTATION})
GUIDED = frozenset({Step.DIAGNOSTIC, Step.ACCOMPANIMENT})

SKIP_OR_UNDO = _("Give a reason: this change skips or undoes a step of the pathway.")
WHICH_CHANNEL = _("Choose how this step was recorded.")


@dataclass(frozen=True)
class Action:
    """One user action on the backbone (a row of the table)."""

    name: str  # stored in StepLog.action
    service: str  # the service (and the permission of accounts.access.can) that performs it
    sources: frozenset[str]  # the steps it may be taken from
    targets: frozenset[str]  # the step(s) it leads to; empty: the step stays (no step-log row)
    roles: frozenset[str]
    needs_reason: bool = False  # it skips or undoes part of the backbone, or refuses the person
    reason_message: str | Promise = SKIP_OR_UNDO
    channels: frozenset[str] = ANY_CHANNEL
    channel_message: str | Promise = WHICH_CHANNEL

    @property
    def target(self) -> str:
        """The one step this action leads to (an action with several is resolved by its service)."""
        (target,) = self.targets
        return target


ACTIONS: tuple[Action, ...] = (
    Action(
        "express_interest",
        "express_interest",
        frozenset({NEW}),
        frozenset({Step.INTEREST}),
        PERSON_OR_COUNSELLOR,
        channel_message=_("Choose how the interest was expressed."),
    ),
    Action(
        "record_information",
        "record_information",
        frozenset({Step.INTEREST}),
        frozenset({Step.INFORMATION}),
        COUNSELLOR,
    ),
    # Going ahead straight from interest skips the information: a reason is recorded.
    Action(
        "skip_information",
        "record_decision",
        frozenset({Step.INTEREST}),
        frozenset({Step.DECISION}),
        PERSON_OR_COUNSELLOR,
        needs_reason=True,
    ),
    Action(
        "go_ahead", "record_decision", frozenset({Step.INFORMATION}), frozenset({Step.DECISION}), PERSON_OR_COUNSELLOR
    ),
    # Not going ahead is a respected outcome; the reason is the one the person gave.
    Action(
        "not_go_ahead",
        "record_decision",
        frozenset({Step.INTEREST, Step.INFORMATION, Step.DECISION}),
        frozenset({Step.STOPPED}),
        PERSON_OR_COUNSELLOR,
        needs_reason=True,
    ),
    Action("choose_partner", "orient", frozenset({Step.DECISION}), frozenset({Step.ORIENTATION}), PERSON_OR_COUNSELLOR),
    # Another partner while the first has not answered yet (or waitlisted the person).
    Action(
        "change_partner",
        "orient",
        frozenset({Step.ORIENTATION}),
        frozenset({Step.ORIENTATION}),
        PERSON_OR_COUNSELLOR,
        needs_reason=True,
        reason_message=_("Give a reason for changing the partner."),
    ),
    # A new choice after a partner declined: the decline already carries the reason.
    Action(
        "choose_again", "orient", frozenset({Step.ORIENTATION}), frozenset({Step.ORIENTATION}), PERSON_OR_COUNSELLOR
    ),
    # The partner accepts: guided from here.
    Action(
        "accept",
        "answer_orientation",
        frozenset({Step.ORIENTATION}),
        frozenset({Step.DIAGNOSTIC}),
        PARTNER_STAFF,
        channels=BY_PARTNER,
    ),
    Action(
        "decline",
        "answer_orientation",
        frozenset({Step.ORIENTATION}),
        frozenset({Step.ORIENTATION}),
        PARTNER_STAFF,
        needs_reason=True,
        reason_message=_("Give the reason why the partner declines."),
        channels=BY_PARTNER,
    ),
    Action(
        "waitlist", "answer_orientation", frozenset({Step.ORIENTATION}), frozenset(), PARTNER_STAFF, channels=BY_PARTNER
    ),
    Action(
        "record_diagnostic",
        "record_diagnostic",
        frozenset({Step.DIAGNOSTIC}),
        frozenset({Step.ACCOMPANIMENT}),
        PARTNER_STAFF,
        channels=BY_PARTNER,
    ),
    Action("record_exit", "record_exit", GUIDED, frozenset({Step.EXIT}), PARTNER_STAFF, channels=BY_PARTNER),
    Action(
        "record_follow_up",
        "record_follow_up",
        frozenset({Step.EXIT}),
        frozenset({Step.FOLLOW_UP}),
        PARTNER_STAFF | COUNSELLOR,
        channels=BY_PARTNER,
    ),
    # The person could not be reached: recorded as such, never guessed.
    Action(
        "record_no_response",
        "record_follow_up",
        frozenset({Step.EXIT}),
        frozenset({Step.FOLLOW_UP}),
        PARTNER_STAFF | COUNSELLOR,
        channels=BY_PARTNER,
    ),
    # Leaving before a partner accepted the person: a funnel outcome, not an exit.
    Action("stop", "stop", FUNNEL_OPEN, frozenset({Step.STOPPED}), COUNSELLOR, needs_reason=True),
    # Back to the step where the person stopped (a decision again when they stopped while being oriented).
    Action(
        "reopen_stopped",
        "reopen",
        frozenset({Step.STOPPED}),
        frozenset({Step.INTEREST, Step.INFORMATION, Step.DECISION}),
        COUNSELLOR,
        needs_reason=True,
    ),
    Action(
        "reopen_exit",
        "reopen",
        frozenset({Step.EXIT}),
        frozenset({Step.ACCOMPANIMENT}),
        PARTNER_STAFF | COUNSELLOR,
        needs_reason=True,
    ),
    Action(
        "reorient", "reorient", GUIDED, frozenset({Step.ORIENTATION}), PARTNER_STAFF | COUNSELLOR, needs_reason=True
    ),
)
BY_NAME: dict[str, Action] = {a.name: a for a in ACTIONS}
SERVICES: dict[str, tuple[Action, ...]] = {}
for _action in ACTIONS:
    SERVICES[_action.service] = (*SERVICES.get(_action.service, ()), _action)
del _action
# Every step change the table allows (the state machine and the population check read this).
EDGES: frozenset[tuple[str, str]] = frozenset((s, t) for a in ACTIONS for s in a.sources for t in a.targets)


def actions_named(name: str) -> tuple[Action, ...]:
    """The actions behind `name`: one action, or every action of a service (accept, decline, …)."""
    if name in BY_NAME and BY_NAME[name].service == name:
        return SERVICES[name]
    if name in BY_NAME:
        return (BY_NAME[name],)
    return SERVICES.get(name, ())


def roles_for(name: str) -> frozenset[str]:
    """The roles that may take the action or the service `name` (accounts.access.can)."""
    return frozenset(role for a in actions_named(name) for role in a.roles)


def steps_for(name: str, role: str | None = None) -> frozenset[str]:
    """The steps from which the action or the service `name` may be taken (by `role`, when given)."""
    return frozenset(s for a in actions_named(name) if role is None or role in a.roles for s in a.sources)


def actions_from(step: str, role: str | None = None) -> list[Action]:
    """The actions that may be taken from `step` (by `role`, when given), in the table's order."""
    return [a for a in ACTIONS if step in a.sources and (role is None or role in a.roles)]


def forward_actions(step: str) -> list[Action]:
    """The actions that move `step` to the next step of the backbone (none from its last step)."""
    if step not in BACKBONE or step == BACKBONE[-1]:
        return []
    following = BACKBONE[BACKBONE.index(Step(step)) + 1]
    return [a for a in actions_from(step) if following in a.targets]


def _label(step: str) -> str:
    return str(Step(step).label) if step in Step.values else step


def _refuse_step(action: Action, step: str, target: str | None) -> TransitionError:
    to = target or (min(action.targets) if action.targets else step)
    return TransitionError(
        str(_("This trajectory is at the step “%(source)s”: it cannot go to “%(target)s” from there."))
        % {"source": _label(step), "target": _label(to)}
    )


def check_action(
    name: str,
    step: str,
    *,
    role: str | None = None,
    reason: str = "",
    target: str | None = None,
    channel: str | None = None,
) -> Action:
    """Return the action `name` if it may be taken now, or raise TransitionError with a translated message.

    `step` is the trajectory's current step (NEW before it exists); `role`, `target` and `channel` are
    checked when given (a service passes the step it moves to when the action has several).
    """
    action = BY_NAME[name]
    if step not in action.sources or (target is not None and target not in action.targets):
        raise _refuse_step(action, step, target)
    if role is not None and role not in action.roles:
        raise TransitionError(str(_("You are not allowed to do this for this person.")))
    if channel is not None and channel not in action.channels:
        raise TransitionError(str(action.channel_message))
    if action.needs_reason and not reason.strip():
        raise TransitionError(str(action.reason_message))
    return action
