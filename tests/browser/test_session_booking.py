"""A counsellor books a person on an information session from their page, or moves the booking: no JavaScript needed.

axe-core checks the trajectory page with the section, at a phone's width and a desktop's. Set
AUTOCREA_SHOTS to a folder to keep screenshots of the section.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from autocrea.backbone.steps import Step
from autocrea.jobseekers.models import Jobseeker
from autocrea.pathways.models import InformationAttendance, InformationSession
from tests.conftest import PASSWORD
from tests.factories import make_jobseeker, make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_counsellor_books_a_session_from_the_persons_page(
    live_server, counsellor, context_for, login, assert_accessible, lang
):
    person: Jobseeker = make_jobseeker(
        contact_language=lang, email="amina@example.org", first_name="Amina", last_name="Benali"
    )
    trajectory = make_trajectory(step=Step.INTEREST, counsellor=counsellor, jobseeker=person)
    morning = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
    places = ["Actiris, Boulevard Anspach 65, 1000 Bruxelles", "Actiris, Avenue de l'Astronomie 14, 1210 Saint-Josse"]
    sessions = [
        InformationSession.objects.create(
            starts_at=morning + datetime.timedelta(days=day),
            place=places[day % 2],
            language=language,
            capacity=12,
        )
        for day, language in [(2, "fr"), (3, "nl"), (5, "fr"), (8, "nl"), (9, "fr"), (12, "nl"), (15, "fr")]
    ]
    shots = os.environ.get("AUTOCREA_SHOTS")
    page = context_for(counsellor, lang).new_page()
    login(page, live_server, counsellor.username, PASSWORD, lang)
    url = f"{live_server.url}/{lang}/workspace/trajectories/{trajectory.pk}/"
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        section = page.locator("#information-booking")
        assert section.locator("button").count() == 5
        assert_accessible(page, f"trajectory {width}")
        if shots:
            section.screenshot(path=str(Path(shots) / f"booking-{lang}-{width}.png"))
    # The person's language first: the first button books the first session in their language.
    first = next(s for s in sessions if s.language == lang)
    section = page.locator("#information-booking")
    assert section.locator("input[name=session]").first.get_attribute("value") == str(first.pk)
    with page.expect_navigation():
        section.locator("button").first.click()
    assert page.url.endswith(f"/trajectories/{trajectory.pk}/")
    assert page.locator(".govuk-notification-banner--success").count() == 1
    assert page.locator("#current-booking").count() == 1
    assert_accessible(page, "trajectory booked")
    if shots:
        page.set_viewport_size({"width": 375, "height": 900})
        page.screenshot(path=str(Path(shots) / f"booked-{lang}-375.png"), full_page=False)
    assert list(InformationAttendance.objects.filter(trajectory=trajectory).values_list("session_id", flat=True)) == [
        first.pk
    ]
    # "I can't come that day": cancel (one click), then book another date (one click).
    with page.expect_navigation():
        page.locator("#cancel-booking").click()
    assert page.url.endswith(f"/trajectories/{trajectory.pk}/#information-booking")
    assert page.locator(".govuk-notification-banner--success").count() == 1
    assert page.locator("#current-booking").count() == 0
    section = page.locator("#information-booking")
    assert section.locator("button").count() == 5
    assert_accessible(page, "trajectory booking cancelled")
    later = [s for s in sessions if s.language == lang][1]
    with page.expect_navigation():
        section.locator(f"#booking-sessions form:has(input[name=session][value='{later.pk}']) button").click()
    assert page.locator("#current-booking").count() == 1
    assert list(InformationAttendance.objects.filter(trajectory=trajectory).values_list("session_id", flat=True)) == [
        later.pk
    ]
