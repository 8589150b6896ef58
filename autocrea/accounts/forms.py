from typing import Any

from allauth.account import forms as allauth_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms as django_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from autocrea.lib.forms import mark_errors, style_widget


class LoginForm(AuthenticationForm):
    """The sign-in form with GOV.UK markup."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)


# django-allauth's forms with our words and GOV.UK markup (settings.ACCOUNT_FORMS).


def _govuk(form: django_forms.Form) -> None:
    for field in form.fields.values():
        style_widget(field)
        field.widget.attrs.pop("placeholder", None)


class _GovukErrors:
    """Mark fields in error (GOV.UK error class, aria-invalid, aria-describedby) after validation."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        mark_errors(self)  # type: ignore[arg-type]


class AllauthLoginForm(_GovukErrors, allauth_forms.LoginForm):
    """Sign in with an e-mail address or sign-in name and a password."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address or sign-in name")
        self.fields["login"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        self.fields["login"].error_messages["required"] = _("Enter your e-mail address or sign-in name")
        self.fields["password"].label = _("Password")
        self.fields["password"].help_text = ""
        self.fields["password"].error_messages["required"] = _("Enter your password")
        _govuk(self)


class RequestCodeForm(_GovukErrors, allauth_forms.RequestLoginCodeForm):
    """Ask for a one-time sign-in code by e-mail."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")
        self.fields["email"].help_text = _("We will send a code to this address if it belongs to an account.")
        self.fields["email"].error_messages.update(
            {"required": _("Enter your e-mail address"), "invalid": _("Enter an e-mail address like name@example.com")}
        )
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        _govuk(self)


class ConfirmCodeForm(_GovukErrors, allauth_forms.ConfirmLoginCodeForm):
    """Type the code received by e-mail."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Code")
        self.fields["code"].error_messages["required"] = _("Enter the code from the e-mail")
        self.fields["code"].widget.attrs.update({"autocomplete": "one-time-code", "spellcheck": "false"})
        _govuk(self)
        self.fields["code"].widget.attrs["class"] = "govuk-input govuk-input--width-10"


class ReauthenticateForm(_GovukErrors, allauth_forms.ReauthenticateForm):
    """Confirm the password before a sensitive change (setting up an authenticator)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
        self.fields["password"].error_messages["required"] = _("Enter your password")
        _govuk(self)


def _code_field(form: django_forms.Form) -> None:
    field = form.fields["code"]
    field.label = _("6-digit code from your authenticator app")
    field.error_messages["required"] = _("Enter the code from your authenticator app")
    field.widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"})
    _govuk(form)
    field.widget.attrs["class"] = "govuk-input govuk-input--width-5"


def _code_or_recovery_code(form: django_forms.Form) -> None:
    """At sign-in, a recovery code (8 digits, single use) is accepted in the same box."""
    _code_field(form)
    field = form.fields["code"]
    field.help_text = _("No phone with you? Type one of your recovery codes instead.")
    field.widget.attrs["class"] = "govuk-input govuk-input--width-10"


class MfaAuthenticateForm(_GovukErrors, mfa_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_or_recovery_code(self)


class MfaReauthenticateForm(_GovukErrors, mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_or_recovery_code(self)


class ActivateTotpForm(_GovukErrors, totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_field(self)

    @property
    def secret_grouped(self) -> str:
        """The key in groups of four ("ABCD EFGH ..."): easier to type, and it wraps between groups on a phone."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))
