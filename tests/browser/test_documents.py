"""Attestations in a real browser: the person's My documents page (FR and NL) and the staff's print link.

The portal page must have 0 axe-core violations of any impact and no horizontal scrolling at 320 px;
each downloaded PDF is read back: it is in the person's contact language, whatever the screen's.
"""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pypdf
import pytest
from django.utils import translation
from django.utils.translation import gettext

from autocrea.backbone.steps import Step
from autocrea.pathways import services
from tests.conftest import PASSWORD
from tests.factories import make_jobseeker, make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _pdf_text(download: Any) -> str:
    with open(download.path(), "rb") as file:
        content = file.read()
    assert content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _t(lang: str, message: str) -> str:
    with translation.override(lang):
        return gettext(message)


@pytest.fixture
def person(cast: dict[str, Any], partners: dict[str, Any]) -> Any:
    """A Dutch-speaking person who left Crédal and answered the +6-month follow-up."""
    coach = cast["demo-coach-credal"]
    jobseeker = make_jobseeker(
        user=cast["demo-jobseeker"], first_name="Zoë", last_name="Van den Broeck", contact_language="nl"
    )
    trajectory = make_trajectory(
        step=Step.EXIT, counsellor=cast["demo-counsellor"], coach=coach, partner=partners["credal"], jobseeker=jobseeker
    )
    return services.record_follow_up(
        trajectory=trajectory,
        by=coach,
        on=trajectory.exit_on + datetime.timedelta(days=1),
        responded=True,
        situation="self_employed",
        improved=True,
        source="phone",
    )


def _check_page(page: Any, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    violations = Axe().run(page).response["violations"]
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert found == [], f"{name}: {found}"


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_person_downloads_their_attestations_from_my_documents(live_server, cast, person, context_for, lang):
    page = context_for(cast["demo-jobseeker"], lang).new_page()
    page.goto(f"{live_server.url}/{lang}/my/sign-in/")
    page.fill("#id_login", "demo-jobseeker")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/{lang}/my/pathway/")
    with page.expect_navigation():
        page.click("#my-documents-link a")
    assert page.url.endswith(f"/{lang}/my/documents/")
    assert page.locator("html").get_attribute("lang") == lang
    _check_page(page, f"my documents {lang}")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    _check_page(page, f"my documents {lang} at 320 px")
    for kind, title in (("participation", "Attestation of participation"), ("follow-up", "Attestation of follow-up")):
        with page.expect_download() as download:
            page.click(f"[data-document='{kind}']")
        text = _pdf_text(download.value)
        assert "Zoë Van den Broeck" in text
        # Always Dutch: the person's contact language, whatever the screen's.
        assert _t("nl", title) in text and _t("nl", "Date of birth") in text
        assert _t("fr", "Date of birth") not in text


def test_the_coach_prints_the_attestation_from_the_trajectory_page(
    live_server, cast, person, context_for, login, assert_accessible
):
    coach = cast["demo-coach-credal"]
    page = context_for(coach, "fr").new_page()
    login(page, live_server, coach.username, PASSWORD, "fr")
    page.goto(f"{live_server.url}/fr/workspace/trajectories/{person.pk}/")
    assert_accessible(page, "trajectory with documents")
    assert page.locator("#documents [data-document]").count() == 2
    with page.expect_download() as download:
        page.click("#documents [data-document='participation']")
    assert download.value.suggested_filename == f"attestation-participation-{person.reference.lower()}.pdf"
    text = _pdf_text(download.value)
    assert "Zoë Van den Broeck" in text and _t("nl", "Date of birth") in text
