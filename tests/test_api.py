"""The HTTP API: tokens, scoping, writes through the services, and a schemathesis run per role."""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ninja.responses import NinjaJSONEncoder

from autocrea.accounts.models import ApiToken
from autocrea.accounts.tokens import issue_token, user_for_token
from autocrea.backbone.steps import Step
from autocrea.pathways.models import StepLog, Trajectory
from tests.factories import make_trajectory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def tokens(cast: dict[str, Any]) -> dict[str, str]:
    return {name: issue_token(user=user, label="test") for name, user in cast.items()}


@pytest.fixture
def credal_trajectory(counsellor, coach, partners) -> Trajectory:
    return make_trajectory(step=Step.ORIENTATION, counsellor=counsellor, coach=coach, partner=partners["credal"])


def test_every_operation_needs_a_token(client, credal_trajectory):
    tid = credal_trajectory.pk
    for method, url in [
        ("get", "/api/trajectories"),
        ("get", f"/api/trajectories/{tid}"),
        ("get", "/api/partners"),
        ("post", f"/api/trajectories/{tid}/decision"),
        ("post", f"/api/trajectories/{tid}/answer"),
    ]:
        response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code == 401, url
        bad = getattr(client, method)(url, content_type="application/json", **_auth("not-a-token"))
        assert bad.status_code == 401, url


def test_an_inactive_users_token_is_refused(client, cast, tokens):
    cast["demo-counsellor"].is_active = False
    cast["demo-counsellor"].save(update_fields=["is_active"])
    assert client.get("/api/trajectories", **_auth(tokens["demo-counsellor"])).status_code == 401


def test_only_the_digest_of_a_token_is_stored(counsellor):
    token = issue_token(user=counsellor)
    assert not ApiToken.objects.filter(digest=token).exists()
    assert user_for_token(token) == counsellor


def test_a_coach_never_sees_another_partners_trajectory(client, tokens, credal_trajectory):
    other = _auth(tokens["demo-coach-microstart"])
    assert client.get(f"/api/trajectories/{credal_trajectory.pk}", **other).status_code == 404
    listed = client.get("/api/trajectories?limit=200", **other).json()
    assert credal_trajectory.pk not in [t["id"] for t in listed["items"]]
    # A foreign trajectory answers exactly like one that does not exist.
    missing = client.get("/api/trajectories/999999", **other)
    assert (
        missing.status_code == 404
        and missing.json() == client.get(f"/api/trajectories/{credal_trajectory.pk}", **other).json()
    )
    body = {"version": credal_trajectory.version, "on": str(TODAY()), "answer": "accepted"}
    post = client.post(f"/api/trajectories/{credal_trajectory.pk}/answer", body, "application/json", **other)
    assert post.status_code == 404
    credal_trajectory.refresh_from_db()
    assert credal_trajectory.current_step == Step.ORIENTATION


def test_the_right_coach_sees_the_trajectory(client, tokens, credal_trajectory):
    mine = client.get(f"/api/trajectories/{credal_trajectory.pk}", **_auth(tokens["demo-coach-credal"]))
    assert mine.status_code == 200
    assert mine.json()["partner"] == "credal" and mine.json()["version"] == credal_trajectory.version


def test_roles_without_personal_data_see_an_empty_list(client, tokens, credal_trajectory):
    for name in ("demo-programme-manager", "demo-admin", "nobody", "jobseeker-b"):
        response = client.get("/api/trajectories", **_auth(tokens[name]))
        assert response.status_code == 200 and response.json()["items"] == [], name


def test_the_list_pages_through_with_next_after(client, tokens, counsellor):
    for _ in range(3):
        make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    auth = _auth(tokens["demo-counsellor"])
    first = client.get("/api/trajectories?limit=2", **auth).json()
    assert len(first["items"]) == 2 and first["next_after"] == first["items"][-1]["id"]
    rest = client.get(f"/api/trajectories?limit=2&after={first['next_after']}", **auth).json()
    assert len(rest["items"]) == 1 and rest["next_after"] is None


def test_a_decision_is_recorded_and_a_stale_version_gets_409(client, tokens, counsellor):
    t = make_trajectory(step=Step.INFORMATION, counsellor=counsellor)
    auth = _auth(tokens["demo-counsellor"])
    body = {"version": t.version, "on": str(TODAY()), "go_ahead": True, "reason": "go"}
    ok = client.post(f"/api/trajectories/{t.pk}/decision", body, "application/json", **auth)
    assert ok.status_code == 200, ok.content
    assert ok.json()["current_step"] == Step.DECISION and ok.json()["version"] == t.version + 1
    logs = StepLog.objects.filter(trajectory=t).count()

    again = client.post(
        f"/api/trajectories/{t.pk}/decision", body, "application/json", HTTP_ACCEPT_LANGUAGE="en", **auth
    )
    assert again.status_code == 409
    assert again.json()["detail"].startswith("Someone else changed")
    assert StepLog.objects.filter(trajectory=t).count() == logs


def test_a_refusal_of_the_backbone_is_422_with_a_translated_message(client, tokens, counsellor):
    t = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    body = {"version": t.version, "on": str(TODAY()), "go_ahead": True, "reason": "go"}
    response = client.post(
        f"/api/trajectories/{t.pk}/decision",
        body,
        "application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
        **_auth(tokens["demo-counsellor"]),
    )
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


def test_a_role_not_allowed_gets_403(client, tokens, credal_trajectory):
    # The counsellor sees the trajectory but only the partner answers an orientation.
    body = {"version": credal_trajectory.version, "on": str(TODAY()), "answer": "accepted"}
    response = client.post(
        f"/api/trajectories/{credal_trajectory.pk}/answer", body, "application/json", **_auth(tokens["demo-counsellor"])
    )
    assert response.status_code == 403


def test_the_partner_walks_a_person_to_the_follow_up(client, tokens, credal_trajectory):
    auth = _auth(tokens["demo-coach-credal"])
    url = f"/api/trajectories/{credal_trajectory.pk}"
    day = str(TODAY())
    r = client.post(
        f"{url}/answer",
        {"version": credal_trajectory.version, "on": day, "answer": "accepted"},
        "application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["current_step"] == Step.DIAGNOSTIC
    r = client.post(
        f"{url}/exit", {"version": r.json()["version"], "on": day, "kind": "self_employed"}, "application/json", **auth
    )
    assert r.status_code == 422  # an own job needs its enterprise number
    version = Trajectory.objects.get(pk=credal_trajectory.pk).version
    r = client.post(
        f"{url}/exit",
        {"version": version, "on": day, "kind": "self_employed", "enterprise_number": "0403.170.701"},
        "application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["exit_kind"] == "self_employed"
    r = client.post(
        f"{url}/follow-up", {"version": r.json()["version"], "on": day, "responded": False}, "application/json", **auth
    )
    assert r.status_code == 200 and r.json()["current_step"] == Step.FOLLOW_UP


def test_a_counsellor_orients_and_a_declining_partner_loses_sight(client, tokens, counsellor, coach, partners):
    t = make_trajectory(step=Step.DECISION, counsellor=counsellor)
    day = str(TODAY())
    r = client.post(
        f"/api/trajectories/{t.pk}/orientation",
        {"version": t.version, "on": day, "partner": "nope"},
        "application/json",
        **_auth(tokens["demo-counsellor"]),
    )
    assert r.status_code == 422
    r = client.post(
        f"/api/trajectories/{t.pk}/orientation",
        {"version": t.version, "on": day, "partner": "credal"},
        "application/json",
        **_auth(tokens["demo-counsellor"]),
    )
    assert r.status_code == 200 and r.json()["partner"] == "credal"
    coach_auth = _auth(tokens["demo-coach-credal"])
    r = client.post(
        f"/api/trajectories/{t.pk}/answer",
        {"version": r.json()["version"], "on": day, "answer": "declined", "reason": "Full"},
        "application/json",
        **coach_auth,
    )
    assert r.status_code == 200 and r.json()["partner"] is None
    assert client.get(f"/api/trajectories/{t.pk}", **coach_auth).status_code == 404


def test_information_with_an_unknown_session_is_refused(client, tokens, counsellor):
    t = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    body = {"version": t.version, "on": str(TODAY()), "session": 424242}
    r = client.post(
        f"/api/trajectories/{t.pk}/information", body, "application/json", **_auth(tokens["demo-counsellor"])
    )
    assert r.status_code == 422
    body = {"version": t.version, "on": str(TODAY())}
    r = client.post(
        f"/api/trajectories/{t.pk}/information", body, "application/json", **_auth(tokens["demo-counsellor"])
    )
    assert r.status_code == 200 and r.json()["current_step"] == Step.INFORMATION


def test_partners_give_public_information(client, tokens, partners):
    response = client.get("/api/partners", **_auth(tokens["demo-coach-credal"]))
    assert response.status_code == 200
    rows = {p["slug"]: p for p in response.json()}
    assert set(rows) == set(partners)
    assert rows["credal"]["commune"] == "21009" and rows["credal"]["yearly_capacity"] == 150
    assert set(rows["credal"]) == {
        "slug", "name_fr", "name_nl", "name_en", "speciality_fr", "speciality_nl", "speciality_en",
        "languages", "commune", "yearly_capacity", "active",
    }  # fmt: skip


def test_the_openapi_document_is_served(client, counsellor):
    client.force_login(counsellor)  # staff only (tests/test_api_docs.py)
    doc = client.get("/api/openapi.json").json()
    assert {"/api/trajectories/{trajectory_id}/decision", "/api/partners"} <= set(doc["paths"])


def test_issue_api_token_prints_a_working_token_once(counsellor):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "--user", counsellor.username, "--label", "ci", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert user_for_token(token) == counsellor
    assert ApiToken.objects.get(user=counsellor).label == "ci"
    assert token not in err.getvalue()


def test_issue_api_token_refuses_an_unknown_or_roleless_user(cast):
    with pytest.raises(CommandError):
        call_command("issue_api_token", "--user", "ghost", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("issue_api_token", "--user", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


# --- schemathesis: every operation, per role, ≥ 100 examples each ---------------------------------

FUZZ_EXAMPLES = int(os.environ.get("AUTOCREA_API_FUZZ_EXAMPLES", "100"))


@contextlib.contextmanager
def _keep_the_test_connection() -> Iterator[None]:
    """Stop the WSGI handler from closing the test's connection (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_schema() -> Iterator[Any]:
    import schemathesis

    from autocrea.api.api import api
    from autocrea.wsgi import application

    # The document itself, as /api/openapi.json serves it to staff (tests/test_api_docs.py); requests go to the app.
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder)))
    schema.app = application
    schema.location = "/api/openapi.json"
    with _keep_the_test_connection():
        yield schema


def _checks() -> list[Any]:
    from schemathesis import checks
    from schemathesis.specs.openapi import checks as openapi_checks

    return [
        checks.not_a_server_error,
        openapi_checks.status_code_conformance,
        openapi_checks.content_type_conformance,
        openapi_checks.response_schema_conformance,
        openapi_checks.response_headers_conformance,
        # Not negative_data_rejection: it flags unknown query parameters (e.g. `?=false`), which the API
        # ignores on purpose; invalid bodies and parameters are still sent and must not cause a 5xx.
    ]


@pytest.mark.parametrize("username", ["demo-counsellor", "demo-coach-credal"])
def test_the_api_conforms_to_its_schema_for_each_role(api_schema, username, cast, counsellor, coach, partners):
    from schemathesis import GenerationMode

    # Real trajectories at several steps, so that fuzzed writes also reach the services.
    ids = [
        make_trajectory(step=step, counsellor=counsellor, coach=coach, partner=partners["credal"]).pk
        for step in (Step.INTEREST, Step.INFORMATION, Step.DECISION, Step.ORIENTATION, Step.DIAGNOSTIC, Step.EXIT)
    ]
    token = issue_token(user=cast[username])
    headers = {"Authorization": f"Bearer {token}"}
    checks = _checks()
    ran: dict[str, int] = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        strategies = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE)]
        if "trajectory_id" in operation.path:
            strategies += [
                operation.as_strategy(path_parameters={"trajectory_id": pk}, generation_mode=GenerationMode.POSITIVE)
                for pk in ids
            ]
        strategies.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        label = operation.label
        ran[label] = 0

        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies))
        def fuzz(case: Any) -> None:
            ran[case.operation.label] += 1
            response = case.call(headers=headers)
            case.validate_response(response, checks=checks, headers=headers)

        with _keep_the_test_connection():
            fuzz()
    assert len(ran) == 10, ran
    # Hypothesis stops early only when an operation has fewer distinct inputs (GET /partners has none).
    assert all(n >= FUZZ_EXAMPLES for label, n in ran.items() if label != "GET /api/partners"), ran
    print(f"schemathesis {username}: {ran}")
