"""Attestations of a trajectory, as PDF documents in the person's contact language.

Two documents: the attestation of participation (who, with which partner, the steps reached with
their dates, the sessions attended, the exit if any) and the attestation of follow-up (the situation
six months after the exit, only once the person answered). Both are always in the person's contact
language (Jobseeker.contact_language), whoever prints them and whatever their screen language.

This module only reads: callers pass a trajectory they fetched through accounts.access (staff:
`get_trajectory_for`, the person: their own), and `generate` appends an AuditEvent (ids only).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from autocrea.accounts import audit
from autocrea.accounts.access import prints_as_staff
from autocrea.backbone.steps import BACKBONE, Step
from autocrea.lib.pdf import render_pdf
from autocrea.pathways.models import (
    STEP_DATE_FIELDS,
    Attendance,
    FollowUp,
    FollowUpStatus,
    Trajectory,
)

PARTICIPATION = "participation"
FOLLOW_UP = "follow-up"

# The steps in the person's words (the staff's step labels are shorter jargon).
STEP_REACHED = {
    Step.INTEREST: _("Interest in the programme expressed"),
    Step.INFORMATION: _("Information about the programme received"),
    Step.DECISION: _("Decision taken"),
    Step.ORIENTATION: _("Partner chosen"),
    Step.DIAGNOSTIC: _("Accepted by the partner (start of the accompaniment)"),
    Step.ACCOMPANIMENT: _("Action plan agreed, coaching started"),
    Step.EXIT: _("End of the accompaniment"),
    Step.FOLLOW_UP: _("Follow-up after 6 months"),
}


@dataclass(frozen=True)
class Document:
    """One attestation a trajectory can produce now."""

    kind: str
    title: str | Promise
    description: str | Promise


def answered_follow_up(trajectory: Trajectory) -> FollowUp | None:
    """Return the trajectory's answered follow-up of its live exit, or None (unanswered: nothing to attest)."""
    return (
        FollowUp.objects.filter(trajectory=trajectory, status=FollowUpStatus.ANSWERED, exit__voided_on__isnull=True)
        .select_related("exit")
        .order_by("-id")
        .first()
    )


def available(trajectory: Trajectory) -> list[Document]:
    """Return the attestations that `trajectory` can produce now, participation first."""
    documents = [
        Document(
            PARTICIPATION,
            _("Attestation of participation"),
            _("Your steps in the programme, your partner and the sessions you attended."),
        )
    ]
    if answered_follow_up(trajectory) is not None:
        documents.append(
            Document(
                FOLLOW_UP,
                _("Attestation of follow-up"),
                _("Your situation six months after the end of the accompaniment."),
            )
        )
    return documents


def _organisation() -> str:
    return str(settings.PROGRAMME.get("organisation") or "Actiris")


def _common(trajectory: Trajectory, *, by: Any) -> dict[str, Any]:
    person = trajectory.jobseeker
    staff = prints_as_staff(by)
    return {
        "trajectory": trajectory,
        "person": person,
        "masked_national_number": person.masked_national_number,
        "organisation": _organisation(),
        "programme_name": settings.PROGRAMME.get("name", ""),
        "service_name": settings.SERVICE_NAME,
        "issued_on": timezone.localdate(),
        # Printed by staff: a line to sign by hand; downloaded by the person: issued electronically.
        "signer": (by.get_full_name() or by.get_username()) if staff else "",
        "signer_partner": getattr(getattr(by, "partner", None), "name", "") if staff else "",
    }


def _steps_reached(trajectory: Trajectory) -> list[dict[str, Any]]:
    rows = []
    for step in BACKBONE:
        on = getattr(trajectory, STEP_DATE_FIELDS[step])
        if on:
            rows.append({"label": STEP_REACHED[step], "on": on})
    return rows


def _information_attended(trajectory: Trajectory) -> list[datetime.date]:
    days = []
    for attendance in trajectory.information_attendances.select_related("session").filter(status=Attendance.PRESENT):
        if attendance.session is not None:
            days.append(timezone.localdate(attendance.session.starts_at))
        elif attendance.individual_interview_on:
            days.append(attendance.individual_interview_on)
    return sorted(days)


def _sessions_attended(trajectory: Trajectory) -> list[dict[str, Any]]:
    rows = []
    attendances = trajectory.session_attendances.filter(status="present").select_related("session", "session__partner")
    for attendance in attendances.order_by("session__starts_at"):
        session = attendance.session
        rows.append(
            {
                "on": timezone.localdate(session.starts_at),
                "collective": session.kind == "collective",
                "kind": session.get_kind_display(),
                # Coaching notes never leave the partner; a workshop's topic is public information.
                "topic": session.topic if session.kind == "collective" else "",
                "minutes": session.duration_minutes,
                "partner": session.partner,
            }
        )
    return rows


def participation_context(trajectory: Trajectory, *, by: Any) -> dict[str, Any]:
    """Return what the attestation of participation says (names resolve in the active language)."""
    live_exit = trajectory.exits.filter(voided_on__isnull=True).select_related("kind", "partner").first()
    sessions = _sessions_attended(trajectory)
    return {
        **_common(trajectory, by=by),
        "partner": trajectory.partner or (live_exit.partner if live_exit else None),
        "steps": _steps_reached(trajectory),
        "information_days": _information_attended(trajectory),
        "sessions": sessions,
        "individual_count": sum(1 for s in sessions if not s["collective"]),
        "collective_count": sum(1 for s in sessions if s["collective"]),
        "exit": live_exit,
        "stopped_on": trajectory.stopped_on if trajectory.current_step == Step.STOPPED else None,
        "in_progress": not trajectory.is_closed,
    }


def follow_up_context(trajectory: Trajectory, follow_up: FollowUp, *, by: Any) -> dict[str, Any]:
    """Return what the attestation of follow-up says."""
    return {
        **_common(trajectory, by=by),
        "partner": follow_up.exit.partner,
        "follow_up": follow_up,
        "exit": follow_up.exit,
    }


class NotAvailable(Exception):
    """The trajectory cannot produce this document (unknown kind, or no answered follow-up)."""


def generate(trajectory: Trajectory, kind: str, *, by: Any) -> tuple[bytes, str]:
    """Return (PDF bytes, file name) of one attestation in the person's language, and audit it.

    Raises NotAvailable when `kind` is unknown or the trajectory cannot produce it yet.
    """
    lang = trajectory.jobseeker.contact_language or "fr"
    # The context too is built in the person's language: choice labels are resolved when read.
    with translation.override(lang):
        if kind == PARTICIPATION:
            template = "pdf/attestation_participation.html"
            context = participation_context(trajectory, by=by)
        elif kind == FOLLOW_UP:
            follow_up = answered_follow_up(trajectory)
            if follow_up is None:
                raise NotAvailable(kind)
            template = "pdf/attestation_follow_up.html"
            context = follow_up_context(trajectory, follow_up, by=by)
        else:
            raise NotAvailable(kind)
        content = render_pdf(template, context, lang=lang)
    # Ids and the action only: the document itself is never stored nor logged.
    audit.record(user=by, action=f"generate:attestation.{kind}", obj=trajectory)
    return content, f"attestation-{kind}-{trajectory.reference}.pdf"
