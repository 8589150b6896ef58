"""A coach plans a collective session, registers three ticked people from the caseload in one action, and fills
the session's register in one screen with the keyboard only; then opens the printable signature roster.

axe-core checks every page on the way (0 serious or critical violations), in French and in Dutch.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from autocrea.backbone.steps import Step
from autocrea.coaching.models import CoachingSession, SessionAttendance
from tests.browser.test_register import _focused, _tab_to
from tests.conftest import PASSWORD
from tests.factories import make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_coach_registers_three_people_from_the_caseload_and_fills_the_register(
    live_server, counsellor, coach, partners, context_for, login, assert_accessible, lang
):
    people = [
        make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"])
        for _ in range(4)
    ]
    base = f"{live_server.url}/{lang}/workspace"
    page = context_for(coach, lang).new_page()
    login(page, live_server, coach.username, PASSWORD, lang)

    # Plan one session (a series of one) tomorrow.
    page.goto(f"{base}/collective-sessions/new/")
    assert "/collective-sessions/new/" in page.url, page.url
    assert_accessible(page, "series form")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.fill("#id_topic", "Prospection")
    page.fill("#id_place", "Rue de la Loi 1, Bruxelles")
    page.fill("#id_first_day", tomorrow.strftime("%d/%m/%Y"))
    page.fill("#id_time", "14:00")
    page.fill("#id_capacity", "8")
    page.fill("#id_count", "1")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert_accessible(page, "collective sessions")
    session = CoachingSession.objects.get(kind="collective")

    # Tick three people on the caseload and register them in one action.
    page.goto(f"{base}/caseload/")
    assert_accessible(page, "caseload")
    for trajectory in people[:3]:
        page.check(f"#select-{trajectory.pk}")
    page.select_option("#id_register_to", str(session.pk))
    with page.expect_navigation():
        page.click("button[name=bulk][value=register]")
    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert set(SessionAttendance.objects.values_list("trajectory_id", flat=True)) == {t.pk for t in people[:3]}
    assert_accessible(page, "caseload after registering")

    # The session takes place; the register is one screen, filled with the keyboard only.
    CoachingSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    names = [f"status_{a.pk}" for a in session.attendances.order_by("trajectory__jobseeker__search_name", "pk")]
    page.goto(f"{base}/collective-sessions/{session.pk}/register/")
    assert_accessible(page, "register")
    assert page.locator("fieldset").count() == 3
    wanted = ["present", "absent", "present"]
    for name, status in zip(names, wanted, strict=True):
        focused = _tab_to(page, lambda f, name=name: f["name"] == name)
        assert focused["value"] == "present"
        if status == "present":
            page.keyboard.press("Space")
        else:
            page.keyboard.press("ArrowRight")
        assert page.locator(f"input[name={name}]:checked").get_attribute("value") == status
    _tab_to(page, lambda f: f["name"] == "finalise")
    page.keyboard.press("Space")
    _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["type"] == "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert page.locator("input[type=radio]").count() == 0  # finalised: read-only
    statuses = dict(session.attendances.values_list("trajectory_id", "status"))
    assert sorted(statuses.values()) == ["absent", "present", "present"]
    assert_accessible(page, "finalised register")

    # The roster prints one row per person registered.
    page.goto(f"{base}/collective-sessions/{session.pk}/roster/")
    assert_accessible(page, "roster")
    rows = page.locator(".ac-roster__table tbody th[scope=row]")
    assert rows.count() == 3
    page.emulate_media(media="print")
    assert not page.locator(".ac-header").is_visible()
    assert _focused(page)["tag"] in {"BODY", "A", "BUTTON"}
