"""Forms of the follow-up: the answer recorded from the trajectory's page, and the worklist's filters (read from
the URL), a contact attempt, the answer, a non-response."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autocrea.pathways.followups import NOTE_MAX_LENGTH, View
from autocrea.pathways.models import AnswerSource, ContactChannel, FollowUpSituation
from autocrea.workspace.forms_base import HintedRadioSelect, TrajectoryForm, date_field, yes_no

VIEW_LABELS = {
    View.TODO: _("Due and overdue"),
    View.DUE: _("Due now"),
    View.OVERDUE: _("Overdue"),
    View.UPCOMING: _("Upcoming in 30 days"),
    View.SCHEDULED: _("All scheduled"),
    View.ANSWERED: _("Answered"),
    View.NO_RESPONSE: _("No response"),
}


class FollowUpFilterForm(forms.Form):
    """The worklist's view and order, read from the URL (GET) so that a view can be bookmarked."""

    EARLIEST, LATEST = "due", "-due"

    show = forms.ChoiceField(required=False, choices=list(VIEW_LABELS.items()), widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(EARLIEST, _("Due date, earliest first")), (LATEST, _("Due date, latest first"))],
    )
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sort"].widget.attrs["class"] = "govuk-select"

    def criteria(self) -> dict[str, Any]:
        """Return the valid filters with their defaults; an invalid value is ignored, never trusted."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "show": data.get("show") or View.TODO,
            "sort": data.get("sort") or self.EARLIEST,
            "after": data.get("after"),
        }


IMPROVED_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("Does not know or does not say"))]


class FollowUpForm(TrajectoryForm):
    on = date_field(_("Date of the answer, or of the last attempt to reach the person"), today=True)
    responded = forms.TypedChoiceField(
        label=_("Did the person answer?"),
        choices=[("yes", _("Yes")), ("no", _("No: record a non-response"))],
        coerce=yes_no,
        widget=HintedRadioSelect(),
        error_messages={"required": _("Say whether the person answered.")},
    )
    situation = forms.ChoiceField(
        label=_("Situation of the person now"),
        choices=FollowUpSituation.choices,
        required=False,
        widget=HintedRadioSelect(),
        help_text=_("Only if the person answered."),
    )
    improved = forms.ChoiceField(
        label=_("Has the person's situation on the labour market improved?"),
        choices=IMPROVED_CHOICES,
        required=False,
        widget=HintedRadioSelect(),
        help_text=_("Only if the person answered."),
    )
    source = forms.ChoiceField(
        label=_("Source of the answer"),
        choices=AnswerSource.choices,
        required=False,
        widget=HintedRadioSelect(),
        help_text=_("Only if the person answered."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        responded = data.get("responded")
        answers = ("situation", "improved", "source")
        if responded is True:
            missing = {
                "situation": gettext("Choose the person's situation."),
                "improved": gettext("Say whether the situation improved, or that the person does not know."),
                "source": gettext("Choose where the answer comes from."),
            }
            for name in answers:
                if not data.get(name):
                    self.add_error(name, missing[name])
        elif responded is False:
            for name in answers:
                if data.get(name):
                    self.add_error(name, gettext("The person did not answer: leave this empty, or choose “Yes” above."))
        data["improved_value"] = {"yes": True, "no": False}.get(data.get("improved") or "")
        return data


class AttemptForm(TrajectoryForm):
    on = date_field(_("Date of the attempt"), today=True)
    channel = forms.ChoiceField(
        label=_("How did you try to reach the person?"),
        choices=ContactChannel.choices,
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose how you tried to reach the person.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: left a voicemail, e-mail bounced. Do not write the person's answers here."),
        error_messages={"max_length": _("Keep the note under 300 characters.")},
    )


class AnswerForm(FollowUpForm):
    """The follow-up form when the person answered: the non-response has its own page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["responded"]
        self.fields["on"].label = _("Date of the answer")
        missing = {
            "situation": _("Choose the person's situation."),
            "improved": _("Say whether the situation improved, or that the person does not know."),
            "source": _("Choose where the answer comes from."),
        }
        for name, message in missing.items():
            self.fields[name].required = True
            self.fields[name].help_text = ""
            self.fields[name].error_messages["required"] = message

    def clean(self) -> dict[str, Any]:
        # The fields are required here, so FollowUpForm's yes/no cross-checks are not needed.
        data = super(FollowUpForm, self).clean()
        data["responded"] = True
        data["improved_value"] = {"yes": True, "no": False}.get(data.get("improved") or "")
        return data


class NoResponseForm(TrajectoryForm):
    on = date_field(_("Date of the non-response"), today=True, hint=_("Usually today, after the last attempt."))
