"""The backbone's vocabulary: its steps, their groups and the channels a step is recorded through.

A leaf module (Django and the standard library only): every app may import it, it imports no app.
Which action moves a trajectory from which step to which is in backbone/transitions.py.
"""

from __future__ import annotations

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
