"""The synthetic population's pathways, drawn without the database: who comes, and how far they get.

Same seed and index → same person and pathway: each pathway draws from its own random stream,
seeded by (seed, index), in a fixed order (the steps below draw one after the other, so changing
the order of the draws changes every generated population). Dates are counted from the programme
start, 2024-01-01, and cut at today: a pathway whose next step would fall after today stays open
there. The rows are written by autocrea/demo/bulk.py (command generate_population).
"""

from __future__ import annotations

import datetime
import random
from bisect import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from autocrea.demo import names
from autocrea.demo.personas import PARTNERS
from autocrea.lib.identifiers import search_key
from autocrea.pathways.models import DecisionReason
from autocrea.pathways.services import FOLLOW_UP_DELAY_DAYS

PROGRAMME_START = datetime.date(2024, 1, 1)
BRUSSELS = ZoneInfo("Europe/Brussels")
DAY = datetime.timedelta(days=1)

# Exit kinds among exits: 50 % positive, 12 % job creation (the programme's published figures).
# The kind is drawn independently of the time to exit, so censoring (open trajectories) does not
# bias the shares among the exits observed so far.
EXIT_WEIGHTS = {
    "self_employed": 9,
    "company": 3,
    "salaried_job": 27,
    "training": 11,
    "reoriented": 12,
    "dropped_out": 22,
    "not_viable": 10,
    "other": 6,
}
CHANNEL_WEIGHTS = {"web": 45, "counter": 30, "phone": 20, "post": 5}
SECTOR_WEIGHTS = {"G": 20, "I": 15, "S": 14, "M": 12, "C": 8, "F": 8, "N": 6, "J": 5, "R": 5, "A": 3, "Q": 2, "P": 2}
STOP_REASONS = ("Moved out of Brussels", "Found a salaried job", "Health reasons", "No longer reachable")
NOT_GO_REASONS = ("not_now", "other_plan", "financial", "family", "not_ready", "other")
DECLINE_REASON = "Project outside the partner's field"
WAITLIST_REASON = "Full until the next intake"
REORIENT_REASON = "New choice after the partner declined"
SKIP_REASON = "Already informed at a previous session"


def _cum(weights: Mapping[Any, float]) -> tuple[list[Any], list[float]]:
    return list(weights), list(accumulate(weights.values()))


def _pick(rng: random.Random, table: tuple[list[Any], list[float]]) -> Any:
    keys, cum = table
    return keys[bisect(cum, rng.random() * cum[-1])]


@dataclass
class Pathway:
    """One person's generated pathway; ids are filled in when the batch's keys are reserved."""

    person: tuple[Any, ...]
    step: str = "interest"
    partner_id: int | None = None
    dates: dict[str, datetime.date | None] = field(default_factory=dict)
    exit_kind: str | None = None
    version: int = 1
    last_activity: datetime.date | None = None
    steps: list[tuple[Any, ...]] = field(default_factory=list)  # (from, to, on, channel, reason, partner_id, action)
    decisions: list[tuple[Any, ...]] = field(default_factory=list)  # (go_ahead, reason, decided_on)
    orientations: list[list[Any]] = field(default_factory=list)  # [partner, chosen, on, status, answered, reason]
    interview_on: datetime.date | None = None
    exit: tuple[Any, ...] | None = None  # (partner_id, kind, exit_on, enterprise_number)
    follow_up: tuple[Any, ...] | None = None  # (due_on, status, answered_on, situation, improved, source)
    intake_channel: str = "web"
    sector: str = ""

    def move(
        self, action: str, target: str, on: datetime.date, channel: str, reason: str = "", partner: Any = ...
    ) -> None:
        # `action`: the transition table's action (backbone/transitions.py) the services would log.
        """Take the step `target` on `on`, as the services do: step log, step date, version, last activity."""
        if partner is not ...:
            self.partner_id = partner
        self.steps.append((self.step, target, on, channel, reason, self.partner_id, action))
        if not (target == "diagnostic" and self.dates["guided_on"] is not None):
            self.dates[DATE_FIELD[target]] = on
        self.step = target
        self.version += 1
        self.last_activity = on

    def stop(self, rng: random.Random, on: datetime.date) -> None:
        """Stop the pathway on `on`; an orientation still waiting for its answer ends with it."""
        for o in self.orientations:
            if o[3] in {"pending", "waitlisted"}:
                o[3], o[4] = "ended", on
        self.move("stop", "stopped", on, rng.choice(("phone", "counter")), rng.choice(STOP_REASONS), partner=None)


DATE_FIELD = {
    "interest": "interest_on",
    "information": "information_on",
    "decision": "decision_on",
    "orientation": "orientation_on",
    "diagnostic": "guided_on",
    "accompaniment": "accompaniment_on",
    "exit": "exit_on",
    "follow_up": "follow_up_on",
    "stopped": "stopped_on",
}


class Simulator:
    """Draw people and their way through the backbone, cut at today."""

    def __init__(self, *, seed: int, today: datetime.date, partners: dict[str, int], exit_kinds: dict[str, Any]):
        self.seed = seed
        self.today = today
        self.span = (today - PROGRAMME_START).days
        self.exit_table = _cum(EXIT_WEIGHTS)
        self.job_creation = {code for code, kind in exit_kinds.items() if kind.is_job_creation}
        self.needs_bce = {code for code, kind in exit_kinds.items() if kind.evidence_hint == "enterprise_number"}
        capacity = {spec.slug: spec.capacity for spec in PARTNERS}
        women = {spec.slug: 2.5 if spec.focus_women else 1.0 for spec in PARTNERS}
        self.partner_ids = partners
        self.partners_men = _cum({partners[s]: capacity[s] for s in capacity})
        self.partners_women = _cum({partners[s]: capacity[s] * women[s] for s in capacity})
        self.origins = _cum({o: o.weight for o in names.ORIGINS})
        self.communes = _cum(names.COMMUNE_WEIGHTS)
        self.education = _cum(names.EDUCATION_WEIGHTS)
        self.channels = _cum(CHANNEL_WEIGHTS)
        self.sectors = _cum(SECTOR_WEIGHTS)
        self._search: dict[tuple[str, str], str] = {}
        self._not_go_labels = {code: str(DecisionReason(code).label) for code in NOT_GO_REASONS}

    def person(self, rng: random.Random, interest_on: datetime.date) -> tuple[Any, ...]:
        r = rng.random()
        gender = "female" if r < 0.46 else ("male" if r < 0.99 else "non_binary")
        origin = _pick(rng, self.origins)
        if gender == "non_binary":
            first = rng.choice(names.NON_BINARY_FIRST_NAMES)
        else:
            first = rng.choice(origin.women if gender == "female" else origin.men)
        last = rng.choice(origin.last_names)
        if "/" in last:
            male_form, female_form = last.split("/")
            last = female_form if gender == "female" else male_form
        key = (first, last)
        search = self._search.get(key) or self._search.setdefault(key, search_key(last, first))
        r = rng.random()
        age = rng.randint(18, 29) if r < 0.22 else (rng.randint(30, 54) if r < 0.85 else rng.randint(55, 64))
        # `age` on the interest date: the last birthday falls within the year before it.
        birthday = datetime.date(interest_on.year - age, interest_on.month, min(interest_on.day, 28))
        birth_date = birthday - datetime.timedelta(days=rng.randint(0, 360))
        r = rng.random()
        unemployed_days = (
            rng.randint(30, 364) if r < 0.25 else (rng.randint(365, 729) if r < 0.55 else rng.randint(730, 3650))
        )
        created = self.moment(interest_on)
        return (
            first,
            last,
            search,
            "nl" if rng.random() < 0.3 else "fr",
            birth_date,
            gender,
            _pick(rng, self.communes),
            _pick(rng, self.education),
            None if origin.key.startswith("belgian") or rng.random() < 0.5 else rng.random() < 0.4,
            interest_on - datetime.timedelta(days=unemployed_days),
            "benefits" if (r := rng.random()) < 0.6 else ("cpas" if r < 0.88 else ("none" if r < 0.96 else "other")),
            created,
            created,
        )

    @staticmethod
    @lru_cache(maxsize=4096)
    def moment(day: datetime.date) -> datetime.datetime:
        return datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=BRUSSELS)

    def pathway(self, index: int) -> Pathway:
        """Return the pathway number `index` of this seed (the same whatever the batch size)."""
        rng = random.Random((self.seed << 32) | index)
        p = self.interest(rng)
        reached = p.last_activity
        # Each step draws, then returns the day it reached, or None where the pathway stops or today cuts it.
        for step in (self.information, self.decision, self.orientation, self.answer, self.guided, self.follow_up):
            if reached is None:
                break
            reached = step(rng, p, reached)
        return p

    def interest(self, rng: random.Random) -> Pathway:
        """Draw the person, the day of their interest, their intake channel and their project's sector."""
        interest_on = PROGRAMME_START + datetime.timedelta(days=int(self.span * rng.random() ** 0.8))
        p = Pathway(person=self.person(rng, interest_on))
        p.intake_channel = _pick(rng, self.channels)
        p.sector = _pick(rng, self.sectors)
        p.dates = dict.fromkeys(DATE_FIELD.values())
        p.dates["interest_on"] = interest_on
        p.steps.append(("", "interest", interest_on, p.intake_channel, "", None, "express_interest"))
        p.last_activity = interest_on
        return p

    def information(self, rng: random.Random, p: Pathway, day: datetime.date) -> datetime.date | None:
        """Interest → information (or a recorded skip straight to the decision, or a stop)."""
        r = rng.random()
        if r < 0.04:
            on = day + DAY * rng.randint(5, 60)
            if on <= self.today:
                p.stop(rng, on)
            return None
        if r >= 0.07:
            on = day + DAY * rng.randint(5, 35)
            if on > self.today:
                return None
            p.interview_on = on
            p.move("record_information", "information", on, rng.choice(("counter", "counter", "phone", "web")))
            day = on
        return day

    def decision(self, rng: random.Random, p: Pathway, day: datetime.date) -> datetime.date | None:
        """→ decision: go ahead, or not (the pathway stops with the reason), or a stop after the information."""
        on = day + DAY * rng.randint(2, 21)
        if on > self.today:
            return None
        r = rng.random()
        if p.step == "information" and r < 0.04:
            p.stop(rng, on)
            return None
        if r < 0.28:
            reason = rng.choice(NOT_GO_REASONS)
            p.decisions.append((False, reason, on))
            channel = rng.choice(("counter", "web", "phone"))
            p.move("not_go_ahead", "stopped", on, channel, self._not_go_labels[reason], partner=None)
            return None
        p.decisions.append((True, "go", on))
        skipped = p.step == "interest"
        channel = rng.choice(("counter", "web", "phone"))
        p.move("skip_information" if skipped else "go_ahead", "decision", on, channel, SKIP_REASON if skipped else "")
        return on

    def orientation(self, rng: random.Random, p: Pathway, day: datetime.date) -> datetime.date | None:
        """→ orientation: the person's choice of partner (women choose more often a partner focused on women)."""
        on = day + DAY * rng.randint(1, 14)
        if on > self.today:
            return None
        if rng.random() < 0.04:
            p.stop(rng, on)
            return None
        women = p.person[5] == "female"
        partner = _pick(rng, self.partners_women if women else self.partners_men)
        p.orientations.append([partner, rng.random() < 0.95, on, "pending", None, ""])
        p.move("choose_partner", "orientation", on, rng.choice(("counter", "web")), partner=partner)
        return on

    def answer(self, rng: random.Random, p: Pathway, day: datetime.date) -> datetime.date | None:
        """The partner answers: accepted, waitlisted, declined (the person chooses again) — or the person stops."""
        declined_once = False
        while True:
            on = day + DAY * rng.randint(3, 25)
            if on > self.today:
                return None
            r = rng.random()
            current = p.orientations[-1]
            if r < 0.04:
                p.stop(rng, on)
                return None
            if r < 0.11 and not declined_once:
                declined_once = True
                chosen_on = self.decline(rng, p, on)
                if chosen_on is None:
                    return None
                day = chosen_on
                continue
            if r < 0.20 and current[3] == "pending":
                current[3], current[4], current[5] = "waitlisted", on, WAITLIST_REASON
                p.version += 1  # the service bumps the version without a step
                p.last_activity = on
                day = on + DAY * rng.randint(14, 80)
                continue
            current[3], current[4] = "accepted", on
            p.move("accept", "diagnostic", on, "partner")
            return on

    def decline(self, rng: random.Random, p: Pathway, on: datetime.date) -> datetime.date | None:
        """The partner declines on `on`; the person chooses another partner a few days later (None: after today)."""
        current = p.orientations[-1]
        current[3], current[4], current[5] = "declined", on, DECLINE_REASON
        p.move("decline", "orientation", on, "partner", DECLINE_REASON, partner=None)
        on = on + DAY * rng.randint(2, 14)
        if on > self.today:
            return None
        others = [pid for pid in self.partner_ids.values() if pid != current[0]]
        partner = rng.choice(others)
        p.orientations.append([partner, True, on, "pending", None, ""])
        p.move("choose_again", "orientation", on, rng.choice(("counter", "web")), REORIENT_REASON, partner=partner)
        return on

    def guided(self, rng: random.Random, p: Pathway, day: datetime.date) -> datetime.date | None:
        """Guided from here: diagnostic → accompaniment → exit (the kind is independent of the duration)."""
        kind = _pick(rng, self.exit_table)
        on = day + DAY * rng.randint(7, 40)
        if on > self.today:
            return None
        if rng.random() >= 0.04:  # a few leave during the diagnostic already
            p.move("record_diagnostic", "accompaniment", on, "partner")
            r = rng.random()
            months = rng.uniform(1, 6) if r < 0.25 else (rng.uniform(6, 18) if r < 0.75 else rng.uniform(18, 24))
            on = on + DAY * int(months * 30.4)
            if on > self.today:
                return None
        bce = names.enterprise_number(rng) if kind in self.needs_bce else ""
        p.exit_kind = kind
        p.exit = (p.partner_id, kind, on, bce)
        p.move("record_exit", "exit", on, "partner")
        return on

    def follow_up(self, rng: random.Random, p: Pathway, exit_on: datetime.date) -> datetime.date | None:
        """The +6-month follow-up: due, then answered or recorded as a non-response."""
        due = exit_on + DAY * FOLLOW_UP_DELAY_DAYS
        answered_on = due + DAY * rng.randint(0, 45)
        if answered_on > self.today:
            p.follow_up = (due, "due", None, "", None, "")
            return None
        if rng.random() < 0.62:
            if p.exit_kind in self.job_creation:
                situation = "self_employed" if rng.random() < 0.85 else "employed"
            else:
                situation = rng.choice(("employed", "employed", "training", "job_seeking", "inactive"))
            source = rng.choice(("phone", "phone", "email", "register", "letter", "in_person"))
            p.follow_up = (
                due,
                "answered",
                answered_on,
                situation,
                situation not in {"job_seeking", "inactive"},
                source,
            )
        else:
            p.follow_up = (due, "no_response", answered_on, "", None, "")
        answered = p.follow_up[1] == "answered"
        p.move("record_follow_up" if answered else "record_no_response", "follow_up", answered_on, "partner")
        return answered_on
