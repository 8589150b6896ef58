"""Load the demo: one account per role, about 120 job seekers at every step, through the services.

Idempotent: the accounts are (re)created and their password (re)set on every run; the people are
created once. They are marked by the `demo-jobseeker` account's own file: when that job seeker
exists, the population is left as it is. Everything is drawn from a fixed random seed and dates
are counted back from today, so a fresh database always gets the same people and pathways
(autocrea/demo/seeder.py walks them through the services).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from autocrea.demo.activities import ensure_activities
from autocrea.demo.personas import PARTNERS, demo_usernames, ensure_accounts
from autocrea.demo.seeder import Seeder
from autocrea.jobseekers.models import Jobseeker
from autocrea.partners.models import Partner
from autocrea.pathways.models import Trajectory
from autocrea.reporting import summaries

URL = "http://127.0.0.1:8000/"


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
                Seeder(users).run()
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
