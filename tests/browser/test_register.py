"""A counsellor fills an information session's register for five people with the keyboard only.

Tab moves from one person's radio group to the next, the arrow keys choose within a group, Space
ticks a radio or a checkbox and Enter submits: no mouse, no JavaScript needed. axe-core checks the
register page before and after.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from autocrea.backbone.steps import Step
from autocrea.pathways import sessions as session_services
from autocrea.pathways.models import InformationSession, Trajectory
from tests.conftest import PASSWORD
from tests.factories import make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _focused(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement; return {name: e.name || '', value: e.value || '',"
        " type: e.type || '', tag: e.tagName}; }"
    )


def _tab_to(page, predicate, limit: int = 60) -> dict:
    """Press Tab until the focused element matches `predicate` (keyboard only, like a user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if predicate(focused):
            return focused
    raise AssertionError(f"Tab never reached the expected element; last focus: {_focused(page)}")


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_counsellor_fills_a_register_with_the_keyboard_only(
    live_server, counsellor, context_for, login, assert_accessible, lang
):
    session = InformationSession.objects.create(
        starts_at=timezone.now() - datetime.timedelta(hours=2), place="Actiris", language=lang, capacity=12
    )
    trajectories = [make_trajectory(step=Step.INTEREST, counsellor=counsellor) for _ in range(5)]
    session_services.register_to_session(session=session, trajectories=trajectories, by=counsellor)
    attendances = list(session.attendances.order_by("trajectory__jobseeker__search_name", "pk"))
    names = [f"status_{a.pk}" for a in attendances]

    page = context_for(counsellor, lang).new_page()
    login(page, live_server, counsellor.username, PASSWORD, lang)
    page.goto(f"{live_server.url}/{lang}/workspace/information-sessions/{session.pk}/register/")
    assert_accessible(page, "register")
    assert page.locator("fieldset").count() == 5

    # present, absent, excused, present, absent: ArrowRight moves (and ticks) along a group's radios.
    wanted = ["present", "absent", "excused", "present", "absent"]
    moves = {"present": 0, "absent": 1, "excused": 2}
    for name, status in zip(names, wanted, strict=True):
        focused = _tab_to(page, lambda f, name=name: f["name"] == name)
        assert focused["value"] == "present"  # nothing ticked yet: Tab lands on the group's first radio
        if moves[status] == 0:
            page.keyboard.press("Space")
        for _ in range(moves[status]):
            page.keyboard.press("ArrowRight")
        assert page.locator(f"input[name={name}]:checked").get_attribute("value") == status
    # Finalise the register with Space, then submit with Enter on the button.
    _tab_to(page, lambda f: f["name"] == "finalise")
    page.keyboard.press("Space")
    assert page.locator("input[name=finalise]").is_checked()
    _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["type"] == "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert page.locator("input[type=radio]").count() == 0  # finalised: read-only
    assert_accessible(page, "finalised register")
    steps = [Trajectory.objects.get(pk=a.trajectory_id).current_step for a in attendances]
    assert steps == [Step.INFORMATION, Step.INTEREST, Step.INTEREST, Step.INFORMATION, Step.INTEREST]
    statuses = [a.status for a in session.attendances.order_by("trajectory__jobseeker__search_name", "pk")]
    assert statuses == wanted
    session.refresh_from_db()
    assert session.finalised_at is not None
