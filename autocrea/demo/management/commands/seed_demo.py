"""Load the demo: one account per role, about 120 job seekers at every step, through the services.

Idempotent: the accounts are (re)created and their password (re)set on every run; the people are
created once. They are marked by the `demo-jobseeker` account's own file: when that job seeker
exists, the population is left as it is. Everything is drawn from a fixed random seed and dates
are counted back from today, so a fresh database always gets the same people and pathways.
"""

from __future__ import annotations

import datetime
import os
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from autocrea.accounts.models import User
from autocrea.coaching import services as coaching
from autocrea.demo import names
from autocrea.demo.activities import ensure_activities
from autocrea.demo.personas import PARTNERS, demo_usernames, ensure_accounts
from autocrea.jobseekers.models import Jobseeker, LanguageSkill
from autocrea.partners.models import Partner, PartnerActivity
from autocrea.pathways import followups, services
from autocrea.pathways.models import FollowUp, InformationAttendance, InformationSession, Trajectory
from autocrea.pathways.steps import Channel
from autocrea.reference.models import BarrierCode, ExitKind
from autocrea.reporting import summaries

SEED = 20240101
URL = "http://127.0.0.1:8000/"
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


@dataclass
class Cast:
    counsellor: User
    coaches: dict[str, User]
    jobseeker_user: User
    partners: dict[str, Partner]


def demo_password(base_dir: Path) -> str:
    """Return DEMO_PASSWORD, or the password generated on the first run and kept in var/demo-password.txt."""
    from_env = os.environ.get("DEMO_PASSWORD", "").strip()
    if from_env:
        return from_env
    path = Path(base_dir) / "var" / "demo-password.txt"
    if path.exists() and path.read_text(encoding="utf-8").strip():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


class Command(BaseCommand):
    help = "Create the demo accounts and about 120 demo job seekers at every step (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "DEVELOPMENT", False):
            raise CommandError(
                "seed_demo only runs in development (DEBUG=true or AUTOCREA_DEVELOPMENT=true): "
                "it creates accounts with a shared, known password."
            )
        password = demo_password(settings.BASE_DIR)
        with transaction.atomic():
            users = ensure_accounts(password)
            # Every run: the partners' own activities (idempotent, managers' changes kept).
            ensure_activities({p.slug: p for p in Partner.objects.all()})
            already = Jobseeker.objects.filter(user=users["demo-jobseeker"]).exists()
            if not already:
                _Seeder(users).run()
                # A bulk load: the figures read summary counts, rebuilt here rather than at the worker's next refresh.
                summaries.rebuild()
        self._print_summary(password, created=not already)

    def _print_summary(self, password: str, *, created: bool) -> None:
        people = Jobseeker.objects.count()
        trajectories = Trajectory.objects.count()
        status = "created" if created else "already there, left as they are"
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Demo ready: {people} job seekers, {trajectories} trajectories ({status})."))
        out.write("")
        out.write(f"  URL       {URL}")
        out.write(f"  Password  {password}   (same for every demo account)")
        out.write("")
        out.write(f"  {'username':<34} {'role':<22} partner")
        out.write(f"  {'-' * 34} {'-' * 22} {'-' * 16}")
        partner_names = {spec.slug: spec.name for spec in PARTNERS}
        for username, role, slug in demo_usernames():
            out.write(f"  {username:<34} {role:<22} {partner_names.get(slug or '', '')}")
        out.write("")


class _Seeder:
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
        rng = self.rng
        cast = self.cast
        demo = target == "accompaniment" and slug == "credal" and not self.demo_linked
        jobseeker = self.make_person(prefer_woman=slug == "credal", non_binary=non_binary, demo=demo)
        counsellor = cast.counsellor
        by_person: Any = counsellor
        intake = rng.choice([Channel.COUNTER, Channel.COUNTER, Channel.PHONE, Channel.POST])
        if demo:
            jobseeker.user = cast.jobseeker_user
            jobseeker.save(update_fields=["user"])
            by_person, intake = cast.jobseeker_user, Channel.WEB
            self.demo_linked = True
        # How long ago the interest was expressed: recent for the funnel, longer for the guided.
        back = {
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
        }[target]
        day = self.days_ago(rng.randint(*back))
        sector = rng.choice(list(cast.partners[slug].sectors.all()) or [None])
        t = services.express_interest(
            jobseeker=jobseeker, by=by_person, channel=intake, on=day, sector=sector, project_summary=summary(sector)
        )
        if target == "interest":
            future = [
                s for s in self.sessions if s.starts_at.date() > self.today and s.language == jobseeker.contact_language
            ]
            if future and rng.random() < 0.6:
                InformationAttendance.objects.create(trajectory=t, session=future[0])
            return
        if target == "stopped_interest":
            services.stop(
                trajectory=t,
                by=counsellor,
                channel=Channel.PHONE,
                on=self.after(day, 3, 40),
                reason=rng.choice(STOP_REASONS),
            )
            return
        day, t = self.inform(t, day, jobseeker.contact_language)
        if target == "information":
            return
        if target == "stopped_information":
            services.stop(
                trajectory=t,
                by=counsellor,
                channel=Channel.PHONE,
                on=self.after(day, 3, 20),
                reason=rng.choice(STOP_REASONS),
            )
            return
        day = self.after(day, 2, 14)
        if target == "stopped_decision":
            reason = rng.choice(["not_now", "other_plan", "financial", "family", "not_ready"])
            services.record_decision(
                trajectory=t, by=counsellor, channel=Channel.COUNTER, on=day, go_ahead=False, reason=reason
            )
            return
        t = services.record_decision(
            trajectory=t, by=by_person, channel=intake if demo else Channel.COUNTER, on=day, go_ahead=True, reason="go"
        )
        if target == "decision":
            return
        partner = cast.partners[slug]
        coach = cast.coaches[slug]
        day = self.after(day, 1, 10)
        if target == "orientation_declined":
            first = cast.partners[next(s for s in cast.coaches if s != slug)]
            t = services.orient(trajectory=t, partner=first, by=counsellor, channel=Channel.COUNTER, on=day)
            day = self.after(day, 3, 14)
            t = services.answer_orientation(
                trajectory=t, by=cast.coaches[first.slug], answer="declined", on=day, reason=rng.choice(DECLINE_REASONS)
            )
            day = self.after(day, 1, 7)
        t = services.orient(
            trajectory=t, partner=partner, by=by_person, channel=intake if demo else Channel.COUNTER, on=day
        )
        if target in {"orientation_pending", "orientation_declined"}:
            return
        if target == "stopped_orientation":
            services.stop(
                trajectory=t,
                by=counsellor,
                channel=Channel.PHONE,
                on=self.after(day, 5, 30),
                reason=rng.choice(STOP_REASONS),
            )
            return
        day = self.after(day, 3, 21)
        if target == "orientation_waitlisted":
            services.answer_orientation(
                trajectory=t, by=coach, answer="waitlisted", on=day, reason="Full until next intake"
            )
            return
        t = services.answer_orientation(trajectory=t, by=coach, answer="accepted", on=day)
        if target == "diagnostic":
            return
        day = self.after(day, 7, 30)
        coaching.record_diagnostic(
            trajectory=t,
            by=coach,
            on=day,
            barriers=rng.sample(self.barriers, k=rng.randint(1, 3)),
            maturity=rng.choice(["idea", "outlined", "structured"]),
            viability=rng.choice(["promising", "uncertain", "uncertain", "doubtful"]),
            skills={name: rng.randint(1, 3) for name in SKILL_NAMES},
        )
        t.refresh_from_db()
        if target == "accompaniment":
            self.coach(t, coach, day, self.today, jobseeker.contact_language, exit_code=None)
            return
        code = self.exit_codes.pop()
        kind = self.exit_kinds[code]
        latest_exit = self.today - datetime.timedelta(days=200 if target == "follow_up" else 1)
        exit_on = min(self.after(day, 90, 420), latest_exit)
        exit_on = max(exit_on, day)
        self.coach(t, coach, day, exit_on, jobseeker.contact_language, exit_code=code)
        bce = names.enterprise_number(rng) if kind.is_job_creation else ""
        t.refresh_from_db()
        t = services.record_exit(trajectory=t, kind=kind, on=exit_on, by=coach, enterprise_number=bce)
        if target == "exit":
            return
        follow_up_on = min(
            exit_on + datetime.timedelta(days=services.FOLLOW_UP_DELAY_DAYS + rng.randint(0, 14)), self.today
        )
        if rng.random() < 0.7:
            situation = "self_employed" if kind.is_job_creation else rng.choice(["employed", "training", "job_seeking"])
            services.record_follow_up(
                trajectory=t,
                by=coach,
                on=follow_up_on,
                responded=True,
                situation=situation,
                improved=situation != "job_seeking",
                source=rng.choice(["phone", "email", "register"]),
            )
        else:
            services.record_follow_up(trajectory=t, by=coach, on=follow_up_on, responded=False)

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
            coaching.record_individual_session(
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
                coaching.add_action(
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
            coaching.record_milestone(trajectory=t, by=coach, kind=kind, on=day)
        if exit_code in {"self_employed", "company"}:
            coaching.record_milestone(
                trajectory=t,
                by=coach,
                kind="enterprise_registration",
                on=end,
                enterprise_number=names.enterprise_number(rng),
            )
        partner_slug = t.partner.slug if t.partner else ""
        if partner_slug in {"jobyourself", "refresh"} and span > 60 and rng.random() < 0.6:
            ends_on = min(start + datetime.timedelta(days=rng.randint(60, 180)), end)
            coaching.record_viability_test(
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
