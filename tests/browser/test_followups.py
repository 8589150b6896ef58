"""The +6-month follow-up in a real browser, FR and NL: the person exited six months ago is on the worklist,
a contact attempt and then the answer are recorded from it, and axe-core checks every page."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from autocrea.backbone.steps import Step
from autocrea.pathways.models import FollowUp, FollowUpAttempt
from tests.conftest import PASSWORD
from tests.factories import make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _submit(page):
    with page.expect_navigation():
        page.click("main form button[type=submit]")


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_coach_records_the_follow_up_of_a_person_exited_six_months_ago(
    live_server, counsellor, coach, partners, context_for, login, assert_accessible, lang
):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=183 + 7)
    t = make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach, partner=partners["credal"], start=start)
    follow_up = FollowUp.objects.get(trajectory=t)
    assert follow_up.due_on <= today  # exited six months ago: due now

    page = context_for(coach, lang).new_page()
    login(page, live_server, coach.username, PASSWORD, lang)
    assert page.locator(".ac-follow-ups-due").count() == 1  # the count on the home page
    page.goto(f"{live_server.url}/{lang}/workspace/follow-ups/")
    assert_accessible(page, "follow-up worklist")
    row = page.locator("tr", has=page.locator(f"a[href$='/trajectories/{t.pk}/']"))
    assert row.count() == 1
    assert row.locator(".govuk-tag--orange").count() == 1  # reminder due: nobody tried yet

    # A contact attempt by phone, then the answer.
    with page.expect_navigation():
        row.locator("a[href*='/follow-up/attempt/']").click()
    assert_accessible(page, "contact attempt")
    page.check("input[name=channel][value=phone]")
    page.fill("textarea[name=note]", "Voicemail")
    _submit(page)
    assert "/workspace/follow-ups/" in page.url
    assert FollowUpAttempt.objects.filter(follow_up=follow_up).count() == 1
    row = page.locator("tr", has=page.locator(f"a[href$='/trajectories/{t.pk}/']"))
    assert row.locator(".govuk-tag--orange").count() == 0  # tried today: no reminder

    with page.expect_navigation():
        row.locator("a[href*='/follow-up/answer/']").click()
    assert_accessible(page, "follow-up answer")
    _submit(page)  # nothing chosen: errors, nothing written
    assert page.locator(".govuk-error-summary").count() == 1
    assert_accessible(page, "follow-up answer with errors")
    page.check("input[name=situation][value=self_employed]")
    page.check("input[name=improved][value=yes]")
    page.check("input[name=source][value=phone]")
    _submit(page)
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.situation, follow_up.source) == ("answered", "self_employed", "phone")
    t.refresh_from_db()
    assert t.current_step == Step.FOLLOW_UP

    page.goto(f"{live_server.url}/{lang}/workspace/follow-ups/?show=answered")
    assert page.locator(f"a[href$='/trajectories/{t.pk}/']").count() == 1
    assert_accessible(page, "answered follow-ups")


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_counsellor_sees_every_scheduled_follow_up_on_a_phone_and_a_desktop(
    live_server, counsellor, coach, other_coach, partners, context_for, login, assert_accessible, lang
):
    """A follow-up due in five months is under "All scheduled", not "upcoming"; the tab keeps the view in the
    URL; nothing is wider than a 375 px phone. With AUTOCREA_SCREENSHOTS=<folder>, both widths are saved."""
    today = timezone.localdate()
    later = make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach, partner=partners["credal"])
    soon = make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=other_coach, partner=partners["microstart"])
    FollowUp.objects.filter(trajectory=later).update(due_on=today + datetime.timedelta(days=150))
    FollowUp.objects.filter(trajectory=soon).update(due_on=today + datetime.timedelta(days=12))

    page = context_for(counsellor, lang).new_page()
    login(page, live_server, counsellor.username, PASSWORD, lang)
    page.goto(f"{live_server.url}/{lang}/workspace/follow-ups/?show=upcoming")
    assert page.locator(f"a[href$='/trajectories/{later.pk}/']").count() == 0
    with page.expect_navigation():
        page.click(".ac-view-tabs a[href*='show=scheduled']")
    assert "show=scheduled" in page.url
    assert page.locator(".ac-view-tabs a[aria-current=page] .ac-count").inner_text() == "2"
    rows = page.locator("tbody tr th a[href*='/trajectories/']")
    assert [rows.nth(i).get_attribute("href").rstrip("/").rsplit("/", 1)[1] for i in range(2)] == [
        str(soon.pk),
        str(later.pk),
    ]
    assert_accessible(page, f"scheduled follow-ups {lang}")
    shots = os.environ.get("AUTOCREA_SCREENSHOTS")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        if width == 375:
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, "horizontal scrolling"
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/followups-scheduled-{lang}-{width}.png", full_page=True)
