"""The one settings module, driven by the environment.

Development (`DEBUG=true`, set by `make run` and `make test`) gets safe local defaults.
Production (`DEBUG` unset or false) has no insecure default: SECRET_KEY and ALLOWED_HOSTS
must be given, or start-up fails with ImproperlyConfigured.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from autocrea.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# Demo data and insecure shortcuts are refused when this is False (seed_demo checks it).
DEVELOPMENT = DEBUG or env_bool("AUTOCREA_DEVELOPMENT", False)

if DEVELOPMENT:
    SECRET_KEY = env_str("SECRET_KEY", "development-only-secret-key-not-for-production-use-0123456789")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
else:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production (DEBUG is off)")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "autocrea.accounts",
    "autocrea.reference",
    "autocrea.partners",
    "autocrea.jobseekers",
    "autocrea.pathways",
    "autocrea.coaching",
    "autocrea.datarights",
    "autocrea.reporting",
    "autocrea.workspace",
    "autocrea.portal",
    "autocrea.api",
    "ninja",  # django-ninja's templates and static files: the API docs' Swagger UI served locally, no CDN
    "autocrea.demo",
    "autocrea.operations",  # backup, restore, backup_drill (docs/operations.md)
    # Background work after commit (e-mails): django-tasks with its database backend (django-tasks-db).
    "django_tasks",
    "django_tasks_db",
    "autocrea.notifications",
    # History of configuration and reference data, old and new values, who changed it (partners, reference,
    # eligibility rules): django-simple-history; partners/programme.py history() reads it.
    "simple_history",
    # Sign-in (docs/trust.md, "Sign-in"): django-allauth with MFA (TOTP) and the generic OpenID Connect provider.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user is the history user of every change made during the request (admin included).
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "autocrea.lib.middleware.RequestTooLargeMiddleware",  # 413 page instead of a bare 400 (before CSRF reads the body)
    # Absolute session timeout, then staff without an authenticator sent to set one up (accounts/middleware.py).
    "autocrea.accounts.middleware.SessionLimitsMiddleware",
    "autocrea.accounts.middleware.StaffMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "autocrea.lib.middleware.PrivatePagesMiddleware",
]

ROOT_URLCONF = "autocrea.urls"
WSGI_APPLICATION = "autocrea.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "autocrea" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "autocrea.lib.context.service",
                "autocrea.accounts.context.decisions",
            ],
        },
    }
]
FORM_RENDERER = "autocrea.lib.forms.GovukFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),  # docs/performance.md, trap 3
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "autocrea" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Brussels"
FORMAT_MODULE_PATH = ["autocrea.formats"]

STATIC_URL = "static/"
# Development serves static files from the finders; production from collectstatic's STATIC_ROOT.
STATIC_ROOT = None if DEVELOPMENT else Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
WHITENOISE_USE_FINDERS = DEVELOPMENT
STATICFILES_DIRS = [BASE_DIR / "autocrea" / "static"]

# Sessions: idle timeout (refreshed on each request) and browser-close expiry.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute timeout: a session ends this long after sign-in, however active (accounts/middleware.py).
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEVELOPMENT:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Sign-in: django-allauth (docs/architecture.md, accounts/adapter.py). Username or e-mail + password,
# a one-time code by e-mail, throttling after repeated failures, e-mail verification for accounts
# created through the portal, TOTP for staff, OpenID Connect for the federal login when configured.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "autocrea.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "autocrea.accounts.forms.AllauthLoginForm",
    "request_login_code": "autocrea.accounts.forms.RequestCodeForm",
    "confirm_login_code": "autocrea.accounts.forms.ConfirmCodeForm",
    "reauthenticate": "autocrea.accounts.forms.ReauthenticateForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*"]  # no public sign-up: the portal creates accounts
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_AUTHENTICATED_REDIRECT_URL = "root"
ACCOUNT_EMAIL_CONFIRMATION_ANONYMOUS_REDIRECT_URL = "portal:login"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_SESSION_REMEMBER = False  # sessions end with the browser and after the idle timeout
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # no mail to unknown addresses (and no sign-up page to point to)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEVELOPMENT else "https"
# Throttling (per IP and per sign-in name): the 6th failure within 5 minutes is refused, even with
# the right password. Counters live in the cache: give production a shared CACHE_URL-style cache
# (the default is per process).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": f"{env_int('LOGIN_FAILURES_PER_IP', 20)}/5m/ip,{env_int('LOGIN_FAILURES', 5)}/5m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
}
# Recovery codes: ten single-use codes shown once TOTP is on, for a staff member without their phone.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "autocrea.accounts.adapter.MfaAdapter"
MFA_FORMS = {
    "authenticate": "autocrea.accounts.forms.MfaAuthenticateForm",
    "reauthenticate": "autocrea.accounts.forms.MfaReauthenticateForm",
    "activate_totp": "autocrea.accounts.forms.ActivateTotpForm",
}
MFA_TOTP_ISSUER = env_str("PROGRAMME_NAME", "Autocrea")
MFA_ALLOW_UNVERIFIED_EMAIL = True  # staff accounts are made by an administrator
# Every staff member must use an authenticator app: on unless switched off (demo, tests).
AUTOCREA_STAFF_MFA = env_bool("AUTOCREA_STAFF_MFA", not DEVELOPMENT)
SOCIALACCOUNT_ADAPTER = "autocrea.accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
# The federal login matches a known job seeker by national register number (accounts/adapter.py
# match_federal_login), never allauth's e-mail matching; the verified e-mail is a fallback only when
# OIDC_EMAIL_FALLBACK is on. The claim carrying the number: FAS (CSAM) sends it as "egovNRN" with the
# scope "egovnrn"; other services name it otherwise (OIDC_NATIONAL_NUMBER_CLAIM, OIDC_SCOPES).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
OIDC_NATIONAL_NUMBER_CLAIM = env_str("OIDC_NATIONAL_NUMBER_CLAIM", "egovNRN")
OIDC_EMAIL_FALLBACK = env_bool("OIDC_EMAIL_FALLBACK", False)
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
# The federal identity service (CSAM/FAS: itsme, eID) through OpenID Connect; off while unset.
OIDC_SERVER_URL = env_str("OIDC_SERVER_URL", "")
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "VERIFIED_EMAIL": True,
        "APPS": [
            {
                "provider_id": "federal",
                "name": env_str("OIDC_NAME", "CSAM (itsme, eID)"),
                "client_id": env_str("OIDC_CLIENT_ID", required=True),
                "secret": env_str("OIDC_CLIENT_SECRET", required=True),
                "settings": {
                    "server_url": OIDC_SERVER_URL,
                    "scope": env_str("OIDC_SCOPES", "openid profile email egovnrn").split(),
                },
            }
        ],
    }

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEVELOPMENT
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "autocrea@localhost")

# Background tasks: stored in the database and run by `manage.py db_worker` (see README). Another
# backend can be chosen with TASKS_BACKEND, e.g. django_tasks.backends.immediate.ImmediateBackend
# to send e-mails in the request itself (no worker needed).
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# The summary counts behind the figures are rebuilt by the worker this often (reporting/tasks.py;
# started by `manage.py rebuild_summaries --schedule`). The figures say when they were built.
SUMMARY_REFRESH_SECONDS = env_int("SUMMARY_REFRESH_SECONDS", 300)
# Development and tests only: a figure read after any data change rebuilds the summaries first
# (reporting/summaries.py). Never in production: every read after a write would rebuild.
SUMMARIES_REFRESH_ON_READ = env_bool("SUMMARIES_REFRESH_ON_READ", False)
# Reminder e-mails go out this many hours before a session (`manage.py send_reminders`, hourly cron).
REMINDER_HOURS_BEFORE = env_int("REMINDER_HOURS_BEFORE", 48)
# The domain part of calendar event UIDs: keep it stable, or calendars see new events.
CALENDAR_UID_DOMAIN = env_str("CALENDAR_UID_DOMAIN", "autocrea.invalid")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# The programme this installation runs (configurable for another service).
PROGRAMME = {
    "name": env_str("PROGRAMME_NAME", "Autocrea"),
    "start": env_str("PROGRAMME_START", "2024-01-01"),
    "end": env_str("PROGRAMME_END", "2027-12-31"),
    "target_guided": env_int("PROGRAMME_TARGET", 4000),
    # The organisation that issues attestations and steering reports (their signed-by line).
    "organisation": env_str("PROGRAMME_ORGANISATION", "Actiris"),
}
SERVICE_NAME = _("Self-employment accompaniment")

# Backups (docs/operations.md): where `manage.py backup` writes when no --output is given.
BACKUP_DIR = Path(env_str("AUTOCREA_BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
