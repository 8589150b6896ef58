"""The demo data: idempotent, development only, every step and every partner, through the services."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from stdnum.be import ssn

from autocrea.accounts.models import User
from autocrea.backbone.steps import Step
from autocrea.coaching.models import Action, CoachingSession, Milestone
from autocrea.demo.management.commands.seed_demo import demo_password
from autocrea.demo.personas import PARTNERS, demo_usernames
from autocrea.jobseekers.models import Jobseeker, LanguageSkill
from autocrea.pathways.models import (
    Decision,
    Exit,
    FollowUp,
    InformationSession,
    Orientation,
    StepLog,
    Trajectory,
)

pytestmark = pytest.mark.django_db

COUNTED = (
    User,
    Jobseeker,
    LanguageSkill,
    Trajectory,
    StepLog,
    Decision,
    Orientation,
    Exit,
    FollowUp,
    InformationSession,
    CoachingSession,
    Milestone,
    Action,
)


def seed(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-the-tests")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_seed_demo_twice_gives_the_same_data_at_every_step_and_partner(monkeypatch, settings):
    settings.DEVELOPMENT = True
    output = seed(monkeypatch)
    first = counts()
    assert 110 <= first["Jobseeker"] <= 130
    assert first["InformationSession"] >= 4 and first["CoachingSession"] > 0
    assert first["Milestone"] > 0 and first["Action"] > 0

    again = seed(monkeypatch)
    assert counts() == first

    assert set(Trajectory.objects.values_list("current_step", flat=True)) == set(Step.values)
    guided_partners = set(Trajectory.objects.guided().values_list("partner__slug", flat=True))
    assert guided_partners == {spec.slug for spec in PARTNERS}
    for step in ("diagnostic", "accompaniment", "exit", "follow_up"):
        slugs = set(Trajectory.objects.filter(current_step=step).values_list("partner__slug", flat=True))
        assert slugs == {spec.slug for spec in PARTNERS}, step
    assert {"pending", "waitlisted", "declined", "accepted"} <= set(
        Orientation.objects.values_list("status", flat=True)
    )

    exits = Exit.objects.filter(voided_on__isnull=True)
    assert exits.filter(kind__is_positive=True).count() / exits.count() == pytest.approx(0.5, abs=0.05)
    assert exits.filter(kind__is_job_creation=True).count() / exits.count() == pytest.approx(0.12, abs=0.03)

    demo = Jobseeker.objects.get(user__username="demo-jobseeker")
    assert demo.trajectories.get().current_step == Step.ACCOMPANIMENT
    assert demo.trajectories.get().partner.slug == "credal"

    numbers = list(Jobseeker.objects.exclude(national_number="").values_list("national_number", flat=True))
    assert numbers and all(ssn.is_valid(n) for n in numbers)
    assert {"female", "male", "non_binary"} == set(Jobseeker.objects.values_list("gender", flat=True))

    for text in (output, again):
        assert "http://127.0.0.1:8000/" in text and "demo-password-for-the-tests" in text
        for username, _role, _slug in demo_usernames():
            assert username in text
    assert User.objects.get(username="demo-coach-credal").check_password("demo-password-for-the-tests")


def test_seed_demo_refuses_to_run_outside_development(settings):
    settings.DEVELOPMENT = False
    with pytest.raises(CommandError, match="development"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="demo-admin").exists()


def test_the_generated_demo_password_is_kept_across_runs(tmp_path, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    first = demo_password(tmp_path)
    assert len(first) >= 12
    assert demo_password(tmp_path) == first
    assert (tmp_path / "var" / "demo-password.txt").read_text().strip() == first
    monkeypatch.setenv("DEMO_PASSWORD", "from-the-environment")
    assert demo_password(tmp_path) == "from-the-environment"
