"""Explained partner recommendation: which partners may fit a person's project, and why.

The recommendation never chooses; it explains. It ranks every active partner with the reasons
that produced its score (speciality, language, target public, place, live capacity) so that the
person, alone or with a counsellor, can compare them. The choice stays the person's: nothing is
preselected and nothing about the ranking is recorded with the orientation.

Scoring rules (points add up; ties are broken by the partner's name):

- the project's sector (NACE section) is one of the partner's sectors: +3; otherwise a neutral
  note (0) when the project has a sector;
- the partner works in languages the person speaks (contact language, and languages spoken at
  least at an intermediate level): +2 for the first, +1 for each further one (at most +3); a
  partner working in none of them: -3;
- a partner focused on women and a woman: +2; anyone else: a neutral note (0);
- the partner is in the person's commune (NIS code): +2; otherwise a neutral note of its commune;
- no place left this calendar year (yearly capacity minus the people it accepted this year):
  -4; people on its waiting list: a neutral note. A partner without a recorded yearly capacity
  gets no capacity reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from autocrea.backbone.steps import Step
from autocrea.jobseekers.models import Gender, LanguageLevel
from autocrea.partners.models import Language, Partner
from autocrea.pathways.models import Orientation, OrientationStatus, StepLog, Trajectory

SECTOR_POINTS = 3
FIRST_LANGUAGE_POINTS = 2
FURTHER_LANGUAGE_POINTS = 1
MAX_LANGUAGE_POINTS = 3
NO_LANGUAGE_POINTS = -3
WOMEN_FOCUS_POINTS = 2
SAME_COMMUNE_POINTS = 2
FULL_POINTS = -4

SPOKEN_LEVELS = {LanguageLevel.INTERMEDIATE, LanguageLevel.FLUENT, LanguageLevel.NATIVE}


@dataclass(frozen=True)
class Message:
    """A lazy translatable sentence and its placeholders, rendered in the active language when read."""

    text: Any
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        if not self.params:
            return str(self.text)
        return str(self.text % {key: _as_text(value) for key, value in self.params.items()})


def _as_text(value: Any) -> Any:
    """Names of communes and sectors and language labels, in the active language."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_as_text(item)) for item in value)
    if isinstance(value, int):
        return value
    return str(value)


@dataclass(frozen=True)
class Reason:
    """One factor of a partner's score: a sentence for staff, one for the person, and its points."""

    code: str
    points: int
    staff: Message
    person: Message

    @property
    def text(self) -> str:
        """The sentence for staff, in the active language."""
        return self.staff.render()

    @property
    def text_for_person(self) -> str:
        """The same reason in plain words, addressed to the job seeker."""
        return self.person.render()

    @property
    def positive(self) -> bool:
        return self.points > 0

    @property
    def negative(self) -> bool:
        return self.points < 0

    def __str__(self) -> str:
        return self.text


@dataclass
class Recommendation:
    """One partner, its score and the reasons that produced it."""

    partner: Partner
    reasons: list[Reason]
    places_left: int | None
    waitlisted: int

    @property
    def score(self) -> int:
        return sum(reason.points for reason in self.reasons)

    @property
    def fits(self) -> list[Reason]:
        """Why this partner may fit."""
        return [reason for reason in self.reasons if reason.positive]

    @property
    def considerations(self) -> list[Reason]:
        """Points to consider: drawbacks first, then neutral notes."""
        return sorted((r for r in self.reasons if not r.positive), key=lambda r: r.points)

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


def person_languages(trajectory: Trajectory) -> list[str]:
    """The contact language and the languages spoken at least at an intermediate level, in list order."""
    jobseeker = trajectory.jobseeker
    spoken = {jobseeker.contact_language}
    spoken.update(skill.language for skill in jobseeker.language_skills.all() if skill.level in SPOKEN_LEVELS)
    order = [code for code, _label in Language.choices]
    return sorted(spoken, key=lambda code: order.index(code) if code in order else len(order))


def _labels(codes: list[str]) -> list[Any]:
    labels = dict(Language.choices)
    return [labels.get(code, code) for code in codes]


def _year_bounds(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    return datetime.date(on.year, 1, 1), datetime.date(on.year + 1, 1, 1)


def accepted_this_year(on: datetime.date) -> dict[int, int]:
    """People each partner accepted in `on`'s calendar year (one aggregate query)."""
    start, end = _year_bounds(on)
    rows = (
        StepLog.objects.filter(to_step=Step.DIAGNOSTIC, partner__isnull=False, on__gte=start, on__lt=end)
        .values("partner_id")
        .annotate(n=Count("trajectory_id", distinct=True))
    )
    return {row["partner_id"]: row["n"] for row in rows}


def waiting_lists(*, exclude_trajectory: int | None = None) -> dict[int, int]:
    """People on each partner's waiting list now (one aggregate query)."""
    qs = Orientation.objects.filter(status=OrientationStatus.WAITLISTED)
    if exclude_trajectory is not None:
        qs = qs.exclude(trajectory_id=exclude_trajectory)
    rows = qs.values("partner_id").annotate(n=Count("id"))
    return {row["partner_id"]: row["n"] for row in rows}


def _sector_reasons(partner: Partner, trajectory: Trajectory, sector_ids: set[str]) -> list[Reason]:
    sector = trajectory.sector
    if sector is None:
        return []
    params = {"sector": sector}
    if sector.pk in sector_ids:
        return [
            Reason(
                "sector",
                SECTOR_POINTS,
                Message(_("Works with projects in the person's sector: %(sector)s."), params),
                Message(_("Helps projects like yours: %(sector)s."), params),
            )
        ]
    return [
        Reason(
            "sector_other",
            0,
            Message(_("Does not list the project's sector (%(sector)s) among its specialities."), params),
            Message(_("Does not name your kind of project (%(sector)s) among its specialities."), params),
        )
    ]


def _language_reasons(partner: Partner, spoken: list[str]) -> list[Reason]:
    served = [code for code in spoken if code in partner.languages]
    if served:
        points = min(FIRST_LANGUAGE_POINTS + FURTHER_LANGUAGE_POINTS * (len(served) - 1), MAX_LANGUAGE_POINTS)
        params = {"languages": _labels(served)}
        return [
            Reason(
                "language",
                points,
                Message(_("Works in a language the person speaks: %(languages)s."), params),
                Message(_("Speaks your language: %(languages)s."), params),
            )
        ]
    params = {"languages": _labels(spoken)}
    return [
        Reason(
            "language_none",
            NO_LANGUAGE_POINTS,
            Message(_("Works in none of the person's languages (%(languages)s)."), params),
            Message(_("Does not speak your languages (%(languages)s)."), params),
        )
    ]


def _public_reasons(partner: Partner, trajectory: Trajectory) -> list[Reason]:
    if not partner.focus_women:
        return []
    if trajectory.jobseeker.gender == Gender.FEMALE:
        return [
            Reason(
                "women_focus",
                WOMEN_FOCUS_POINTS,
                Message(_("Focuses on accompanying women.")),
                Message(_("Specialised in helping women.")),
            )
        ]
    return [
        Reason(
            "women_focus_note",
            0,
            Message(_("Focuses on accompanying women.")),
            Message(_("Works mainly with women.")),
        )
    ]


def _place_reasons(partner: Partner, trajectory: Trajectory) -> list[Reason]:
    params = {"commune": partner.commune}
    if trajectory.jobseeker.commune_id and trajectory.jobseeker.commune_id == partner.commune_id:
        return [
            Reason(
                "same_commune",
                SAME_COMMUNE_POINTS,
                Message(_("Located in the person's commune (%(commune)s)."), params),
                Message(_("Is in your commune (%(commune)s)."), params),
            )
        ]
    return [
        Reason(
            "other_commune",
            0,
            Message(_("Located in %(commune)s."), params),
            Message(_("Is in %(commune)s."), params),
        )
    ]


def _capacity_reasons(places_left: int | None, waitlisted: int) -> list[Reason]:
    reasons: list[Reason] = []
    if places_left is not None and places_left <= 0:
        reasons.append(
            Reason(
                "full",
                FULL_POINTS,
                Message(_("No place left this year: the partner may put the person on its waiting list.")),
                Message(_("Has no free place this year: you may have to wait.")),
            )
        )
    if waitlisted:
        params = {"count": waitlisted}
        reasons.append(
            Reason(
                "waitlist",
                0,
                Message(
                    ngettext_lazy(
                        "%(count)s person on its waiting list.", "%(count)s people on its waiting list.", "count"
                    ),
                    params,
                ),
                Message(
                    ngettext_lazy(
                        "%(count)s person is waiting for a place.", "%(count)s people are waiting for a place.", "count"
                    ),
                    params,
                ),
            )
        )
    return reasons


def recommend_partners(*, trajectory: Trajectory, on: datetime.date | None = None) -> list[Recommendation]:
    """Rank all active partners for `trajectory`'s person, each with the reasons behind its score.

    The recommendation never chooses; it explains. Ordering is deterministic: score descending,
    then the partner's name. Queries are bounded: the partners with their sectors, the person's
    languages, and one aggregate each for acceptances this year and waiting lists.
    """
    on = on or timezone.localdate()
    spoken = person_languages(trajectory)
    partners = list(Partner.objects.filter(active=True).select_related("commune").prefetch_related("sectors"))
    accepted = accepted_this_year(on)
    waiting = waiting_lists(exclude_trajectory=trajectory.pk)
    ranked: list[Recommendation] = []
    for partner in partners:
        places_left = partner.yearly_capacity - accepted.get(partner.pk, 0) if partner.yearly_capacity else None
        waitlisted = waiting.get(partner.pk, 0)
        sector_ids = {sector.pk for sector in partner.sectors.all()}
        reasons = [
            *_sector_reasons(partner, trajectory, sector_ids),
            *_language_reasons(partner, spoken),
            *_public_reasons(partner, trajectory),
            *_place_reasons(partner, trajectory),
            *_capacity_reasons(places_left, waitlisted),
        ]
        shown_left = max(places_left, 0) if places_left is not None else None
        ranked.append(Recommendation(partner, reasons, shown_left, waitlisted))
    ranked.sort(key=lambda r: (-r.score, r.partner.name.casefold(), r.partner.pk))
    return ranked
