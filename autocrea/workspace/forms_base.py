"""The building blocks of the staff workspace's forms: GOV.UK radios with hints, date, time and duration fields,
and the form of an action on a trajectory, which carries the trajectory's `version`.

The version sits in a hidden field so that the service refuses a write based on a page that someone
else changed in the meantime (optimistic locking).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.forms import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autocrea.lib.dates import DateRange
from autocrea.lib.forms import GovukForm
from autocrea.lib.identifiers import clean_enterprise_number
from autocrea.pathways.models import Trajectory

DATE_HINT = _("For example, 27/03/2026")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class HintedRadioSelect(forms.RadioSelect):
    """GOV.UK radios with an optional hint under each option, stacked or inline."""

    template_name = "workspace/partner_radio.html"

    def __init__(self, *args: Any, hints: dict[str, Any] | None = None, inline: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hints = hints or {}
        self.inline = inline

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["hint"] = self.hints.get(str(option["value"]), "")
        return option

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["inline"] = self.inline
        return context


def date_field(
    label: Any, *, required: bool = True, today: bool = False, hint: Any = DATE_HINT, within: DateRange | None = None
) -> forms.DateField:
    """Return a dd/mm/yyyy date field: one text input with an example as its hint, limited to `within`."""
    return forms.DateField(
        label=label,
        required=required,
        validators=[within.validator] if within else [],
        input_formats=["%d/%m/%Y"],
        widget=forms.DateInput(format="%d/%m/%Y"),
        help_text=hint,
        initial=timezone.localdate if today else None,
        error_messages={
            "required": _("Enter the date."),
            "invalid": _("Enter the date as day/month/year, for example 27/03/2026."),
        },
    )


def time_field(hint: Any) -> forms.TimeField:
    """Return an hours:minutes start time field (24-hour clock) with `hint`."""
    return forms.TimeField(
        label=_("Start time"),
        input_formats=["%H:%M"],
        widget=forms.TimeInput(format="%H:%M"),
        help_text=hint,
        error_messages={
            "required": _("Enter the start time."),
            "invalid": _("Enter the time as hours:minutes, for example 14:30."),
        },
    )


def duration_field(*, initial: int, invalid: Any, hint: Any = None) -> forms.IntegerField:
    """Return a duration in minutes, from 1 minute to 8 hours; `invalid` is the message for a non-number."""
    return forms.IntegerField(
        label=_("Duration in minutes"),
        min_value=1,
        max_value=480,
        initial=initial,
        help_text=hint,
        error_messages={
            "required": _("Enter the duration."),
            "invalid": invalid,
            "min_value": _("Give a duration between 1 minute and 8 hours."),
            "max_value": _("Give a duration between 1 minute and 8 hours."),
        },
    )


def yes_no(value: str) -> bool:
    return value == "yes"


class TrajectoryForm(GovukForm):
    """Base of every partner action form: knows its trajectory and carries its version."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    widths: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, trajectory: Trajectory, **kwargs: Any) -> None:
        self.trajectory = trajectory
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = trajectory.version
        widths = {n: "govuk-input--width-10" for n, f in self.fields.items() if isinstance(f, forms.DateField)}
        for name, width in {**widths, **self.widths}.items():
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {width}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        if not hasattr(self, "cleaned_data"):
            return
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            classes = widget.attrs.get("class", "").split()
            if classes and classes[0] in {"govuk-input", "govuk-select", "govuk-textarea"}:
                error_class = f"{classes[0]}--error"
                if error_class not in classes:
                    widget.attrs["class"] = " ".join([*classes, error_class])
        if "version" in self.errors:
            # A hidden field's error would be invisible: say what to do instead.
            self._errors.setdefault(NON_FIELD_ERRORS, self.error_class(error_class="nonfield")).append(
                gettext("This page is out of date. Reload the page and try again.")
            )


def check_enterprise_number(form: forms.Form, value: str) -> str:
    """Return the enterprise number (BCE/KBO) normalised, or as typed with an error added to `form`."""
    value = value.strip()
    if not value:
        return ""
    try:
        return clean_enterprise_number(value)
    except ValidationError as exc:
        form.add_error("enterprise_number", exc)
        return value
