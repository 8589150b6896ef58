"""Forms of the follow-up worklist: its filters (read from the URL), a contact attempt, the answer, a non-response."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autocrea.pathways.followups import NOTE_MAX_LENGTH, View
from autocrea.pathways.models import ContactChannel
from autocrea.workspace.forms_partner import FollowUpForm, HintedRadioSelect, TrajectoryForm, date_field

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
