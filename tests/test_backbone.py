"""The backbone package: a leaf, one transition table keyed by action, the action in the step log,
and a stale version as its own error."""

from __future__ import annotations

import ast
import datetime
import importlib
import pathlib
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone, translation

from autocrea.accounts.access import can
from autocrea.backbone.errors import PathwayError, StaleVersionError, TransitionError
from autocrea.backbone.roles import Role
from autocrea.backbone.steps import Channel, Step
from autocrea.backbone.transitions import ACTIONS, BY_NAME, EDGES, SERVICES, check_action, roles_for
from autocrea.partners import activities, programme
from autocrea.partners.models import PartnerActivity
from autocrea.pathways import registers, services
from autocrea.pathways.models import InformationSession, StepLog
from autocrea.portal.views.pathway import can_choose_partner
from tests.factories import make_trajectory

BACKBONE_DIR = pathlib.Path(__file__).resolve().parent.parent / "autocrea" / "backbone"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def _imports(path: pathlib.Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_backbone_package_imports_no_other_app():
    modules = {module for path in BACKBONE_DIR.glob("*.py") for module in _imports(path)}
    assert modules, "the scan found the package's imports"
    ours = {m for m in modules if m.split(".")[0] == "autocrea"}
    assert all(m.startswith("autocrea.backbone") for m in ours), ours
    outside = {m.split(".")[0] for m in modules} - {"autocrea", "django", "__future__", "dataclasses"}
    assert not outside, outside


def test_the_old_homes_are_gone():
    assert not (BACKBONE_DIR.parent / "pathways" / "steps.py").exists()
    from autocrea.accounts import models

    assert models.User._meta.get_field("role").choices == Role.choices


def test_the_table_names_each_action_once_and_keeps_every_edge_of_the_backbone():
    assert len(BY_NAME) == len(ACTIONS)
    # The edges the old table allowed are all still reachable, and nothing else (plus the start of a trajectory).
    assert (
        frozenset(
            {
                ("", Step.INTEREST),
                (Step.INTEREST, Step.INFORMATION),
                (Step.INTEREST, Step.DECISION),
                (Step.INFORMATION, Step.DECISION),
                (Step.DECISION, Step.ORIENTATION),
                (Step.ORIENTATION, Step.ORIENTATION),
                (Step.ORIENTATION, Step.DIAGNOSTIC),
                (Step.DIAGNOSTIC, Step.ACCOMPANIMENT),
                (Step.DIAGNOSTIC, Step.EXIT),
                (Step.ACCOMPANIMENT, Step.EXIT),
                (Step.DIAGNOSTIC, Step.ORIENTATION),
                (Step.ACCOMPANIMENT, Step.ORIENTATION),
                (Step.EXIT, Step.FOLLOW_UP),
                (Step.EXIT, Step.ACCOMPANIMENT),
                (Step.INTEREST, Step.STOPPED),
                (Step.INFORMATION, Step.STOPPED),
                (Step.DECISION, Step.STOPPED),
                (Step.ORIENTATION, Step.STOPPED),
                (Step.STOPPED, Step.INTEREST),
                (Step.STOPPED, Step.INFORMATION),
                (Step.STOPPED, Step.DECISION),
            }
        )
        == EDGES
    )


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.parametrize("role", Role.values)
def test_can_reads_its_roles_from_the_table(service, role):
    user = SimpleNamespace(is_authenticated=True, is_active=True, role=role, partner_id=None, pk=1)
    assert can(user, service) == (role in {r for action in SERVICES[service] for r in action.roles})


def test_an_action_keeps_its_own_refusal_message():
    with pytest.raises(TransitionError) as err:
        check_action("decline", Step.ORIENTATION, reason=" ")
    assert err.value.message == "Give the reason why the partner declines."
    with pytest.raises(TransitionError) as err:
        check_action("express_interest", "", channel="fax")
    assert err.value.message == "Choose how the interest was expressed."
    with pytest.raises(TransitionError) as err:
        check_action("reopen_stopped", Step.STOPPED, role=Role.COACH, reason="Back")
    assert err.value.message == "You are not allowed to do this for this person."
    assert roles_for("reopen") > roles_for("reopen_stopped")


def _day(trajectory, days=1):
    return max(d for d in (trajectory.orientation_on, trajectory.decision_on) if d) + datetime.timedelta(days=days)


@pytest.mark.django_db
def test_a_decline_and_a_new_choice_are_logged_as_different_actions(counsellor, coach, partners):
    t = make_trajectory(step=Step.ORIENTATION, counsellor=counsellor, partner=partners["credal"])
    t = services.answer_orientation(
        trajectory=t, by=coach, answer="declined", on=_day(t), reason="No place", version=t.version
    )
    t = services.orient(
        trajectory=t, partner=partners["microstart"], by=counsellor, channel=Channel.COUNTER, on=_day(t, 2)
    )
    t = services.orient(
        trajectory=t,
        partner=partners["refresh"],
        by=counsellor,
        channel=Channel.COUNTER,
        on=_day(t, 3),
        reason="Closer to home",
    )
    rows = list(StepLog.objects.filter(trajectory=t).values_list("from_step", "to_step", "action"))
    assert rows[-4:] == [
        (Step.DECISION, Step.ORIENTATION, "choose_partner"),
        (Step.ORIENTATION, Step.ORIENTATION, "decline"),
        (Step.ORIENTATION, Step.ORIENTATION, "choose_again"),
        (Step.ORIENTATION, Step.ORIENTATION, "change_partner"),
    ]


@pytest.mark.django_db
def test_every_service_logs_the_action_it_took(counsellor, coach, partners):
    t = make_trajectory(step=Step.FOLLOW_UP, counsellor=counsellor, coach=coach, partner=partners["credal"])
    assert list(StepLog.objects.filter(trajectory=t).values_list("action", flat=True)) == [
        "express_interest",
        "record_information",
        "go_ahead",
        "choose_partner",
        "accept",
        "record_diagnostic",
        "record_exit",
        "record_no_response",  # the factory records the follow-up as a non-response
    ]
    stopped = make_trajectory(step=Step.STOPPED, counsellor=counsellor)
    services.reopen(trajectory=stopped, by=counsellor, channel=Channel.PHONE, on=timezone.localdate(), reason="Back")
    assert list(StepLog.objects.filter(trajectory=stopped).values_list("action", flat=True)) == [
        "express_interest",
        "stop",
        "reopen_stopped",
    ]


@pytest.mark.django_db
def test_the_portal_offers_the_partner_choice_where_the_table_lets_the_person_choose(counsellor, coach, partners):
    t = make_trajectory(step=Step.DECISION, counsellor=counsellor)
    assert can_choose_partner(t)
    t = services.orient(trajectory=t, partner=partners["credal"], by=counsellor, channel=Channel.COUNTER, on=_day(t))
    assert not can_choose_partner(t)  # the partner has to answer first
    t = services.answer_orientation(trajectory=t, by=coach, answer="declined", on=_day(t), reason="Full")
    assert can_choose_partner(t)  # choose again


@pytest.mark.django_db
def test_a_stale_trajectory_version_is_its_own_error(counsellor):
    t = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    with pytest.raises(StaleVersionError) as err:
        services.record_information(
            trajectory=t, by=counsellor, channel=Channel.COUNTER, on=timezone.localdate(), version=t.version - 1
        )
    assert "Someone else changed this trajectory" in err.value.message
    # Any other refusal is not a stale version.
    with pytest.raises(PathwayError) as other:
        services.stop(trajectory=t, by=counsellor, channel=Channel.PHONE, on=timezone.localdate(), reason="")
    assert not isinstance(other.value, StaleVersionError)


@pytest.mark.django_db
def test_a_stale_session_activity_or_programme_is_a_stale_version(cast, partners):
    session = InformationSession.objects.create(
        starts_at=timezone.now() + datetime.timedelta(days=3), place="Actiris", language="fr"
    )
    with transaction.atomic(), pytest.raises(StaleVersionError):
        registers.lock(session, session.version + 1)
    activity = PartnerActivity.objects.create(
        partner=partners["credal"],
        code="stale",
        name_fr="Atelier",
        name_nl="Workshop",
        name_en="Workshop",
        step="accompaniment",
        kind="workshop",
    )
    with pytest.raises(StaleVersionError):
        activities.update_activity(
            activity=activity, by=cast["demo-partner-manager-credal"], values={}, version=activity.version + 1
        )
    assert issubclass(programme.ProgrammeConflict, StaleVersionError)


def test_the_data_migration_names_old_rows_from_their_edge():
    migration = importlib.import_module("autocrea.pathways.migrations.0004_steplog_action")

    def name(from_step, to_step, previous="", channel="counter", on=datetime.date(2026, 1, 5), no=(), silent=()):
        row = SimpleNamespace(from_step=from_step, to_step=to_step, channel=channel, trajectory_id=1, on=on)
        return migration._action(row, previous, set(no), set(silent))

    assert name("orientation", "orientation", channel="partner") == "decline"
    assert name("orientation", "orientation", previous="decline") == "choose_again"
    assert name("orientation", "orientation", previous="choose_partner") == "change_partner"
    assert name("information", "stopped", no=[(1, datetime.date(2026, 1, 5))]) == "not_go_ahead"
    assert name("information", "stopped") == "stop"
    assert name("exit", "follow_up", silent=[(1, datetime.date(2026, 1, 5))]) == "record_no_response"
    assert name("stopped", "decision") == "reopen_stopped"
    for action in ACTIONS:  # every name the migration writes is an action of the table
        for source in action.sources:
            for target in action.targets:
                assert name(source, target, channel="partner") in BY_NAME
