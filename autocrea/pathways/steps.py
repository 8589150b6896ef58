"""The backbone: its steps and the one table of allowed transitions.

Every change of a trajectory's step goes through `check_transition`, called only by the
services in pathways/services.py. A transition whose `needs_reason` is set skips or undoes
part of the backbone and is refused without a recorded reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    """The step a trajectory is in now."""

    INTEREST = "interest", _("Interest")
    INFORMATION = "information", _("Information")
    DECISION = "decision", _("Decision")
    ORIENTATION = "orientation", _("Orientation")
    DIAGNOSTIC = "diagnostic", _("Diagnostic")
    ACCOMPANIMENT = "accompaniment", _("Accompaniment")
    EXIT = "exit", _("Exit")
    FOLLOW_UP = "follow_up", _("Follow-up done")
    STOPPED = "stopped", _("Did not go ahead")


BACKBONE = [
    Step.INTEREST,
    Step.INFORMATION,
    Step.DECISION,
    Step.ORIENTATION,
    Step.DIAGNOSTIC,
    Step.ACCOMPANIMENT,
    Step.EXIT,
    Step.FOLLOW_UP,
]
# Before a partner accepted the person: leaving here is a funnel outcome, not an exit.
FUNNEL_STEPS = {Step.INTEREST, Step.INFORMATION, Step.DECISION, Step.ORIENTATION}
# With a partner (guided): leaving here is an exit.
GUIDED_STEPS = {Step.DIAGNOSTIC, Step.ACCOMPANIMENT}
CLOSED_STEPS = {Step.EXIT, Step.FOLLOW_UP, Step.STOPPED}


class Channel(models.TextChoices):
    """How the step was recorded: by the person online or by staff on their behalf."""

    WEB = "web", _("Online, by the person")
    COUNTER = "counter", _("At the counter")
    PHONE = "phone", _("By phone")
    POST = "post", _("By post")
    PARTNER = "partner", _("By the partner")


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    needs_reason: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Step.INTEREST, Step.INFORMATION),
    Transition(Step.INTEREST, Step.DECISION, needs_reason=True),  # skips information
    Transition(Step.INFORMATION, Step.DECISION),
    Transition(Step.DECISION, Step.ORIENTATION),
    Transition(Step.ORIENTATION, Step.ORIENTATION, needs_reason=True),  # declined or changed partner
    Transition(Step.ORIENTATION, Step.DIAGNOSTIC),  # the partner accepted: guided from here
    Transition(Step.DIAGNOSTIC, Step.ACCOMPANIMENT),
    Transition(Step.DIAGNOSTIC, Step.EXIT),
    Transition(Step.ACCOMPANIMENT, Step.EXIT),
    Transition(Step.DIAGNOSTIC, Step.ORIENTATION, needs_reason=True),  # re-orientation
    Transition(Step.ACCOMPANIMENT, Step.ORIENTATION, needs_reason=True),  # re-orientation
    Transition(Step.EXIT, Step.FOLLOW_UP),
    Transition(Step.EXIT, Step.ACCOMPANIMENT, needs_reason=True),  # reopened
    Transition(Step.INTEREST, Step.STOPPED, needs_reason=True),
    Transition(Step.INFORMATION, Step.STOPPED, needs_reason=True),
    Transition(Step.DECISION, Step.STOPPED, needs_reason=True),
    Transition(Step.ORIENTATION, Step.STOPPED, needs_reason=True),
    Transition(Step.STOPPED, Step.INTEREST, needs_reason=True),  # reopened
    Transition(Step.STOPPED, Step.INFORMATION, needs_reason=True),  # reopened
    Transition(Step.STOPPED, Step.DECISION, needs_reason=True),  # reopened
)
_TABLE = {(t.source, t.target): t for t in TRANSITIONS}


class PathwayError(Exception):
    """A refused pathway operation; `message` is translated and safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransitionError(PathwayError):
    """A transition the backbone does not allow."""


def find_transition(source: str, target: str) -> Transition | None:
    return _TABLE.get((source, target))


def check_transition(source: str, target: str, reason: str) -> Transition:
    """Return the allowed transition or raise TransitionError with a translated message."""
    transition = _TABLE.get((source, target))
    if transition is None:
        raise TransitionError(
            str(_("This trajectory is at the step “%(source)s”: it cannot go to “%(target)s” from there."))
            % {"source": Step(source).label, "target": Step(target).label}
        )
    if transition.needs_reason and not reason.strip():
        raise TransitionError(str(_("Give a reason: this change skips or undoes a step of the pathway.")))
    return transition


def allowed_targets(source: str) -> list[str]:
    """Return the steps reachable from `source`."""
    return [t.target for t in TRANSITIONS if t.source == source]
