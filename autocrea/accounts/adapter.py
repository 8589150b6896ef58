"""How django-allauth fits Autocrea: no public sign-up, each role to its own front door, e-mails in
the person's own language, and the federal login (OpenID Connect) only for known job seekers."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from autocrea.accounts.models import Role, User


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


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """The federal login signs in a person already known to the programme, never a new account or staff."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        super().pre_social_login(request, sociallogin)
        user = sociallogin.user
        if user.pk and user.role != Role.JOBSEEKER:
            # Staff sign in with a password and their authenticator app.
            from allauth.core.exceptions import ImmediateHttpResponse

            messages.error(request, _("Staff members sign in with their password and authenticator app."))
            raise ImmediateHttpResponse(HttpResponseRedirect(reverse("accounts:login")))
