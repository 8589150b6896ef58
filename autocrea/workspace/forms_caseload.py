"""Forms of the caseload slice: the filters read from the URL, and the bulk "assign to a coach"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autocrea.accounts.access import assignable_coaches, opens_caseload_on_whole_partner
from autocrea.accounts.models import User
from autocrea.backbone.steps import CLOSED_STEPS, Step

DEFAULT_STALLED_WEEKS = 6


def coaches_of(partner_id: int | None) -> Any:
    """Return the active coaches of one partner, by name."""
    return assignable_coaches(partner_id)


class CoachChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class CaseloadFilterForm(forms.Form):
    """The caseload's scope, filters and order, read from the URL (GET) so that a view can be bookmarked."""

    MINE, PARTNER = "mine", "partner"
    BY_ACTIVITY, BY_NAME = "activity", "name"

    scope = forms.ChoiceField(
        required=False,
        choices=[(MINE, _("My caseload")), (PARTNER, _("My partner's caseload"))],
        widget=forms.HiddenInput,
    )
    step = forms.ChoiceField(label=_("Step"), required=False)
    coach = CoachChoiceField(
        label=_("Coach"), queryset=User.objects.none(), required=False, empty_label=_("All coaches")
    )
    # The stalled filter is one field: a number of weeks, empty for everyone. `stalled=on` is still read so
    # that older bookmarks keep working (with the default number of weeks when none is given).
    stalled = forms.BooleanField(required=False, widget=forms.HiddenInput)
    weeks = forms.IntegerField(
        label=_("Without activity for at least"),
        help_text=_("Leave empty to see everyone."),
        required=False,
        min_value=1,
        max_value=52,
        error_messages={
            "min_value": _("Enter a number of weeks between 1 and 52."),
            "max_value": _("Enter a number of weeks between 1 and 52."),
            "invalid": _("Enter a number of weeks between 1 and 52."),
        },
    )
    due = forms.BooleanField(label=_("Within 7 days"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("", _("Default order")), (BY_ACTIVITY, _("Last activity")), (BY_NAME, _("Name"))],
    )
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, coaches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A partner manager rarely follows files themselves: their caseload opens on the partner's files.
        self.default_scope = self.PARTNER if opens_caseload_on_whole_partner(user) else self.MINE
        self.fields["step"].choices = [
            ("", _("All steps")),
            *((s.value, s.label) for s in Step if s not in CLOSED_STEPS),
        ]
        self.fields["coach"].queryset = coaches
        self.fields["step"].widget.attrs["class"] = "govuk-select"
        self.fields["coach"].widget.attrs["class"] = "govuk-select"
        self.fields["sort"].widget.attrs["class"] = "govuk-select"
        self.fields["weeks"].widget.attrs.update({"class": "govuk-input govuk-input--width-2", "inputmode": "numeric"})
        self.fields["due"].widget.attrs["class"] = "govuk-checkboxes__input"

    def criteria(self) -> dict[str, Any]:
        """Return the valid filters with their defaults; an invalid value is ignored, never trusted."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        scope = data.get("scope") or self.default_scope
        stalled = bool(data.get("stalled") or data.get("weeks"))
        return {
            "scope": scope,
            "step": data.get("step") or "",
            # The coach filter belongs to the partner view: "mine" is already one coach.
            "coach": data.get("coach") if scope == self.PARTNER else None,
            "stalled": stalled,
            "weeks": data.get("weeks") or DEFAULT_STALLED_WEEKS,
            "due": bool(data.get("due")),
            # Stalled files are worked by last activity (oldest first, in the view); otherwise by name.
            "sort": data.get("sort") or (self.BY_ACTIVITY if stalled else self.BY_NAME),
            "after": data.get("after"),
        }


class AssignCoachForm(forms.Form):
    """The bulk action of the partner caseload: the ticked rows and the coach who takes them."""

    selected = forms.TypedMultipleChoiceField(
        label=_("People"),
        coerce=int,
        error_messages={"required": _("Select at least one person.")},
    )
    assign_to = CoachChoiceField(
        label=_("Assign to coach"),
        queryset=User.objects.none(),
        empty_label=_("Choose a coach"),
        error_messages={
            "required": _("Choose a coach."),
            "invalid_choice": _("Choose a coach of your own organisation."),
        },
    )

    def __init__(self, *args: Any, coaches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assign_to"].queryset = coaches
        self.fields["assign_to"].widget.attrs.update({"class": "govuk-select", "aria-describedby": "id_assign_to-hint"})
        # Any id is accepted here: the view checks every one against the user's scope, all or none.
        raw = self.data.getlist("selected") if hasattr(self.data, "getlist") else []
        self.fields["selected"].choices = [(v, v) for v in raw if str(v).isdigit()]
