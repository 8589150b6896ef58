"""The +6-month follow-up in a real browser, FR and NL: the person exited six months ago is on the worklist,
a contact attempt and then the answer are recorded from it, and axe-core checks every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from autocrea.pathways.models import FollowUp, FollowUpAttempt
from autocrea.pathways.steps import Step
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
