"""The django-allauth pages Autocrea uses, under /<lang>/accounts/ (no namespace: allauth reverses
these names). Only what is used is routed: no public sign-up, no password or e-mail management
pages (a counsellor resets a job seeker's password; an administrator a staff member's).
Every name is in tests/test_authorization_matrix.py."""

from allauth.account import views as account
from allauth.mfa.base import views as mfa
from allauth.mfa.recovery_codes import views as recovery
from allauth.mfa.totp import views as totp
from allauth.socialaccount import views as social
from allauth.socialaccount.providers.openid_connect import views as oidc
from django.urls import path

from autocrea.accounts.views import staff_login

urlpatterns = [
    path("login/", staff_login, name="account_login"),  # the same page as accounts:login
    path("login/code/", account.request_login_code, name="account_request_login_code"),
    path("login/code/confirm/", account.confirm_login_code, name="account_confirm_login_code"),
    path("inactive/", account.account_inactive, name="account_inactive"),
    path("confirm-email/", account.email_verification_sent, name="account_email_verification_sent"),
    path("confirm-email/<str:key>/", account.confirm_email, name="account_confirm_email"),
    path("reauthenticate/", account.reauthenticate, name="account_reauthenticate"),
    # Two-step verification (TOTP authenticator app): required for staff (AUTOCREA_STAFF_MFA).
    path("2fa/", mfa.index, name="mfa_index"),
    path("2fa/authenticate/", mfa.authenticate, name="mfa_authenticate"),
    path("2fa/reauthenticate/", mfa.reauthenticate, name="mfa_reauthenticate"),
    path("2fa/totp/activate/", totp.activate_totp, name="mfa_activate_totp"),
    path("2fa/totp/deactivate/", totp.deactivate_totp, name="mfa_deactivate_totp"),
    # Single-use recovery codes (made when the authenticator is set up): see, download, make new ones.
    path("2fa/recovery-codes/", recovery.view_recovery_codes, name="mfa_view_recovery_codes"),
    path("2fa/recovery-codes/generate/", recovery.generate_recovery_codes, name="mfa_generate_recovery_codes"),
    path("2fa/recovery-codes/download/", recovery.download_recovery_codes, name="mfa_download_recovery_codes"),
    # The federal login (OpenID Connect: CSAM/FAS, itsme, eID), active when OIDC_SERVER_URL is set.
    path("oidc/<str:provider_id>/login/", oidc.login, name="openid_connect_login"),
    path("oidc/<str:provider_id>/login/callback/", oidc.callback, name="openid_connect_callback"),
    path("oidc/cancelled/", social.login_cancelled, name="socialaccount_login_cancelled"),
    path("oidc/signup/", social.signup, name="socialaccount_signup"),
]
