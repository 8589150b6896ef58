"""Forms of the partner's coaching on a trajectory: diagnostic, skills, action plan, sessions, milestones,
viability test.

Each form is a TrajectoryForm (forms_base.py): it carries the trajectory's version, and the rules stay
in coaching/services/.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autocrea.coaching.models import (
    SKILLS,
    ActionOwner,
    Goal,
    Maturity,
    MilestoneKind,
    SessionMode,
    SkillAssessment,
    ViabilityDecision,
    ViabilityTestKind,
    ViabilityView,
)
from autocrea.lib import dates
from autocrea.reference.models import BarrierCode
from autocrea.workspace.activity_field import ACTION_ACTIVITY_HINT, SESSION_ACTIVITY_HINT, add_activity_field
from autocrea.workspace.forms_base import (
    YES_NO,
    HintedRadioSelect,
    TrajectoryForm,
    check_enterprise_number,
    date_field,
    duration_field,
    time_field,
    yes_no,
)

SKILL_SCALE = [(1, "1"), (2, "2"), (3, "3"), (4, "4")]
SKILL_HINT = _("1 = not yet able, 2 = able with a lot of help, 3 = able with a little help, 4 = able on their own.")


def notes_field(*, hint: Any) -> forms.CharField:
    """Return the coaching notes of a session (partner only)."""
    return forms.CharField(
        label=_("Coaching notes"), required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text=hint
    )


def attended_field(*, required: bool = False, hint: Any = None) -> forms.TypedChoiceField:
    """Return "Did the person attend?" (yes/no radios; True or False once cleaned, "" when not answered)."""
    return forms.TypedChoiceField(
        label=_("Did the person attend?"),
        choices=YES_NO,
        coerce=yes_no,
        required=required,
        widget=HintedRadioSelect(inline=True),
        help_text=hint,
        error_messages={"required": _("Say whether the person attended.")},
    )


def skill_field(name: str) -> forms.TypedChoiceField:
    """Return the 1–4 radio group of one skill, with the scale described in its hint."""
    return forms.TypedChoiceField(
        label=capfirst(SkillAssessment._meta.get_field(name).verbose_name),
        choices=SKILL_SCALE,
        coerce=int,
        widget=HintedRadioSelect(inline=True),
        help_text=SKILL_HINT,
        error_messages={"required": _("Choose a score from 1 to 4.")},
    )


class EuroField(forms.DecimalField):
    """An amount in euros that accepts the Belgian decimal comma (1250,50) as well as a point."""

    default_error_messages = {"invalid": _("Enter an amount in euros, for example 1250,50.")}

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        text = re.sub(r"[\s\u00a0\u202f€]", "", str(value))
        if "," in text:
            # 1.250,50: the point groups thousands, the comma separates the cents.
            text = text.replace(".", "").replace(",", ".")
        try:
            return Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class SkillsForm(TrajectoryForm):
    """A skills re-assessment on the 1–4 scale."""

    on = date_field(_("Date of the assessment"), today=True, within=dates.SCHEDULE)
    entrepreneurship = skill_field("entrepreneurship")
    finance = skill_field("finance")
    marketing = skill_field("marketing")
    language = skill_field("language")
    digital = skill_field("digital")
    confidence = skill_field("confidence")

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in SKILLS}


class BarrierChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: BarrierCode) -> str:
        if obj.sensitive:
            return gettext("%(barrier)s (sensitive)") % {"barrier": obj.name}
        return obj.name


class DiagnosticForm(SkillsForm):
    on = date_field(_("Date of the diagnostic"), today=True)
    maturity = forms.ChoiceField(
        label=_("Project maturity"),
        choices=Maturity.choices,
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose the maturity of the project.")},
    )
    viability = forms.ChoiceField(
        label=_("First view on viability"),
        choices=ViabilityView.choices,
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose your first view on the project's viability.")},
    )
    barriers = BarrierChoiceField(
        label=_("Barriers"),
        queryset=BarrierCode.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick every barrier that applies. Barriers marked “sensitive” are special-category data: "
            "tick them only if they matter for the accompaniment."
        ),
    )
    notes = forms.CharField(
        label=_("Coaching notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only your organisation's staff can read these notes. Actiris counsellors do not see them."),
    )

    field_order: ClassVar[list[str]] = ["on", "maturity", "viability", "barriers", *SKILLS, "notes"]


class ActionForm(TrajectoryForm):
    goal = forms.ChoiceField(label=_("Goal"), widget=HintedRadioSelect(), required=False)
    new_goal = forms.CharField(
        label=_("New goal"),
        max_length=200,
        required=False,
        help_text=_("For example, “Finance the first stock”."),
    )
    title = forms.CharField(
        label=_("Action"),
        max_length=200,
        help_text=_("For example, “Ask two suppliers for a quote”."),
        error_messages={"required": _("Enter the action.")},
    )
    owner = forms.ChoiceField(
        label=_("Who does it?"),
        choices=ActionOwner.choices,
        initial=ActionOwner.JOBSEEKER,
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose who does the action.")},
    )
    due_on = date_field(_("Due date"), within=dates.SCHEDULE)

    NEW = "new"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = {str(g.pk): g.title for g in Goal.objects.filter(trajectory=self.trajectory)}
        if self.goals:
            self.fields["goal"].choices = [*self.goals.items(), (self.NEW, _("A new goal"))]
            self.fields["new_goal"].help_text = _(
                "Only if you chose “A new goal”. For example, “Finance the first stock”."
            )
        else:
            del self.fields["goal"]
        add_activity_field(self, self.trajectory.partner_id, after="title", help_text=ACTION_ACTIVITY_HINT)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("goal") or ""
        new_goal = data.get("new_goal", "").strip()
        if choice and choice != self.NEW:
            if new_goal:
                self.add_error("new_goal", gettext("Leave the new goal empty, or choose “A new goal”."))
            data["goal_title"] = self.goals[choice]
        elif new_goal:
            data["goal_title"] = new_goal
        elif self.goals and not choice:
            self.add_error("goal", gettext("Choose a goal, or enter a new goal."))
        else:
            self.add_error("new_goal", gettext("Enter the new goal."))
        return data


class SessionForm(TrajectoryForm):
    day = date_field(_("Date of the session"), today=True, within=dates.SESSION)
    time = time_field(_("24-hour clock, for example 14:30"))
    duration = duration_field(
        initial=60,
        hint=_("For example, 60"),
        invalid=_("Enter the duration as a whole number of minutes, for example 60."),
    )
    mode = forms.ChoiceField(
        label=_("How does the session take place?"),
        choices=SessionMode.choices,
        initial=SessionMode.IN_PERSON,
        widget=HintedRadioSelect(),
    )
    topic = forms.CharField(label=_("Topic"), max_length=200, error_messages={"required": _("Enter the topic.")})
    notes = notes_field(
        hint=_(
            "Only for a session that has taken place. "
            "Only your organisation's staff can read these notes. Actiris counsellors do not see them."
        )
    )
    attended = attended_field(
        hint=_("Only for a session that has taken place: a session to come is planned, and the person invited.")
    )
    widths: ClassVar[dict[str, str]] = {"time": "govuk-input--width-5", "duration": "govuk-input--width-5"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_activity_field(self, self.trajectory.partner_id, after="topic", help_text=SESSION_ACTIVITY_HINT)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("day") and data.get("time"):
            starts_at = timezone.make_aware(datetime.datetime.combine(data["day"], data["time"]))
            if starts_at > timezone.now():
                # A session to come is planned: its attendance and notes are recorded once it has taken place.
                if (data.get("notes") or "").strip():
                    self.add_error("notes", gettext("Write the coaching notes once the session has taken place."))
                if data.get("attended") in (True, False):
                    self.add_error(
                        "attended", gettext("Say whether the person attended once the session has taken place.")
                    )
                data["attended"] = True
            elif data.get("attended") not in (True, False) and "attended" not in self.errors:
                self.add_error("attended", gettext("Say whether the person attended."))
            data["starts_at"] = starts_at
        return data


class SessionOutcomeForm(TrajectoryForm):
    """Once a planned individual session has taken place: did the person come, and the coaching notes."""

    attended = attended_field(required=True)
    notes = notes_field(
        hint=_("Only your organisation's staff can read these notes. Actiris counsellors do not see them.")
    )


class SessionCancelForm(TrajectoryForm):
    """Confirm the cancellation of a planned individual session (the person receives the cancellation)."""


class MilestoneForm(TrajectoryForm):
    kind = forms.ChoiceField(
        label=_("Milestone"),
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose the milestone.")},
    )
    on = date_field(_("Date reached"), today=True)
    enterprise_number = forms.CharField(
        label=_("Enterprise number (BCE/KBO)"),
        required=False,
        max_length=20,
        # Required for some choices only: the hint says when, so no "(optional)" after the label.
        template_name="workspace/partner_field_conditional.html",
        help_text=_(
            "Required for an enterprise registration. 10 digits starting with 0 or 1, for example 0403.170.701."
        ),
    )
    details = forms.CharField(label=_("Details"), required=False, max_length=200)
    widths: ClassVar[dict[str, str]] = {"enterprise_number": "govuk-input--width-10"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reached = set(self.trajectory.milestones.values_list("kind", flat=True))
        self.fields["kind"].choices = [(k, label) for k, label in MilestoneKind.choices if k not in reached]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        number = data.get("enterprise_number", "")
        data["enterprise_number"] = check_enterprise_number(self, number)
        if data.get("kind") == MilestoneKind.ENTERPRISE_REGISTRATION and not number.strip():
            self.add_error(
                "enterprise_number", gettext("Give the enterprise number (BCE/KBO) of the business created.")
            )
        return data


class ViabilityTestForm(TrajectoryForm):
    kind = forms.ChoiceField(
        label=_("Kind of test"),
        choices=ViabilityTestKind.choices,
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose the kind of test.")},
    )
    starts_on = date_field(_("Start date"), within=dates.SCHEDULE)
    ends_on = date_field(_("End date"), hint=_("Planned or actual. For example, 27/03/2026"), within=dates.SCHEDULE)
    revenue = EuroField(
        label=_("Test revenue in euros"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal(0),
        help_text=_("For example, 1250,50"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "min_value": _("The revenue cannot be negative."),
            "max_digits": _("Enter an amount below 100 000 000 euros."),
            "max_whole_digits": _("Enter an amount below 100 000 000 euros."),
            "max_decimal_places": _("Enter an amount with at most 2 decimals (cents)."),
        },
    )
    decision = forms.ChoiceField(
        label=_("Decision at the end of the test"),
        choices=ViabilityDecision.choices,
        required=False,
        initial=ViabilityDecision.PENDING,
        widget=HintedRadioSelect(),
    )
    widths: ClassVar[dict[str, str]] = {"revenue": "govuk-input--width-10"}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", gettext("The end date cannot be before the start date."))
        return data
