"""Forms of the partner's work on a trajectory: answer, diagnostic, plan, sessions, milestones, exit.

Each form carries the trajectory's `version` in a hidden field so that the service refuses a write
based on a page that someone else changed in the meantime (optimistic locking).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.forms import NON_FIELD_ERRORS
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
from autocrea.lib.forms import GovukForm
from autocrea.lib.identifiers import clean_enterprise_number
from autocrea.partners.models import Partner
from autocrea.pathways.models import AnswerSource, FollowUpSituation, OrientationStatus, Trajectory
from autocrea.pathways.steps import Channel
from autocrea.reference.models import BarrierCode, ExitKind
from autocrea.workspace.activity_field import ACTION_ACTIVITY_HINT, SESSION_ACTIVITY_HINT, add_activity_field

DATE_HINT = _("For example, 27/03/2026")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
SKILL_SCALE = [(1, "1"), (2, "2"), (3, "3"), (4, "4")]
SKILL_HINT = _("1 = not yet able, 2 = able with a lot of help, 3 = able with a little help, 4 = able on their own.")
ENTERPRISE_NUMBER_HINT = _("10 digits starting with 0 or 1, for example 0403.170.701.")


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


def date_field(label: Any, *, required: bool = True, today: bool = False, hint: Any = DATE_HINT) -> forms.DateField:
    """Return a dd/mm/yyyy date field: one text input with an example as its hint."""
    return forms.DateField(
        label=label,
        required=required,
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


def yes_no(value: str) -> bool:
    return value == "yes"


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


def _check_enterprise_number(form: forms.Form, value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        return clean_enterprise_number(value)
    except ValidationError as exc:
        form.add_error("enterprise_number", exc)
        return value


class AnswerForm(TrajectoryForm):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose your answer.")},
    )
    reason = forms.CharField(
        label=_("Reason or note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required if you decline. Optional if you put the person on the waiting list. "
            "Actiris counsellors can read it."
        ),
    )
    on = date_field(_("Date of the answer"), today=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (OrientationStatus.ACCEPTED.value, _("Accept")),
            (OrientationStatus.DECLINED.value, _("Decline")),
            (OrientationStatus.WAITLISTED.value, _("Put on the waiting list")),
        ]
        if self.trajectory.orientations.filter(status=OrientationStatus.WAITLISTED).exists():
            choices = choices[:2]
        self.fields["answer"].choices = choices
        self.fields["answer"].widget.hints = {
            OrientationStatus.ACCEPTED.value: _("Your organisation starts accompanying the person: diagnostic next."),
            OrientationStatus.DECLINED.value: _(
                "The person goes back to choosing a partner, and your organisation no longer sees the file."
            ),
            OrientationStatus.WAITLISTED.value: _("You will accept or decline later."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("answer") == OrientationStatus.DECLINED and not data.get("reason", "").strip():
            self.add_error("reason", gettext("Give the reason why you decline."))
        return data


class SkillsForm(TrajectoryForm):
    """A skills re-assessment on the 1–4 scale."""

    on = date_field(_("Date of the assessment"), today=True)
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
    due_on = date_field(_("Due date"))

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
    day = date_field(_("Date of the session"), today=True)
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
        data["enterprise_number"] = _check_enterprise_number(self, number)
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
    starts_on = date_field(_("Start date"))
    ends_on = date_field(_("End date"), hint=_("Planned or actual. For example, 27/03/2026"))
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


class ExitKindField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ExitKind) -> str:
        return obj.name


def _exit_kind_hint(kind: ExitKind) -> str:
    if kind.is_positive and kind.is_job_creation:
        text = gettext("Counts as a positive exit and as a job creation.")
    elif kind.is_positive:
        text = gettext("Counts as a positive exit.")
    else:
        text = gettext("Does not count as a positive exit.")
    if kind.evidence_hint == "enterprise_number":
        text = f"{text} {gettext('Needs the enterprise number (BCE/KBO).')}"
    return text


class ExitForm(TrajectoryForm):
    kind = ExitKindField(
        label=_("How did the accompaniment end?"),
        queryset=ExitKind.objects.filter(active=True),
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose how the accompaniment ended.")},
    )
    on = date_field(_("Exit date"), today=True)
    enterprise_number = forms.CharField(
        label=_("Enterprise number (BCE/KBO)"),
        required=False,
        max_length=20,
        # Required for some choices only: the hint says when, so no "(optional)" after the label.
        template_name="workspace/partner_field_conditional.html",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What shows this outcome, for example “employment contract signed on 12/03/2026”."),
    )
    widths: ClassVar[dict[str, str]] = {"enterprise_number": "govuk-input--width-10"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = list(self.fields["kind"].queryset)
        self.kinds = {str(k.pk): k for k in kinds}
        self.fields["kind"].widget.hints = {str(k.pk): _exit_kind_hint(k) for k in kinds}
        positive = [k.name for k in kinds if k.is_positive]
        creation = [k.name for k in kinds if k.is_job_creation]
        self.fields["kind"].help_text = " ".join(
            [
                gettext("Positive exits: %(kinds)s.") % {"kinds": ", ".join(positive) or "–"},
                gettext("Job creation: %(kinds)s.") % {"kinds": ", ".join(creation) or "–"},
            ]
        )
        needing = [k.name for k in kinds if k.evidence_hint == "enterprise_number"]
        self.fields["enterprise_number"].help_text = " ".join(
            [
                gettext("Required for: %(kinds)s.") % {"kinds": ", ".join(needing)},
                str(ENTERPRISE_NUMBER_HINT),
            ]
            if needing
            else [str(ENTERPRISE_NUMBER_HINT)]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        number = data.get("enterprise_number", "")
        data["enterprise_number"] = _check_enterprise_number(self, number)
        kind = data.get("kind")
        if kind is not None and kind.evidence_hint == "enterprise_number" and not number.strip():
            self.add_error(
                "enterprise_number", gettext("Give the enterprise number (BCE/KBO) of the business created.")
            )
        return data


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


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Partner) -> str:
        return obj.name


class ReorientForm(TrajectoryForm):
    partner = PartnerChoiceField(
        label=_("New partner"),
        queryset=Partner.objects.none(),
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose the new partner.")},
    )
    reason = forms.CharField(
        label=_("Reason for the re-orientation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Actiris counsellors and the new partner can read it."),
        error_messages={"required": _("Give the reason for the re-orientation.")},
    )
    chosen_by_person = forms.BooleanField(
        label=_("The person chose this partner"),
        required=False,
        initial=True,
        template_name="workspace/partner_field_checkbox.html",
        help_text=_("Untick only if the person did not choose the partner themselves."),
    )
    channel = forms.ChoiceField(
        label=_("How did the person ask for it?"),
        choices=[(c, label) for c, label in Channel.choices if c in {Channel.COUNTER, Channel.PHONE, Channel.POST}],
        initial=Channel.COUNTER,
        widget=HintedRadioSelect(),
    )
    on = date_field(_("Date of the re-orientation"), today=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = Partner.objects.filter(active=True).exclude(pk=self.trajectory.partner_id).select_related("commune")
        partners = list(queryset)
        self.fields["partner"].queryset = queryset
        self.fields["partner"].widget.hints = {
            str(p.pk): gettext("%(speciality)s Languages: %(languages)s. Place: %(place)s.")
            % {"speciality": p.speciality, "languages": ", ".join(p.language_labels()), "place": p.commune.name}
            for p in partners
        }
        self.fields["chosen_by_person"].widget.attrs["aria-describedby"] = "id_chosen_by_person-hint"
        if user.is_partner_staff:
            # Partner staff record it themselves; the channel is the partner.
            del self.fields["channel"]

    def channel_value(self) -> str:
        return str(self.cleaned_data.get("channel") or Channel.PARTNER)
