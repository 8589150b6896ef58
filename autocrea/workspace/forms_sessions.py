"""Forms of the information-session screens: the attendance register and registrations.

The forms only check input; the rules (capacity, lock, stale version, pathway moves) stay in
pathways/sessions.py, and a refusal from there is shown at the top of the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autocrea.lib.forms import GovukForm
from autocrea.pathways.models import Attendance, InformationAttendance, Trajectory

REGISTER_CHOICES = [
    (Attendance.PRESENT.value, _("Present")),
    (Attendance.ABSENT.value, _("Absent")),
    (Attendance.EXCUSED.value, _("Excused")),
]


def status_field_name(attendance: InformationAttendance) -> str:
    return f"status_{attendance.pk}"


class RegisterForm(GovukForm):
    """One radio group per person registered, plus "did not take place" and "finalise"."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    did_not_take_place = forms.BooleanField(
        label=_("The session did not take place"),
        required=False,
        help_text=_("Nobody is recorded as present or absent, and the register closes."),
        template_name="workspace/fields/checkbox.html",
    )
    finalise = forms.BooleanField(
        label=_("Finalise the register"),
        required=False,
        help_text=_("Once finalised, the register can no longer be changed. Every person needs an attendance."),
        template_name="workspace/fields/checkbox.html",
    )

    def __init__(self, *args: Any, attendances: list[InformationAttendance], version: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"]["version"] = version
        for attendance in attendances:
            if attendance.status != Attendance.REGISTERED:
                kwargs["initial"][status_field_name(attendance)] = attendance.status
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[InformationAttendance, str]] = []
        for attendance in attendances:
            name = status_field_name(attendance)
            self.fields[name] = forms.ChoiceField(
                label=str(attendance.trajectory.jobseeker),
                choices=REGISTER_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
                required=False,
            )
            self.rows.append((attendance, name))

    def person_fields(self) -> list[dict[str, Any]]:
        return [{"attendance": a, "field": self[name]} for a, name in self.rows]

    def statuses(self) -> dict[int, str]:
        """Return the attendance id → status chosen, leaving out people with no choice."""
        return {a.pk: self.cleaned_data[name] for a, name in self.rows if self.cleaned_data.get(name)}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("did_not_take_place") and any(data.get(name) == Attendance.PRESENT for _a, name in self.rows):
            raise forms.ValidationError(
                _("People are marked present: untick “The session did not take place” or change their attendance.")
            )
        return data


class RegistrationSearchForm(forms.Form):
    """The name prefix to look for among people at the interest step (GET)."""

    q = forms.CharField(label=_("Name starts with"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {
                "class": "govuk-input govuk-input--width-20",
                "autocomplete": "off",
                "spellcheck": "false",
                "aria-describedby": "q-hint",
            }
        )


class RegistrationForm(GovukForm):
    """The people to register to a session: all of them, or none."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    trajectories = forms.ModelMultipleChoiceField(
        label=_("People to register"),
        queryset=Trajectory.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one person."),
            "invalid_choice": _("A person selected can no longer be registered. Search again."),
        },
    )

    def __init__(self, *args: Any, candidates: Any, version: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"]["version"] = version
        super().__init__(*args, **kwargs)
        field = self.fields["trajectories"]
        field.queryset = candidates  # type: ignore[attr-defined]
        field.label_from_instance = lambda t: f"{t.jobseeker} · {t.reference}"  # type: ignore[attr-defined]


class BookSessionForm(forms.Form):
    """One information session to book for one person, with the version of the session shown (hidden)."""

    session = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CancelBookingForm(forms.Form):
    """One booking of the person to cancel, with the version of its session shown (hidden)."""

    booking = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
