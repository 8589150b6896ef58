"""A new person, in a real browser at 320 px, with the keyboard: interest → session → partner.

Every portal and public page visited must have 0 axe-core violations of any impact, no
horizontal scrolling at 320 px and, when the Nu Html Checker is available (`make vnu`, or VNU_JAR
points to vnu.jar, and Java is installed), 0 HTML errors in the pages as the browser has them.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from autocrea.accounts.models import User
from autocrea.backbone.steps import Channel, Step
from autocrea.demo.personas import ensure_accounts
from autocrea.pathways import services as pathways
from autocrea.pathways.models import InformationAttendance, InformationSession, Orientation, Trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "my green bicycle sings"
COMMUNE_TYPED = {"fr": "Ixelles", "nl": "Elsene", "en": "Ixelles"}
# An English reader is written to in French or Dutch (the contact languages); this one picks French.
CONTACT_LANGUAGE = {"fr": "fr", "nl": "nl", "en": "fr"}
VNU = Path(__file__).resolve().parents[2] / ".cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar"


@pytest.fixture
def portal_browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test still reads the database.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Checker:
    """Check each page: axe-core (any impact), 320 px without scrolling, and HTML validity later."""

    def __init__(self, folder: Path) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.folder = folder
        self.pages: list[Path] = []

    def __call__(self, page: Any, name: str) -> None:
        page.wait_for_load_state("load")
        violations = self.axe.run(page).response["violations"]
        found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        assert found == [], f"{name}: {found}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{name}: scrolls horizontally ({width} px)"
        path = self.folder / f"{len(self.pages):02d}-{name}.html"
        path.write_text(page.content(), encoding="utf-8")
        self.pages.append(path)

    def validate_html(self) -> None:
        jar = os.environ.get("VNU_JAR", "") or str(VNU)
        if not jar or not Path(jar).exists() or not shutil.which("java"):
            return
        result = subprocess.run(
            ["java", "-jar", jar, "--errors-only", *map(str, self.pages)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-4000:]


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def type_into(page: Any, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def submit(page: Any, selector: str = "main form button[type=submit]", key: str = "Enter") -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press(key)


def choose_radio(page: Any, name: str, index: int) -> None:
    """Tab into a radio group (focus lands on the first option), move with arrows, select with Space."""
    tab_to(page, f"input[name={name}]")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.is_checked(f"#id_{name}_{index}")


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_a_new_person_expresses_interest_books_a_session_and_chooses_a_partner(
    live_server: Any, portal_browser: Any, tmp_path: Path, lang: str
) -> None:
    users = ensure_accounts("correct-horse-battery-staple")
    counsellor = users["demo-counsellor"]
    session = InformationSession.objects.create(
        starts_at=timezone.now() + datetime.timedelta(days=5),
        place="Actiris, Boulevard Anspach 65",
        language=CONTACT_LANGUAGE[lang],
        capacity=12,
    )
    check = Checker(tmp_path)
    context = portal_browser.new_context(
        viewport={"width": 320, "height": 700}, locale=lang, extra_http_headers={"Accept-Language": lang}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/")
    check(page, "home")
    assert page.locator("html").get_attribute("lang") == lang

    # Read the public pages first, as a visitor would.
    for path, name in [
        ("programme/how-it-works/", "how"),
        ("programme/partners/", "partners"),
        ("programme/accessibility/", "accessibility"),
        ("programme/privacy/", "privacy"),
    ]:
        page.goto(f"{live_server.url}/{lang}/{path}")
        check(page, name)
    page.goto(f"{live_server.url}/{lang}/")

    # Interest: one question per page, keyboard only.
    submit(page, "#interest-button")
    check(page, "interest-start")
    submit(page, "#start-button")
    submit(page)  # nothing typed: the error summary links to the field
    check(page, "name-error")
    assert page.locator(".govuk-error-summary a[href='#id_first_name']").count() == 1
    type_into(page, "#id_first_name", "Fatima")
    type_into(page, "#id_last_name", "El Amrani")
    submit(page)
    check(page, "birth-date")
    type_into(page, "#id_day", "27")
    type_into(page, "#id_month", "3")
    type_into(page, "#id_year", "1985")
    submit(page)
    check(page, "gender")
    choose_radio(page, "gender", 0)
    submit(page)
    check(page, "language")
    choose_radio(page, "contact_language", 0 if CONTACT_LANGUAGE[lang] == "fr" else 1)
    submit(page)
    check(page, "contact")
    type_into(page, "#id_email", f"fatima-{lang}@example.org")
    type_into(page, "#id_phone", "0470 12 34 56")
    submit(page)
    check(page, "commune")
    tab_to(page, "#id_commune")
    page.keyboard.type(COMMUNE_TYPED[lang])
    assert page.input_value("#id_commune") == "21009"
    submit(page)
    check(page, "education")
    choose_radio(page, "education_level", 2)
    submit(page)
    check(page, "project")
    type_into(page, "#id_project_summary", "Un food truck")
    submit(page)
    check(page, "password")
    type_into(page, "#id_password1", PASSWORD)
    type_into(page, "#id_password2", PASSWORD)
    submit(page)
    check(page, "check-answers")
    submit(page, "#send-button")
    check(page, "done")

    user = User.objects.get(username=f"fatima-{lang}@example.org")
    trajectory = Trajectory.objects.get(jobseeker__user=user)
    assert (trajectory.current_step, trajectory.intake_channel) == (Step.INTEREST, Channel.WEB)
    assert trajectory.jobseeker.contact_language == CONTACT_LANGUAGE[lang]

    # Book an information session (links are followed with Enter, buttons pressed with Space).
    submit(page, "#book-session")
    check(page, "sessions")
    submit(page, "#session-list button", key="Space")
    check(page, "sessions-booked")
    assert InformationAttendance.objects.filter(trajectory=trajectory, session=session).count() == 1
    assert page.locator("#my-booking").count() == 1

    # A counsellor records the information (individual interview) and the decision.
    today = timezone.localdate()
    trajectory = pathways.record_information(trajectory=trajectory, by=counsellor, channel=Channel.COUNTER, on=today)
    pathways.record_decision(
        trajectory=trajectory, by=counsellor, channel=Channel.COUNTER, on=today, go_ahead=True, reason="go"
    )

    page.goto(f"{live_server.url}/{lang}/my/pathway/")
    check(page, "pathway-decision")
    submit(page, "#choose-partner")
    check(page, "partners-choose")
    submit(page, "#confirm-partner")  # no choice yet: an error summary
    check(page, "partners-choose-error")
    assert page.locator(".govuk-error-summary a[href='#id_partner_0']").count() == 1
    choose_radio(page, "partner", 0)
    submit(page, "#confirm-partner")
    check(page, "pathway-oriented")

    orientation = Orientation.objects.get(trajectory=trajectory)
    assert orientation.chosen_by_person is True
    assert orientation.partner.slug == "credal"  # the first partner in the list
    assert page.locator("#my-partner").count() == 1
    context.close()
    check.validate_html()
