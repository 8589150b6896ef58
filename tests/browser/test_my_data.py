"""My data in a real browser, at 320 px, in French, Dutch and English, with the keyboard alone.

The person opens My data from their pathway, downloads the JSON, and asks for a correction (first
empty: the error summary links to the field; then filled in). Every portal page on the way has 0
axe-core violations of any impact and no horizontal scrolling at 320 px.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from autocrea.backbone.steps import Step
from autocrea.coaching.models import Action, Goal
from autocrea.datarights.models import CorrectionRequest
from tests.conftest import PASSWORD
from tests.factories import make_jobseeker, make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WIDTH = 320


def _t(lang: str, message: str) -> str:
    with translation.override(lang):
        return gettext(message)


def _check_page(page: Any, name: str) -> None:
    """0 axe-core violations of any impact (portal rule), and nothing wider than the phone."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    violations = Axe().run(page).response["violations"]
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert found == [], f"{name}: {found}"
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, f"{name}: horizontal scrolling"


def _press(page: Any, selector: str, key: str = "Enter") -> None:
    page.focus(selector)
    page.keyboard.press(key)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_a_person_sees_downloads_and_corrects_their_data_with_the_keyboard(
    live_server, cast, partners, context_for, lang
):
    person = make_jobseeker(
        user=cast["demo-jobseeker"],
        first_name="Zoë",
        last_name="Van den Broeck",
        contact_language="nl" if lang == "nl" else "fr",
        national_number="85073003328",
        email="zoe.vandenbroeck@example.be",
    )
    trajectory = make_trajectory(
        step=Step.ACCOMPANIMENT,
        counsellor=cast["demo-counsellor"],
        coach=cast["demo-coach-credal"],
        partner=partners["credal"],
        jobseeker=person,
    )
    goal = Goal.objects.create(trajectory=trajectory, title="Ouvrir une boulangerie")
    Action.objects.create(goal=goal, title="Aller à la banque", owner="jobseeker", due_on=trajectory.accompaniment_on)

    context = context_for(cast["demo-jobseeker"], lang)
    page = context.new_page()
    page.set_viewport_size({"width": WIDTH, "height": 800})
    page.goto(f"{live_server.url}/{lang}/my/sign-in/")
    # The sign-in name field is #id_login (allauth) or #id_username, depending on the sign-in form.
    page.locator("#id_login, #id_username").first.fill("demo-jobseeker")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        _press(page, "main form button[type=submit] >> nth=0")
    page.goto(f"{live_server.url}/{lang}/my/pathway/")

    # My pathway → My data, with the keyboard.
    with page.expect_navigation():
        _press(page, "#my-data-link a")
    assert page.url.endswith(f"/{lang}/my/data/")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == _t(lang, "My data")
    body = page.locator("main").inner_text()
    assert "Van den Broeck" in body and "••.••.••-•••.28" in body and "Ouvrir une boulangerie" in body
    _check_page(page, f"my data {lang}")

    # Download the JSON (Enter on the link) and read it back.
    with page.expect_download() as download:
        _press(page, "#download-json")
    with open(download.value.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["person"]["last_name"] == "Van den Broeck"
    assert data["person"]["national_number_masked"] == "••.••.••-•••.28"
    assert data["trajectories"][0]["action_plan"][0]["actions"][0]["title"] == "Aller à la banque"

    # Ask for a correction: first with nothing filled in.
    with page.expect_navigation():
        _press(page, "#ask-correction")
    assert page.url.endswith(f"/{lang}/my/data/correction/")
    _check_page(page, f"correction {lang}")
    with page.expect_navigation():
        _press(page, "#send-correction")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.title().startswith(_t(lang, "Error:"))
    _check_page(page, f"correction with errors {lang}")
    # The summary's first link takes the keyboard to the field.
    _press(page, ".govuk-error-summary a[href='#id_what_is_wrong']")
    assert page.evaluate("document.activeElement.id") == "id_what_is_wrong"
    page.keyboard.type("Mon adresse e-mail est fausse")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_what_it_should_be"
    page.keyboard.type("zoe@example.be")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "send-correction"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("#")[0].endswith(f"/{lang}/my/data/")
    request = CorrectionRequest.objects.get(jobseeker=person)
    assert request.what_is_wrong == "Mon adresse e-mail est fausse" and request.status == "open"
    card = page.locator(f"#correction-{request.pk}")
    assert card.is_visible()
    assert _t(lang, "Waiting for an answer") in card.inner_text()
    assert page.locator(".govuk-notification-banner--success").is_visible()
    _check_page(page, f"my data with a request {lang}")


def test_a_counsellor_answers_a_correction_request_from_the_task_list(
    live_server, cast, partners, context_for, login, assert_accessible
):
    person = make_jobseeker(user=cast["demo-jobseeker"], first_name="Zoë", last_name="Van den Broeck")
    make_trajectory(step=Step.INFORMATION, counsellor=cast["demo-counsellor"], jobseeker=person)
    request = CorrectionRequest.objects.create(
        jobseeker=person, what_is_wrong="Mon adresse est fausse", what_it_should_be="Rue Haute 1"
    )
    counsellor = cast["demo-counsellor"]
    page = context_for(counsellor, "fr").new_page()
    login(page, live_server, counsellor.username, PASSWORD, "fr")
    page.goto(f"{live_server.url}/fr/workspace/correction-requests/")
    assert_accessible(page, "correction requests")
    assert "Van den Broeck" in page.locator(f"#request-{request.pk}").inner_text()
    with page.expect_navigation():
        page.click(f"#request-{request.pk} a")
    assert_accessible(page, "answer a correction request")
    page.check("input[name=status][value=done]")
    page.fill("#id_answer", "Nous avons corrigé votre adresse.")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    request.refresh_from_db()
    assert request.status == "done" and request.answer == "Nous avons corrigé votre adresse."
    assert page.locator(f"#request-{request.pk}").count() == 0
