"""Forms of the correction requests slice: answer a request; record one on a person's behalf."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autocrea.backbone.steps import Channel
from autocrea.datarights.corrections import MAX_LENGTH
from autocrea.datarights.models import CorrectionStatus
from autocrea.lib.forms import GovukForm
from autocrea.workspace.forms_base import HintedRadioSelect


class AnswerForm(GovukForm):
    status = forms.ChoiceField(
        label=_("Did you correct the data?"),
        choices=[
            (CorrectionStatus.DONE, _("Yes, the data is corrected")),
            (CorrectionStatus.REFUSED, _("No, the data stays as it is")),
        ],
        widget=HintedRadioSelect,
        error_messages={"required": _("Choose whether the data was corrected")},
    )
    answer = forms.CharField(
        label=_("Answer to the person"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The person reads it on their page “My data”. Use plain words; if you refuse, say why."),
        error_messages={"required": _("Write the answer the person will read")},
    )


class OnBehalfForm(GovukForm):
    """A correction request received at the counter, by phone or by post."""

    form_token = forms.UUIDField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=_("How did the person ask?"),
        choices=[(c.value, c.label) for c in (Channel.COUNTER, Channel.PHONE, Channel.POST)],
        widget=HintedRadioSelect,
        error_messages={"required": _("Choose how the person asked")},
    )
    what_is_wrong = forms.CharField(
        label=_("What is wrong?"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what is wrong")},
    )
    what_it_should_be = forms.CharField(
        label=_("What should it be?"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what it should be")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("form_token", uuid.uuid4())
        super().__init__(*args, **kwargs)
