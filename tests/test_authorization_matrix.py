"""The authorization matrix: every URL × every role × own/foreign object.

The expectations below are written by hand from docs/trust.md, not computed from accounts/access.py,
so that a mistake in the access rules fails here. A URL pattern that is not in MATRIX fails
`test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from autocrea.accounts.tokens import issue_token
from autocrea.backbone.steps import Step
from autocrea.pathways.models import StepLog
from tests.factories import make_jobseeker, make_trajectory

ROLES = [
    "anonymous",
    "nobody",
    "jobseeker_a",
    "jobseeker_b",
    "counsellor",
    "coach_p1",
    "coach_p2",
    "manager_p1",
    "programme_manager",
    "admin",
]
USERNAMES = {
    "nobody": "nobody",
    "jobseeker_a": "demo-jobseeker",
    "jobseeker_b": "jobseeker-b",
    "counsellor": "demo-counsellor",
    "coach_p1": "demo-coach-credal",
    "coach_p2": "demo-coach-microstart",
    "manager_p1": "demo-partner-manager-credal",
    "programme_manager": "demo-programme-manager",
    "admin": "demo-admin",
}
# Who may see each object's personal data (hand-written oracle).
# "own": a Crédal (partner 1) trajectory of job seeker A; "foreign": a microStart (partner 2) one of B.
SCOPE = {
    "own": {"counsellor", "coach_p1", "manager_p1", "jobseeker_a"},
    "foreign": {"counsellor", "coach_p2", "jobseeker_b"},
}
STAFF_FUNNEL = {"counsellor"}
PARTNER_STAFF = {"coach_p1", "coach_p2", "manager_p1"}


@dataclass(frozen=True)
class Rule:
    """Who gets 200 on GET; `obj` says whether the URL takes a trajectory.

    `signed_in` is the status a signed-in user outside `allowed` gets instead of 403 (e.g. 302 for
    pages that send a signed-in visitor elsewhere); `post_only` URLs are checked by POST only.
    """

    allowed: frozenset[str]
    obj: bool = False
    signed_in: int = 403
    post_only: str = ""
    # URL arguments that are not a trajectory (e.g. an information session): built from `world`.
    args: Callable[[dict[str, Any]], list[Any]] | None = None
    # What an anonymous visitor outside `allowed` gets (302 to the sign-in page, or 404 for a switched-off page).
    anonymous: int = 302


def _r(
    *roles: str,
    obj: bool = False,
    signed_in: int = 403,
    post_only: str = "",
    args: Callable[[dict[str, Any]], list[Any]] | None = None,
    anonymous: int = 302,
) -> Rule:
    return Rule(frozenset(roles), obj=obj, signed_in=signed_in, post_only=post_only, args=args, anonymous=anonymous)


def _info_session(world: dict[str, Any]) -> list[Any]:
    """A past information session with person A registered (its register is open): created once per world."""
    if "info_session" not in world:
        import datetime

        from django.utils import timezone

        from autocrea.pathways.models import InformationAttendance, InformationSession

        session = InformationSession.objects.create(
            starts_at=timezone.now() - datetime.timedelta(hours=1), place="Actiris", language="fr", capacity=10
        )
        InformationAttendance.objects.create(trajectory=world["own"], session=session)
        world["info_session"] = session
    return [world["info_session"].pk]


def _booking(world: dict[str, Any], which: str) -> list[Any]:
    """A future information-session booking of the own (A) or foreign (B) trajectory."""
    key = f"booking_{which}"
    if key not in world:
        import datetime

        from django.utils import timezone

        from autocrea.pathways.models import InformationAttendance, InformationSession

        session = InformationSession.objects.create(
            starts_at=timezone.now() + datetime.timedelta(days=5), place="Actiris", language="fr", capacity=10
        )
        world[key] = InformationAttendance.objects.create(trajectory=world[which], session=session)
    return [world[key].pk]


def _appointment(world: dict[str, Any], which: str) -> list[Any]:
    """A future coaching appointment of the own (A, Crédal) or foreign (B, microStart) trajectory."""
    key = f"appointment_{which}"
    if key not in world:
        import datetime

        from django.utils import timezone

        from autocrea.coaching.models import CoachingSession, SessionAttendance

        session = CoachingSession.objects.create(
            partner_id=world[which].partner_id,
            kind="individual",
            topic="Plan",
            starts_at=timezone.now() + datetime.timedelta(days=3),
        )
        world[key] = SessionAttendance.objects.create(session=session, trajectory=world[which])
    return [world[key].pk]


def _coaching_session(world: dict[str, Any], which: str) -> list[Any]:
    _appointment(world, which)
    return [world[f"appointment_{which}"].session_id]


def _collective_session(world: dict[str, Any], which: str) -> list[Any]:
    """A collective session of the own (Crédal) or foreign (microStart) partner, its person registered."""
    key = f"collective_{which}"
    if key not in world:
        import datetime

        from django.utils import timezone

        from autocrea.coaching.models import CoachingSession, SessionAttendance

        session = CoachingSession.objects.create(
            partner_id=world[which].partner_id,
            kind="collective",
            topic="Workshop",
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            capacity=10,
        )
        SessionAttendance.objects.create(session=session, trajectory=world[which])
        world[key] = session
    return [world[key].pk]


def _future_collective(world: dict[str, Any], which: str) -> Any:
    """A series of the own (Crédal) or foreign (microStart) partner with one session to come, its person registered."""
    key = f"future_collective_{which}"
    if key not in world:
        import datetime

        from django.utils import timezone

        from autocrea.coaching.models import CoachingSession, CollectiveSeries, SessionAttendance

        series = CollectiveSeries.objects.create(
            partner_id=world[which].partner_id, topic="Workshop", recurrence="weekly"
        )
        session = CoachingSession.objects.create(
            partner_id=world[which].partner_id,
            kind="collective",
            series=series,
            topic="Workshop",
            place="Rue Haute 1",
            starts_at=timezone.now() + datetime.timedelta(days=3),
            capacity=10,
        )
        world[key] = SessionAttendance.objects.create(session=session, trajectory=world[which])
    return world[key]


def _collective_registration(world: dict[str, Any], which: str) -> list[Any]:
    return [_future_collective(world, which).pk]


def _collective_future_session(world: dict[str, Any], which: str) -> list[Any]:
    return [_future_collective(world, which).session_id]


def _collective_series(world: dict[str, Any], which: str) -> list[Any]:
    return [_future_collective(world, which).session.series_id]


def _planned_session(world: dict[str, Any], which: str) -> list[Any]:
    """The trajectory and a planned individual session of it (the own or foreign appointment)."""
    _appointment(world, which)
    return [world[which].pk, world[f"appointment_{which}"].session_id]


def _correction(world: dict[str, Any], which: str) -> list[Any]:
    """An open correction request of person A (own) or B (foreign)."""
    key = f"correction_{which}"
    if key not in world:
        from autocrea.datarights.models import CorrectionRequest

        world[key] = CorrectionRequest.objects.create(
            jobseeker=world[which].jobseeker, what_is_wrong="Phone", what_it_should_be="0470 00 00 00"
        )
    return [world[key].pk]


def _activity(world: dict[str, Any], which: str) -> list[Any]:
    """An activity of the catalogue of the own (Crédal) or foreign (microStart) partner."""
    key = f"activity_{which}"
    if key not in world:
        from autocrea.partners.models import PartnerActivity

        world[key] = PartnerActivity.objects.create(
            partner_id=world[which].partner_id,
            code=f"workshop-{which}",
            name_fr="Atelier",
            name_nl="Workshop",
            step="accompaniment",
            kind="workshop",
        )
    return [world[key].pk]


ALL_SIGNED_IN = [r for r in ROLES if r != "anonymous"]
MATRIX: dict[str, Rule] = {
    "workspace:caseload": _r("coach_p1", "coach_p2", "manager_p1"),
    "reporting:esf_export": _r("programme_manager"),
    # Information sessions at the counter (pk of a session, not a trajectory: scoping in test_information_sessions).
    "workspace:session_register": _r("counsellor", args=_info_session),
    "workspace:session_registrations": _r("counsellor", args=_info_session),
    "workspace:no_shows": _r("counsellor"),
    # Book one person on an information session from their page (tests/test_session_booking.py).
    "workspace:book_session": _r("counsellor", obj=True),
    # Cancel that person's booking on their behalf (GET shows the booking page; tests/test_session_booking.py).
    "workspace:cancel_booking": _r("counsellor", obj=True),
    "reporting:programme": _r("programme_manager"),
    # Programme settings (period, targets, quotas): programme managers only (tests/test_programme_settings.py).
    "reporting:programme_settings": _r("programme_manager"),
    "reporting:partner": _r("coach_p1", "coach_p2", "manager_p1"),
    # Censoring-aware figures per partner and cohort beside the closed-case rates (tests/test_survival_compare.py).
    "reporting:survival_compare": _r("programme_manager"),
    "reporting:partner_survival_compare": _r("coach_p1", "coach_p2", "manager_p1"),
    "root": _r(*ROLES),  # a redirect to each visitor's own front door: followed below
    "accounts:login": _r("anonymous", signed_in=302),
    "accounts:logout": _r(post_only="none"),
    # django-allauth's sign-in pages (accounts/urls_allauth.py): the same sign-in page under allauth's name,
    # the code by e-mail (a signed-in visitor is sent on), pages that say what happened (public),
    # a person's own security settings (signed in), and the federal login: 404 while OIDC_SERVER_URL is unset.
    "account_login": _r("anonymous", signed_in=302),
    "account_request_login_code": _r("anonymous", signed_in=302),
    "account_confirm_login_code": _r(signed_in=302),  # without a pending code: back to asking for one
    "account_confirm_email": _r(*ROLES, args=lambda world, which=None: ["unknown-key"]),
    "account_email_verification_sent": _r(*ROLES),
    "account_inactive": _r(*ROLES),
    "account_reauthenticate": _r(*ALL_SIGNED_IN),
    "mfa_index": _r(*ALL_SIGNED_IN),
    "mfa_activate_totp": _r(signed_in=302),  # asks for the password again first
    "mfa_authenticate": _r(signed_in=302),  # only during a sign-in
    "mfa_reauthenticate": _r(signed_in=302),  # only with an authenticator
    "mfa_deactivate_totp": _r(signed_in=404),  # only with an authenticator
    # Recovery codes: only once an authenticator is set up (404 before); making new ones asks for a code again.
    "mfa_view_recovery_codes": _r(signed_in=404),
    "mfa_download_recovery_codes": _r(signed_in=404),
    "mfa_generate_recovery_codes": _r(signed_in=302),
    "socialaccount_login_cancelled": _r(*ROLES),
    "socialaccount_signup": _r(signed_in=302),  # sign-up through the federal login is closed
    "openid_connect_login": _r(signed_in=404, anonymous=404, args=lambda world, which=None: ["federal"]),
    "openid_connect_callback": _r(signed_in=404, anonymous=404, args=lambda world, which=None: ["federal"]),
    "public:home": _r(*ROLES),
    "public:how_it_works": _r(*ROLES),
    "public:partners": _r(*ROLES),
    "public:accessibility": _r(*ROLES),
    "public:privacy": _r(*ROLES),
    "portal:login": _r("anonymous", signed_in=302),
    "portal:interest_start": _r("anonymous", signed_in=302),
    "portal:interest_name": _r("anonymous", signed_in=302),
    # Later questions send a visitor without the earlier answers back to the first one (302).
    **{
        f"portal:interest_{q}": _r(signed_in=302)
        for q in ("birth_date", "gender", "language", "contact", "commune", "education", "project", "password", "check")
    },
    "portal:interest_done": _r("jobseeker_a", "jobseeker_b"),
    "portal:pathway": _r("jobseeker_a", "jobseeker_b"),
    "portal:partners_choose": _r("jobseeker_a", "jobseeker_b"),
    "portal:sessions": _r("jobseeker_a", "jobseeker_b"),
    "portal:action_done": _r("jobseeker_b", post_only="action"),
    "portal:session_book": _r("jobseeker_a", "jobseeker_b", post_only="session"),
    "portal:session_cancel": _r("jobseeker_b", post_only="booking"),
    "workspace:home": _r(*ALL_SIGNED_IN),
    "workspace:trajectories": _r("counsellor", "coach_p1", "coach_p2", "manager_p1"),
    "workspace:intake": _r("counsellor"),
    "workspace:info_sessions": _r("counsellor"),
    "workspace:export": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", "programme_manager"),
    "workspace:trajectory": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:information": _r("counsellor", obj=True),
    "workspace:decision": _r("counsellor", obj=True),
    "workspace:orient": _r("counsellor", obj=True),
    "workspace:stop": _r("counsellor", obj=True),
    "workspace:reopen": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:answer": _r("coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:diagnostic": _r("coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:session_add": _r("coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:action_add": _r("coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:milestone_add": _r("coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:viability_add": _r("coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:skills": _r("coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:exit": _r("coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:follow_up": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:reorient": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", obj=True),
    # The +6-month follow-up worklist and its actions (scoping of the rows in test_followups).
    "workspace:follow_ups": _r("counsellor", "coach_p1", "coach_p2", "manager_p1"),
    "workspace:follow_up_attempt": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:follow_up_answer": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:follow_up_no_response": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", obj=True),
    "workspace:eligibility_justify": _r("counsellor", obj=True),
    "workspace:merge": _r("counsellor", obj=True),
    # Attestations (PDF): case staff who can see the trajectory; the person from their portal only.
    "workspace:attestation": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", obj=True),
    "portal:documents": _r("jobseeker_a", "jobseeker_b"),
    "portal:attestation": _r("jobseeker_a", "jobseeker_b", obj=True),
    # The steering report (PDF): the programme manager, and partner staff for their own partner.
    "reporting:report_pdf": _r("programme_manager", "coach_p1", "coach_p2", "manager_p1"),
    # Calendar files (.ics): the person's own booking or appointment (args: an attendance of A or B);
    # staff's own copy of an information session (counsellors) or of a coaching session (its partner).
    "portal:booking_ics": _r("jobseeker_a", "jobseeker_b", obj=True, args=_booking),
    "portal:appointment_ics": _r("jobseeker_a", "jobseeker_b", obj=True, args=_appointment),
    "workspace:information_session_ics": _r("counsellor", args=_info_session),
    "workspace:coaching_session_ics": _r("coach_p1", "coach_p2", "manager_p1", obj=True, args=_coaching_session),
    # My data (no id in the URL: always the person's own); correction requests reach staff as a task:
    # partner staff only for people oriented to their partner; the programme manager's list is
    # pseudonymised (no name: checked by the body test), and cannot open a request (404, out of scope).
    "portal:my_data": _r("jobseeker_a", "jobseeker_b"),
    "portal:my_data_json": _r("jobseeker_a", "jobseeker_b"),
    "portal:my_data_pdf": _r("jobseeker_a", "jobseeker_b"),
    "portal:correction": _r("jobseeker_a", "jobseeker_b"),
    "workspace:request_answer": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", obj=True, args=_correction),
    "workspace:requests": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", "programme_manager"),
    "workspace:request_add": _r("counsellor", "coach_p1", "coach_p2", "manager_p1", obj=True),
    # The person's full data export, printed for a request by post: counsellors (Actiris answers it).
    "workspace:data_export": _r("counsellor", obj=True),
    # Collective sessions: the staff of the session's partner only; a session of another partner is a 404
    # for everyone, whatever their role (args: a session of the own or foreign partner).
    "workspace:collective_sessions": _r("coach_p1", "coach_p2", "manager_p1"),
    "workspace:collective_series_add": _r("coach_p1", "coach_p2", "manager_p1"),
    "workspace:collective_register": _r(
        "coach_p1", "coach_p2", "manager_p1", obj=True, signed_in=404, args=_collective_session
    ),
    "workspace:collective_roster": _r(
        "coach_p1", "coach_p2", "manager_p1", obj=True, signed_in=404, args=_collective_session
    ),
    "workspace:collective_enrol": _r("coach_p1", "coach_p2", "manager_p1", obj=True),
    # Cancel a registration, change a series, cancel sessions to come: the session's partner only (404 otherwise).
    "workspace:collective_registration_cancel": _r(
        "coach_p1", "coach_p2", "manager_p1", obj=True, signed_in=404, args=_collective_registration
    ),
    "workspace:collective_series_edit": _r(
        "coach_p1", "coach_p2", "manager_p1", obj=True, signed_in=404, args=_collective_series
    ),
    "workspace:collective_session_cancel": _r(
        "coach_p1", "coach_p2", "manager_p1", obj=True, signed_in=404, args=_collective_future_session
    ),
    # A planned individual session: record it once held, or cancel it (args: the trajectory and its session).
    "workspace:session_outcome": _r("coach_p1", "coach_p2", "manager_p1", obj=True, args=_planned_session),
    "workspace:session_cancel": _r("coach_p1", "coach_p2", "manager_p1", obj=True, args=_planned_session),
    # A partner's activity catalogue: its staff read it, programme managers read every partner's; only the
    # partner's managers change it. Another partner's activity is a 404 for everyone (args: own/foreign).
    "workspace:activities": _r("coach_p1", "coach_p2", "manager_p1", "programme_manager"),
    "workspace:activity_add": _r("manager_p1"),
    "workspace:activities_delivered": _r("manager_p1"),
    "workspace:activity_edit": _r("manager_p1", obj=True, signed_in=404, args=_activity),
    "workspace:activity_delete": _r("manager_p1", obj=True, signed_in=404, args=_activity),
}
# The Django admin is one block: administrators only.
ADMIN_SAMPLE = ["admin:index", "admin:reference_exitkind_changelist", "admin:accounts_user_changelist"]


def _all_url_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= _all_url_names(entry, ns)
        elif isinstance(entry, URLPattern):
            names.add(f"{prefix}{entry.name}" if entry.name else f"{prefix}<unnamed {entry.pattern}>")
    return names


def test_every_url_is_in_the_matrix():
    names = _all_url_names()
    missing = sorted(
        n
        for n in names
        if n not in MATRIX and not n.startswith("admin:") and not n.startswith("api:") and "<unnamed" not in n
    )
    unnamed = sorted(n for n in names if "<unnamed" in n and "admin" not in n)
    assert not missing, f"URLs missing from the authorization matrix: {missing}"
    assert not unnamed, f"URL patterns without a name cannot be checked: {unnamed}"
    stale = sorted(n for n in MATRIX if n not in names)
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"


@pytest.fixture
def world(cast, partners, db):
    counsellor, coach_p1, coach_p2 = cast["demo-counsellor"], cast["demo-coach-credal"], cast["demo-coach-microstart"]
    person_a = make_jobseeker(user=cast["demo-jobseeker"], first_name="Canary", last_name="Owndata")
    person_b = make_jobseeker(user=cast["jobseeker-b"], first_name="Canary", last_name="Foreigndata")
    own = make_trajectory(
        step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach_p1, partner=partners["credal"], jobseeker=person_a
    )
    foreign = make_trajectory(
        step=Step.ACCOMPANIMENT,
        counsellor=counsellor,
        coach=coach_p2,
        partner=partners["microstart"],
        jobseeker=person_b,
    )
    return {"own": own, "foreign": foreign, "users": cast}


def _body(response: Any) -> str:
    """Return the page's text; for a PDF, the text of every page (names are checked there too)."""
    if response.get("Content-Type") == "application/pdf":
        import io

        import pypdf

        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    return response.content.decode()


def _client_for(client: Any, role: str, users: dict[str, Any]) -> Any:
    client.logout()
    if role != "anonymous":
        client.force_login(users[USERNAMES[role]])
    return client


def _expected(rule: Rule, role: str, which: str | None) -> int:
    if role in rule.allowed:
        if which is not None and role not in SCOPE[which]:
            return 404
        return 200
    if role == "anonymous":
        return rule.anonymous
    if which is not None and role not in SCOPE[which]:
        return 404
    return rule.signed_in


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_matrix_says(client, world, role):
    failures = []
    client = _client_for(client, role, world["users"])
    for name, rule in MATRIX.items():
        if rule.post_only:
            continue
        for which in ["own", "foreign"] if rule.obj else [None]:
            args = [world[which].pk] if which else []
            with translation.override("fr"):
                if rule.args is not None:
                    # An object-scoped rule with its own arguments builds them for the own/foreign side.
                    args = rule.args(world, which) if which else rule.args(world)
                url = reverse(name, args=args) if name != "workspace:export" else reverse(name, args=["csv"])
            response = client.get(url, follow=name == "root")
            status = response.status_code
            expected = _expected(rule, role, which)
            if expected == 302 and status == 302:
                continue
            if status != expected:
                failures.append(f"{role} GET {name} [{which}] → {status}, expected {expected}")
            if status == 200 and name != "workspace:export":
                body = _body(response)
                if role not in SCOPE["foreign"]:
                    assert "Foreigndata" not in body, f"{role} sees person B on {name}"
                if role not in SCOPE["own"]:
                    assert "Owndata" not in body, f"{role} sees person A on {name}"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_is_for_administrators_only(client, world, role):
    client = _client_for(client, role, world["users"])
    for name in ADMIN_SAMPLE:
        with translation.override("fr"):
            response = client.get(reverse(name))
        if role == "admin":
            assert response.status_code == 200, name
        else:
            assert response.status_code == 302 and "login" in response["Location"], (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_no_forbidden_post_writes_anything(client, world, role):
    client = _client_for(client, role, world["users"])
    before = StepLog.objects.count()
    for name, rule in MATRIX.items():
        if not rule.obj:
            continue
        for which in ("own", "foreign"):
            if _expected(rule, role, which) == 200:
                continue
            with translation.override("fr"):
                url = reverse(name, args=rule.args(world, which) if rule.args else [world[which].pk])
            response = client.post(url, {"reason": "x", "on": "01/01/2026", "version": world[which].version})
            assert response.status_code in {302, 403, 404}, (role, name, which, response.status_code)
            if role != "anonymous":
                assert response.status_code == _expected(rule, role, which), (role, name, which)
    assert StepLog.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_post_only_portal_urls_refuse_everyone_but_the_owner(client, world, role):
    """Person B's action and booking: only B may act on them; others get 404 (job seeker) or 403."""
    import datetime

    from django.utils import timezone

    from autocrea.coaching.models import Action, Goal
    from autocrea.pathways.models import InformationAttendance, InformationSession

    foreign = world["foreign"]
    goal = Goal.objects.create(trajectory=foreign, title="Goal")
    action = Action.objects.create(goal=goal, title="Call the bank", owner="jobseeker", due_on=timezone.localdate())
    session = InformationSession.objects.create(
        starts_at=timezone.now() + datetime.timedelta(days=7), place="Actiris", language="fr", capacity=10
    )
    booking = InformationAttendance.objects.create(trajectory=foreign, session=session)
    objects = {"action": action.pk, "session": session.pk, "booking": booking.pk}
    client = _client_for(client, role, world["users"])
    for name, rule in MATRIX.items():
        if not rule.post_only or rule.post_only == "none" or role in rule.allowed:
            continue
        with translation.override("fr"):
            url = reverse(name, args=[objects[rule.post_only]])
        status = client.post(url).status_code
        expected = 302 if role == "anonymous" else (404 if role.startswith("jobseeker") else 403)
        assert status == expected, (role, name, status)
    action.refresh_from_db()
    assert action.status == "todo"
    assert InformationAttendance.objects.filter(pk=booking.pk).exists()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_the_api_scopes_trajectories_like_the_pages(client, world, role):
    user = world["users"][USERNAMES[role]]
    token = issue_token(user=user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = {row["id"] for row in client.get("/api/trajectories", **auth).json()["items"]}
    for which in ("own", "foreign"):
        pk = world[which].pk
        visible = role in SCOPE[which]
        status = client.get(f"/api/trajectories/{pk}", **auth).status_code
        assert status == (200 if visible else 404), (role, which, status)
        assert (pk in listed) == visible, (role, which)


def test_the_api_refuses_anonymous_callers(client, world):
    assert client.get("/api/trajectories").status_code == 401
    assert client.get(f"/api/trajectories/{world['own'].pk}").status_code == 401


# The API's documentation (api:openapi-view, api:openapi-json; api: names are outside MATRIX): staff only.
API_DOCS_STAFF = {"counsellor", "coach_p1", "coach_p2", "manager_p1", "programme_manager", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_the_api_documentation_is_for_staff_only(client, world, role):
    client = _client_for(client, role, world["users"])
    page, document = client.get(reverse("api:openapi-view")), client.get(reverse("api:openapi-json"))
    if role in API_DOCS_STAFF:
        assert (page.status_code, document.status_code) == (200, 200)
    elif role == "anonymous":
        assert (page.status_code, document.status_code) == (302, 401)
    else:
        assert (page.status_code, document.status_code) == (403, 403)
