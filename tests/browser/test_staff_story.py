"""The whole staff story in a real browser, in French (mouse) and in Dutch (keyboard only).

A counsellor records a person on their behalf, plans an information session, registers the person to it and
takes its register; records the decision and the partner the person chose. That partner's coach accepts,
records the diagnostic, registers the person and two others to a collective session in one action from the
caseload, fills its register in one screen, records two milestones and the exit; the follow-up is then on
the +6-month worklist, first as upcoming and, six months later, as due.

Every step goes through the real screens. The only shortcuts: the two other people of the collective session
are created by the test, and the clock is moved three times (a session "takes place" by moving its start an
hour back; "six months later" moves the exit and its follow-up back). In Dutch, no mouse at all: Tab and
Shift+Tab move the focus, the arrow keys choose a radio or an option, Space ticks, Enter follows a link or
submits. axe-core checks every staff page visited (0 serious or critical violations).

A second test walks every staff page of the authorization matrix with Tab only: the first Tab reaches a
visible skip link, every visible interactive element is reached, and each one shows a visible focus
indicator.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from autocrea.backbone.steps import Step
from autocrea.coaching.models import CoachingSession, Milestone, SessionAttendance
from autocrea.pathways.models import Exit, FollowUp, InformationAttendance, InformationSession, Trajectory
from tests.conftest import PASSWORD
from tests.factories import make_jobseeker, make_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BCE = "0403.170.701"  # a valid enterprise number (modulo 97)


class Driver:
    """Drive a page with the mouse (click, fill) or with the keyboard only (Tab, arrows, Space, Enter).

    In keyboard mode nothing is clicked or filled by Playwright: each control is reached with Tab (or
    Shift+Tab when it is above the focus), text is typed, radios move with the arrow keys, checkboxes
    tick with Space, selects move with the arrow keys, and links and buttons are activated with Enter.
    `presses` counts the keys pressed to move the focus.
    """

    def __init__(self, page: Any, *, keyboard: bool) -> None:
        self.page = page
        self.keyboard = keyboard
        self.presses = 0

    def _active_matches(self, selector: str) -> bool:
        return self.page.evaluate(
            "(s) => { const a = document.activeElement; return !!a && a !== document.body && a.matches(s); }", selector
        )

    def focus(self, selector: str, limit: int = 250) -> None:
        """Move the focus to an element matching `selector` with Tab or Shift+Tab only."""
        assert self.page.locator(selector).count(), f"nothing matches {selector} on {self.page.url}"
        if self._active_matches(selector):
            return
        backwards = self.page.evaluate(
            """(s) => { const a = document.activeElement, t = document.querySelector(s);
                 if (!a || a === document.body) return false;
                 return !!(a.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_PRECEDING); }""",
            selector,
        )
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            self.presses += 1
            if self._active_matches(selector):
                return
        active = self.page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
        raise AssertionError(f"{key} never reached {selector} on {self.page.url}; focus on {active}")

    def fill(self, selector: str, text: str) -> None:
        if not self.keyboard:
            self.page.fill(selector, text)
            return
        self.focus(selector)
        self.page.keyboard.press("Control+a")
        self.page.keyboard.press("Backspace")
        self.page.keyboard.type(text)
        assert self.page.input_value(selector) == text

    def choose(self, name: str, value: Any) -> None:
        """Tick one radio of the group `name`."""
        target = f"input[type=radio][name='{name}'][value='{value}']"
        if not self.keyboard:
            self.page.check(target)
            return
        self.focus(f"input[type=radio][name='{name}']")
        for _ in range(30):
            if self._active_matches(target):
                if not self.page.is_checked(target):
                    self.page.keyboard.press("Space")
                break
            self.page.keyboard.press("ArrowDown")  # moves to the next radio of the group and ticks it
        assert self.page.is_checked(target), f"{target} is not ticked"

    def tick(self, selector: str) -> None:
        if not self.keyboard:
            self.page.check(selector)
            return
        self.focus(selector)
        if not self.page.is_checked(selector):
            self.page.keyboard.press("Space")
        assert self.page.is_checked(selector)

    def select(self, selector: str, value: Any) -> None:
        if not self.keyboard:
            self.page.select_option(selector, str(value))
            return
        self.focus(selector)
        self.page.keyboard.press("Home")
        for _ in range(100):
            if self.page.input_value(selector) == str(value):
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"the arrow keys never chose {value} in {selector}")

    def go(self, selector: str) -> None:
        """Follow a link or press a submit button, and wait for the next page."""
        with self.page.expect_navigation():
            if self.keyboard:
                self.focus(selector)
                self.page.keyboard.press("Enter")
            else:
                self.page.click(selector)

    def submit(self, selector: str = "main form[method=post] button[type=submit]") -> None:
        self.go(selector)


def _sign_in(driver: Driver, live_server: Any, username: str, lang: str) -> None:
    driver.page.goto(f"{live_server.url}/{lang}/accounts/login/")
    driver.fill("#id_login", username)
    driver.fill("#id_password", PASSWORD)
    driver.go("main button[type=submit]")
    assert "/accounts/login/" not in driver.page.url


def _banner(page: Any) -> None:
    assert page.locator(".govuk-notification-banner--success").is_visible(), page.url
    assert page.locator(".govuk-error-summary").count() == 0, page.locator(".govuk-error-summary").inner_text()


def _open_trajectory(driver: Driver, trajectory: Trajectory) -> None:
    """From any page: the menu's trajectories, a search on the name, then the person's page."""
    driver.go("header a[href$='/workspace/trajectories/']")
    driver.fill("#id_q", trajectory.jobseeker.last_name)
    driver.go("main form[method=get] button[type=submit]")
    driver.go(f"main a[href*='/trajectories/{trajectory.pk}/']")


def _step(trajectory: Trajectory) -> str:
    return Trajectory.objects.get(pk=trajectory.pk).current_step


@pytest.mark.parametrize(("lang", "keyboard"), [("fr", False), ("nl", True)], ids=["fr-mouse", "nl-keyboard"])
def test_a_counsellor_and_a_coach_take_one_person_through_the_whole_story(
    live_server, counsellor, coach, partners, context_for, assert_accessible, lang, keyboard
):
    started = time.monotonic()
    today = timezone.localdate()
    day = today.strftime("%d/%m/%Y")
    tomorrow = (today + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    last_name = f"Verhaegen-{lang}"
    c = Driver(context_for(counsellor, lang).new_page(), keyboard=keyboard)
    page = c.page

    # 1. The counsellor records the person on their behalf (they came to the counter).
    _sign_in(c, live_server, counsellor.username, lang)
    assert_accessible(page, "counsellor home")
    c.go("header a[href$='/workspace/intake/']")
    assert_accessible(page, "intake")
    c.fill("#id_first_name", "Aïcha")
    c.fill("#id_last_name", last_name)
    c.fill("#id_birth_date", "14/05/1979")
    c.choose("gender", "female")
    c.choose("contact_language", lang)
    c.fill("#id_email", f"aicha.{lang}@example.org")
    c.choose("education_level", "lower_secondary")
    c.choose("income_source", "cpas")
    c.fill("#id_project_summary", "Traiteur à domicile")
    c.choose("channel", "counter")
    c.submit()
    _banner(page)
    assert_accessible(page, "trajectory after the intake")
    t = Trajectory.objects.get(jobseeker__last_name=last_name)
    assert t.current_step == Step.INTEREST
    assert t.steps.get().by_id == counsellor.pk  # recorded on their behalf, by the counsellor

    # 2. An information session is planned tomorrow, and the person is registered to it.
    c.go("header a[href$='/workspace/information-sessions/']")
    assert_accessible(page, "information sessions")
    c.fill("#id_day", tomorrow)
    c.fill("#id_time", "09:30")
    c.fill("#id_place", "Actiris, Boulevard Anspach 65")
    c.choose("language", lang)
    c.fill("#id_capacity", "15")
    c.submit()
    _banner(page)
    session = InformationSession.objects.get()
    c.go(f"main a[href$='/information-sessions/{session.pk}/registrations/']")
    assert_accessible(page, "registrations")
    c.fill("#id_q", last_name[:6])
    c.go("main form[role=search] button[type=submit]")
    c.tick(f"#id_trajectories_{t.pk}")
    c.submit()
    _banner(page)
    assert_accessible(page, "registrations after registering")
    attendance = InformationAttendance.objects.get(session=session, trajectory=t)

    # 3. The session takes place (clock moved); its register is taken and finalised: the person came.
    InformationSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    page.reload()
    c.go(f"main a[href$='/information-sessions/{session.pk}/register/']")
    assert_accessible(page, "information register")
    c.choose(f"status_{attendance.pk}", "present")
    c.tick("input[name=finalise]")
    c.submit()
    _banner(page)
    assert _step(t) == Step.INFORMATION

    # 4. The decision (go ahead) and the partner the person chose (Crédal).
    _open_trajectory(c, t)
    assert_accessible(page, "trajectory at the information step")
    c.go(f"main a[href$='/trajectories/{t.pk}/decision/']")
    assert_accessible(page, "decision")
    c.choose("go_ahead", "yes")
    c.choose("reason", "go")
    c.fill("#id_on", day)
    c.choose("channel", "phone")
    c.submit()
    _banner(page)
    assert _step(t) == Step.DECISION
    c.go(f"main a[href$='/trajectories/{t.pk}/orient/']")
    assert_accessible(page, "orientation")
    c.choose("partner", partners["credal"].pk)
    c.fill("#id_on", day)
    c.choose("channel", "counter")
    c.submit()
    _banner(page)
    t.refresh_from_db()
    assert (t.current_step, t.partner_id) == (Step.ORIENTATION, partners["credal"].pk)
    assert t.orientations.get().chosen_by_person

    # 5. The Crédal coach accepts and records the diagnostic.
    k = Driver(context_for(coach, lang).new_page(), keyboard=keyboard)
    cp = k.page
    _sign_in(k, live_server, coach.username, lang)
    assert_accessible(cp, "coach home")
    _open_trajectory(k, t)
    assert_accessible(cp, "coach: trajectory to answer")
    k.go(f"main a[href$='/trajectories/{t.pk}/answer/']")
    assert_accessible(cp, "answer")
    k.choose("answer", "accepted")
    k.submit()
    _banner(cp)
    assert _step(t) == Step.DIAGNOSTIC
    k.go(f"main a[href$='/trajectories/{t.pk}/diagnostic/']")
    assert_accessible(cp, "diagnostic")
    k.choose("maturity", "outlined")
    k.choose("viability", "promising")
    k.tick("input[name=barriers][value=financial]")
    for skill, score in [
        ("entrepreneurship", 2),
        ("finance", 1),
        ("marketing", 2),
        ("language", 3),
        ("digital", 2),
        ("confidence", 3),
    ]:
        k.choose(skill, score)
    k.fill("#id_notes", "Besoin d'un plan financier")
    k.submit()
    _banner(cp)
    assert _step(t) == Step.ACCOMPANIMENT
    assert_accessible(cp, "trajectory in accompaniment")

    # 6. A collective session, and three people registered to it in one action from the caseload.
    others = [
        make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"])
        for _ in range(2)
    ]
    k.go("header a[href$='/workspace/collective-sessions/']")
    assert_accessible(cp, "collective sessions")
    k.go("main a[href$='/collective-sessions/new/']")
    assert_accessible(cp, "collective series form")
    k.fill("#id_topic", "Plan financier")
    k.fill("#id_place", "Crédal, Rue du Progrès 80")
    k.fill("#id_first_day", tomorrow)
    k.fill("#id_time", "14:00")
    k.fill("#id_capacity", "8")
    k.fill("#id_count", "1")
    k.submit()
    _banner(cp)
    collective = CoachingSession.objects.get(kind="collective")
    k.go("header a[href$='/workspace/caseload/']")
    assert_accessible(cp, "caseload")
    for trajectory in [t, *others]:
        k.tick(f"#select-{trajectory.pk}")
    k.select("#id_register_to", collective.pk)
    k.submit("button[name=bulk][value=register]")
    _banner(cp)
    assert_accessible(cp, "caseload after registering")
    registered = set(SessionAttendance.objects.filter(session=collective).values_list("trajectory_id", flat=True))
    assert registered == {t.pk, *(o.pk for o in others)}

    # 7. The session takes place (clock moved); its register is one screen and one submit.
    CoachingSession.objects.filter(pk=collective.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    k.go("header a[href$='/workspace/collective-sessions/']")
    k.go(f"main a[href$='/collective-sessions/{collective.pk}/register/']")
    assert_accessible(cp, "collective register")
    assert cp.locator("main input[type=radio][value=present]").count() == 3  # everyone on one screen
    wanted = {t.pk: "present", others[0].pk: "present", others[1].pk: "absent"}
    for a in collective.attendances.all():
        k.choose(f"status_{a.pk}", wanted[a.trajectory_id])
    k.tick("input[name=finalise]")
    k.submit()
    _banner(cp)
    assert dict(collective.attendances.values_list("trajectory_id", "status")) == wanted

    # 8. Two milestones (the second with its BCE/KBO number), then the exit as self-employed.
    _open_trajectory(k, t)
    k.go(f"main a[href$='/trajectories/{t.pk}/milestones/new/']")
    assert_accessible(cp, "milestone")
    k.choose("kind", "business_plan")
    k.submit()
    _banner(cp)
    k.go(f"main a[href$='/trajectories/{t.pk}/milestones/new/']")
    k.choose("kind", "enterprise_registration")
    k.fill("#id_enterprise_number", BCE)
    k.submit()
    _banner(cp)
    assert set(Milestone.objects.filter(trajectory=t).values_list("kind", flat=True)) == {
        "business_plan",
        "enterprise_registration",
    }
    k.go(f"main a[href$='/trajectories/{t.pk}/exit/']")
    assert_accessible(cp, "exit")
    k.choose("kind", "self_employed")
    k.fill("#id_enterprise_number", BCE)
    k.fill("#id_on", day)
    k.submit()
    _banner(cp)
    t.refresh_from_db()
    assert (t.current_step, t.exit_kind_id) == (Step.EXIT, "self_employed")
    assert_accessible(cp, "trajectory after the exit")
    follow_up = FollowUp.objects.get(trajectory=t)
    assert follow_up.due_on >= today + datetime.timedelta(days=180)

    # 9. The +6-month worklist: nothing yet; upcoming when the date nears; due six months after the exit.
    # The clock is moved by moving the exit and its follow-up back in time.
    k.go("header a[href$='/workspace/follow-ups/']")
    assert_accessible(cp, "follow-ups")
    assert cp.locator(f"main a[href$='/trajectories/{t.pk}/']").count() == 0  # not due yet

    def months_later(days_before_due: int) -> None:
        shift = datetime.timedelta(days=(follow_up.due_on - today).days - days_before_due)
        Exit.objects.filter(trajectory=t).update(exit_on=today - shift)
        FollowUp.objects.filter(pk=follow_up.pk).update(due_on=follow_up.due_on - shift)

    months_later(10)
    cp.reload()
    k.go("main a[href*='show=upcoming']")
    assert_accessible(cp, "upcoming follow-ups")
    assert cp.locator(f"main a[href$='/trajectories/{t.pk}/']").count() == 1
    months_later(0)
    k.go("header a[href$='/workspace/follow-ups/']")
    row = cp.locator("tr", has=cp.locator(f"a[href$='/trajectories/{t.pk}/']"))
    assert row.count() == 1
    assert row.locator(".govuk-tag--orange").count() == 1  # reminder due: nobody tried yet
    assert_accessible(cp, "follow-ups due")
    with translation.override(lang):
        assert cp.locator("html").get_attribute("lang") == lang
    if keyboard:
        assert c.presses and k.presses  # the focus moved with Tab and Shift+Tab only
    print(f"story {lang} keyboard={keyboard}: {time.monotonic() - started:.1f} s, {c.presses + k.presses} Tab presses")


def _staff_pages() -> list[tuple[str, str, str | None]]:
    """Return (url name, role, own/None) for every staff page of the authorization matrix."""
    from tests.test_authorization_matrix import MATRIX

    staff = ["counsellor", "coach_p1", "manager_p1", "programme_manager"]
    pages = []
    for name, rule in MATRIX.items():
        if rule.post_only or not (name.startswith("workspace:") or name.startswith("reporting:")):
            continue
        for role in staff:
            if role in rule.allowed:
                pages.append((name, role, "own" if rule.obj else None))
                break
    return pages


# Installed on each page: lists the visible controls (a radio group is one Tab stop: the arrow keys move inside it)
# with their style before any focus, then describes the focused control after each Tab.
KEYBOARD_JS = """() => {
  const props = ['outline-style', 'outline-width', 'outline-color', 'box-shadow', 'background-color', 'color',
                 'text-decoration-line', 'border-bottom-color', 'border-bottom-width'];
  const pick = (s) => props.map((p) => s.getPropertyValue(p)).join('|');
  // GOV.UK radios and checkboxes draw their focus ring on the label's ::before.
  const style = (e) => [pick(getComputedStyle(e)), ...(e.labels && e.labels[0]
    ? [pick(getComputedStyle(e.labels[0], '::before'))] : [])].join('#');
  const visible = (e) => {
    if (e.disabled || e.closest('[hidden], [inert]')) return false;
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    // The skip link is off-screen until focused; radios and checkboxes are transparent over their label.
    return e.classList.contains('govuk-skip-link') || (r.width > 0 && r.height > 0);
  };
  const all = document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary,'
    + ' [tabindex]:not([tabindex="-1"])');
  const controls = [...all].filter(visible);
  window.__unfocused = {};
  controls.forEach((e, i) => {
    e.dataset.kbd = String(i);
    e.dataset.kbdStop = e.type === 'radio' ? `radio:${e.form ? [...document.forms].indexOf(e.form) : ''}:${e.name}`
      : String(i);
    window.__unfocused[i] = style(e);
  });
  window.__focused = () => {
    const e = document.activeElement;
    if (!e || !e.dataset || e.dataset.kbd === undefined) return null;
    const r = e.getBoundingClientRect();
    return {kbd: e.dataset.kbd, stop: e.dataset.kbdStop, changed: style(e) !== window.__unfocused[e.dataset.kbd],
            skip: e.matches('a.govuk-skip-link[href="#main-content"]') && r.width > 1 && r.height > 1,
            html: e.outerHTML.slice(0, 120)};
  };
  return controls.map((e) => [e.dataset.kbd, e.dataset.kbdStop, e.outerHTML.slice(0, 120)]);
}"""


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_staff_page_can_be_used_with_the_keyboard(
    live_server, cast, partners, context_for, login, assert_accessible, lang
):
    """On every staff page: 0 serious or critical axe-core violations; Tab reaches a visible skip link first,
    then every visible control, each with a visible focus style."""
    from tests.test_authorization_matrix import USERNAMES

    started = time.monotonic()
    own = make_trajectory(
        step=Step.ACCOMPANIMENT,
        counsellor=cast["demo-counsellor"],
        coach=cast["demo-coach-credal"],
        partner=partners["credal"],
        jobseeker=make_jobseeker(user=cast["demo-jobseeker"]),
    )
    world: dict[str, Any] = {"own": own, "users": cast}
    pages: dict[str, Any] = {}
    failures: list[str] = []
    checked = 0
    for name, role, which in _staff_pages():
        from tests.test_authorization_matrix import MATRIX

        rule = MATRIX[name]
        args = rule.args(world, which) if rule.args and which else rule.args(world) if rule.args else []
        if which and not rule.args:
            args = [world[which].pk]
        with translation.override(lang):
            url = reverse(name, args=args) if name != "workspace:export" else reverse(name, args=["csv"])
        if role not in pages:
            user = cast[USERNAMES[role]]
            pages[role] = context_for(user, lang).new_page()
            login(pages[role], live_server, user.username, PASSWORD, lang)
        page = pages[role]
        response = page.request.get(f"{live_server.url}{url}")
        if "text/html" not in response.headers.get("content-type", ""):
            continue  # a PDF, a calendar file or an export: no page to tab through
        page.goto(f"{live_server.url}{url}")
        checked += 1
        try:
            assert_accessible(page, f"{name} ({role})")
        except AssertionError as exc:
            failures.append(str(exc))
        controls = page.evaluate(KEYBOARD_JS)
        stops = {stop: html for _, stop, html in reversed(controls)}  # each Tab stop and its first control
        reached: set[str] = set()
        reached_stops: set[str] = set()
        for n in range(2 * len(controls) + 20):  # other Tab stops (the browser's own) count too
            page.keyboard.press("Tab")
            focused = page.evaluate("() => window.__focused()")
            if n == 0 and not (focused and focused["skip"]):
                failures.append(f"{name} ({role}): the first Tab does not show a skip link")
            if focused is None:
                continue  # past the last control: the browser's own controls, then the page again
            if focused["kbd"] in reached:
                break  # back to the start of the page
            reached.add(focused["kbd"])
            reached_stops.add(focused["stop"])
            if not focused["changed"]:
                failures.append(f"{name} ({role}): no visible focus indicator on {focused['html']}")
        failures += [
            f"{name} ({role}): Tab never reaches {html}" for stop, html in stops.items() if stop not in reached_stops
        ]
    assert checked >= 30, checked
    assert not failures, "\n".join(failures)
    print(f"keyboard sweep {lang}: {checked} pages in {time.monotonic() - started:.1f} s")
