"""The shared cast: six partners and one user per role, from the same personas as the demo data."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from autocrea.accounts.models import User
from autocrea.backbone.roles import Role
from autocrea.demo.personas import ensure_accounts, ensure_partners

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Start every test in the site's default language.

    A test-client request to /nl/… leaves Dutch active in the thread (LocaleMiddleware activates the
    request's language and nothing deactivates it), so the next test's reverse() and gettext() would
    silently be Dutch.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def partners(db: Any) -> dict[str, Any]:
    return ensure_partners()


@pytest.fixture
def cast(db: Any) -> dict[str, User]:
    """Every demo account, plus a second job seeker and a user without a role."""
    users = ensure_accounts(PASSWORD)
    users["jobseeker-b"] = User.objects.create_user("jobseeker-b", password=PASSWORD, role=Role.JOBSEEKER)
    users["nobody"] = User.objects.create_user("nobody", password=PASSWORD)
    return users


@pytest.fixture
def counsellor(cast: dict[str, User]) -> User:
    return cast["demo-counsellor"]


@pytest.fixture
def coach(cast: dict[str, User]) -> User:
    return cast["demo-coach-credal"]


@pytest.fixture
def other_coach(cast: dict[str, User]) -> User:
    return cast["demo-coach-microstart"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Skip browser tests without Chromium, except in CI where a skip would hide a failure."""
    if chromium_path() or os.environ.get("AUTOCREA_REQUIRE_BROWSER"):
        pass
    else:
        skip = pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)
    from django.db import connection

    if connection.vendor != "postgresql":
        skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip_pg)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Sign-in throttling counts in the cache: each test starts with none (tests/test_auth.py tests it)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; the suite checks behaviour, not hashing cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def live_server(django_db_setup: Any, live_server: Any) -> Any:
    """pytest-django's live server, but set up after the test database and so torn down before it.

    Without this, a browser test that asks for `live_server` before `transactional_db` starts the
    server first; at the end of the session the test database is then dropped while the server
    thread still holds a connection, and PostgreSQL refuses ("being accessed by other users").
    """
    return live_server


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test database, with stray PostgreSQL sessions ended before it is dropped.

    A daemon request thread of the live server that is still answering a browser request when the
    server stops keeps its connection; PostgreSQL then refuses to drop the test database ("being
    accessed by other users") and the whole run errors at teardown. Those sessions belong to this
    test run only (the test database is ours), so ending them is safe.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, left(query, 200) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        strays = cursor.fetchall()
        if os.environ.get("AUTOCREA_STRAY_LOG"):
            with open(os.environ["AUTOCREA_STRAY_LOG"], "a", encoding="utf-8") as log:
                log.write(f"{strays!r}\n")
        for pid, _state, _query in strays:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
