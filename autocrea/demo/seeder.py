"""The demo population: about 120 job seekers walked through the services to every step (seed_demo).

Everything is drawn from one random generator with a fixed seed, in a fixed order, and dates are
counted back from today, so a fresh database always gets the same people and pathways: changing
the order of the draws changes the whole demo.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from autocrea.accounts.models import User
from autocrea.backbone.steps import Channel
from autocrea.coaching.services import action_plan, individual_sessions, milestones
from autocrea.demo import names
from autocrea.demo.personas import PARTNERS
from autocrea.jobseekers.models import Jobseeker, LanguageSkill
from autocrea.partners.models import Partner, PartnerActivity
from autocrea.pathways import followups, services
from autocrea.pathways.models import FollowUp, InformationAttendance, InformationSession, Trajectory
from autocrea.reference.models import BarrierCode, ExitKind

SEED = 20240101
BRUSSELS = ZoneInfo("Europe/Brussels")

# Where each demo person stands today: (target, how many). 120 people in all.
PLAN: tuple[tuple[str, int], ...] = (
    ("interest", 8),
    ("information", 8),
    ("decision", 7),
    ("orientation_pending", 6),
    ("orientation_waitlisted", 4),
    ("orientation_declined", 2),
    ("diagnostic", 8),
    ("accompaniment", 30),
    ("exit", 20),
    ("follow_up", 16),
    ("stopped_interest", 3),
    ("stopped_information", 1),
    ("stopped_decision", 5),
    ("stopped_orientation", 2),
)
# The 36 exits reproduce the programme: 18 positive (50 %), 4 job creations (11 %).
EXIT_CODES = (
    ["self_employed"] * 3
    + ["company"]
    + ["salaried_job"] * 10
    + ["training"] * 4
    + ["dropped_out"] * 7
    + ["reoriented"] * 4
    + ["not_viable"] * 4
    + ["other"] * 3
)
STOP_REASONS = ("Moved out of Brussels", "Found a salaried job", "Health reasons", "No longer reachable")
DECLINE_REASONS = ("Project outside our sectors", "No capacity in the person's language")
SESSION_TOPICS = {
    "fr": ("Plan d'affaires", "Plan financier", "Prospection", "Statut social", "Prix de vente", "Microcrédit"),
    "nl": ("Ondernemingsplan", "Financieel plan", "Prospectie", "Sociaal statuut", "Verkoopprijs", "Microkrediet"),
}
GOALS = {
    "fr": (
        ("Valider le projet", ("Rencontrer trois clients potentiels", "Étudier la concurrence du quartier")),
        ("Financer le lancement", ("Préparer le dossier de microcrédit", "Ouvrir un compte professionnel")),
    ),
    "nl": (
        ("Het project valideren", ("Drie mogelijke klanten ontmoeten", "De concurrentie in de buurt bestuderen")),
        ("De start financieren", ("Het microkredietdossier voorbereiden", "Een professionele rekening openen")),
    ),
}
SKILL_NAMES = ("entrepreneurship", "finance", "marketing", "language", "digital", "confidence")
# How many days ago each person expressed their interest: recent for the funnel, longer for the guided.
INTEREST_DAYS_AGO = {
    "interest": (2, 25),
    "information": (20, 60),
    "decision": (25, 70),
    "orientation_pending": (30, 80),
    "orientation_waitlisted": (40, 110),
    "orientation_declined": (40, 100),
    "diagnostic": (45, 120),
    "accompaniment": (90, 640),
    "exit": (200, 700),
    "follow_up": (420, 900),
    "stopped_interest": (20, 400),
    "stopped_information": (30, 400),
    "stopped_decision": (30, 500),
    "stopped_orientation": (60, 500),
}


@dataclass
class Cast:
    counsellor: User
    coaches: dict[str, User]
    jobseeker_user: User
    partners: dict[str, Partner]


@dataclass
class Walk:
    """One demo person on their way to `target`: their trajectory as it stands and the day reached."""

    target: str
    slug: str
    jobseeker: Jobseeker
    by_person: Any  # who records the person's own choices: the counsellor, or the demo job seeker themselves
    intake: str
    demo: bool
    t: Trajectory
    day: datetime.date
    exit_kind: ExitKind | None = None


class Seeder:
    """Walk every demo person through the services, with dates counted back from today."""

    def __init__(self, users: dict[str, User]) -> None:
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.cast = Cast(
            counsellor=users["demo-counsellor"],
            coaches={spec.slug: users[f"demo-coach-{spec.slug}"] for spec in PARTNERS},
            jobseeker_user=users["demo-jobseeker"],
            partners={p.slug: p for p in Partner.objects.all()},
        )
        self.exit_kinds = {k.code: k for k in ExitKind.objects.all()}
        self.barriers = list(BarrierCode.objects.all())
        self.exit_codes = list(EXIT_CODES)
        self.rng.shuffle(self.exit_codes)
        self.used_national_numbers: set[str] = set(
            Jobseeker.objects.exclude(national_number="").values_list("national_number", flat=True)
        )
        self.sessions: list[InformationSession] = []
        self.demo_linked = False
        self.used_names: set[tuple[str, str]] = {("Amina", "El Idrissi")}
        self.activities = {(a.partner.slug, a.code): a for a in PartnerActivity.objects.select_related("partner")}

    # -- dates ------------------------------------------------------------------------------

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def after(self, day: datetime.date, low: int, high: int) -> datetime.date:
        """Return a day `low`–`high` days after `day`, never in the future."""
        return min(day + datetime.timedelta(days=self.rng.randint(low, high)), self.today)

    def at(self, day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, self.rng.choice([0, 30])), tzinfo=BRUSSELS)

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> None:
        self.create_information_sessions()
        targets = [target for target, count in PLAN for _ in range(count)]
        self.rng.shuffle(targets)
        slugs = [spec.slug for spec in PARTNERS]
        rounds: dict[str, int] = {}
        for n, target in enumerate(targets):
            # Round-robin per target, so that every partner appears at every guided step.
            index = rounds.get(target, 0)
            rounds[target] = index + 1
            slug = slugs[index % len(slugs)]
            if target == "accompaniment" and not self.demo_linked and slug != "credal":
                slug = "credal"
            # A few people (one in thirty) are non-binary.
            self.walk(target, slug, non_binary=n % 30 == 11)
        self.follow_up_attempts()

    def follow_up_attempts(self) -> None:
        """Give two in three due follow-ups contact attempts, so that the worklist shows attempts and reminders.

        Deterministic and without the random generator, so the rest of the demo stays as it was.
        """
        due = (
            FollowUp.objects.filter(status="due", due_on__lte=self.today, exit__voided_on__isnull=True)
            .select_related("trajectory__partner")
            .order_by("due_on", "pk")
        )
        for n, follow_up in enumerate(due):
            if n % 3 == 2:
                continue  # nobody tried yet: a reminder is due
            trajectory = follow_up.trajectory
            coach = self.cast.coaches[trajectory.partner.slug]
            first = min(follow_up.due_on + datetime.timedelta(days=3), self.today)
            followups.record_follow_up_attempt(trajectory=trajectory, by=coach, on=first, channel="phone")
            if n % 3 == 1:
                # A recent e-mail: no reminder for this one this week.
                recent = max(self.today - datetime.timedelta(days=2), first)
                followups.record_follow_up_attempt(trajectory=trajectory, by=coach, on=recent, channel="email")

    def create_information_sessions(self) -> None:
        places = {
            "fr": "Actiris, boulevard Anspach 65, 1000 Bruxelles",
            "nl": "Actiris, Anspachlaan 65, 1000 Brussel",
        }
        # Every other week, alternately in French and Dutch: six in the past, four to come.
        for n, weeks in enumerate((-12, -10, -8, -6, -4, -2, 1, 3, 5, 7)):
            language = "fr" if n % 2 == 0 else "nl"
            day = self.today + datetime.timedelta(weeks=weeks)
            day -= datetime.timedelta(days=day.weekday() - 1)  # a Tuesday
            session = InformationSession.objects.create(
                starts_at=datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=BRUSSELS),
                place=places[language],
                language=language,
                capacity=20,
            )
            self.sessions.append(session)

    def make_person(self, *, prefer_woman: bool, non_binary: bool, demo: bool = False) -> Jobseeker:
        rng = self.rng
        if non_binary and not demo:
            gender = "non_binary"
        elif demo or (prefer_woman and rng.random() < 0.85):
            gender = "female"
        else:
            gender = rng.choice(["female", "male"])
        first, last, origin = names.pick_name(rng, gender)
        while (first, last) in self.used_names:  # nobody shares a full name in the demo
            first, last, origin = names.pick_name(rng, gender)
        self.used_names.add((first, last))
        if demo:
            first, last = "Amina", "El Idrissi"
        age = rng.choices([rng.randint(19, 29), rng.randint(30, 54), rng.randint(55, 64)], weights=[22, 63, 15])[0]
        birth_date = self.days_ago(age * 365 + rng.randint(30, 330))
        contact_language = "nl" if rng.random() < 0.3 else "fr"
        years_unemployed = rng.choices([0, 1, 2, 3, 5], weights=[12, 30, 25, 18, 15])[0]
        national_number = ""
        if rng.random() < 0.6:
            candidate = names.national_number(rng, birth_date, gender)
            if candidate not in self.used_national_numbers:
                national_number = candidate
                self.used_national_numbers.add(candidate)
        jobseeker = Jobseeker.objects.create(
            first_name=first,
            last_name=last,
            contact_language=contact_language,
            email=f"{names_key(first)}.{names_key(last)}@example.org" if rng.random() < 0.8 else "",
            phone=f"+3247{rng.randrange(10**7):07d}" if rng.random() < 0.9 else "",
            birth_date=birth_date,
            gender=gender,
            commune_id=rng.choices(list(names.COMMUNE_WEIGHTS), weights=list(names.COMMUNE_WEIGHTS.values()))[0],
            education_level=rng.choices(list(names.EDUCATION_WEIGHTS), weights=list(names.EDUCATION_WEIGHTS.values()))[
                0
            ],
            diploma_recognised=None if origin.key.startswith("belgian") else rng.choice([True, False, None]),
            unemployed_since=self.days_ago(400 + years_unemployed * 365 + rng.randint(0, 300))
            if years_unemployed
            else self.days_ago(rng.randint(120, 360)),
            income_source=rng.choices(["benefits", "cpas", "none", "other"], weights=[60, 28, 8, 4])[0],
            national_number=national_number,
        )
        main = contact_language
        levels = ["basic", "intermediate", "fluent"]
        skills = {main: "native" if origin.key.startswith("belgian") else rng.choice(levels[1:])}
        other_official = "nl" if main == "fr" else "fr"
        if rng.random() < 0.5:
            skills[other_official] = rng.choice(levels)
        for code in origin.languages:
            if code not in skills and rng.random() < 0.8:
                skills[code] = "native" if code not in {"en", "other"} or origin.key == "congolese" else "intermediate"
        LanguageSkill.objects.bulk_create(
            [LanguageSkill(jobseeker=jobseeker, language=code, level=level) for code, level in skills.items()]
        )
        return jobseeker

    def walk(self, target: str, slug: str, *, non_binary: bool) -> None:
        """Create one person and take them, through the services, to `target` today."""
        w = self.interest(target, slug, non_binary=non_binary)
        # Each stretch of the pathway says whether the person has reached their target; the draws keep their order.
        stretches = (self.to_information, self.to_decision, self.to_guided, self.to_accompaniment, self.to_exit)
        for stretch in stretches:
            if stretch(w):
                return
        self.to_follow_up(w)

    def interest(self, target: str, slug: str, *, non_binary: bool) -> Walk:
        """Create the person (the demo job seeker's own file on the first fitting walk) and record their interest."""
        rng = self.rng
        cast = self.cast
        demo = target == "accompaniment" and slug == "credal" and not self.demo_linked
        jobseeker = self.make_person(prefer_woman=slug == "credal", non_binary=non_binary, demo=demo)
        by_person: Any = cast.counsellor
        intake = rng.choice([Channel.COUNTER, Channel.COUNTER, Channel.PHONE, Channel.POST])
        if demo:
            jobseeker.user = cast.jobseeker_user
            jobseeker.save(update_fields=["user"])
            by_person, intake = cast.jobseeker_user, Channel.WEB
            self.demo_linked = True
        day = self.days_ago(rng.randint(*INTEREST_DAYS_AGO[target]))
        sector = rng.choice(list(cast.partners[slug].sectors.all()) or [None])
        t = services.express_interest(
            jobseeker=jobseeker, by=by_person, channel=intake, on=day, sector=sector, project_summary=summary(sector)
        )
        return Walk(target, slug, jobseeker, by_person, intake, demo, t, day)

    def to_information(self, w: Walk) -> bool:
        """Interest → information (booked on a session to come, or stopped, before or after it)."""
        rng = self.rng
        counsellor = self.cast.counsellor
        if w.target == "interest":
            future = [
                s
                for s in self.sessions
                if s.starts_at.date() > self.today and s.language == w.jobseeker.contact_language
            ]
            if future and rng.random() < 0.6:
                InformationAttendance.objects.create(trajectory=w.t, session=future[0])
            return True
        if w.target == "stopped_interest":
            services.stop(
                trajectory=w.t,
                by=counsellor,
                channel=Channel.PHONE,
                on=self.after(w.day, 3, 40),
                reason=rng.choice(STOP_REASONS),
            )
            return True
        w.day, w.t = self.inform(w.t, w.day, w.jobseeker.contact_language)
        if w.target == "information":
            return True
        if w.target == "stopped_information":
            services.stop(
                trajectory=w.t,
                by=counsellor,
                channel=Channel.PHONE,
                on=self.after(w.day, 3, 20),
                reason=rng.choice(STOP_REASONS),
            )
            return True
        return False

    def to_decision(self, w: Walk) -> bool:
        """Information → the decision: go ahead, or not (the pathway stops there)."""
        rng = self.rng
        counsellor = self.cast.counsellor
        w.day = self.after(w.day, 2, 14)
        if w.target == "stopped_decision":
            reason = rng.choice(["not_now", "other_plan", "financial", "family", "not_ready"])
            services.record_decision(
                trajectory=w.t, by=counsellor, channel=Channel.COUNTER, on=w.day, go_ahead=False, reason=reason
            )
            return True
        w.t = services.record_decision(
            trajectory=w.t,
            by=w.by_person,
            channel=w.intake if w.demo else Channel.COUNTER,
            on=w.day,
            go_ahead=True,
            reason="go",
        )
        return w.target == "decision"

    def to_guided(self, w: Walk) -> bool:
        """Decision → orientation (after another partner declined, for some) → the partner's answer."""
        rng = self.rng
        cast = self.cast
        counsellor = cast.counsellor
        partner = cast.partners[w.slug]
        coach = cast.coaches[w.slug]
        w.day = self.after(w.day, 1, 10)
        if w.target == "orientation_declined":
            first = cast.partners[next(s for s in cast.coaches if s != w.slug)]
            w.t = services.orient(trajectory=w.t, partner=first, by=counsellor, channel=Channel.COUNTER, on=w.day)
            w.day = self.after(w.day, 3, 14)
            w.t = services.answer_orientation(
                trajectory=w.t,
                by=cast.coaches[first.slug],
                answer="declined",
                on=w.day,
                reason=rng.choice(DECLINE_REASONS),
            )
            w.day = self.after(w.day, 1, 7)
        w.t = services.orient(
            trajectory=w.t, partner=partner, by=w.by_person, channel=w.intake if w.demo else Channel.COUNTER, on=w.day
        )
        if w.target in {"orientation_pending", "orientation_declined"}:
            return True
        if w.target == "stopped_orientation":
            services.stop(
                trajectory=w.t,
                by=counsellor,
                channel=Channel.PHONE,
                on=self.after(w.day, 5, 30),
                reason=rng.choice(STOP_REASONS),
            )
            return True
        w.day = self.after(w.day, 3, 21)
        if w.target == "orientation_waitlisted":
            services.answer_orientation(
                trajectory=w.t, by=coach, answer="waitlisted", on=w.day, reason="Full until next intake"
            )
            return True
        w.t = services.answer_orientation(trajectory=w.t, by=coach, answer="accepted", on=w.day)
        return w.target == "diagnostic"

    def to_accompaniment(self, w: Walk) -> bool:
        """Diagnostic → accompaniment; the people accompanied today get their sessions, plan and milestones."""
        rng = self.rng
        coach = self.cast.coaches[w.slug]
        w.day = self.after(w.day, 7, 30)
        action_plan.record_diagnostic(
            trajectory=w.t,
            by=coach,
            on=w.day,
            barriers=rng.sample(self.barriers, k=rng.randint(1, 3)),
            maturity=rng.choice(["idea", "outlined", "structured"]),
            viability=rng.choice(["promising", "uncertain", "uncertain", "doubtful"]),
            skills={name: rng.randint(1, 3) for name in SKILL_NAMES},
        )
        w.t.refresh_from_db()
        if w.target == "accompaniment":
            self.coach(w.t, coach, w.day, self.today, w.jobseeker.contact_language, exit_code=None)
            return True
        return False

    def to_exit(self, w: Walk) -> bool:
        """Accompaniment → exit, after the coaching: the kinds of exit reproduce the programme's (EXIT_CODES)."""
        rng = self.rng
        coach = self.cast.coaches[w.slug]
        code = self.exit_codes.pop()
        kind = self.exit_kinds[code]
        latest_exit = self.today - datetime.timedelta(days=200 if w.target == "follow_up" else 1)
        exit_on = min(self.after(w.day, 90, 420), latest_exit)
        exit_on = max(exit_on, w.day)
        self.coach(w.t, coach, w.day, exit_on, w.jobseeker.contact_language, exit_code=code)
        bce = names.enterprise_number(rng) if kind.is_job_creation else ""
        w.t.refresh_from_db()
        w.t = services.record_exit(trajectory=w.t, kind=kind, on=exit_on, by=coach, enterprise_number=bce)
        w.day, w.exit_kind = exit_on, kind
        return w.target == "exit"

    def to_follow_up(self, w: Walk) -> None:
        """Exit → the follow-up six months later: answered (seven in ten) or a non-response."""
        rng = self.rng
        coach = self.cast.coaches[w.slug]
        assert w.exit_kind is not None
        follow_up_on = min(
            w.day + datetime.timedelta(days=services.FOLLOW_UP_DELAY_DAYS + rng.randint(0, 14)), self.today
        )
        if rng.random() < 0.7:
            situation = (
                "self_employed" if w.exit_kind.is_job_creation else rng.choice(["employed", "training", "job_seeking"])
            )
            services.record_follow_up(
                trajectory=w.t,
                by=coach,
                on=follow_up_on,
                responded=True,
                situation=situation,
                improved=situation != "job_seeking",
                source=rng.choice(["phone", "email", "register"]),
            )
        else:
            services.record_follow_up(trajectory=w.t, by=coach, on=follow_up_on, responded=False)

    def inform(self, t: Trajectory, day: datetime.date, language: str) -> tuple[datetime.date, Trajectory]:
        """Record the information: at a past collective session when one fits, else in an interview."""
        counsellor = self.cast.counsellor
        planned = self.after(day, 5, 28)
        session = next(
            (
                s
                for s in self.sessions
                if s.language == language
                and day <= timezone.localdate(s.starts_at) <= self.today
                and abs((timezone.localdate(s.starts_at) - planned).days) <= 14
            ),
            None,
        )
        if session is not None:
            t = services.record_information(
                trajectory=t, by=counsellor, channel=Channel.COUNTER, on=planned, session=session
            )
            return timezone.localdate(session.starts_at), t
        t = services.record_information(trajectory=t, by=counsellor, channel=Channel.COUNTER, on=planned)
        return planned, t

    def coach(
        self,
        t: Trajectory,
        coach: User,
        start: datetime.date,
        end: datetime.date,
        language: str,
        *,
        exit_code: str | None,
    ) -> None:
        """Record sessions, an action plan and milestones between `start` and `end` (while guided)."""
        rng = self.rng
        span = max((end - start).days, 1)
        for n in range(rng.randint(2, 5)):
            day = start + datetime.timedelta(days=min(span, 7 + n * rng.randint(14, 35)))
            if day > end:
                break
            # Drawn in the same order as before the activities existed, so that the demo stays the same.
            starts_at = self.at(day, rng.choice([9, 10, 14, 15]))
            duration = rng.choice([45, 60, 90])
            mode = rng.choice(["in_person", "in_person", "phone", "video"])
            topic = rng.choice(SESSION_TOPICS[language])
            attended = rng.random() < 0.9
            individual_sessions.record_individual_session(
                trajectory=t,
                by=coach,
                starts_at=starts_at,
                duration_minutes=duration,
                mode=mode,
                topic=topic,
                attended=attended,
                activity=self.session_activity(t, SESSION_TOPICS[language].index(topic), day, end, exit_code),
            )
        for number, (goal, actions) in enumerate(GOALS[language][: rng.randint(1, 2)]):
            for title in actions:
                action_plan.add_action(
                    activity=self.financing_activity(t) if number == 1 else None,
                    trajectory=t,
                    by=coach,
                    goal_title=goal,
                    title=title,
                    owner=rng.choice(["jobseeker", "coach"]),
                    due_on=start + datetime.timedelta(days=rng.randint(20, 120)),
                )
        kinds = ["business_plan", "financial_plan", "bank_account"]
        reached = rng.randint(0, 2) if exit_code is None else rng.randint(0, 1)
        if exit_code in {"self_employed", "company"}:
            reached = 3
        for n, kind in enumerate(kinds[:reached]):
            day = min(start + datetime.timedelta(days=30 * (n + 1)), end)
            milestones.record_milestone(trajectory=t, by=coach, kind=kind, on=day)
        if exit_code in {"self_employed", "company"}:
            milestones.record_milestone(
                trajectory=t,
                by=coach,
                kind="enterprise_registration",
                on=end,
                enterprise_number=names.enterprise_number(rng),
            )
        partner_slug = t.partner.slug if t.partner else ""
        if partner_slug in {"jobyourself", "refresh"} and span > 60 and rng.random() < 0.6:
            ends_on = min(start + datetime.timedelta(days=rng.randint(60, 180)), end)
            milestones.record_viability_test(
                trajectory=t,
                by=coach,
                kind="cooperative" if partner_slug == "jobyourself" else "on_site",
                starts_on=start,
                ends_on=ends_on,
                revenue=Decimal(rng.randrange(300, 6000)),
                decision="" if ends_on >= self.today else rng.choice(["launch", "adjust", "stop"]),
            )

    # -- the partners' own activities (autocrea/demo/activities.py), chosen without the random generator ------

    def financing_activity(self, t: Trajectory) -> PartnerActivity | None:
        slug = t.partner.slug if t.partner else ""
        return self.activities.get((slug, "microcredit-file")) or self.activities.get((slug, "microcredit-review"))

    def session_activity(
        self, t: Trajectory, topic: int, day: datetime.date, end: datetime.date, exit_code: str | None
    ) -> PartnerActivity | None:
        """The activity an individual session belongs to, from its topic and its date."""
        slug = t.partner.slug if t.partner else ""
        if exit_code is not None and (end - day).days <= 30:
            return self.activities.get((slug, "exit-preparation"))
        if topic == 5:  # microcredit
            return self.financing_activity(t) or self.activities.get((slug, "coaching"))
        if topic == 1:  # financial plan
            return self.activities.get((slug, "financial-plan")) or self.activities.get((slug, "coaching"))
        return self.activities.get((slug, "coaching"))


def names_key(text: str) -> str:
    from autocrea.lib.identifiers import search_key

    ascii_only = search_key(text).encode("ascii", "ignore").decode()
    return ascii_only.replace(" ", "-").replace("'", "")


def summary(sector: Any) -> str:
    if sector is None:
        return ""
    return f"Projet dans le secteur : {sector.name_fr}"
