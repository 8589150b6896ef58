"""Session limits and the staff authenticator rule (docs/trust.md, "Sign-in").

- Idle timeout: Django's own session expiry (SESSION_COOKIE_AGE, refreshed on every request by
  SESSION_SAVE_EVERY_REQUEST): a session left alone longer than that is gone on the server.
- Absolute timeout: `SessionLimitsMiddleware` signs the person out SESSION_ABSOLUTE_SECONDS after
  they signed in, however active they have been.
- Staff MFA: with AUTOCREA_STAFF_MFA on, `StaffMfaMiddleware` sends a staff member without an
  authenticator app to set one up before any other page; allauth asks for the code at sign-in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from autocrea.accounts.access import follows_staff_sign_in_rules

SIGNED_IN_AT = "autocrea_signed_in_at"
# Pages a staff member without an authenticator may still reach: setting one up, and leaving.
MFA_SETUP_PAGES = {
    "mfa_activate_totp",
    "mfa_index",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "accounts:logout",
    "accounts:login",
    "account_login",
    "mfa_authenticate",
}


@receiver(user_logged_in, dispatch_uid="autocrea_signed_in_at")
def _remember_sign_in_time(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


class SessionLimitsMiddleware:
    """End a session SESSION_ABSOLUTE_SECONDS after sign-in, whatever the activity."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None:
                request.session[SIGNED_IN_AT] = now
            elif now - int(signed_in_at) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("For your safety you were signed out. Sign in again to continue."))
                return redirect(f"{settings_login_url()}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def settings_login_url() -> str:
    from django.shortcuts import resolve_url

    return resolve_url(settings.LOGIN_URL)


def has_authenticator(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMfaMiddleware:
    """With AUTOCREA_STAFF_MFA on, a staff member must set up an authenticator app before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.AUTOCREA_STAFF_MFA
            and user is not None
            and follows_staff_sign_in_rules(user)
            and not self._exempt(request)
            and not has_authenticator(user)
        ):
            if request.path.startswith("/api/"):
                return HttpResponse(status=403)
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        if request.path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # a 404 stays a 404
        return match.view_name in MFA_SETUP_PAGES
