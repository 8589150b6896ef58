"""The backbone through its services: each step, the refusals, and the history kept."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Channel, Step
from autocrea.pathways import services
from autocrea.pathways.models import Exit, StepLog, Trajectory
from autocrea.reference.models import ExitKind
from tests.factories import make_jobseeker, make_trajectory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the refusal messages in English (the catalogues translate them on screen)."""
    with translation.override("en"):
        yield


def test_refusals_are_translated_in_french_and_dutch(counsellor):
    t = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    for lang, expected in (("fr", "futur"), ("nl", "toekomst")):
        with translation.override(lang), pytest.raises(PathwayError) as err:
            services.record_information(
                trajectory=t,
                by=counsellor,
                channel=Channel.COUNTER,
                on=timezone.localdate() + datetime.timedelta(days=2),
            )
        assert expected in err.value.message.lower(), err.value.message


def test_a_trajectory_walks_the_whole_backbone(counsellor, coach, partners):
    t = make_trajectory(step=Step.FOLLOW_UP, counsellor=counsellor, coach=coach, partner=partners["credal"])
    steps = list(StepLog.objects.filter(trajectory=t).values_list("from_step", "to_step"))
    assert steps == [
        ("", "interest"),
        ("interest", "information"),
        ("information", "decision"),
        ("decision", "orientation"),
        ("orientation", "diagnostic"),
        ("diagnostic", "accompaniment"),
        ("accompaniment", "exit"),
        ("exit", "follow_up"),
    ]
    assert t.guided_on is not None and t.exit_kind_id == "salaried_job"


def test_an_out_of_order_transition_is_refused_and_writes_nothing(counsellor, coach, partners):
    t = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    before = StepLog.objects.count()
    with pytest.raises(PathwayError) as err:
        services.orient(
            trajectory=t, partner=partners["credal"], by=counsellor, channel=Channel.COUNTER, on=timezone.localdate()
        )
    assert "cannot go" in err.value.message
    t.refresh_from_db()
    assert t.current_step == Step.INTEREST and t.partner_id is None
    assert StepLog.objects.count() == before
    assert not t.orientations.exists()


def test_skipping_information_needs_a_reason(counsellor):
    t = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    with pytest.raises(PathwayError):
        services.record_decision(
            trajectory=t, by=counsellor, channel=Channel.PHONE, on=timezone.localdate(), go_ahead=True, reason="go"
        )
    t = services.record_decision(
        trajectory=t,
        by=counsellor,
        channel=Channel.PHONE,
        on=timezone.localdate(),
        go_ahead=True,
        reason="go",
        skip_reason="Informed at a partner's open day",
    )
    assert t.current_step == Step.DECISION
    assert t.steps.last().reason == "Informed at a partner's open day"


def test_deciding_not_to_go_ahead_stops_the_trajectory(counsellor):
    t = make_trajectory(step=Step.INFORMATION, counsellor=counsellor)
    t = services.record_decision(
        trajectory=t,
        by=counsellor,
        channel=Channel.PHONE,
        on=timezone.localdate(),
        go_ahead=False,
        reason="not_now",
        details="Childcare first",
    )
    assert t.current_step == Step.STOPPED
    assert t.guided_on is None


def test_a_declined_orientation_returns_to_orientation_with_history(counsellor, coach, partners):
    t = make_trajectory(step=Step.ORIENTATION, counsellor=counsellor, partner=partners["credal"])
    t = services.answer_orientation(
        trajectory=t, by=coach, answer="declined", on=timezone.localdate(), reason="Project outside our field"
    )
    assert t.current_step == Step.ORIENTATION and t.partner_id is None
    t = services.orient(
        trajectory=t, partner=partners["microstart"], by=counsellor, channel=Channel.COUNTER, on=timezone.localdate()
    )
    assert t.partner.slug == "microstart"
    assert list(t.orientations.values_list("partner__slug", "status")) == [
        ("credal", "declined"),
        ("microstart", "pending"),
    ]


def test_reorientation_keeps_the_first_partners_history(counsellor, coach, other_coach, partners):
    t = make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"])
    guided_on = t.guided_on
    t = services.reorient(
        trajectory=t,
        partner=partners["microstart"],
        by=coach,
        channel=Channel.PARTNER,
        on=timezone.localdate(),
        reason="Needs microcredit",
    )
    t = services.answer_orientation(trajectory=t, by=other_coach, answer="accepted", on=timezone.localdate())
    assert t.partner.slug == "microstart" and t.current_step == Step.DIAGNOSTIC
    assert t.guided_on == guided_on  # guided once, from the first acceptance
    assert t.diagnostics.filter(partner__slug="credal").exists()


def test_reopening_an_exit_voids_it_and_keeps_it(counsellor, coach, partners):
    t = make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach, partner=partners["credal"])
    t = services.reopen(
        trajectory=t, by=coach, channel=Channel.PARTNER, on=timezone.localdate(), reason="Exit recorded too early"
    )
    assert t.current_step == Step.ACCOMPANIMENT and t.exit_kind_id is None
    assert Exit.objects.filter(trajectory=t, voided_on__isnull=False).count() == 1


def test_a_job_creation_exit_needs_a_valid_enterprise_number(counsellor, coach, partners):
    t = make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"])
    kind = ExitKind.objects.get(code="self_employed")
    with pytest.raises(PathwayError):
        services.record_exit(trajectory=t, kind=kind, on=timezone.localdate(), by=coach)
    with pytest.raises(Exception, match="enterprise number"):
        services.record_exit(
            trajectory=t, kind=kind, on=timezone.localdate(), by=coach, enterprise_number="0403.170.702"
        )
    t.refresh_from_db()
    assert t.current_step == Step.ACCOMPANIMENT and not t.exits.exists()


def test_a_stale_version_is_refused(counsellor):
    t = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    stale = t.version
    services.record_information(
        trajectory=t, by=counsellor, channel=Channel.COUNTER, on=timezone.localdate(), version=stale
    )
    with pytest.raises(PathwayError, match="Someone else"):
        services.stop(
            trajectory=t, by=counsellor, channel=Channel.COUNTER, on=timezone.localdate(), reason="x", version=stale
        )


def test_a_coach_cannot_act_on_another_partners_trajectory(counsellor, other_coach, partners):
    t = make_trajectory(step=Step.ORIENTATION, counsellor=counsellor, partner=partners["credal"])
    with pytest.raises(PathwayError):
        services.answer_orientation(trajectory=t, by=other_coach, answer="accepted", on=timezone.localdate())


def test_a_date_in_the_future_is_refused(counsellor):
    t = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    with pytest.raises(PathwayError, match="future"):
        services.record_information(
            trajectory=t, by=counsellor, channel=Channel.COUNTER, on=timezone.localdate() + datetime.timedelta(days=2)
        )


def test_one_person_has_one_open_trajectory(counsellor):
    person = make_jobseeker()
    services.express_interest(jobseeker=person, by=counsellor, channel=Channel.COUNTER)
    with pytest.raises(PathwayError):
        services.express_interest(jobseeker=person, by=counsellor, channel=Channel.WEB)
    assert Trajectory.objects.filter(jobseeker=person).count() == 1


def test_a_job_seeker_cannot_express_interest_for_someone_else(cast):
    someone_else = make_jobseeker()
    with pytest.raises(PathwayError):
        services.express_interest(jobseeker=someone_else, by=cast["demo-jobseeker"], channel=Channel.WEB)
    assert not Trajectory.objects.filter(jobseeker=someone_else).exists()
