"""The programme settings form: period, target of people guided, outcome targets and a quota per partner.

The form checks the input only (each field's range, the end after the start, a quota within the
target, quotas adding up to more than the target only when the manager confirms it); the stale
version and the writing stay in partners/programme.py.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autocrea.lib.forms import GovukForm
from autocrea.partners.models import Partner, Programme
from autocrea.partners.programme import Values

DATE_FORMAT = "%d/%m/%Y"
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)
MAX_TARGET = 1_000_000  # a national programme: far above any real target, far below a typing slip
SPACES = re.compile(r"[\s\u00a0\u202f]")
THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def _int(value: int) -> str:
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)


class DayField(forms.DateField):
    """A date typed as dd/mm/yyyy in one text box, within 2000–2099."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Enter the date as day/month/year, for example 31/12/2027."),
                "invalid": _("Enter the date as day/month/year, for example 31/12/2027."),
            },
        )
        super().__init__(input_formats=[DATE_FORMAT], **kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return value.strftime(DATE_FORMAT)
        return value

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise forms.ValidationError(_("Enter a date between 2000 and 2099."), code="range")


class WholeNumberField(forms.Field):
    """A whole number of people: accepts 4000, 4 000 and 4.000 (Belgian thousands), refuses decimals."""

    widget = forms.TextInput

    def __init__(self, *, max_value: int, min_value: int = 0, **kwargs: Any) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"})

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = SPACES.sub("", str(value))
        if THOUSANDS.match(text):
            text = re.sub(r"[.,]", "", text)
        if text.startswith("-") and text[1:].isdigit():
            raise forms.ValidationError(
                gettext("Enter a number of people from %(min)s to %(max)s.")
                % {"min": _int(self.min_value), "max": _int(self.max_value)},
                code="range",
            )
        if not text.isdigit():
            raise forms.ValidationError(gettext("Enter a whole number of people, for example 4000."), code="invalid")
        return int(text)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not self.min_value <= value <= self.max_value:
            raise forms.ValidationError(
                gettext("Enter a number of people from %(min)s to %(max)s.")
                % {"min": _int(self.min_value), "max": _int(self.max_value)},
                code="range",
            )

    def prepare_value(self, value: Any) -> Any:
        return value


class PercentField(forms.Field):
    """A percentage from 0 to 100 with at most one decimal: 50, 12,5 or 12.5 (a trailing % is allowed)."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "inputmode": "decimal"})

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        text = SPACES.sub("", str(value)).rstrip("%").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise forms.ValidationError(
                gettext("Enter a percentage from 0 to 100, for example 12,5."), code="invalid"
            ) from exc
        if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
            raise forms.ValidationError(gettext("Enter a percentage from 0 to 100, for example 12,5."), code="range")
        if number != number.quantize(Decimal("0.1")):
            raise forms.ValidationError(
                gettext("Enter the percentage with at most one decimal, for example 12,5."), code="decimals"
            )
        return number.quantize(Decimal("0.1"))

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            shown = f"{value.normalize():f}"
            return shown.replace(".", ",") if formats.get_format("DECIMAL_SEPARATOR") == "," else shown
        return value


def quota_field_name(partner: Partner) -> str:
    return f"quota_{partner.pk}"


class ProgrammeSettingsForm(GovukForm):
    """Every programme setting on one page, saved at once with the version the page was built from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    start = DayField(label=_("Start of the programme"), help_text=_("For example, 01/01/2024"))
    end = DayField(
        label=_("End of the programme"),
        help_text=_("The last day people guided count towards the target. For example, 31/12/2027"),
    )
    target_guided = WholeNumberField(
        label=_("Target of people guided"),
        min_value=1,
        max_value=MAX_TARGET,
        help_text=_("People a partner accepted between the start and the end. For example, 4000"),
        error_messages={"required": _("Enter the target of people guided, for example 4000.")},
    )
    target_positive_rate = PercentField(
        label=_("Target positive-exit rate (%)"),
        required=False,
        help_text=_("Share of exits that are positive. Leave empty for no target. For example, 50"),
    )
    target_job_creation_rate = PercentField(
        label=_("Target job-creation rate (%)"),
        required=False,
        help_text=_("Share of exits into job creation. Leave empty for no target. For example, 12"),
    )
    confirm_over_target = forms.BooleanField(
        label=_("Save the quotas even though they add up to more than the target"),
        required=False,
        template_name="workspace/fields/checkbox.html",
    )

    def __init__(
        self,
        *args: Any,
        programme: Programme,
        partners: list[Partner],
        guided: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        initial = {
            "version": programme.version,
            "start": programme.start,
            "end": programme.end,
            "target_guided": programme.target_guided,
            "target_positive_rate": programme.target_positive_rate,
            "target_job_creation_rate": programme.target_job_creation_rate,
        }
        for partner in partners:
            initial[quota_field_name(partner)] = partner.quota_guided
        kwargs.setdefault("initial", initial)
        self.partners = partners
        self.over_target: dict[str, int] | None = None
        super().__init__(*args, **kwargs)
        for partner in partners:
            self.fields[quota_field_name(partner)] = WholeNumberField(
                label=partner.name,
                required=False,
                max_value=MAX_TARGET,
                # Beside each quota, the people the partner has guided so far (the dashboards' count).
                help_text=gettext("People guided so far: %(n)s") % {"n": _int((guided or {}).get(partner.slug, 0))}
                if guided is not None
                else "",
            )
            style = self.fields[quota_field_name(partner)]
            style.widget.attrs["class"] = "govuk-input govuk-input--width-5"
        for name in ("target_guided",):
            self.fields[name].widget.attrs["class"] = "govuk-input govuk-input--width-10"
        for name in ("start", "end"):
            self.fields[name].widget.attrs["class"] = "govuk-input govuk-input--width-10"
        for name in ("target_positive_rate", "target_job_creation_rate"):
            self.fields[name].widget.attrs["class"] = "govuk-input govuk-input--width-4"
        self.fields["confirm_over_target"].widget.attrs["class"] = "govuk-checkboxes__input"

    def quota_fields(self) -> list[Any]:
        return [self[quota_field_name(p)] for p in self.partners]

    def programme_fields(self) -> list[Any]:
        return [self[name] for name in ("start", "end", "target_guided")]

    def rate_fields(self) -> list[Any]:
        return [self[name] for name in ("target_positive_rate", "target_job_creation_rate")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "version" in self.errors:  # a hidden field: say it where it is seen
            self.add_error(None, gettext("This page is out of date. Reload it and try again."))
        start, end, target = data.get("start"), data.get("end"), data.get("target_guided")
        if start and end and end <= start:
            self.add_error("end", gettext("The end of the programme must be after its start."))
        if target is None:
            return data
        total = 0
        for partner in self.partners:
            name = quota_field_name(partner)
            quota = data.get(name)
            if quota is None:
                continue
            if quota > target:
                self.add_error(
                    name,
                    gettext("The quota of %(partner)s cannot be more than the programme target (%(target)s).")
                    % {"partner": partner.name, "target": _int(target)},
                )
            total += quota
        if total > target and not self.errors:
            self.over_target = {"total": total, "target": target}
            if not data.get("confirm_over_target"):
                self.add_error(
                    "confirm_over_target",
                    gettext(
                        "The quotas add up to %(total)s people, %(over)s more than the target of %(target)s. "
                        "Tick the box to save them anyway, or lower the quotas."
                    )
                    % {"total": _int(total), "over": _int(total - target), "target": _int(target)},
                )
        return data

    def values(self) -> Values:
        data = self.cleaned_data
        return Values(
            start=data["start"],
            end=data["end"],
            target_guided=data["target_guided"],
            target_positive_rate=data["target_positive_rate"],
            target_job_creation_rate=data["target_job_creation_rate"],
            quotas={p.pk: data.get(quota_field_name(p)) for p in self.partners},
        )
