"""The real-browser harness: Debian's Chromium driven by Playwright's sync API, plus axe-core.

Fixtures for every browser test:
- `browser`: one Chromium per test (see `browser` for why not one per module);
- `context_for(user, lang)`: a fresh context (own cookies) per user, in `lang` (locale and Accept-Language);
- `login(page, live_server, username, password, lang="fr")`: sign in through the real form;
- `assert_accessible(page, name)`: 0 serious or critical axe-core violations (they are printed otherwise).

Mark each test `@pytest.mark.browser` and
`@pytest.mark.django_db(transaction=True, serialized_rollback=True)`: the live server runs in another
thread, so it only sees committed rows (transaction=True), and serialized_rollback restores the
reference data (communes, exit kinds) that the flush after a transactional test removes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium keeps trying to reach outside hosts (docs/testing.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS = {"serious", "critical"}


@pytest.fixture
def browser() -> Iterator[Any]:
    """Start Chromium for one test; Playwright's sync API runs its own event loop in this thread.

    While that loop runs, Django sees an event loop in the thread and refuses ORM calls from the test
    ("SynchronousOnlyOperation") although nothing here is async: the test, not Playwright, touches
    the database. DJANGO_ALLOW_ASYNC_UNSAFE lifts the check only while the browser is up, and only in
    browser tests.
    One browser per test, not per module: with Playwright's loop kept alive across tests, the next
    test's database set-up (flush, then serialized_rollback's reload of the reference data) did not
    reach the connection the test and the live server then used, and the next test failed on missing
    communes (FOREIGN KEY constraint failed). Launching Chromium costs about a second.
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context_for(browser: Any) -> Iterator[Callable[..., Any]]:
    """Return a factory of browser contexts: one per user, each with its own cookies and language."""
    contexts: dict[tuple[str, str], Any] = {}

    def make(user: Any, lang: str = "fr") -> Any:
        key = (getattr(user, "username", str(user)), lang)
        if key not in contexts:
            contexts[key] = browser.new_context(
                locale={"fr": "fr-BE", "nl": "nl-BE", "en": "en-GB"}.get(lang, lang),
                extra_http_headers={"Accept-Language": lang},
                viewport={"width": 1280, "height": 900},
            )
            contexts[key].set_default_timeout(15_000)
        return contexts[key]

    yield make
    for context in contexts.values():
        # Let in-flight requests finish first: with SQLite in memory the live server shares the test's
        # connection, and a request still running during the flush breaks the next test's data.
        for page in context.pages:
            page.wait_for_load_state("networkidle")
        context.close()


def _login(page: Any, live_server: Any, username: str, password: str, lang: str = "fr") -> None:
    """Sign in through the real login form and wait for the page it leads to."""
    page.goto(f"{live_server.url}/{lang}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


@pytest.fixture
def login() -> Callable[..., None]:
    return _login


def _assert_accessible(page: Any, name: str = "") -> None:
    """Run axe-core on the page: fail on any serious or critical violation, printing each one."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    violations = Axe().run(page).response["violations"]
    bad = [v for v in violations if v.get("impact") in SERIOUS]
    for v in bad:
        targets = [node["target"] for node in v["nodes"]][:5]
        print(f"axe {name or page.url}: {v['impact']} {v['id']}: {v['help']} at {targets}")
    assert not bad, f"{name or page.url}: {[(v['id'], v['impact']) for v in bad]}"


@pytest.fixture
def assert_accessible() -> Callable[..., None]:
    return _assert_accessible
