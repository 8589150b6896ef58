"""Forms of the partner's activity catalogue, and the activity select that tags sessions, series and actions.

The forms check input only; who may change what, the stale version and the partner of an activity are
checked again in partners/activities.py and coaching/services/.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autocrea.lib.forms import GovukForm
from autocrea.partners.models import ActivityKind, ActivityStep, PartnerActivity
from autocrea.workspace.forms_base import HintedRadioSelect, date_field

STEP_HINTS = {
    ActivityStep.DIAGNOSTIC.value: _("Getting to know the person and their project, before the action plan."),
    ActivityStep.ACCOMPANIMENT.value: _(
        "Coaching, workshops, trainings, financing and the viability test: carrying out the plan."
    ),
    ActivityStep.EXIT.value: _("Preparing the launch or the next step, and closing the accompaniment."),
}


class ActivityForm(GovukForm):
    """Add or change one activity of the partner's catalogue."""

    name_fr = forms.CharField(
        label=_("Name in French"), max_length=200, error_messages={"required": _("Enter the name in French.")}
    )
    name_nl = forms.CharField(
        label=_("Name in Dutch"), max_length=200, error_messages={"required": _("Enter the name in Dutch.")}
    )
    name_en = forms.CharField(
        label=_("Name in English"),
        max_length=200,
        required=False,
        help_text=_("If empty, the French name is shown in English."),
    )
    code = forms.SlugField(
        label=_("Short code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and hyphens, unique in your catalogue. For example, microcredit-file."),
        error_messages={
            "required": _("Enter a short code."),
            "invalid": _("Use only lower-case letters, digits and hyphens in the code, for example microcredit-file."),
        },
    )
    step = forms.ChoiceField(
        label=_("Which step of the pathway does it serve?"),
        choices=ActivityStep.choices,
        widget=HintedRadioSelect(hints=STEP_HINTS),
        help_text=_("Every partner reports on the same backbone: this is how your activity is counted."),
        error_messages={"required": _("Choose the step of the pathway this activity serves.")},
    )
    kind = forms.ChoiceField(
        label=_("How is it delivered?"),
        choices=ActivityKind.choices,
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose how the activity is delivered.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the activity is, for whom, and how long it lasts."),
    )
    position = forms.IntegerField(
        label=_("Order in the list"),
        min_value=0,
        max_value=999,
        initial=0,
        help_text=_("Smaller numbers come first."),
        error_messages={
            "required": _("Enter the order in the list, for example 10."),
            "invalid": _("Enter the order as a whole number, for example 10."),
            "min_value": _("Enter a number between 0 and 999."),
            "max_value": _("Enter a number between 0 and 999."),
        },
    )
    active = forms.BooleanField(
        label=_("Offered now: coaches can choose it"),
        required=False,
        initial=True,
        template_name="workspace/partner_field_checkbox.html",
        help_text=_("Untick to stop offering it. What was already recorded with it keeps it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"spellcheck": "false", "autocapitalize": "none"})
        self.fields["position"].widget.attrs["inputmode"] = "numeric"
        for name, width in {"code": "govuk-input--width-20", "position": "govuk-input--width-4"}.items():
            widget = self.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {width}".strip()
        self.fields["active"].widget.attrs["aria-describedby"] = "id_active-hint"

    @classmethod
    def initial_for(cls, activity: PartnerActivity) -> dict[str, Any]:
        return {
            "name_fr": activity.name_fr,
            "name_nl": activity.name_nl,
            "name_en": activity.name_en,
            "code": activity.code,
            "step": activity.step,
            "kind": activity.kind,
            "description": activity.description,
            "position": activity.position,
            "active": activity.active,
            "version": activity.version,
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name_fr": data["name_fr"].strip(),
            "name_nl": data["name_nl"].strip(),
            "name_en": data["name_en"].strip(),
            "code": data["code"],
            "step": data["step"],
            "kind": data["kind"],
            "description": data["description"].strip(),
            "position": data["position"],
            "active": data["active"],
        }


def _first_of_year() -> datetime.date:
    return timezone.localdate().replace(month=1, day=1)


class PeriodForm(GovukForm):
    """The period of the "activities delivered" table (GET): from 1 January to today unless chosen."""

    start = date_field(_("From"), required=False, hint=_("For example, 01/01/2026"))
    end = date_field(_("To"), required=False, hint=_("For example, 31/12/2026"))
    widths: ClassVar[dict[str, str]] = {"start": "govuk-input--width-10", "end": "govuk-input--width-10"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, width in self.widths.items():
            widget = self.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {width}".strip()

    def period(self) -> tuple[datetime.date, datetime.date] | None:
        """Return the chosen period, or None when the input is wrong (the errors say why)."""
        if not self.is_bound:
            return _first_of_year(), timezone.localdate()
        if not self.is_valid():
            return None
        start = self.cleaned_data["start"] or _first_of_year()
        end = self.cleaned_data["end"] or timezone.localdate()
        if end < start:
            self.add_error("end", gettext("The end of the period cannot be before its start."))
            return None
        return start, end
