"""How django-allauth fits Autocrea: no public sign-up, each role to its own front door, e-mails in
the person's own language, and the federal login (OpenID Connect) only for known job seekers."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from autocrea.accounts.models import User
from autocrea.backbone.roles import Role


def mail_language(email: str, user: Any = None) -> str:
    """Return the language of e-mails to this person: their contact language, else their screen language."""
    if user is None:
        user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return translation.get_language() or "fr"
    jobseeker = getattr(user, "jobseeker", None) if user.role == Role.JOBSEEKER else None
    if jobseeker is not None and jobseeker.contact_language:
        return str(jobseeker.contact_language)
    return user.preferred_language or "fr"


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed attempts to sign in. For your safety, wait 5 minutes and try again, "
            "or ask a counsellor for help."
        ),
        "incorrect_code": _("The code is not right. Check the e-mail and type the code again."),
        "incorrect_password": _("The password is not right."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are made by the portal's interest questions, or by an administrator for staff.
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # The root sends each role to its own front door (staff workspace, my pathway...).
        return reverse("root")

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Send in the person's contact language, whatever the language of the screen that triggered it."""
        with translation.override(mail_language(email, context.get("user"))):
            super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject: str) -> str:
        return str(subject)

    def add_message(
        self, request: HttpRequest, level: int, message_template: str | None = None, *args: Any, **kwargs: Any
    ) -> None:
        # Setting up the authenticator app also makes the recovery codes: one banner ("activated") is
        # enough, the page that follows shows the codes themselves.
        match = getattr(request, "resolver_match", None)
        if (
            message_template == "mfa/messages/recovery_codes_generated.txt"
            and match is not None
            and match.view_name == "mfa_activate_totp"
        ):
            return
        super().add_message(request, level, message_template, *args, **kwargs)


class MfaAdapter(DefaultMFAAdapter):
    """Two-step verification in plain words (settings.MFA_ADAPTER)."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _("This code is not right, or it was already used. Type a new code."),
    }


class FederalLoginRefused(Exception):
    """The federal login cannot sign this person in; `message` says why, in the visitor's language."""

    def __init__(self, message: Any, action: str, user: Any = None) -> None:
        super().__init__(action)
        self.message = message
        self.action = action
        self.user = user  # the account found, when one was (a staff member's)


# The national number read from the federal identity service's claims, held only on the sign-in
# object for the length of the request (never saved: SocialAccount.extra_data loses the claim).
NATIONAL_NUMBER = "_autocrea_national_number"
INVALID = "invalid"


def _claims(sociallogin: Any) -> list[dict[str, Any]]:
    """The claim dictionaries allauth keeps for an OpenID Connect login (userinfo, ID token)."""
    data = sociallogin.account.extra_data or {}
    found = [part for key in ("userinfo", "id_token") if isinstance(part := data.get(key), dict)]
    return found or [data]


def take_national_number(sociallogin: Any) -> None:
    """Remove the national number claim from what allauth may store, and keep it validated on `sociallogin`.

    Sets NATIONAL_NUMBER to the 11 digits, to INVALID when the claim is not a valid number, or to ""
    when the service sent none. A `uid` that is the number itself is replaced by a keyed hash.
    """
    from django.core.exceptions import ValidationError

    from autocrea.lib.identifiers import clean_national_number

    claim = settings.OIDC_NATIONAL_NUMBER_CLAIM
    raw = ""
    for part in _claims(sociallogin):
        value = part.pop(claim, None)
        if value and not raw:
            raw = str(value)
    digits = ""
    if raw:
        try:
            digits = clean_national_number(raw)
        except ValidationError:
            digits = INVALID
    setattr(sociallogin, NATIONAL_NUMBER, digits)
    uid = str(sociallogin.account.uid or "")
    if raw and uid and (uid == raw or "".join(c for c in uid if c.isdigit()) == digits):
        sociallogin.account.uid = salted_hmac("autocrea.federal-login", digits or raw, algorithm="sha256").hexdigest()


def _jobseeker_user(user: Any) -> bool:
    return bool(user.role == Role.JOBSEEKER and not user.is_staff and not user.is_superuser)


def match_federal_login(sociallogin: Any) -> Any:
    """Return the known job seeker's account this federal login belongs to, or raise FederalLoginRefused.

    By national number first (the same lookup as register_jobseeker's duplicate check); by the
    verified e-mail address only when OIDC_EMAIL_FALLBACK is on; never a new person, never staff.
    """
    from autocrea.jobseekers.services import with_national_number

    unknown = _(
        "We could not find your file with the details from the federal login. "
        "Sign in with your e-mail address, or ask a counsellor for help."
    )
    digits = getattr(sociallogin, NATIONAL_NUMBER, "")
    if digits == INVALID:
        raise FederalLoginRefused(
            _(
                "The federal login sent a national register number we cannot use. "
                "Sign in with your e-mail address, or ask a counsellor for help."
            ),
            "login:federal_refused_invalid",
        )
    users: list[Any] = []
    if digits:
        people = with_national_number(digits).select_related("user")
        users = [person.user for person in people if person.user is not None]
    if not users and settings.OIDC_EMAIL_FALLBACK:
        emails = {address.email for address in sociallogin.email_addresses if address.verified}
        if emails:
            same_email = Q()
            for email in emails:
                same_email |= Q(email__iexact=email)
            users = list(User.objects.filter(same_email, is_active=True))
    staff = [user for user in users if not _jobseeker_user(user)]
    if staff:
        raise FederalLoginRefused(
            _("Staff members sign in with their password and authenticator app."),
            "login:federal_refused_staff",
            staff[0],
        )
    if len(users) > 1:
        raise FederalLoginRefused(
            _(
                "Your details match more than one file, so we cannot sign you in this way. "
                "Ask a counsellor to check your file."
            ),
            "login:federal_refused_several",
        )
    if not users or not users[0].is_active:
        raise FederalLoginRefused(unknown, "login:federal_refused_unknown")
    return users[0]


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """The federal login signs in a person already known to the programme, never a new account or staff."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def authenticate_by_email(self, sociallogin: Any) -> Any:
        # Matching is ours (match_federal_login): by national number, by e-mail only if configured.
        return None

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: Any) -> Any:
        # Runs as soon as allauth has read the claims, before anything is looked up or saved.
        take_national_number(sociallogin)
        return super().populate_user(request, sociallogin, data)

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        from allauth.core.exceptions import ImmediateHttpResponse

        from autocrea.accounts import audit

        super().pre_social_login(request, sociallogin)
        linked = sociallogin.user if sociallogin.is_existing else None
        try:
            if linked is not None and not _jobseeker_user(linked):
                raise FederalLoginRefused(
                    _("Staff members sign in with their password and authenticator app."),
                    "login:federal_refused_staff",
                    linked,
                )
            user = match_federal_login(sociallogin)
            if linked is not None and linked.pk != user.pk:
                raise FederalLoginRefused(
                    _(
                        "Your details match more than one file, so we cannot sign you in this way. "
                        "Ask a counsellor to check your file."
                    ),
                    "login:federal_refused_several",
                )
        except FederalLoginRefused as refused:
            # Who tried (when an account was found) and why, never what the service sent.
            who = refused.user or linked
            audit.record(user=who, action=refused.action, obj=None, object_type="federal_login")
            messages.error(request, refused.message)
            target = "accounts:login" if refused.action == "login:federal_refused_staff" else "portal:login"
            raise ImmediateHttpResponse(HttpResponseRedirect(reverse(target))) from None
        # Signed in as the person found; nothing of the federal answer is stored for a new link.
        sociallogin.user = user
        audit.record(user=user, action="login:federal", obj=getattr(user, "jobseeker", None) or user)
