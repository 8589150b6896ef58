"""My data: everything the programme holds about one person, to show, to print (PDF) and to download (JSON).

The subject-access export of docs/trust.md ("Retention and rights"). This module only reads: callers pass a
person they fetched through accounts.access (the person: their own record; staff: jobseekers_for or
get_trajectory_for), and `export_json` / `export_pdf` append an AuditEvent (ids and the action only).

What is not here, on purpose:
- the coaching notes a partner writes (Diagnostic.notes, CoachingSession.notes): they stay with the
  partner (docs/trust.md, docs/programme.md), so the page says so and how to ask the partner for them;
- the full national register number: masked everywhere, in the JSON too (never in an export);
- the names of the staff members who recorded each step: the channel and the date say how it was done.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from autocrea.accounts import audit
from autocrea.coaching.models import (
    Action,
    CoachingSession,
    Diagnostic,
    Goal,
    Milestone,
    SessionAttendance,
    SkillAssessment,
    ViabilityTest,
)
from autocrea.datarights.models import CorrectionRequest
from autocrea.jobseekers.models import Jobseeker, LanguageSkill
from autocrea.lib.pdf import render_pdf
from autocrea.notifications.models import Notification
from autocrea.pathways.models import (
    Decision,
    Exit,
    FollowUp,
    FollowUpAttempt,
    InformationAttendance,
    Orientation,
    StepLog,
    Trajectory,
)

# Bumped when a key changes meaning or disappears (adding a key keeps the version).
FORMAT = "autocrea.my-data"
FORMAT_VERSION = 1

# How long a file is kept after the pathway ends. The ESF+ co-financing must be accountable for years
# after the programme's last payment, so the default is long; each service sets its own (settings).
DEFAULT_RETENTION_YEARS = 10


def retention_years() -> int:
    """Return how many years a file is kept after the end of the pathway."""
    return int(getattr(settings, "PERSONAL_DATA_RETENTION_YEARS", DEFAULT_RETENTION_YEARS))


@dataclass
class TrajectoryData:
    """One pathway of the person and everything recorded along it."""

    trajectory: Trajectory
    steps: list[StepLog]
    information: list[InformationAttendance]
    decisions: list[Decision]
    orientations: list[Orientation]
    diagnostics: list[Diagnostic]
    skills: list[SkillAssessment]
    goals: list[Goal]
    coaching: list[SessionAttendance]
    milestones: list[Milestone]
    viability_tests: list[ViabilityTest]
    exits: list[Exit]
    follow_ups: list[FollowUp]

    @property
    def actions(self) -> list[Action]:
        return [action for goal in self.goals for action in goal.actions.all()]

    @property
    def step_rows(self) -> list[dict[str, Any]]:
        """Return each recorded step change in the person's words, with its date and how it was recorded."""
        from autocrea.pathways.attestations import STEP_REACHED

        return [
            {
                "label": STEP_REACHED.get(s.to_step) or s.get_to_step_display(),  # type: ignore[call-overload]
                "on": s.on,
                "channel": s.get_channel_display(),  # type: ignore[attr-defined]
                "reason": s.reason,
            }
            for s in self.steps
        ]


@dataclass
class MyData:
    """Everything held about one person."""

    person: Jobseeker
    languages: list[LanguageSkill]
    trajectories: list[TrajectoryData]
    corrections: list[CorrectionRequest]
    messages: list[Notification]
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def information(self) -> list[InformationAttendance]:
        return [a for t in self.trajectories for a in t.information]

    @property
    def coaching(self) -> list[SessionAttendance]:
        return [a for t in self.trajectories for a in t.coaching]

    @property
    def orientations(self) -> list[Orientation]:
        return [o for t in self.trajectories for o in t.orientations]

    @property
    def partners(self) -> list[str]:
        """Return the names of the partners that accompanied or answered the person (who hold notes)."""
        names: list[str] = []
        for o in self.orientations:
            if o.status != "pending" and o.partner.name not in names:
                names.append(o.partner.name)
        return names

    @property
    def has_coaching_notes(self) -> bool:
        """Whether a partner holds coaching notes about the person (shown as a fact, never their text)."""
        ids = [t.trajectory.pk for t in self.trajectories]
        return (
            Diagnostic.objects.filter(trajectory_id__in=ids).exclude(notes="").exists()
            or CoachingSession.objects.filter(attendances__trajectory_id__in=ids).exclude(notes="").exists()
        )


def _trajectory_data(trajectory: Trajectory) -> TrajectoryData:
    return TrajectoryData(
        trajectory=trajectory,
        steps=list(trajectory.steps.select_related("partner").order_by("on", "id")),
        information=list(trajectory.information_attendances.select_related("session").order_by("id")),
        decisions=list(trajectory.decisions.order_by("decided_on", "id")),
        orientations=list(trajectory.orientations.select_related("partner").order_by("oriented_on", "id")),
        # `defer("notes")`: the partner's notes are never even loaded here.
        diagnostics=list(
            trajectory.diagnostics.defer("notes")  # type: ignore[attr-defined]
            .select_related("partner")
            .prefetch_related("barriers")
            .order_by("done_on", "id")
        ),
        skills=list(trajectory.skill_assessments.order_by("assessed_on", "id")),  # type: ignore[attr-defined]
        goals=list(
            trajectory.goals.prefetch_related(  # type: ignore[attr-defined]
                models.Prefetch("actions", queryset=Action.objects.order_by("due_on", "id"))
            )
        ),
        coaching=list(
            trajectory.session_attendances.select_related("session__partner")  # type: ignore[attr-defined]
            .defer("session__notes")
            .order_by("session__starts_at", "id")
        ),
        milestones=list(trajectory.milestones.order_by("reached_on", "id")),  # type: ignore[attr-defined]
        viability_tests=list(trajectory.viability_tests.order_by("starts_on", "id")),  # type: ignore[attr-defined]
        exits=list(trajectory.exits.select_related("kind", "partner").order_by("exit_on", "id")),
        follow_ups=list(
            trajectory.follow_ups.prefetch_related(
                models.Prefetch("attempts", queryset=FollowUpAttempt.objects.order_by("on", "id"))
            ).order_by("due_on", "id")
        ),
    )


def collect(person: Jobseeker) -> MyData:
    """Return everything held about `person` (fetched by the caller through accounts.access)."""
    trajectories = (
        Trajectory.objects.filter(jobseeker=person)
        .select_related("partner", "coach", "sector", "exit_kind")
        .order_by("interest_on", "id")
    )
    return MyData(
        person=person,
        languages=list(person.language_skills.order_by("language")),
        trajectories=[_trajectory_data(t) for t in trajectories],
        corrections=list(person.correction_requests.order_by("-created_at", "-id")),  # type: ignore[attr-defined]
        messages=list(
            Notification.objects.filter(jobseeker=person)
            .select_related("information_session", "coaching_session")
            .order_by("created_at", "id")
        ),
    )


# ---------------------------------------------------------------- JSON


def _date(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _choice(obj: Any, name: str) -> dict[str, Any] | None:
    """Return a coded value as {"code", "label"}: the code is stable, the label in the export's language."""
    code = getattr(obj, name)
    if code in (None, ""):
        return None
    return {"code": code, "label": str(getattr(obj, f"get_{name}_display")())}


def _named(obj: Any, code_field: str = "pk") -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"code": str(getattr(obj, code_field)), "label": obj.name}


def _person(person: Jobseeker) -> dict[str, Any]:
    user = person.user
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": _date(person.birth_date),
        "gender": _choice(person, "gender"),
        "national_number_masked": person.masked_national_number or None,
        "contact_language": _choice(person, "contact_language"),
        "email": person.email or None,
        "phone": person.phone or None,
        "commune": _named(person.commune, "nis_code"),
        "education_level": _choice(person, "education_level"),
        "diploma_recognised": person.diploma_recognised,
        "unemployed_since": _date(person.unemployed_since),
        "income_source": _choice(person, "income_source"),
        "end_of_rights_on": _date(person.end_of_rights_on),
        "eligibility_justification": person.eligibility_justification or None,
        "eligibility_justified_on": _date(person.eligibility_justified_on),
        "created_at": _date(person.created_at),
        "updated_at": _date(person.updated_at),
        "account": None
        if user is None
        else {
            "sign_in_name": user.get_username(),
            "email": user.email or None,
            "screen_language": user.preferred_language,
            "created_at": _date(user.date_joined),
            "last_login": _date(user.last_login),
        },
    }


def _trajectory(data: TrajectoryData) -> dict[str, Any]:
    """One trajectory: where it stands, then its records from interest to follow-up, in the pathway's order."""
    return {
        **_trajectory_summary(data.trajectory),
        **_pathway_records(data),
        **_guidance_records(data),
        **_session_and_project_records(data),
        **_outcome_records(data),
    }


def _trajectory_summary(t: Trajectory) -> dict[str, Any]:
    """Where the trajectory stands: its step, partner, coach, project and the date of each step."""
    return {
        "reference": t.reference,
        "current_step": _choice(t, "current_step"),
        "partner": _named(t.partner, "slug"),
        "coach": t.coach.get_full_name() if t.coach else None,
        "project_summary": t.project_summary or None,
        "sector": _named(t.sector, "code"),
        "intake_channel": _choice(t, "intake_channel"),
        "dates": {
            "interest_on": _date(t.interest_on),
            "information_on": _date(t.information_on),
            "decision_on": _date(t.decision_on),
            "orientation_on": _date(t.orientation_on),
            "guided_on": _date(t.guided_on),
            "accompaniment_on": _date(t.accompaniment_on),
            "exit_on": _date(t.exit_on),
            "follow_up_on": _date(t.follow_up_on),
            "stopped_on": _date(t.stopped_on),
        },
        "exit_kind": _named(t.exit_kind, "code"),
    }


def _pathway_records(data: TrajectoryData) -> dict[str, Any]:
    """The steps taken, information sessions, decisions and orientations, before a partner's guidance."""
    return {
        "steps": [
            {
                "from_step": _choice(s, "from_step"),
                "to_step": _choice(s, "to_step"),
                "on": _date(s.on),
                "recorded_at": _date(s.at),
                "channel": _choice(s, "channel"),
                "reason": s.reason or None,
                "partner": _named(s.partner, "slug"),
            }
            for s in data.steps
        ],
        "information_sessions": [
            {
                "starts_at": _date(a.session.starts_at) if a.session else None,
                "place": a.session.place if a.session else None,
                "language": a.session.language if a.session else None,
                "individual_interview_on": _date(a.individual_interview_on),
                "attendance": _choice(a, "status"),
            }
            for a in data.information
        ],
        "decisions": [
            {
                "decided_on": _date(d.decided_on),
                "go_ahead": d.go_ahead,
                "reason": _choice(d, "reason"),
                "details": d.details or None,
            }
            for d in data.decisions
        ],
        "orientations": [
            {
                "partner": _named(o.partner, "slug"),
                "chosen_by_person": o.chosen_by_person,
                "oriented_on": _date(o.oriented_on),
                "status": _choice(o, "status"),
                "answered_on": _date(o.answered_on),
                "answer_reason": o.answer_reason or None,
            }
            for o in data.orientations
        ],
    }


def _guidance_records(data: TrajectoryData) -> dict[str, Any]:
    """The partner's diagnostics (without their notes), skills assessments and the action plan."""
    return {
        "diagnostics": [
            {
                "partner": _named(d.partner, "slug"),
                "done_on": _date(d.done_on),
                "barriers": [_named(b, "code") for b in d.barriers.all()],
                "maturity": _choice(d, "maturity"),
                "viability": _choice(d, "viability"),
            }
            for d in data.diagnostics
        ],
        "skills_assessments": [
            {
                "assessed_on": _date(s.assessed_on),
                "baseline": s.is_baseline,
                "scale": "1-4",
                "entrepreneurship": s.entrepreneurship,
                "finance": s.finance,
                "marketing": s.marketing,
                "language": s.language,
                "digital": s.digital,
                "confidence": s.confidence,
            }
            for s in data.skills
        ],
        "action_plan": [
            {
                "goal": g.title,
                "actions": [
                    {
                        "title": a.title,
                        "owner": _choice(a, "owner"),
                        "due_on": _date(a.due_on),
                        "status": _choice(a, "status"),
                    }
                    for a in g.actions.all()
                ],
            }
            for g in data.goals
        ],
    }


def _session_and_project_records(data: TrajectoryData) -> dict[str, Any]:
    """Coaching sessions attended (without the notes), project milestones and viability tests."""
    return {
        "coaching_sessions": [
            {
                "partner": _named(a.session.partner, "slug"),
                "kind": _choice(a.session, "kind"),
                "topic": a.session.topic,
                "starts_at": _date(a.session.starts_at),
                "duration_minutes": a.session.duration_minutes,
                "mode": _choice(a.session, "mode"),
                "place": a.session.place or None,
                "cancelled": a.session.cancelled,
                "attendance": _choice(a, "status"),
            }
            for a in data.coaching
        ],
        "milestones": [
            {
                "kind": _choice(m, "kind"),
                "reached_on": _date(m.reached_on),
                "enterprise_number": m.enterprise_number or None,
                "details": m.details or None,
            }
            for m in data.milestones
        ],
        "viability_tests": [
            {
                "kind": _choice(v, "kind"),
                "starts_on": _date(v.starts_on),
                "ends_on": _date(v.ends_on),
                "revenue_eur": str(v.revenue) if v.revenue is not None else None,
                "decision": _choice(v, "decision"),
            }
            for v in data.viability_tests
        ],
    }


def _outcome_records(data: TrajectoryData) -> dict[str, Any]:
    """Exits from the programme and the follow-ups after them, with each contact attempt."""
    return {
        "exits": [
            {
                "partner": _named(e.partner, "slug"),
                "kind": _named(e.kind, "code"),
                "exit_on": _date(e.exit_on),
                "enterprise_number": e.enterprise_number or None,
                "evidence": e.evidence or None,
                "voided_on": _date(e.voided_on),
            }
            for e in data.exits
        ],
        "follow_ups": [
            {
                "due_on": _date(f.due_on),
                "status": _choice(f, "status"),
                "answered_on": _date(f.answered_on),
                "situation": _choice(f, "situation"),
                "improved": f.improved,
                "source": _choice(f, "source"),
                "contact_attempts": [
                    {"on": _date(a.on), "channel": _choice(a, "channel"), "note": a.note or None}
                    for a in f.attempts.all()
                ],
            }
            for f in data.follow_ups
        ],
    }


def as_json(data: MyData) -> dict[str, Any]:
    """Return the export as JSON-safe values: stable keys, ISO 8601 dates, codes with their labels."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": _date(data.generated_at),
        "language": translation.get_language(),
        "person": _person(data.person),
        "languages_spoken": [
            {"language": _choice(s, "language"), "level": _choice(s, "level")} for s in data.languages
        ],
        "trajectories": [_trajectory(t) for t in data.trajectories],
        "correction_requests": [
            {
                "reference": c.reference,
                "asked_at": _date(c.created_at),
                "channel": _choice(c, "channel"),
                "what_is_wrong": c.what_is_wrong,
                "what_it_should_be": c.what_it_should_be,
                "status": _choice(c, "status"),
                "answer": c.answer or None,
                "answered_at": _date(c.answered_at),
            }
            for c in data.corrections
        ],
        "messages_sent": [
            {
                "kind": _choice(m, "kind"),
                "about": "information_session" if m.information_session_id else "coaching_session",
                "session_starts_at": _date(
                    m.information_session.starts_at if m.information_session else m.coaching_session.starts_at  # type: ignore[union-attr]
                ),
                "status": _choice(m, "status"),
                "sent_at": _date(m.sent_at),
            }
            for m in data.messages
        ],
        "not_included": [
            {
                "what": "coaching_notes",
                "held_by": "partner",
                "exists": data.has_coaching_notes,
                "why": str(NOT_SHOWN_WHY),
            },
            {"what": "national_number_full", "held_by": "programme", "exists": bool(data.person.national_number)},
        ],
        "retention": {"years_after_end_of_pathway": retention_years()},
    }


NOT_SHOWN_WHY = _(
    "The notes your coach writes during your coaching stay with your partner organisation. "
    "Actiris and this website do not see them."
)


# ---------------------------------------------------------------- downloads


def _language(person: Jobseeker) -> str:
    return person.contact_language or "fr"


def export_json(person: Jobseeker, *, by: Any) -> tuple[bytes, str]:
    """Return (JSON bytes, file name) of everything held about `person`, labels in their language; audit it."""
    with translation.override(_language(person)):
        payload = as_json(collect(person))
    content = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
    audit.record(user=by, action="export:my_data.json", obj=person)
    return content, f"my-data-{person.pk}.json"


def export_pdf(person: Jobseeker, *, by: Any) -> tuple[bytes, str]:
    """Return (PDF bytes, file name) of everything held about `person`, in their contact language; audit it."""
    lang = _language(person)
    with translation.override(lang):
        data = collect(person)
        context = {
            "data": data,
            "person": person,
            "organisation": str(settings.PROGRAMME.get("organisation") or "Actiris"),
            "programme_name": settings.PROGRAMME.get("name", ""),
            "service_name": settings.SERVICE_NAME,
            "issued_on": timezone.localdate(),
            "retention_years": retention_years(),
        }
        content = render_pdf("pdf/my_data.html", context, lang=lang)
    audit.record(user=by, action="export:my_data.pdf", obj=person)
    return content, f"my-data-{person.pk}.pdf"
