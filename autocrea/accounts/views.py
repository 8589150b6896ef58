"""Sign-in pages: django-allauth's views with our templates (settings ACCOUNT_*, accounts/adapter.py)."""

from __future__ import annotations

from typing import Any

from allauth.account.views import LoginView
from django.conf import settings


class StaffLoginView(LoginView):
    """/<lang>/accounts/login/: everyone may use it; staff are sent here by LOGIN_URL."""

    template_name = "account/login.html"


class JobseekerLoginView(LoginView):
    """/<lang>/my/sign-in/: the same sign-in with plain words and the code-by-e-mail choice first."""

    template_name = "portal/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["federal_login"] = federal_login()
        return context


def federal_login() -> dict[str, str] | None:
    """The federal identity service (OpenID Connect) when configured (OIDC_SERVER_URL), else None."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS") or []
    if not apps:
        return None
    return {"id": apps[0]["provider_id"], "name": apps[0].get("name", "")}


staff_login = StaffLoginView.as_view()
jobseeker_login = JobseekerLoginView.as_view()
