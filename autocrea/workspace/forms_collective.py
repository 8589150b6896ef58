"""Forms of the collective-session screens: plan a series, register people, choose a session.

The forms only check input; the rules (capacity, lock, stale version, who may do what) stay in
coaching/services/collective_sessions.py, and a refusal from there is shown at the top of the form. The attendance
register reuses forms_sessions.RegisterForm: the statuses are the same as for information sessions.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any, ClassVar

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from autocrea.coaching.models import CoachingSession, Recurrence, SessionMode
from autocrea.coaching.services.collective_sessions import MAX_CAPACITY, MAX_OCCURRENCES, SEAT_STATUSES
from autocrea.lib.forms import GovukForm
from autocrea.workspace.activity_field import SERIES_ACTIVITY_HINT, add_activity_field
from autocrea.workspace.forms_base import HintedRadioSelect, TrajectoryForm, date_field, duration_field, time_field


def session_label(session: CoachingSession) -> str:
    """Return "27/03/2026 14:00 · Topic · 5 places left" (needs `taken` annotated)."""
    local = timezone.localtime(session.starts_at)
    free = max(session.capacity - getattr(session, "taken", 0), 0)
    places = ngettext("%(free)d place left", "%(free)d places left", free) % {"free": free}
    return f"{formats.date_format(local, 'd/m/Y H:i')} · {session.topic} · {places}"


def open_sessions(partner_id: int | None) -> Any:
    """Return the partner's collective sessions to come whose register is open, soonest first, with seats taken."""
    from django.db.models import Count, Q

    return (
        CoachingSession.objects.filter(
            partner_id=partner_id,
            kind="collective",
            starts_at__gt=timezone.now(),
            cancelled=False,
            finalised_at__isnull=True,
        )
        .annotate(taken=Count("attendances", filter=Q(attendances__status__in=SEAT_STATUSES)))
        .order_by("starts_at", "pk")
    )


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return session_label(obj)


def _parse_dates(text: str) -> tuple[list[datetime.date], list[str]]:
    """Return the dd/mm/yyyy dates found in `text` (separated by commas, semicolons, spaces or lines) and the bad ones."""
    good, bad = [], []
    for part in re.split(r"[\s,;]+", text.strip()):
        if not part:
            continue
        try:
            good.append(datetime.datetime.strptime(part, "%d/%m/%Y").date())
        except ValueError:
            bad.append(part)
    return good, bad


class SeriesForm(GovukForm):
    """Plan a series of collective sessions: what, where, when, how often, how many places."""

    form_token = forms.UUIDField(widget=forms.HiddenInput)
    topic = forms.CharField(
        label=_("Topic"),
        max_length=200,
        help_text=_("For example, Prospecting your first customers"),
        error_messages={"required": _("Enter the topic.")},
    )
    mode = forms.ChoiceField(
        label=_("How do the sessions take place?"),
        choices=SessionMode.choices,
        initial=SessionMode.IN_PERSON,
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose how the sessions take place.")},
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Address and room: needed for a session in person. For a video call, the link if you have it."),
    )
    first_day = date_field(_("Date of the first session"))
    time = time_field(_("24-hour clock, Brussels time, for example 14:30"))
    duration = duration_field(
        initial=120, invalid=_("Enter the duration as a whole number of minutes, for example 120.")
    )
    capacity = forms.IntegerField(
        label=_("Number of places"),
        min_value=1,
        max_value=MAX_CAPACITY,
        initial=12,
        error_messages={
            "required": _("Enter the number of places."),
            "invalid": _("Enter the number of places as a whole number, for example 12."),
            "min_value": _("Give a number of places between 1 and 200."),
            "max_value": _("Give a number of places between 1 and 200."),
        },
    )
    recurrence = forms.ChoiceField(
        label=_("How often?"),
        choices=Recurrence.choices,
        initial=Recurrence.WEEKLY,
        widget=HintedRadioSelect(
            hints={Recurrence.DATES.value: _("Give the other dates below; the first date is included.")}
        ),
        error_messages={"required": _("Choose how often the sessions take place.")},
    )
    count = forms.IntegerField(
        label=_("Number of sessions"),
        min_value=1,
        max_value=MAX_OCCURRENCES,
        initial=1,
        required=False,
        help_text=_("Every week or every two weeks: how many sessions in all, the first one included."),
        error_messages={
            "invalid": _("Give a number of sessions between 1 and 52."),
            "min_value": _("Give a number of sessions between 1 and 52."),
            "max_value": _("Give a number of sessions between 1 and 52."),
        },
    )
    dates = forms.CharField(
        label=_("Other dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only for “On the dates I list”: day/month/year, separated by commas, for example 05/03/2026, 19/03/2026"
        ),
    )
    widths: ClassVar[dict[str, str]] = {
        "first_day": "govuk-input--width-10",
        "time": "govuk-input--width-5",
        "duration": "govuk-input--width-5",
        "capacity": "govuk-input--width-5",
        "count": "govuk-input--width-3",
    }

    def __init__(self, *args: Any, partner_id: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("form_token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        add_activity_field(self, partner_id, after="topic", help_text=SERIES_ACTIVITY_HINT)
        for name, width in self.widths.items():
            widget = self.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {width}".strip()
        self.fields["count"].widget.attrs["inputmode"] = "numeric"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        mode, place = data.get("mode"), (data.get("place") or "").strip()
        if mode == SessionMode.IN_PERSON and not place:
            self.add_error("place", gettext("Enter the place of the sessions."))
        recurrence = data.get("recurrence")
        data["extra_dates"] = []
        if recurrence == Recurrence.DATES:
            good, bad = _parse_dates(data.get("dates") or "")
            if bad:
                self.add_error(
                    "dates",
                    gettext("Enter each date as day/month/year, for example 27/03/2026. Not understood: %(dates)s")
                    % {"dates": ", ".join(bad)},
                )
            elif len({*good, data.get("first_day")}) > MAX_OCCURRENCES:
                self.add_error("dates", gettext("Give a number of sessions between 1 and 52."))
            first = data.get("first_day")
            if first and any(d < first for d in good):
                self.add_error("dates", gettext("The other dates come after the date of the first session."))
            data["extra_dates"] = good
            data["count"] = 1
        elif recurrence and not data.get("count") and "count" not in self.errors:
            self.add_error("count", gettext("Give a number of sessions between 1 and 52."))
        if data.get("first_day") and data.get("time"):
            starts_at = timezone.make_aware(datetime.datetime.combine(data["first_day"], data["time"]))
            if starts_at <= timezone.now():
                self.add_error("first_day", gettext("Plan sessions to come: the first session is in the past."))
        return data


class EnrolForm(TrajectoryForm):
    """Register one person, from their trajectory page, to one of the partner's collective sessions."""

    session = SessionChoiceField(
        label=_("Collective session"),
        queryset=CoachingSession.objects.none(),
        widget=HintedRadioSelect(),
        empty_label=None,
        error_messages={
            "required": _("Choose a collective session."),
            "invalid_choice": _("This session can no longer take registrations. Choose another one."),
        },
    )

    def __init__(self, *args: Any, trajectory: Any, **kwargs: Any) -> None:
        super().__init__(*args, trajectory=trajectory, **kwargs)
        field = self.fields["session"]
        field.queryset = open_sessions(trajectory.partner_id).exclude(attendances__trajectory=trajectory)  # type: ignore[attr-defined]


class CaseloadRegisterForm(forms.Form):
    """The caseload's second bulk action: register the ticked rows to one collective session."""

    selected = forms.TypedMultipleChoiceField(
        label=_("People"), coerce=int, error_messages={"required": _("Select at least one person.")}
    )
    register_to = SessionChoiceField(
        label=_("Register to a collective session"),
        queryset=CoachingSession.objects.none(),
        empty_label=_("Choose a session"),
        error_messages={
            "required": _("Choose a collective session."),
            "invalid_choice": _("This session can no longer take registrations. Choose another one."),
        },
    )

    def __init__(self, *args: Any, partner_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["register_to"].queryset = open_sessions(partner_id)  # type: ignore[attr-defined]
        self.fields["register_to"].widget.attrs.update(
            {"class": "govuk-select", "aria-describedby": "id_register_to-hint"}
        )
        # Any id is accepted here: the view checks every one against the user's scope, all or none.
        raw = self.data.getlist("selected") if hasattr(self.data, "getlist") else []
        self.fields["selected"].choices = [(v, v) for v in raw if str(v).isdigit()]


class VersionForm(forms.Form):
    """The version of the session (or series) the page showed: a change made meanwhile refuses the action."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SeriesEditForm(GovukForm):
    """Change the topic, place, number of places and start time of the sessions of a series still to come."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    topic = SeriesForm.base_fields["topic"]
    place = SeriesForm.base_fields["place"]
    time = SeriesForm.base_fields["time"]
    capacity = SeriesForm.base_fields["capacity"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("time", "capacity"):
            widget = self.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} govuk-input--width-5".strip()


class OccurrenceCancelForm(GovukForm):
    """Cancel a collective session to come: this one only, or it and the following ones of its series."""

    ONLY = "only"
    REST = "rest"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    scope = forms.ChoiceField(
        label=_("Which sessions do you cancel?"),
        choices=[(ONLY, _("This session only")), (REST, _("This session and the following sessions of the series"))],
        initial=ONLY,
        widget=HintedRadioSelect(),
        error_messages={"required": _("Choose which sessions you cancel.")},
    )

    def __init__(self, *args: Any, has_rest: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_rest:
            # A single session, or the last of its series: nothing to choose.
            self.fields["scope"].widget = forms.HiddenInput()
