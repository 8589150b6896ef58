"""After planning: a coach cancels a registration, changes a series and cancels the rest of it; plans an
individual session ahead and cancels it. In French and in Dutch, axe-core on every page, and each form
submitted without JavaScript-only controls (plain buttons and links).
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from autocrea.backbone.steps import Step
from autocrea.coaching.models import CoachingSession, SessionAttendance
from autocrea.coaching.services import collective_sessions
from tests.conftest import PASSWORD
from tests.factories import make_jobseeker, make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _accompanied(counsellor, coach, partners, n: int) -> list:
    return [
        make_trajectory(
            step=Step.ACCOMPANIMENT,
            counsellor=counsellor,
            coach=coach,
            partner=partners["credal"],
            jobseeker=make_jobseeker(email=f"person{i}@example.org"),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_coach_cancels_a_registration_changes_the_series_and_cancels_the_rest(
    live_server, counsellor, coach, partners, context_for, login, assert_accessible, lang
):
    people = _accompanied(counsellor, coach, partners, 3)
    series = collective_sessions.plan_collective_series(
        by=coach,
        topic="Prospection",
        place="Rue de la Loi 1",
        mode="in_person",
        capacity=8,
        duration_minutes=120,
        first_day=timezone.localdate() + datetime.timedelta(days=7),
        start_time=datetime.time(18, 0),
        recurrence="weekly",
        count=3,
    )
    first, second, third = series.sessions.order_by("starts_at")
    collective_sessions.register_to_collective_session(session=first, trajectories=people[:1], by=coach)
    collective_sessions.register_to_collective_session(session=second, trajectories=people[1:], by=coach)
    base = f"{live_server.url}/{lang}/workspace"
    page = context_for(coach, lang).new_page()
    login(page, live_server, coach.username, PASSWORD, lang)

    # Cancel the one registration of the first session from its register page.
    page.goto(f"{base}/collective-sessions/{first.pk}/register/")
    assert_accessible(page, "register before the session")
    with page.expect_navigation():
        page.click("form[action*='/registrations/'] button[type=submit]")
    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert not SessionAttendance.objects.filter(session=first).exists()

    # Change the series: fewer places than the two people registered to the second session is refused.
    page.click(f"a[href$='/collective-sessions/series/{series.pk}/edit/']")
    page.wait_for_load_state("load")
    assert_accessible(page, "series edit")
    page.fill("#id_capacity", "1")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page, "series edit refused")
    assert set(series.sessions.values_list("capacity", flat=True)) == {8}
    page.fill("#id_capacity", "6")
    page.fill("#id_time", "19:00")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert set(series.sessions.values_list("capacity", flat=True)) == {6}
    second.refresh_from_db()
    assert timezone.localtime(second.starts_at).time() == datetime.time(19, 0)

    # Cancel the second session and the rest of the series.
    page.goto(f"{base}/collective-sessions/{second.pk}/cancel/")
    assert_accessible(page, "cancel sessions")
    page.check("input[name=scope][value=rest]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert_accessible(page, "collective sessions after cancelling")
    assert list(series.sessions.order_by("starts_at").values_list("cancelled", flat=True)) == [False, True, True]
    assert CoachingSession.objects.get(pk=third.pk).finalised_at is not None


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_coach_plans_an_individual_session_ahead_then_cancels_it(
    live_server, counsellor, coach, partners, context_for, login, assert_accessible, lang
):
    (trajectory,) = _accompanied(counsellor, coach, partners, 1)
    base = f"{live_server.url}/{lang}/workspace"
    page = context_for(coach, lang).new_page()
    login(page, live_server, coach.username, PASSWORD, lang)
    page.goto(f"{base}/trajectories/{trajectory.pk}/sessions/new/")
    assert_accessible(page, "session form")
    day = timezone.localdate() + datetime.timedelta(days=10)
    page.fill("#id_day", day.strftime("%d/%m/%Y"))
    page.fill("#id_time", "10:30")
    page.check("input[name=mode][value=video]")
    page.fill("#id_topic", "Plan financier")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".govuk-notification-banner--success").is_visible()
    session = CoachingSession.objects.get(kind="individual")
    assert SessionAttendance.objects.get(session=session).status == "registered"
    assert_accessible(page, "trajectory with a planned session")

    page.click(f"a[href$='/sessions/{session.pk}/cancel/']")
    page.wait_for_load_state("load")
    assert_accessible(page, "cancel the planned session")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".govuk-notification-banner--success").is_visible()
    session.refresh_from_db()
    assert session.cancelled
    assert page.locator(f"a[href$='/sessions/{session.pk}/cancel/']").count() == 0
