"""Signing in (docs/trust.md, "Sign-in"): django-allauth with throttling, key rotation, idle and absolute
timeouts, a code by e-mail for job seekers, e-mail verification, TOTP for staff, and the federal
login (OpenID Connect) against a stub provider."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from autocrea.accounts.middleware import SIGNED_IN_AT
from tests.conftest import PASSWORD
from tests.factories import make_jobseeker

pytestmark = pytest.mark.django_db


def url(name: str, lang: str = "fr", *args: Any) -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def sign_in(client: Any, login: str, password: str = PASSWORD, lang: str = "fr", name: str = "accounts:login") -> Any:
    return client.post(url(name, lang), {"login": login, "password": password})


def session_key(client: Any) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


# --- 1. The sign-in itself ---------------------------------------------------------------------------


def test_staff_sign_in_with_sign_in_name_or_e_mail_and_land_on_the_workspace(client, counsellor):
    counsellor.email = "counsellor@actiris.example"
    counsellor.save()
    for login in (counsellor.username, "Counsellor@Actiris.example"):
        client.logout()
        response = sign_in(client, login)
        assert response.status_code == 302, response.content.decode()[:500]
        assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == url("workspace:home")
        assert client.get(url("workspace:home")).wsgi_request.user == counsellor


def test_the_session_key_changes_at_sign_in(client, counsellor):
    client.get(url("accounts:login"))
    client.session.save()  # an anonymous session exists before signing in (e.g. a planted cookie)
    before = client.session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    assert sign_in(client, counsellor.username).status_code == 302
    after = session_key(client)
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_a_wrong_password_is_refused_with_a_message_and_no_session(client, counsellor):
    response = sign_in(client, counsellor.username, "not the password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "govuk-error-summary" in response.content.decode()


def test_the_sixth_failure_is_refused_even_with_the_right_password(client, counsellor):
    for _ in range(5):
        assert sign_in(client, counsellor.username, "wrong password").status_code == 200
    response = sign_in(client, counsellor.username, PASSWORD, lang="nl")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    with translation.override("nl"):
        from autocrea.accounts.adapter import AccountAdapter

        expected = str(AccountAdapter.error_messages["too_many_login_attempts"])
    assert expected in response.content.decode()


def test_throttling_is_per_sign_in_name_and_ends_after_the_window(client, counsellor, coach):
    for _ in range(5):
        sign_in(client, counsellor.username, "wrong password")
    assert sign_in(client, coach.username).status_code == 302  # someone else still gets in
    client.logout()
    cache.clear()  # the 5-minute window has passed
    assert sign_in(client, counsellor.username).status_code == 302


def test_the_job_seeker_signs_in_on_the_portal_page_and_lands_on_my_pathway(client, cast):
    person = make_jobseeker(user=cast["demo-jobseeker"])
    response = client.post(
        url("portal:login", "nl"), {"login": person.user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("portal:pathway", "nl")


def test_the_sign_in_pages_keep_their_addresses(client):
    assert url("accounts:login") == "/fr/accounts/login/" == url("account_login")
    assert url("portal:login", "nl") == "/nl/my/sign-in/"
    page = client.get(url("portal:login")).content.decode()
    assert 'name="login"' in page and 'name="password"' in page
    assert url("account_request_login_code") in page  # the code by e-mail is offered


def test_an_idle_session_ends_on_the_server(client, counsellor):
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE == 30 * 60
    sign_in(client, counsellor.username)
    assert client.get(url("workspace:home")).status_code == 200
    key = session_key(client)
    # Each request pushes the end back by the idle time.
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + timezone.timedelta(minutes=29)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(url("workspace:home"))
    assert response.status_code == 302 and response["Location"].startswith(url("accounts:login"))


def test_a_session_ends_after_the_absolute_timeout_however_active(client, counsellor):
    sign_in(client, counsellor.username)
    assert client.get(url("workspace:home")).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 60
    session.save()
    assert client.get(url("workspace:home")).status_code == 200  # still within the limit
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(url("workspace:home"))
    assert response.status_code == 302 and response["Location"].startswith(url("accounts:login"))
    assert "_auth_user_id" not in client.session
    assert client.get(url("workspace:home")).status_code == 302


def test_sign_in_page_in_french_and_dutch_has_translated_labels(client):
    for lang in ("fr", "nl"):
        body = client.get(url("accounts:login", lang)).content.decode()
        with translation.override(lang):
            from django.utils.translation import gettext

            assert gettext("E-mail address or sign-in name") in body
        assert f'<html lang="{lang}"' in body


# --- 2. A code by e-mail, and e-mail verification ------------------------------------------------------


def _code_from(message: Any) -> str:
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_job_seeker_signs_in_with_a_code_sent_by_e_mail(client, cast, lang):
    user = cast["demo-jobseeker"]
    user.email = "amina@example.org"
    user.save()
    make_jobseeker(user=user, contact_language="nl", email=user.email)
    response = client.post(url("account_request_login_code", lang), {"email": "Amina@Example.org"})
    assert response.status_code == 302 and response["Location"].startswith(url("account_confirm_login_code", lang))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amina@example.org"]
    with translation.override("nl"):  # the person's contact language, whatever the screen
        from django.utils.translation import gettext

        assert mail.outbox[0].subject == gettext("Your sign-in code for Autocrea")
    code = _code_from(mail.outbox[0])
    wrong = client.post(url("account_confirm_login_code", lang), {"code": "WRONG1"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(url("account_confirm_login_code", lang), {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == url("portal:pathway", lang)
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_code_for_an_unknown_address_sends_nothing_and_says_the_same(client, cast):
    response = client.post(url("account_request_login_code"), {"email": "nobody@example.org"})
    assert response.status_code == 302  # no account enumeration: the same next page
    assert mail.outbox == []


def test_the_interest_flow_sends_a_verification_e_mail_in_the_contact_language(client, cast):
    from tests.test_portal import answer_all

    answer_all(client, "fr", language={"contact_language": "nl"})
    response = client.post(url("portal:interest_check", "fr"))
    assert response.status_code == 302
    done = client.get(url("portal:interest_done", "fr")).content.decode()
    assert 'id="verification-sent"' in done and "fatima@example.org" in done
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fatima@example.org"]
    with translation.override("nl"):
        from django.utils.translation import gettext

        assert message.subject == gettext("Confirm your e-mail address for Autocrea")
    address = EmailAddress.objects.get(email="fatima@example.org")
    assert not address.verified
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)
    assert client.get(link).status_code == 200  # a page with a button: no change on GET
    address.refresh_from_db()
    assert not address.verified
    response = client.post(link)
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified


def test_the_interest_flow_finishes_when_the_mail_server_fails(client, cast, monkeypatch):
    from allauth.account.models import EmailAddress as Model

    from tests.test_portal import answer_all

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("mail server down")

    monkeypatch.setattr(Model, "send_confirmation", broken)
    answer_all(client, "fr")
    assert client.post(url("portal:interest_check", "fr")).status_code == 302
    done = client.get(url("portal:interest_done", "fr"))
    assert done.status_code == 200 and 'id="verification-sent"' not in done.content.decode()


# --- 3. TOTP for staff ---------------------------------------------------------------------------------


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), written here so that the test does not trust allauth's own."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def test_the_rfc_6238_helper_matches_the_published_vector():
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59) == "287082"  # RFC 6238 appendix B, truncated to 6 digits


@pytest.fixture
def staff_mfa(settings: Any) -> None:
    settings.AUTOCREA_STAFF_MFA = True


STAFF = ["demo-counsellor", "demo-coach-credal", "demo-partner-manager-credal", "demo-programme-manager", "demo-admin"]


@pytest.mark.parametrize("username", STAFF)
def test_with_staff_mfa_on_staff_must_set_up_an_authenticator_first(client, cast, staff_mfa, username):
    client.force_login(cast[username])
    for page in (url("workspace:home"), url("root"), "/fr/admin/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == url("mfa_activate_totp"), (username, page)


def test_with_staff_mfa_on_job_seekers_are_not_asked(client, cast, staff_mfa):
    make_jobseeker(user=cast["demo-jobseeker"])
    client.force_login(cast["demo-jobseeker"])
    assert client.get(url("portal:pathway")).status_code == 200


def test_with_staff_mfa_off_demo_accounts_work_as_before(client, counsellor, settings):
    settings.AUTOCREA_STAFF_MFA = False
    client.force_login(counsellor)
    assert client.get(url("workspace:home")).status_code == 200


def test_a_counsellor_sets_up_totp_then_every_sign_in_asks_for_the_code(client, counsellor, staff_mfa):
    response = sign_in(client, counsellor.username)
    assert client.get(url("workspace:home"))["Location"] == url("mfa_activate_totp")
    # Setting up an authenticator asks for the password again first (allauth's reauthentication).
    page = client.get(url("mfa_activate_totp"))
    assert page.status_code == 302 and page["Location"].startswith(url("account_reauthenticate"))
    wrong = client.post(page["Location"], {"password": "not it"})
    assert wrong.status_code == 200
    again = client.post(page["Location"], {"password": PASSWORD})
    assert again.status_code == 302 and again["Location"] == url("mfa_activate_totp")
    page = client.get(url("mfa_activate_totp"))
    assert page.status_code == 200
    secret = re.search(r'id="authenticator-secret"[^>]*>([A-Z2-7 ]+)<', page.content.decode()).group(1).replace(" ", "")
    refused = client.post(url("mfa_activate_totp"), {"code": "000000" if totp(secret) != "000000" else "111111"})
    assert refused.status_code == 200 and not Authenticator.objects.filter(user=counsellor).exists()
    response = client.post(url("mfa_activate_totp"), {"code": totp(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=counsellor, type=Authenticator.Type.TOTP).exists()
    assert client.get(url("workspace:home")).status_code == 200

    # The next sign-in: the password alone is not enough.
    client.post(url("accounts:logout"))
    response = sign_in(client, counsellor.username)
    assert response.status_code == 302 and response["Location"].startswith(url("mfa_authenticate"))
    assert client.get(url("workspace:home")).status_code == 302  # not signed in yet
    assert "_auth_user_id" not in client.session
    wrong = client.post(url("mfa_authenticate"), {"code": "12345"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    # The code just used for activation cannot be replayed within its window.
    replay = client.post(url("mfa_authenticate"), {"code": totp(secret)})
    if replay.status_code == 200:
        assert "_auth_user_id" not in client.session
        cache.clear()  # forget used codes (as after the 30-second window)
        response = client.post(url("mfa_authenticate"), {"code": totp(secret)})
    else:
        response = replay
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == counsellor.pk
    assert client.get(url("workspace:home")).status_code == 200


def _activate_totp(client: Any, user: Any) -> Any:
    """Sign in, confirm the password, set up TOTP; return the response to the activation."""
    sign_in(client, user.username)
    client.post(url("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(url("mfa_activate_totp")).content.decode()
    secret = re.search(r'id="authenticator-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = client.post(url("mfa_activate_totp"), {"code": totp(secret)})
    assert response.status_code == 302
    return response


def test_recovery_codes_are_made_with_the_authenticator_and_each_signs_in_once(client, counsellor, staff_mfa):
    response = _activate_totp(client, counsellor)
    # Setting up the app leads to the new recovery codes, shown once on our page.
    assert response["Location"] == url("mfa_view_recovery_codes")
    page = client.get(url("mfa_view_recovery_codes", "nl")).content.decode()
    codes = re.findall(r"<li><code[^>]*>(\d{8})</code></li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'lang="nl"' in page and url("mfa_download_recovery_codes", "nl") in page
    download = client.get(url("mfa_download_recovery_codes"))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/plain")
    assert "attachment" in download["Content-Disposition"] and "no-store" in download.get("Cache-Control", "")
    assert download.content.decode().split() == codes
    # The staff member's two-step verification page links to them.
    index = client.get(url("mfa_index")).content.decode()
    assert url("mfa_view_recovery_codes") in index
    with translation.override("fr"):
        from django.utils.translation import ngettext

        left = ngettext(
            "You have %(unused_count)s unused recovery code to sign in without your phone.",
            "You have %(unused_count)s unused recovery codes to sign in without your phone.",
            10,
        ) % {"unused_count": 10}
    assert left in index

    def sign_in_with(code: str) -> Any:
        client.post(url("accounts:logout"))
        response = sign_in(client, counsellor.username)
        assert response["Location"].startswith(url("mfa_authenticate"))
        return client.post(url("mfa_authenticate"), {"code": code})

    first = sign_in_with(codes[0])
    assert first.status_code == 302 and int(client.session["_auth_user_id"]) == counsellor.pk
    home = client.get(url("workspace:home"))
    assert home.status_code == 200 and f'href="{url("mfa_index")}"' in home.content.decode()  # the footer link
    again = sign_in_with(codes[0])  # the same code a second time
    assert again.status_code == 200 and "_auth_user_id" not in client.session
    assert "govuk-error-summary" in again.content.decode()
    with translation.override("fr"):
        from django.utils.html import escape

        from autocrea.accounts.adapter import MfaAdapter

        assert escape(str(MfaAdapter.error_messages["incorrect_code"])) in again.content.decode()
    assert sign_in_with(codes[1]).status_code == 302 and int(client.session["_auth_user_id"]) == counsellor.pk
    # Seeing the codes again asks to confirm it is you (allauth's reauthentication), then shows the 8 left.
    ask = client.get(url("mfa_view_recovery_codes"))
    assert ask.status_code == 302 and ask["Location"].startswith(url("account_reauthenticate"))
    client.post(url("account_reauthenticate"), {"password": PASSWORD})
    left = client.get(url("mfa_view_recovery_codes")).content.decode()
    assert len(re.findall(r"<li><code[^>]*>(\d{8})</code></li>", left)) == 8
    assert codes[0] not in left and codes[1] not in left and codes[2] in left


def test_new_recovery_codes_replace_the_old_ones_after_confirming_it_is_you(client, counsellor, staff_mfa):
    _activate_totp(client, counsellor)
    old = re.findall(r"<li><code[^>]*>(\d{8})</code></li>", client.get(url("mfa_view_recovery_codes")).content.decode())
    # Right after activation the person has just proved it is them: the page opens directly.
    page = client.get(url("mfa_generate_recovery_codes"))
    assert page.status_code == 200 and "govuk-button--warning" in page.content.decode()
    response = client.post(url("mfa_generate_recovery_codes"))
    assert response.status_code == 302 and response["Location"] == url("mfa_view_recovery_codes")
    new = re.findall(r"<li><code[^>]*>(\d{8})</code></li>", client.get(url("mfa_view_recovery_codes")).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.post(url("accounts:logout"))
    sign_in(client, counsellor.username)
    assert client.post(url("mfa_authenticate"), {"code": old[0]}).status_code == 200  # the old set is gone
    assert "_auth_user_id" not in client.session


def test_the_demo_and_test_default_is_off_and_production_default_is_on():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.AUTOCREA_STAFF_MFA)"
    env_prod = {
        "DJANGO_SETTINGS_MODULE": "autocrea.settings",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "example.org",
        "PATH": "/usr/bin:/bin",
    }
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    prod = subprocess.run(run, env=env_prod, capture_output=True, text=True, cwd=settings.BASE_DIR, check=True)
    assert prod.stdout.strip() == "True"
    dev = subprocess.run(run, env={**env_prod, "DEBUG": "true"}, capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert dev.stdout.strip() == "False"


# --- 4. The federal login (OpenID Connect) against a stub provider --------------------------------------

ISSUER = "https://idp.federal.test"
CLIENT_ID = "autocrea-test"


# The federal login as settings.py configures it when OIDC_SERVER_URL is set, pointing at the stub.
FEDERAL = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "VERIFIED_EMAIL": True,
        "APPS": [
            {
                "provider_id": "federal",
                "name": "CSAM (itsme, eID)",
                "client_id": CLIENT_ID,
                "secret": "stub-secret",
                "settings": {"server_url": ISSUER, "scope": ["openid", "profile", "email", "egovnrn"]},
            }
        ],
    }
}


class _Response:
    def __init__(self, payload: dict[str, Any], status: int = 200) -> None:
        import json

        self.status_code = status
        self._payload = payload
        self.text = json.dumps(payload)
        self.content = self.text.encode()
        self.headers = {"content-type": "application/json"}

    def json(self) -> dict[str, Any]:
        return self._payload

    def raise_for_status(self) -> None:
        assert self.status_code < 400, self.status_code


class StubProvider:
    """A tiny OpenID Connect provider: discovery, token endpoint (RS256 ID token), JWKS and userinfo."""

    def __init__(self, claims: dict[str, Any]) -> None:
        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.claims = claims
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        self.jwks = {"keys": [{**jwk, "kid": "stub-1", "alg": "RS256", "use": "sig"}]}
        self.nonce = ""
        self.calls: list[str] = []

    def id_token(self) -> str:
        import jwt

        now = int(time.time())
        payload = {"iss": ISSUER, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **self.claims}
        if self.nonce:
            payload["nonce"] = self.nonce
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": "stub-1"})

    # The requests.Session interface allauth uses.
    def __enter__(self) -> StubProvider:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def get(self, address: str, **kwargs: Any) -> _Response:
        self.calls.append(f"GET {address}")
        if address.endswith("/.well-known/openid-configuration"):
            return _Response(
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "userinfo_endpoint": f"{ISSUER}/userinfo",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                }
            )
        if address == f"{ISSUER}/jwks":
            return _Response(self.jwks)
        if address == f"{ISSUER}/userinfo":
            assert kwargs["headers"]["Authorization"] == "Bearer stub-access-token"
            return _Response(self.claims)
        return _Response({}, 404)

    def request(self, method: str, address: str, **kwargs: Any) -> _Response:
        self.calls.append(f"{method} {address}")
        assert address == f"{ISSUER}/token" and kwargs["data"]["code"] == "stub-code"
        assert kwargs["data"]["client_secret"] == "stub-secret"
        return _Response({"access_token": "stub-access-token", "token_type": "Bearer", "id_token": self.id_token()})

    post = request


@pytest.fixture
def federal(settings: Any, monkeypatch: Any) -> Any:
    """Switch the federal login on (as OIDC_SERVER_URL would) and answer its HTTP calls with a stub."""
    from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

    settings.SOCIALACCOUNT_PROVIDERS = FEDERAL
    holder: dict[str, StubProvider] = {}

    def make(claims: dict[str, Any]) -> StubProvider:
        holder["stub"] = StubProvider(claims)
        return holder["stub"]

    monkeypatch.setattr(DefaultSocialAccountAdapter, "get_requests_session", lambda self: holder["stub"])
    return make


def _federal_round_trip(client: Any, stub: StubProvider, lang: str = "fr") -> Any:
    from urllib.parse import parse_qs, urlparse

    page = client.get(url("portal:login", lang)).content.decode()
    assert 'id="federal-login"' in page
    response = client.post(url("openid_connect_login", lang, "federal"))
    assert response.status_code == 302 and response["Location"].startswith(f"{ISSUER}/authorize"), response
    query = parse_qs(urlparse(response["Location"]).query)
    assert query["client_id"] == [CLIENT_ID] and "code_challenge" in query  # PKCE
    stub.nonce = query.get("nonce", [""])[0]
    return client.get(
        url("openid_connect_callback", lang, "federal"), {"code": "stub-code", "state": query["state"][0]}
    )


def test_the_federal_login_is_off_unless_configured(client):
    assert "federal-login" not in client.get(url("portal:login")).content.decode()
    assert client.post(url("openid_connect_login", "fr", "federal")).status_code == 404


NISS = "85073003328"  # 85.07.30-033.28, a valid national register number (check digits mod 97)
OTHER_NISS = "90020197724"  # 90.02.01-977.24, valid too


def _refusal(response: Any, client: Any, message: str, lang: str, page: str = "portal:login") -> None:
    """The federal login was refused: back to a sign-in page, nobody signed in, the reason in the visitor's language."""
    assert response.status_code == 302 and response["Location"] == url(page, lang), response
    assert "_auth_user_id" not in client.session
    body = client.get(response["Location"]).content.decode()
    with translation.override(lang):
        from django.utils.html import escape
        from django.utils.translation import gettext

        assert escape(gettext(message)) in body, body[:2000]


def test_the_test_national_numbers_are_valid():
    from stdnum.be import ssn

    assert ssn.is_valid(NISS) and ssn.is_valid(OTHER_NISS)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_federal_login_finds_the_job_seeker_by_national_number_whatever_the_e_mail(client, cast, federal, lang):
    from allauth.socialaccount.models import SocialAccount

    from autocrea.accounts.models import AuditEvent

    user = cast["demo-jobseeker"]
    user.email = "amina@example.org"
    user.save()
    person = make_jobseeker(user=user, email=user.email, national_number=NISS)
    make_jobseeker(national_number=OTHER_NISS)  # someone else, without an account
    stub = federal(
        {"sub": "fas-123", "egovNRN": "85.07.30-033.28", "email": "a.benali@other.example", "email_verified": True}
    )
    response = _federal_round_trip(client, stub, lang)
    assert response.status_code == 302, response.content.decode()[:1000]
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get(url("portal:pathway", lang)).status_code == 200
    assert f"POST {ISSUER}/token" in stub.calls
    event = AuditEvent.objects.get(action="login:federal")
    assert (event.user_id_ref, event.object_type, event.object_id) == (user.pk, "jobseeker", person.pk)
    # The number is kept nowhere else: no link row holding the federal answer, nothing in the session.
    assert not SocialAccount.objects.exists()
    assert "85073003328" not in str(dict(client.session)) and "033.28" not in str(dict(client.session))


def test_the_federal_login_refuses_an_unknown_national_number_and_makes_no_account(client, cast, federal):
    from autocrea.accounts.models import AuditEvent, User

    user = cast["demo-jobseeker"]
    user.email = "amina@example.org"
    user.save()
    make_jobseeker(user=user, email=user.email, national_number=NISS)
    before = User.objects.count()
    # Same e-mail as a known person, but another number: the e-mail is no fallback unless configured.
    stub = federal({"sub": "fas-999", "egovNRN": OTHER_NISS, "email": "amina@example.org", "email_verified": True})
    response = _federal_round_trip(client, stub, "nl")
    _refusal(
        response,
        client,
        "We could not find your file with the details from the federal login. "
        "Sign in with your e-mail address, or ask a counsellor for help.",
        "nl",
    )
    assert User.objects.count() == before
    assert AuditEvent.objects.filter(action="login:federal_refused_unknown").count() == 1
    assert not AuditEvent.objects.filter(action="login:federal").exists()


def test_the_federal_login_refuses_an_invalid_national_number(client, cast, federal):
    user = cast["demo-jobseeker"]
    make_jobseeker(user=user, national_number=NISS)
    stub = federal({"sub": "fas-555", "egovNRN": "85073003329"})  # one check digit off
    response = _federal_round_trip(client, stub, "fr")
    _refusal(
        response,
        client,
        "The federal login sent a national register number we cannot use. "
        "Sign in with your e-mail address, or ask a counsellor for help.",
        "fr",
    )


def test_the_federal_login_refuses_when_no_national_number_is_sent(client, cast, federal):
    user = cast["demo-jobseeker"]
    user.email = "amina@example.org"
    user.save()
    make_jobseeker(user=user, email=user.email, national_number=NISS)
    stub = federal({"sub": "fas-123", "email": "amina@example.org", "email_verified": True})
    response = _federal_round_trip(client, stub, "en")
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_the_federal_login_falls_back_to_the_verified_e_mail_only_when_configured(client, cast, federal, settings):
    settings.OIDC_EMAIL_FALLBACK = True
    user = cast["demo-jobseeker"]
    user.email = "amina@example.org"
    user.save()
    make_jobseeker(user=user, email=user.email)
    stub = federal({"sub": "fas-123", "email": "Amina@example.org", "email_verified": True, "given_name": "Amina"})
    response = _federal_round_trip(client, stub, "nl")
    assert response.status_code == 302, response.content.decode()[:1000]
    assert int(client.session["_auth_user_id"]) == user.pk


def test_the_federal_login_refuses_when_several_people_match(client, cast, federal, settings):
    settings.OIDC_EMAIL_FALLBACK = True
    for username in ("demo-jobseeker", "jobseeker-b"):
        cast[username].email = "family@example.org"
        cast[username].save()
        make_jobseeker(user=cast[username], email="family@example.org")
    stub = federal({"sub": "fas-321", "email": "family@example.org", "email_verified": True})
    _refusal(
        _federal_round_trip(client, stub, "nl"),
        client,
        "Your details match more than one file, so we cannot sign you in this way. "
        "Ask a counsellor to check your file.",
        "nl",
    )


def test_the_federal_login_does_not_open_a_staff_account(client, counsellor, federal, settings):
    from autocrea.accounts.models import AuditEvent

    # A staff account found by the national number (a staff member once registered as a person)...
    make_jobseeker(user=counsellor, national_number=NISS)
    stub = federal({"sub": "fas-777", "egovNRN": NISS})
    message = "Staff members sign in with their password and authenticator app."
    _refusal(_federal_round_trip(client, stub, "fr"), client, message, "fr", page="accounts:login")
    # ... or by the e-mail fallback.
    settings.OIDC_EMAIL_FALLBACK = True
    counsellor.email = "counsellor@actiris.example"
    counsellor.save()
    stub = federal({"sub": "fas-778", "email": "counsellor@actiris.example", "email_verified": True})
    _refusal(_federal_round_trip(client, stub, "nl"), client, message, "nl", page="accounts:login")
    refused = AuditEvent.objects.filter(action="login:federal_refused_staff")
    assert list(refused.values_list("user_id_ref", "object_type")) == [(counsellor.pk, "federal_login")] * 2


def test_a_national_number_used_as_the_subject_is_never_stored_in_clear(client, cast, federal, settings):
    from allauth.socialaccount.models import SocialAccount

    settings.OIDC_NATIONAL_NUMBER_CLAIM = "sub"
    user = cast["demo-jobseeker"]
    make_jobseeker(user=user, national_number=NISS)
    # A link row made earlier is found by the keyed hash and updated without the number.
    from django.utils.crypto import salted_hmac

    hashed = salted_hmac("autocrea.federal-login", NISS, algorithm="sha256").hexdigest()
    link = SocialAccount.objects.create(user=user, provider="federal", uid=hashed, extra_data={})
    stub = federal({"sub": NISS, "name": "Amina Benali", "email": "amina@example.org"})
    response = _federal_round_trip(client, stub, "fr")
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == user.pk
    link.refresh_from_db()
    assert link.extra_data and "Amina Benali" in str(link.extra_data)  # allauth did update the row...
    assert NISS not in str(link.extra_data) and NISS not in str(dict(client.session))  # ...without the number
    assert list(SocialAccount.objects.values_list("uid", flat=True)) == [hashed]
