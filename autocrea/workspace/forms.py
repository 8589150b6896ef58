"""Forms of the funnel screens: intake on behalf, the step forms, the list filters, information sessions.

The forms only check input; every rule of the pathway stays in pathways/services.py, and a refusal
from there is shown at the top of the form.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from autocrea.accounts.access import may_see_every_partners_files
from autocrea.backbone.steps import Channel, Step
from autocrea.jobseekers.models import ContactLanguage, Gender, IncomeSource, Jobseeker
from autocrea.lib import dates
from autocrea.lib.forms import GovukForm, GovukModelForm
from autocrea.lib.identifiers import clean_national_number, clean_phone
from autocrea.partners.models import Partner
from autocrea.partners.recommendation import Recommendation, recommend_partners
from autocrea.pathways.models import DecisionReason, InformationSession, OrientationStatus, Trajectory
from autocrea.reference.models import BusinessSector, Commune, EducationLevel

DATE_FORMAT = "%d/%m/%Y"
# Staff record steps on the person's behalf; "by the partner" is set by the partner's own screens.
STAFF_CHANNELS = [(c.value, c.label) for c in (Channel.COUNTER, Channel.PHONE, Channel.POST, Channel.WEB)]


class DayField(forms.DateField):
    """A date typed as dd/mm/yyyy in one text box, whatever the screen language."""

    widget = forms.TextInput

    def __init__(self, *, hint: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", hint or _("For example, 27/03/2026"))
        kwargs.setdefault("error_messages", {"invalid": _("Enter the date as day/month/year, for example 27/03/2026.")})
        super().__init__(input_formats=[DATE_FORMAT], **kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return value.strftime(DATE_FORMAT)
        return value


def _style_width(form: forms.Form, widths: dict[str, str]) -> None:
    for name, width in widths.items():
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', 'govuk-input')} govuk-input--width-{width}"


def _not_in_future(value: datetime.date | None) -> datetime.date | None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return value


def _communes() -> Any:
    """Return the active communes ordered by their name in the reader's language."""
    lang = (get_language() or "fr")[:2]
    return Commune.objects.filter(active=True).order_by("name_nl" if lang == "nl" else "name_fr")


def _yes_no(label: Any, *, required: bool = True, unknown: Any = None) -> forms.TypedChoiceField:
    choices: list[tuple[str, Any]] = [("yes", _("Yes")), ("no", _("No"))]
    if unknown is not None:
        choices.append(("", unknown))
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes or no.")},
    )


class IntakeForm(GovukModelForm):
    """A new person and their interest, recorded by a counsellor on their behalf."""

    birth_date = DayField(label=_("Date of birth"), hint=_("For example, 30/07/1985"))
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=Gender.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the person's gender.")},
    )
    contact_language = forms.ChoiceField(
        label=_("Contact language"),
        choices=ContactLanguage.choices,
        widget=forms.RadioSelect,
        help_text=_("Every letter, e-mail and text message to the person is sent in this language."),
    )
    phone = forms.CharField(
        label=_("Phone number"), required=False, help_text=_("For example, 0470 12 34 56"), max_length=30
    )
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=Commune.objects.none(), required=False)
    education_level = forms.ChoiceField(
        label=_("Highest education level completed"), choices=EducationLevel.choices, widget=forms.RadioSelect
    )
    diploma_recognised = _yes_no(
        _("Is the diploma recognised in Belgium?"), required=False, unknown=_("Not known or no diploma")
    )
    unemployed_since = DayField(label=_("Unemployed since"), required=False)
    income_source = forms.ChoiceField(label=_("Income source"), choices=IncomeSource.choices, widget=forms.RadioSelect)
    end_of_rights_on = DayField(label=_("End of benefit rights"), required=False)
    national_number = forms.CharField(
        label=_("National register number"),
        required=False,
        max_length=20,
        help_text=_("Only where the person's file needs it. For example, 85.07.30-033.28"),
    )
    project_summary = forms.CharField(
        label=_("The project in a few words"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    sector = forms.ModelChoiceField(
        label=_("Business sector"),
        queryset=BusinessSector.objects.filter(active=True),
        required=False,
        empty_label=_("Not known yet"),
    )
    channel = forms.ChoiceField(
        label=_("How did the person express their interest?"),
        choices=STAFF_CHANNELS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how the person expressed their interest.")},
    )
    eligibility_justification = forms.CharField(
        label=_("Justification if the person is outside the eligibility rules"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only needed when the person meets none of the programme's rules (long-term unemployed, CPAS client, "
            "low-skilled, aged 50 or over)."
        ),
    )

    class Meta:
        model = Jobseeker
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "gender",
            "contact_language",
            "email",
            "phone",
            "commune",
            "education_level",
            "diploma_recognised",
            "unemployed_since",
            "income_source",
            "end_of_rights_on",
            "national_number",
        ]
        labels = {"first_name": _("First name"), "last_name": _("Last name"), "email": _("E-mail address")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = _communes()
        self.fields["commune"].empty_label = _("Not in Brussels or not known")
        self.fields["first_name"].widget.attrs["autocomplete"] = "off"
        self.fields["last_name"].widget.attrs["autocomplete"] = "off"
        self.fields["email"].widget.attrs["spellcheck"] = "false"
        self.fields["phone"].widget.input_type = "tel"
        self.fields["national_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        _style_width(self, {"phone": "20", "national_number": "20", "birth_date": "10"})
        for name in ("unemployed_since", "end_of_rights_on"):
            _style_width(self, {name: "10"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        from autocrea.jobseekers.eligibility import evaluate

        # The person as they would be saved, to evaluate the rules before anything is written.
        fields = {n: data.get(n) for n in ("birth_date", "education_level", "diploma_recognised", "income_source")}
        person = Jobseeker(unemployed_since=data.get("unemployed_since"), **fields)
        self.eligibility = evaluate(person, on=timezone.localdate())
        if not self.eligibility.eligible and not data.get("eligibility_justification", "").strip():
            self.add_error(
                "eligibility_justification",
                _("%(reason)s Give the justification for recording this person anyway.")
                % {"reason": self.eligibility.reason},
            )
        return data

    def clean_birth_date(self) -> datetime.date | None:
        value = _not_in_future(self.cleaned_data.get("birth_date"))
        if value is not None and value.year < 1900:
            raise forms.ValidationError(_("Check the date of birth."))
        return value

    def clean_unemployed_since(self) -> datetime.date | None:
        value = _not_in_future(self.cleaned_data.get("unemployed_since"))
        if message := dates.UNEMPLOYED_SINCE.error(value):
            raise forms.ValidationError(message)
        return value

    def clean_end_of_rights_on(self) -> datetime.date | None:
        value = self.cleaned_data.get("end_of_rights_on")
        if message := dates.END_OF_RIGHTS.error(value):
            raise forms.ValidationError(message)
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        return clean_phone(value) if value else ""

    def clean_national_number(self) -> str:
        value = self.cleaned_data.get("national_number", "").strip()
        if not value:
            return ""
        digits = clean_national_number(value)
        # Uniqueness across all people, not only those the user sees: the number identifies one person.
        if Jobseeker.objects.filter(national_number=digits).exists():
            raise forms.ValidationError(
                _("A person with this national register number is already registered. Search for them instead."),
                code="duplicate_niss",
            )
        return digits


class VersionedForm(GovukForm):
    """A form on one trajectory, carrying the version it was shown with (optimistic lock)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, trajectory: Trajectory, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", trajectory.version)
        super().__init__(*args, **kwargs)
        self.trajectory = trajectory
        if "on" in self.fields:
            self.fields["on"].initial = timezone.localdate()
            _style_width(self, {"on": "10"})

    def clean_on(self) -> datetime.date | None:
        return _not_in_future(self.cleaned_data.get("on"))


def _channel_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("How was this recorded?"),
        choices=STAFF_CHANNELS,
        widget=forms.RadioSelect,
        initial=Channel.COUNTER,
        error_messages={"required": _("Select how this was recorded.")},
    )


class InformationForm(VersionedForm):
    """The information the person received: a past collective session, or an individual interview."""

    SESSION, INTERVIEW = "session", "interview"
    kind = forms.ChoiceField(
        label=_("How was the person informed?"),
        choices=[(SESSION, _("At a collective information session")), (INTERVIEW, _("In an individual interview"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how the person was informed.")},
    )
    session = forms.ModelChoiceField(
        label=_("Information session attended"),
        queryset=InformationSession.objects.none(),
        required=False,
        empty_label=_("Choose a session"),
        help_text=_("Only sessions that have already taken place are listed."),
    )
    on = DayField(label=_("Date of the individual interview"), required=False)
    channel = _channel_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The most recent past sessions: one cannot attend a session that has not taken place.
        recent = InformationSession.objects.filter(starts_at__lte=timezone.now()).order_by("-starts_at")[:30]
        self.fields["session"].queryset = InformationSession.objects.filter(
            pk__in=list(recent.values_list("pk", flat=True))
        ).order_by("-starts_at")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind == self.SESSION and not data.get("session"):
            self.add_error("session", _("Choose the information session the person attended."))
        if kind == self.INTERVIEW and not data.get("on") and "on" not in self.errors:
            self.add_error("on", _("Enter the date of the individual interview."))
        return data


class DecisionForm(VersionedForm):
    """The person's decision after the information; not going ahead is a respected outcome."""

    go_ahead = _yes_no(_("Does the person want to go ahead?"))
    reason = forms.ChoiceField(
        label=_("Main reason"),
        choices=DecisionReason.choices,
        widget=forms.RadioSelect,
        help_text=_("Choose “Wants to go ahead” when the answer is yes."),
        error_messages={"required": _("Select the main reason.")},
    )
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    skip_reason = forms.CharField(
        label=_("Why was the information step skipped?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person has not been informed yet: say why they can decide without it."),
    )
    on = DayField(label=_("Date of the decision"))
    channel = _channel_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.trajectory.current_step != Step.INTEREST:
            del self.fields["skip_reason"]


class RecommendedPartnerRadios(forms.RadioSelect):
    """Partner radios, each option carrying the recommendation that explains it (never a preselection)."""

    template_name = "workspace/widgets/partner_radios.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recommendations: dict[int, Recommendation] = {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        option["recommendation"] = self.recommendations.get(getattr(value, "value", value))
        return option


class OrientForm(VersionedForm):
    """The partner the person chose; the recommendation may help, the choice is theirs."""

    partner = forms.ModelChoiceField(
        label=_("Partner chosen"),
        queryset=Partner.objects.none(),
        widget=RecommendedPartnerRadios,
        empty_label=None,
        error_messages={"required": _("Select the partner the person chose.")},
        help_text=_(
            "Partners are listed by how well they may fit the person's project, with the reasons. "
            "The recommendation only explains: the choice is the person's."
        ),
    )
    chosen_by_person = forms.BooleanField(
        label=_("The person chose this partner themselves"),
        required=False,
        initial=True,
        template_name="workspace/fields/checkbox.html",
    )
    reason = forms.CharField(
        label=_("Why does the person change partner?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    on = DayField(label=_("Date of the orientation"))
    channel = _channel_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Ranked with reasons; the ranking orders the options but selects none of them.
        self.recommendations = recommend_partners(trajectory=self.trajectory)
        rank = {reco.partner.pk: reco for reco in self.recommendations}
        order = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(rank)), default=Value(len(rank)))
        self.fields["partner"].queryset = (
            Partner.objects.filter(active=True).select_related("commune").order_by(order, "name_fr")
        )
        self.fields["partner"].widget.recommendations = rank
        live = None
        if self.trajectory.current_step == Step.ORIENTATION:
            live = (
                self.trajectory.orientations.filter(
                    status__in=[OrientationStatus.PENDING, OrientationStatus.WAITLISTED]
                )
                .select_related("partner")
                .first()
            )
        self.pending = live
        if live is None:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = _("The person is waiting for an answer from %(partner)s.") % {
                "partner": live.partner.name
            }
            self.fields["partner"].queryset = self.fields["partner"].queryset.exclude(pk=live.partner_id)

    def clean_reason(self) -> str:
        value = self.cleaned_data.get("reason", "").strip()
        if self.pending is not None and not value:
            raise forms.ValidationError(_("Give a reason for changing the partner."))
        return value


class ReasonForm(VersionedForm):
    """A stop or a reopening: both need a recorded reason."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))
    on = DayField(label=_("Date"))
    channel = _channel_field()

    def clean_reason(self) -> str:
        value = self.cleaned_data.get("reason", "").strip()
        if not value:
            raise forms.ValidationError(_("Give a reason."))
        return value


class TrajectoryFilterForm(forms.Form):
    """The list's search and filters, read from the URL (GET)."""

    q = forms.CharField(label=_("Name starts with"), required=False, max_length=100)
    step = forms.ChoiceField(label=_("Step"), required=False)
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.all(), required=False, empty_label=_("All partners")
    )
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [("", _("All steps")), *Step.choices]
        self.fields["q"].widget.attrs.update({"class": "govuk-input", "autocomplete": "off", "spellcheck": "false"})
        self.fields["step"].widget.attrs["class"] = "govuk-select"
        self.fields["partner"].widget.attrs["class"] = "govuk-select"
        # Partner staff only ever see their own partner's trajectories: no partner filter for them.
        if not may_see_every_partners_files(user):
            del self.fields["partner"]


class InformationSessionForm(GovukModelForm):
    """A new collective information session."""

    day = DayField(label=_("Date"))
    time = forms.TimeField(
        label=_("Start time"),
        input_formats=["%H:%M"],
        help_text=_("24-hour clock, for example 09:30"),
        error_messages={"invalid": _("Enter the time as hours:minutes, for example 09:30.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the session"), choices=ContactLanguage.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = InformationSession
        fields = ["day", "time", "place", "language", "capacity"]
        labels = {"place": _("Place"), "capacity": _("Number of places")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time"].widget.attrs["autocomplete"] = "off"
        _style_width(self, {"day": "10", "time": "5", "capacity": "4"})

    def clean_capacity(self) -> int:
        value = self.cleaned_data["capacity"]
        if value < 1:
            raise forms.ValidationError(_("A session needs at least one place."))
        return int(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, time = data.get("day"), data.get("time")
        if day and time:
            starts_at = timezone.make_aware(datetime.datetime.combine(day, time))
            # The day first: comparing a year-1 time with now() would overflow.
            if day < timezone.localdate() or starts_at < timezone.now():
                self.add_error("day", _("A new session cannot be planned in the past."))
            elif message := dates.PLANNED.error(day):
                self.add_error("day", message)
            self.instance.starts_at = starts_at
        return data
