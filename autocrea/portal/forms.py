"""The job seeker's question pages: one question per page, plain words, GOV.UK error messages.

Each form turns its answer into JSON-safe values for the session (`dump`) and back into
initial data (`load`), so nothing reaches the database before the final submit.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from autocrea.accounts.forms import LoginForm
from autocrea.accounts.models import User
from autocrea.jobseekers.models import ContactLanguage, Gender
from autocrea.lib.forms import GovukForm
from autocrea.lib.identifiers import clean_phone
from autocrea.partners.models import Partner
from autocrea.reference.models import BusinessSector, Commune, EducationLevel


class PortalForm(GovukForm):
    """A question page: knows where its error summary links point and how to keep its answer."""

    # Hints shown under single radio options, by value (plain words).
    option_hints: dict[str, Any] = {}
    # True when each option names a language in that language (the option gets a lang attribute).
    options_in_own_language = False

    def full_clean(self) -> None:
        super().full_clean()
        # Link each input to its hint and its error message (screen readers read both).
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                continue
            auto_id = self[name].auto_id
            parts = [f"{auto_id}_helptext"] if field.help_text else []
            if name in self.errors:
                parts.append(f"{auto_id}-error")
            if parts:
                field.widget.attrs["aria-describedby"] = " ".join(parts)

    def error_links(self) -> list[tuple[str, str]]:
        """Return (anchor id, message) for the error summary; radios link to their first option."""
        links: list[tuple[str, str]] = [("", str(e)) for e in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name == "__all__" or name not in self.fields:
                continue
            bound = self[name]
            anchor = bound.auto_id
            if isinstance(self.fields[name].widget, forms.RadioSelect):
                anchor = f"{anchor}_0"
            links += [(anchor, str(e)) for e in errors]
        return links

    def dump(self) -> dict[str, Any]:
        """Return the cleaned answer as JSON-safe values for the session."""
        return {k: v for k, v in self.cleaned_data.items() if isinstance(v, str)}

    @classmethod
    def load(cls, stored: dict[str, Any]) -> dict[str, Any]:
        """Return initial data for the form from what the session holds."""
        return dict(stored)


class NameForm(PortalForm):
    first_name = forms.CharField(
        label=_("First name"), max_length=100, error_messages={"required": _("Enter your first name")}
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, error_messages={"required": _("Enter your last name")}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        for field in self.fields.values():
            field.widget.attrs["spellcheck"] = "false"


class BirthDateForm(PortalForm):
    """The GOV.UK date input: three boxes, one error message for the whole date."""

    day = forms.CharField(label=_("Day"), required=False, max_length=2)
    month = forms.CharField(label=_("Month"), required=False, max_length=2)
    year = forms.CharField(label=_("Year"), required=False, max_length=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, autocomplete in (("day", "bday-day"), ("month", "bday-month"), ("year", "bday-year")):
            widget = self.fields[name].widget
            width = "4" if name == "year" else "2"
            widget.attrs.update(
                {
                    "class": f"govuk-input govuk-date-input__input govuk-input--width-{width}",
                    "inputmode": "numeric",
                    "autocomplete": autocomplete,
                }
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parts = [str(data.get(k) or "").strip() for k in ("day", "month", "year")]
        if not any(parts):
            self.add_error("day", _("Enter your date of birth"))
            return data
        if not all(p.isdigit() for p in parts):
            self.add_error("day", _("Enter your date of birth with numbers only, for example 27 3 1985"))
            return data
        day, month, year = (int(p) for p in parts)
        try:
            born = datetime.date(year, month, day)
        except ValueError:
            self.add_error("day", _("Date of birth must be a real date, for example 27 3 1985"))
            return data
        if year < 1900 or born >= timezone.localdate():
            self.add_error("day", _("Date of birth must be in the past, for example 27 3 1985"))
            return data
        data["birth_date"] = born.isoformat()
        return data

    def full_clean(self) -> None:
        super().full_clean()
        if "day" in self.errors:
            for name in ("day", "month", "year"):
                widget = self.fields[name].widget
                if "govuk-input--error" not in widget.attrs["class"]:
                    widget.attrs["class"] += " govuk-input--error"

    def dump(self) -> dict[str, Any]:
        return {"birth_date": self.cleaned_data["birth_date"]}

    @classmethod
    def load(cls, stored: dict[str, Any]) -> dict[str, Any]:
        if not stored.get("birth_date"):
            return {}
        born = datetime.date.fromisoformat(stored["birth_date"])
        return {"day": str(born.day), "month": str(born.month), "year": str(born.year)}


class GenderForm(PortalForm):
    gender = forms.ChoiceField(
        label=_("Are you a woman or a man?"),
        choices=Gender.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the answer that describes you")},
        help_text=_("We ask this to check that the programme treats women and men equally."),
    )


class ContactLanguageForm(PortalForm):
    options_in_own_language = True
    contact_language = forms.ChoiceField(
        label=_("In which language do you want us to write to you?"),
        # Each language is named in its own language (docs/conventions.md).
        choices=[(ContactLanguage.FR.value, "Français"), (ContactLanguage.NL.value, "Nederlands")],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose French or Dutch")},
        help_text=_("Our letters, e-mails and text messages will be in this language."),
    )


class ContactForm(PortalForm):
    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=150)
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=30,
        help_text=_("For example, 0470 12 34 56"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel"})
        self.fields["phone"].widget.input_type = "tel"

    def clean_email(self) -> str:
        return str(self.cleaned_data.get("email") or "").strip().lower()

    def clean_phone(self) -> str:
        value = str(self.cleaned_data.get("phone") or "").strip()
        return clean_phone(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not data.get("phone") and not self.errors:
            self.add_error("email", _("Enter an e-mail address or a phone number, or both"))
        return data


class CommuneForm(PortalForm):
    commune = forms.ModelChoiceField(
        label=_("In which commune do you live?"),
        queryset=Commune.objects.filter(active=True),
        empty_label=_("Choose your commune"),
        error_messages={"required": _("Choose the commune where you live"), "invalid_choice": _("Choose a commune")},
        help_text=_("The programme is for people who live in the Brussels region."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = (get_language() or "fr")[:2]
        order = "name_nl" if lang == "nl" else "name_fr"
        field = self.fields["commune"]
        field.queryset = Commune.objects.filter(active=True).order_by(order)  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: c.name  # type: ignore[attr-defined]

    def dump(self) -> dict[str, Any]:
        return {"commune": self.cleaned_data["commune"].pk}


class EducationForm(PortalForm):
    education_level = forms.ChoiceField(
        label=_("What is the highest level of school or studies you finished?"),
        choices=EducationLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the level you finished")},
        help_text=_("If you studied in another country, choose the level that comes closest."),
    )
    option_hints = {
        EducationLevel.NONE: _("No school certificate, or primary school only"),
        EducationLevel.LOWER_SECONDARY: _("Secondary school until about 15 years old"),
        EducationLevel.UPPER_SECONDARY: _("Secondary school until the end (about 18 years old)"),
        EducationLevel.POST_SECONDARY: _("A training after secondary school that is not higher education"),
        EducationLevel.BACHELOR: _("A bachelor from a university or a college"),
        EducationLevel.MASTER: _("A master or a doctorate"),
    }


class ProjectForm(PortalForm):
    project_summary = forms.CharField(
        label=_("What job do you want to create?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Describe your project in a few words"),
            "max_length": _("Use 1,000 characters or fewer"),
        },
        help_text=_("A few words are enough, for example: “a food truck with Moroccan dishes”."),
    )
    sector = forms.ModelChoiceField(
        label=_("In which sector?"),
        queryset=BusinessSector.objects.filter(active=True),
        required=False,
        empty_label=_("I do not know yet"),
        error_messages={"invalid_choice": _("Choose a sector from the list")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].label_from_instance = lambda s: s.name  # type: ignore[attr-defined]

    def dump(self) -> dict[str, Any]:
        sector = self.cleaned_data.get("sector")
        return {"project_summary": self.cleaned_data["project_summary"], "sector": sector.pk if sector else ""}


class PasswordForm(PortalForm):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password")},
        help_text=_("At least 12 characters. A short sentence is easy to remember, for example: my bike is green."),
    )
    password2 = forms.CharField(
        label=_("Type the same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type the password again")},
    )

    def __init__(self, *args: Any, person: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person or {}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same"))
        elif first:
            # An unsaved user, so that the password cannot look like the person's name or e-mail.
            probe = User(
                username=self.person.get("email", ""),
                email=self.person.get("email", ""),
                first_name=self.person.get("first_name", ""),
                last_name=self.person.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def dump(self) -> dict[str, Any]:
        from django.contrib.auth.hashers import make_password

        # Only the hash is kept in the session, never the password itself.
        return {"password_hash": make_password(self.cleaned_data["password1"])}

    @classmethod
    def load(cls, stored: dict[str, Any]) -> dict[str, Any]:
        return {}


class PartnerChoiceForm(PortalForm):
    partner = forms.ModelChoiceField(
        label=_("Which partner do you choose?"),
        queryset=Partner.objects.filter(active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose a partner"), "invalid_choice": _("Choose a partner from the list")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].label_from_instance = lambda p: p.name  # type: ignore[attr-defined]


class AccessibilityReportForm(PortalForm):
    description = forms.CharField(
        label=_("What problem did you meet?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Describe the problem"), "max_length": _("Use 3,000 characters or fewer")},
        help_text=_("Tell us on which page, and what you were trying to do. Do not give personal information."),
    )
    page = forms.CharField(label=_("Address of the page (if you know it)"), required=False, max_length=300)
    email = forms.EmailField(label=_("Your e-mail address, if you want an answer"), required=False, max_length=150)


class JobseekerLoginForm(LoginForm):
    """Sign in with the e-mail address (or the sign-in name given at registration)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address or sign-in name")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})

    def clean_username(self) -> str:
        value = str(self.cleaned_data.get("username") or "").strip()
        # Accounts made online use the e-mail address in lower case as their sign-in name.
        return value.lower() if "@" in value else value
