"""Every change to a trajectory: atomic, takes the acting user, writes the step log.

Views, the API, commands and imports all call these functions; nothing else writes a step.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autocrea.accounts import audit
from autocrea.accounts.access import acting_role, becomes_coach_on_acceptance, can, may_express_interest_for
from autocrea.backbone.errors import PathwayError, StaleVersionError
from autocrea.backbone.steps import CLOSED_STEPS, Channel, Step
from autocrea.backbone.transitions import NEW, check_action, steps_for
from autocrea.jobseekers.models import Jobseeker
from autocrea.lib.dates import RECORDED
from autocrea.lib.identifiers import clean_enterprise_number as _clean_bce
from autocrea.partners.models import Partner
from autocrea.pathways.integrity import lock_in_pk_order, opening_trajectory
from autocrea.pathways.models import (
    STEP_DATE_FIELDS,
    Decision,
    DecisionReason,
    Exit,
    FollowUp,
    FollowUpStatus,
    InformationAttendance,
    InformationSession,
    Orientation,
    OrientationStatus,
    StepLog,
    Trajectory,
)
from autocrea.reference.models import BusinessSector, ExitKind

FOLLOW_UP_DELAY_DAYS = 183  # about six months after the exit


def _valid_enterprise_number(value: str) -> str:
    try:
        return _clean_bce(value)
    except ValidationError as exc:
        raise PathwayError(" ".join(str(m) for m in exc.messages)) from exc


def _ensure_can(by: Any, action: str, trajectory: Trajectory | None = None) -> None:
    if not can(by, action, trajectory):
        raise PathwayError(_("You are not allowed to do this for this person."))


def _check_date(on: datetime.date, *, not_before: datetime.date | None = None) -> None:
    if on > timezone.localdate():
        raise PathwayError(_("The date cannot be in the future."))
    if message := RECORDED.error(on):
        raise PathwayError(message)
    if not_before is not None and on < not_before:
        raise PathwayError(
            _("The date cannot be before %(date)s, the date of the previous step.")
            % {"date": not_before.strftime("%d/%m/%Y")}
        )


def _last_step_date(trajectory: Trajectory) -> datetime.date:
    dates = [getattr(trajectory, f) for f in STEP_DATE_FIELDS.values()]
    return max(d for d in dates if d is not None)


def _locked(trajectory: Trajectory, version: int | None) -> Trajectory:
    """Re-read the trajectory under a row lock and refuse a write based on a stale version."""
    # The trajectory row only, without a join (pathways/integrity.py); a merge locks the person first.
    lock_in_pk_order(Trajectory, [trajectory.pk])
    fresh = Trajectory.objects.select_related("jobseeker").get(pk=trajectory.pk)
    if version is not None and fresh.version != version:
        raise StaleVersionError(
            _("Someone else changed this trajectory while you were working on it. Reload the page and try again.")
        )
    return fresh


def _move(
    trajectory: Trajectory,
    action: str,
    target: str,
    *,
    on: datetime.date,
    by: Any,
    channel: str,
    reason: str = "",
    extra_fields: dict[str, Any] | None = None,
) -> Trajectory:
    """Apply one action of the transition table to a locked trajectory and append its step-log row."""
    source = trajectory.current_step
    check_action(action, source, role=acting_role(by), reason=reason, target=target, channel=channel)
    _check_date(on, not_before=_last_step_date(trajectory))
    trajectory.current_step = target
    # The first acceptance is the start of guidance: a re-orientation does not move it.
    if not (target == Step.DIAGNOSTIC and trajectory.guided_on is not None):
        setattr(trajectory, STEP_DATE_FIELDS[Step(target)], on)
    trajectory.version += 1
    trajectory.last_activity_at = timezone.now()
    fields = {"current_step", STEP_DATE_FIELDS[Step(target)], "version", "last_activity_at"}
    for name, value in (extra_fields or {}).items():
        setattr(trajectory, name, value)
        fields.add(name)
    trajectory.save(update_fields=sorted(fields))
    StepLog.objects.create(
        trajectory=trajectory,
        from_step=source,
        to_step=target,
        action=action,
        on=on,
        by=by,
        channel=channel,
        reason=reason,
        partner_id=trajectory.partner_id,
    )
    audit.record(user=by, action=f"step:{source}->{target}", obj=trajectory)
    return trajectory


@transaction.atomic
def express_interest(
    *,
    jobseeker: Jobseeker,
    by: Any,
    channel: str,
    on: datetime.date | None = None,
    project_summary: str = "",
    sector: BusinessSector | None = None,
) -> Trajectory:
    """Start a trajectory at the interest step, online or on the person's behalf."""
    _ensure_can(by, "express_interest")
    if not may_express_interest_for(by, jobseeker):
        raise PathwayError(_("You are not allowed to do this for this person."))
    on = on or timezone.localdate()
    _check_date(on)
    check_action("express_interest", NEW, role=acting_role(by), channel=channel)
    # Lock the person so that two simultaneous submissions cannot open two trajectories.
    Jobseeker.objects.select_for_update().filter(pk=jobseeker.pk).first()
    if Trajectory.objects.filter(jobseeker=jobseeker).open().exists():
        raise PathwayError(_("This person already has an open trajectory."))
    with opening_trajectory():  # the database's rule when two writers race (pathways/integrity.py)
        trajectory = Trajectory.objects.create(
            jobseeker=jobseeker,
            current_step=Step.INTEREST,
            intake_channel=channel,
            interest_on=on,
            project_summary=project_summary,
            sector=sector,
        )
    StepLog.objects.create(
        trajectory=trajectory,
        from_step=NEW,
        to_step=Step.INTEREST,
        action="express_interest",
        on=on,
        by=by,
        channel=channel,
    )
    audit.record(user=by, action="step:->interest", obj=trajectory)
    return trajectory


@transaction.atomic
def record_information(
    *,
    trajectory: Trajectory,
    by: Any,
    channel: str,
    on: datetime.date,
    session: InformationSession | None = None,
    version: int | None = None,
) -> Trajectory:
    """Record that the person received the information (a session attended, or an individual interview)."""
    _ensure_can(by, "record_information", trajectory)
    trajectory = _locked(trajectory, version)
    if session is not None:
        if timezone.localdate(session.starts_at) > timezone.localdate():
            raise PathwayError(_("This session has not taken place yet."))
        on = timezone.localdate(session.starts_at)
        InformationAttendance.objects.update_or_create(
            trajectory=trajectory, session=session, defaults={"status": "present"}
        )
    else:
        InformationAttendance.objects.create(trajectory=trajectory, individual_interview_on=on, status="present")
    return _move(trajectory, "record_information", Step.INFORMATION, on=on, by=by, channel=channel)


@transaction.atomic
def record_decision(
    *,
    trajectory: Trajectory,
    by: Any,
    channel: str,
    on: datetime.date,
    go_ahead: bool,
    reason: str,
    details: str = "",
    skip_reason: str = "",
    version: int | None = None,
) -> Trajectory:
    """Record the person's decision; not going ahead is a respected outcome that stops the trajectory."""
    _ensure_can(by, "record_decision", trajectory)
    trajectory = _locked(trajectory, version)
    if trajectory.current_step not in steps_for("record_decision"):
        # Once oriented, not going ahead goes through stop(), which ends the orientation and clears the
        # partner; a decision here would leave the partner seeing a stopped person's file.
        raise PathwayError(_("The decision was already recorded for this person."))
    if reason not in DecisionReason.values:
        raise PathwayError(_("Choose a reason for the decision."))
    if go_ahead != (reason == DecisionReason.GO):
        raise PathwayError(_("The reason does not match the decision."))
    target = Step.DECISION if go_ahead else Step.STOPPED
    # Going ahead straight from interest skips information: the table demands `skip_reason`.
    if not go_ahead:
        action = "not_go_ahead"
    else:
        action = "skip_information" if trajectory.current_step == Step.INTEREST else "go_ahead"
    step_reason = skip_reason if go_ahead else (details or str(DecisionReason(reason).label))
    Decision.objects.create(
        trajectory=trajectory, go_ahead=go_ahead, reason=reason, details=details, decided_on=on, by=by
    )
    return _move(trajectory, action, target, on=on, by=by, channel=channel, reason=step_reason)


@transaction.atomic
def orient(
    *,
    trajectory: Trajectory,
    partner: Partner,
    by: Any,
    channel: str,
    on: datetime.date,
    chosen_by_person: bool = True,
    reason: str = "",
    version: int | None = None,
) -> Trajectory:
    """Record the partner the person chose; the partner then accepts, declines or waitlists."""
    _ensure_can(by, "orient", trajectory)
    trajectory = _locked(trajectory, version)
    # Refuse before writing: from a guided or exited step the accepted orientation is still live, so
    # creating another would fail on the database constraint instead of giving a refusal.
    if trajectory.current_step in steps_for("reorient"):
        # A guided person changes partner through reorient(), which ends the accepted orientation first.
        raise PathwayError(_("This person already has a partner: re-orient them to another partner instead."))
    action = "choose_partner"
    if trajectory.current_step != Step.ORIENTATION:
        check_action(action, trajectory.current_step, reason=reason)
    if not partner.active:
        raise PathwayError(_("This partner does not take new people at the moment."))
    if trajectory.current_step == Step.ORIENTATION:
        live = trajectory.orientations.filter(status__in=[OrientationStatus.PENDING, OrientationStatus.WAITLISTED])
        # With a partner still to answer the person changes partner; after a refusal they choose again.
        action = "change_partner" if live.exists() else "choose_again"
        check_action(action, trajectory.current_step, reason=reason)
        reason = reason or _("New choice after the partner declined")
        live.update(status=OrientationStatus.ENDED, answered_on=on)
    Orientation.objects.create(
        trajectory=trajectory, partner=partner, chosen_by_person=chosen_by_person, oriented_on=on, by=by
    )
    return _move(
        trajectory,
        action,
        Step.ORIENTATION,
        on=on,
        by=by,
        channel=channel,
        reason=reason,
        extra_fields={"partner": partner, "coach": None},
    )


@transaction.atomic
def answer_orientation(
    *,
    trajectory: Trajectory,
    by: Any,
    answer: str,
    on: datetime.date,
    reason: str = "",
    version: int | None = None,
) -> Trajectory:
    """Record the partner's answer: accepted (guided from now), declined (back to orientation) or waitlisted."""
    _ensure_can(by, "answer_orientation", trajectory)
    trajectory = _locked(trajectory, version)
    if trajectory.current_step not in steps_for("answer_orientation"):
        raise PathwayError(_("There is no orientation waiting for an answer."))
    orientation = trajectory.orientations.filter(
        status__in=[OrientationStatus.PENDING, OrientationStatus.WAITLISTED]
    ).first()
    if orientation is None or orientation.partner_id != trajectory.partner_id:
        raise PathwayError(_("There is no orientation waiting for an answer."))
    _check_date(on, not_before=orientation.oriented_on)
    if answer == OrientationStatus.ACCEPTED:
        orientation.status = OrientationStatus.ACCEPTED
        orientation.answered_on = on
        orientation.save(update_fields=["status", "answered_on"])
        coach = by if becomes_coach_on_acceptance(by) else None
        return _move(
            trajectory, "accept", Step.DIAGNOSTIC, on=on, by=by, channel=Channel.PARTNER, extra_fields={"coach": coach}
        )
    if answer == OrientationStatus.DECLINED:
        check_action("decline", trajectory.current_step, reason=reason)
        orientation.status = OrientationStatus.DECLINED
        orientation.answered_on = on
        orientation.answer_reason = reason
        orientation.save(update_fields=["status", "answered_on", "answer_reason"])
        # Back to orientation: the person chooses again; the declining partner no longer sees the file.
        return _move(
            trajectory,
            "decline",
            Step.ORIENTATION,
            on=on,
            by=by,
            channel=Channel.PARTNER,
            reason=reason,
            extra_fields={"partner": None, "coach": None},
        )
    if answer == OrientationStatus.WAITLISTED:
        if orientation.status == OrientationStatus.WAITLISTED:
            raise PathwayError(_("This person is already on the waiting list."))
        # The step stays: no step-log row, but the table still decides who may and from where.
        check_action("waitlist", trajectory.current_step, role=acting_role(by), reason=reason, channel=Channel.PARTNER)
        orientation.status = OrientationStatus.WAITLISTED
        orientation.answered_on = on
        orientation.answer_reason = reason
        orientation.save(update_fields=["status", "answered_on", "answer_reason"])
        trajectory.version += 1
        trajectory.last_activity_at = timezone.now()
        trajectory.save(update_fields=["version", "last_activity_at"])
        audit.record(user=by, action="orientation:waitlisted", obj=trajectory)
        return trajectory
    raise PathwayError(_("Choose the partner's answer."))


@transaction.atomic
def start_accompaniment(
    *, trajectory: Trajectory, by: Any, on: datetime.date, version: int | None = None
) -> Trajectory:
    """Move from diagnostic to accompaniment (called by coaching.services.action_plan.record_diagnostic)."""
    _ensure_can(by, "record_diagnostic", trajectory)
    trajectory = _locked(trajectory, version)
    return _move(trajectory, "record_diagnostic", Step.ACCOMPANIMENT, on=on, by=by, channel=Channel.PARTNER)


@transaction.atomic
def record_exit(
    *,
    trajectory: Trajectory,
    kind: ExitKind,
    on: datetime.date,
    by: Any,
    enterprise_number: str = "",
    evidence: str = "",
    version: int | None = None,
) -> Trajectory:
    """Record how a guided trajectory ended and plan its +6-month follow-up."""
    _ensure_can(by, "record_exit", trajectory)
    trajectory = _locked(trajectory, version)
    if not kind.active:
        raise PathwayError(_("This exit kind is no longer in use."))
    if enterprise_number:
        enterprise_number = _valid_enterprise_number(enterprise_number)
    elif kind.evidence_hint == "enterprise_number":
        raise PathwayError(_("Give the enterprise number (BCE/KBO) of the business created."))
    partner_id = trajectory.partner_id
    assert partner_id is not None  # guided steps always have a partner (database constraint)
    trajectory = _move(
        trajectory, "record_exit", Step.EXIT, on=on, by=by, channel=Channel.PARTNER, extra_fields={"exit_kind": kind}
    )
    exit_row = Exit.objects.create(
        trajectory=trajectory,
        partner_id=partner_id,
        kind=kind,
        exit_on=on,
        enterprise_number=enterprise_number,
        evidence=evidence,
        by=by,
    )
    FollowUp.objects.create(
        trajectory=trajectory, exit=exit_row, due_on=on + datetime.timedelta(days=FOLLOW_UP_DELAY_DAYS)
    )
    return trajectory


@transaction.atomic
def record_follow_up(
    *,
    trajectory: Trajectory,
    by: Any,
    on: datetime.date,
    responded: bool,
    situation: str = "",
    improved: bool | None = None,
    source: str = "",
    version: int | None = None,
) -> Trajectory:
    """Record the +6-month follow-up; a non-response is recorded as such, never guessed."""
    _ensure_can(by, "record_follow_up", trajectory)
    trajectory = _locked(trajectory, version)
    follow_up = FollowUp.objects.filter(trajectory=trajectory, exit__voided_on__isnull=True).first()
    if trajectory.current_step not in steps_for("record_follow_up") or follow_up is None:
        raise PathwayError(_("There is no follow-up to record for this trajectory."))
    if responded:
        if not situation:
            raise PathwayError(_("Choose the person's situation."))
        if not source:
            raise PathwayError(_("Choose where the answer comes from."))
        follow_up.status = FollowUpStatus.ANSWERED
        follow_up.situation = situation
        follow_up.improved = improved
        follow_up.source = source
    else:
        follow_up.status = FollowUpStatus.NO_RESPONSE
        follow_up.situation = ""
        follow_up.improved = None
        follow_up.source = ""
    follow_up.answered_on = on
    follow_up.by = by
    follow_up.save()
    action = "record_follow_up" if responded else "record_no_response"
    return _move(trajectory, action, Step.FOLLOW_UP, on=on, by=by, channel=Channel.PARTNER)


@transaction.atomic
def stop(
    *, trajectory: Trajectory, by: Any, channel: str, on: datetime.date, reason: str, version: int | None = None
) -> Trajectory:
    """Record that the person leaves before a partner accepted them (a funnel outcome, not an exit)."""
    _ensure_can(by, "stop", trajectory)
    trajectory = _locked(trajectory, version)
    if trajectory.current_step == Step.ORIENTATION:
        trajectory.orientations.filter(status__in=[OrientationStatus.PENDING, OrientationStatus.WAITLISTED]).update(
            status=OrientationStatus.ENDED, answered_on=on
        )
    return _move(
        trajectory,
        "stop",
        Step.STOPPED,
        on=on,
        by=by,
        channel=channel,
        reason=reason,
        extra_fields={"partner": None, "coach": None},
    )


@transaction.atomic
def reopen(
    *, trajectory: Trajectory, by: Any, channel: str, on: datetime.date, reason: str, version: int | None = None
) -> Trajectory:
    """Reopen a stopped or exited trajectory, keeping its whole history."""
    _ensure_can(by, "reopen", trajectory)
    trajectory = _locked(trajectory, version)
    if trajectory.current_step in steps_for("reopen_exit"):
        live_exit = trajectory.exits.filter(voided_on__isnull=True).first()
        if live_exit is not None:
            live_exit.voided_on = on
            live_exit.save(update_fields=["voided_on"])
        with opening_trajectory():  # another trajectory of the person may have opened meanwhile
            return _move(
                trajectory,
                "reopen_exit",
                Step.ACCOMPANIMENT,
                on=on,
                by=by,
                channel=channel,
                reason=reason,
                extra_fields={"exit_kind": None, "exit_on": None},
            )
    if trajectory.current_step not in steps_for("reopen_stopped"):
        raise PathwayError(_("Only a stopped trajectory or one that has just exited can be reopened."))
    stop_row = trajectory.steps.filter(to_step=Step.STOPPED).order_by("-id").first()
    previous = stop_row.from_step if stop_row else Step.INTEREST
    # A person who stopped while being oriented chooses a partner again after a new decision.
    target = Step.DECISION if previous == Step.ORIENTATION else previous
    with opening_trajectory():  # another trajectory of the person may have opened meanwhile
        return _move(
            trajectory,
            "reopen_stopped",
            target,
            on=on,
            by=by,
            channel=channel,
            reason=reason,
            extra_fields={"stopped_on": None},
        )


@transaction.atomic
def reorient(
    *,
    trajectory: Trajectory,
    partner: Partner,
    by: Any,
    channel: str,
    on: datetime.date,
    reason: str,
    chosen_by_person: bool = True,
    version: int | None = None,
) -> Trajectory:
    """Re-orient a guided person to another partner; the first partner's history is kept."""
    _ensure_can(by, "reorient", trajectory)
    trajectory = _locked(trajectory, version)
    if trajectory.current_step not in steps_for("reorient"):
        raise PathwayError(_("Only a person with a partner can be re-oriented to another partner."))
    if partner.pk == trajectory.partner_id:
        raise PathwayError(_("Choose a partner other than the current one."))
    if not partner.active:
        raise PathwayError(_("This partner does not take new people at the moment."))
    trajectory.orientations.filter(status=OrientationStatus.ACCEPTED).update(status=OrientationStatus.ENDED)
    Orientation.objects.create(
        trajectory=trajectory, partner=partner, chosen_by_person=chosen_by_person, oriented_on=on, by=by
    )
    return _move(
        trajectory,
        "reorient",
        Step.ORIENTATION,
        on=on,
        by=by,
        channel=channel,
        reason=reason,
        extra_fields={"partner": partner, "coach": None},
    )


def is_closed(trajectory: Trajectory) -> bool:
    return trajectory.current_step in CLOSED_STEPS


# --- Shared with the other apps' services (coaching): public names, so that no private helper crosses a module ---


def lock_trajectory(trajectory: Trajectory, version: int | None) -> Trajectory:
    """Re-read the trajectory under a row lock and refuse a stale version, as every pathway service does."""
    return _locked(trajectory, version)


def ensure_can(by: Any, action: str, trajectory: Trajectory | None = None) -> None:
    """Refuse `action` to `by` (accounts.access.can) with the services' one message."""
    _ensure_can(by, action, trajectory)


def valid_enterprise_number(value: str) -> str:
    """Return the BCE/KBO number cleaned, or refuse it with the validator's message."""
    return _valid_enterprise_number(value)
