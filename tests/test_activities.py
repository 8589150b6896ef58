"""Partners' own activities mapped onto the backbone: the catalogue, its scoping, tagging, the timeline, the counts.

Texts are compared inside translation.override, so the checks hold before and after the catalogues are filled.
"""

from __future__ import annotations

import datetime
import html
import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from autocrea.accounts.models import AuditEvent
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Step
from autocrea.coaching.models import Action, CoachingSession, CollectiveSeries, SessionAttendance
from autocrea.coaching.services import action_plan, collective_sessions, individual_sessions
from autocrea.demo.activities import CATALOGUE, ensure_activities
from autocrea.partners import activities as catalogue
from autocrea.partners.models import PartnerActivity
from tests.factories import make_trajectory

pytestmark = pytest.mark.django_db


def make_activity(partner: Any, code: str = "workshops", **overrides: Any) -> PartnerActivity:
    values = {
        "name_fr": f"Atelier {code}",
        "name_nl": f"Workshop {code}",
        "name_en": f"Workshop {code}",
        "step": "accompaniment",
        "kind": "workshop",
    }
    values.update(overrides)
    return PartnerActivity.objects.create(partner=partner, code=code, **values)


def url(name: str, *args: Any, lang: str = "fr") -> str:
    with translation.override(lang):
        return reverse(f"workspace:{name}", args=list(args))


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def shows(response: Any, message: str, lang: str) -> bool:
    with translation.override(lang):
        return gettext(message) in text(response)


@pytest.fixture
def accompanied(cast, partners):
    return make_trajectory(
        step=Step.ACCOMPANIMENT, counsellor=cast["demo-counsellor"], coach=cast["demo-coach-credal"],
        partner=partners["credal"],
    )  # fmt: skip


@pytest.fixture
def manager(cast):
    return cast["demo-partner-manager-credal"]


def session_data(trajectory: Any, **extra: Any) -> dict[str, Any]:
    trajectory.refresh_from_db()
    day = (timezone.localdate() - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    return {
        "day": day,
        "time": "10:00",
        "duration": "60",
        "mode": "in_person",
        "topic": "Plan financier",
        "attended": "yes",
        "notes": "",
        "version": trajectory.version,
        **extra,
    }


# --- the model and the services: an activity belongs to the trajectory's partner ---------------------------------


def test_an_activity_of_another_partner_or_no_longer_offered_is_refused_and_nothing_is_written(
    cast, partners, accompanied
):
    coach = cast["demo-coach-credal"]
    foreign = make_activity(partners["microstart"], "microcredit-review", kind="individual")
    stopped = make_activity(partners["credal"], "old-workshop", active=False)
    starts = timezone.now() - datetime.timedelta(hours=2)
    with translation.override("en"):
        with pytest.raises(PathwayError) as refused:
            individual_sessions.record_individual_session(
                trajectory=accompanied, by=coach, starts_at=starts, duration_minutes=60, mode="in_person",
                topic="Plan", activity=foreign,
            )  # fmt: skip
        assert "another partner's catalogue" in refused.value.message
        with pytest.raises(PathwayError) as refused:
            action_plan.add_action(
                trajectory=accompanied, by=coach, goal_title="Finance", title="Call the bank",
                owner="jobseeker", due_on=timezone.localdate(), activity=stopped,
            )  # fmt: skip
        assert refused.value.message == "This activity is no longer offered. Choose another one."
        with pytest.raises(PathwayError):
            collective_sessions.plan_collective_series(
                by=coach, topic="Atelier", place="Rue Haute 1", mode="in_person", capacity=10, duration_minutes=120,
                first_day=timezone.localdate() + datetime.timedelta(days=7), start_time=datetime.time(14, 0),
                recurrence="weekly", count=3, activity=foreign,
            )  # fmt: skip
    assert not CoachingSession.objects.exists() and not Action.objects.exists()
    assert not CollectiveSeries.objects.exists()


def test_own_activities_tag_sessions_series_and_actions(cast, partners, accompanied):
    coach = cast["demo-coach-credal"]
    individual = make_activity(partners["credal"], "microcredit-file", kind="individual")
    workshop = make_activity(partners["credal"], "women-workshops")
    session = individual_sessions.record_individual_session(
        trajectory=accompanied, by=coach, starts_at=timezone.now() - datetime.timedelta(hours=1),
        duration_minutes=60, mode="phone", topic="Dossier", activity=individual,
    )  # fmt: skip
    action = action_plan.add_action(
        trajectory=accompanied, by=coach, goal_title="Financer", title="Réunir les pièces", owner="jobseeker",
        due_on=timezone.localdate(), activity=individual,
    )  # fmt: skip
    series = collective_sessions.plan_collective_series(
        by=coach, topic="Atelier", place="Rue Haute 1", mode="in_person", capacity=10, duration_minutes=120,
        first_day=timezone.localdate() + datetime.timedelta(days=7), start_time=datetime.time(14, 0),
        recurrence="weekly", count=3, activity=workshop,
    )  # fmt: skip
    assert session.activity == individual and action.activity == individual and series.activity == workshop
    assert list(series.sessions.values_list("activity_id", flat=True)) == [workshop.pk] * 3
    assert catalogue.uses(individual) == 2 and catalogue.uses(workshop) == 4


def test_an_activity_code_is_unique_per_partner_and_a_step_must_be_run_by_the_partner(partners, manager):
    values = {
        "name_fr": "Atelier", "name_nl": "Workshop", "name_en": "", "code": "workshop", "step": "accompaniment",
        "kind": "workshop", "description": "", "position": 1, "active": True,
    }  # fmt: skip
    catalogue.create_activity(by=manager, values=values)
    make_activity(partners["microstart"], "workshop")  # the same code at another partner is fine
    with translation.override("en"), pytest.raises(PathwayError) as refused:
        catalogue.create_activity(by=manager, values=values)
    assert "already has an activity with this code" in refused.value.message
    with pytest.raises(PathwayError):
        catalogue.create_activity(by=manager, values={**values, "code": "info", "step": Step.INFORMATION.value})
    assert PartnerActivity.objects.filter(partner=partners["credal"]).count() == 1


# --- the catalogue pages: partner managers edit their own only ------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_partner_manager_adds_changes_and_deactivates_without_javascript_and_it_is_audited(client, manager, lang):
    client.force_login(manager)
    form = {
        "name_fr": "Préparation du dossier de microcrédit", "name_nl": "Voorbereiding van het microkredietdossier",
        "name_en": "", "code": "microcredit-file", "step": "accompaniment", "kind": "individual",
        "description": "Plan financier et pièces.", "position": "20", "active": "on",
    }  # fmt: skip
    response = client.post(url("activity_add", lang=lang), form)
    assert response.status_code == 302
    activity = PartnerActivity.objects.get(code="microcredit-file")
    assert activity.partner_id == manager.partner_id and activity.active and activity.version == 1
    assert AuditEvent.objects.filter(action="activity:add", object_id=activity.pk, user_id_ref=manager.pk).exists()

    listing = client.get(url("activities", lang=lang))
    assert "Voorbereiding van het microkredietdossier" in text(listing) if lang == "nl" else True
    assert "Préparation du dossier de microcrédit" in text(listing) if lang == "fr" else True
    assert url("activity_edit", activity.pk, lang=lang) in text(listing)

    # Unticking "offered now" deactivates it: it stays in the catalogue, coaches can no longer choose it.
    changed = {**form, "version": "1"}
    del changed["active"]
    response = client.post(url("activity_edit", activity.pk, lang=lang), changed)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert not activity.active and activity.version == 2
    assert AuditEvent.objects.filter(action="activity:deactivate", object_id=activity.pk).exists()
    assert not catalogue.offered(manager.partner_id).exists()

    # The same form again (stale version 1): refused, nothing changes.
    response = client.post(url("activity_edit", activity.pk, lang=lang), {**form, "version": "1"})
    assert response.status_code == 200
    assert shows(
        response,
        "Someone else changed this activity while you were working on it. Reload the page and try again.",
        lang,
    )
    activity.refresh_from_db()
    assert not activity.active and activity.version == 2


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_bad_input_gets_a_clear_message_and_writes_nothing(client, manager, lang):
    client.force_login(manager)
    response = client.post(
        url("activity_add", lang=lang),
        {"name_fr": "", "name_nl": "", "code": "Micro Crédit!", "step": "information", "kind": "", "position": "x"},
    )
    assert response.status_code == 200
    for message in (
        "Enter the name in French.",
        "Enter the name in Dutch.",
        "Use only lower-case letters, digits and hyphens in the code, for example microcredit-file.",
        "Choose how the activity is delivered.",
        "Enter the order as a whole number, for example 10.",
    ):
        assert shows(response, message, lang), message
    assert 'class="govuk-error-summary"' in text(response)
    assert not PartnerActivity.objects.exists()


def test_an_activity_in_use_is_never_deleted_an_unused_one_is(client, cast, partners, manager, accompanied):
    used = make_activity(partners["credal"], "coaching", kind="individual")
    unused = make_activity(partners["credal"], "unused")
    individual_sessions.record_individual_session(
        trajectory=accompanied, by=cast["demo-coach-credal"], starts_at=timezone.now() - datetime.timedelta(hours=1),
        duration_minutes=60, mode="phone", topic="Plan", activity=used,
    )  # fmt: skip
    client.force_login(manager)
    page = client.get(url("activity_delete", used.pk, lang="en"))
    assert page.status_code == 200 and "govuk-button--warning" not in text(page)
    response = client.post(url("activity_delete", used.pk, lang="en"))
    assert response.status_code == 200
    assert shows(
        response, "Sessions or actions are already tagged with this activity: it cannot be deleted. Deactivate it instead.",
        "en",
    )  # fmt: skip
    assert PartnerActivity.objects.filter(pk=used.pk).exists()
    listing = text(client.get(url("activities", lang="en")))
    assert url("activity_delete", unused.pk, lang="en") in listing
    assert url("activity_delete", used.pk, lang="en") not in listing
    assert client.post(url("activity_delete", unused.pk, lang="en")).status_code == 302
    assert not PartnerActivity.objects.filter(pk=unused.pk).exists()
    assert AuditEvent.objects.filter(action="activity:delete", object_id=unused.pk).exists()


def test_a_manager_of_a_cannot_see_or_change_the_catalogue_of_b(client, cast, partners, manager):
    mine = make_activity(partners["credal"], "women-workshops", name_fr="CANARY-mine")
    theirs = make_activity(partners["microstart"], "management-training", name_fr="CANARY-theirs")
    client.force_login(manager)
    listing = text(client.get(url("activities")))
    assert "CANARY-mine" in listing and "CANARY-theirs" not in listing
    assert client.get(url("activity_edit", theirs.pk)).status_code == 404
    form = {
        "name_fr": "Piraté", "name_nl": "Gekaapt", "code": "x", "step": "exit", "kind": "other", "position": "1",
        "version": "1",
    }  # fmt: skip
    assert client.post(url("activity_edit", theirs.pk), form).status_code == 404
    assert client.post(url("activity_delete", theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name_fr == "CANARY-theirs" and theirs.version == 1
    # A coach of A reads A's catalogue but cannot change it; the programme manager reads all, read-only.
    client.force_login(cast["demo-coach-credal"])
    assert client.get(url("activity_edit", mine.pk)).status_code == 404
    assert client.post(url("activity_add"), form).status_code == 403
    listing = text(client.get(url("activities")))
    assert "CANARY-mine" in listing and url("activity_edit", mine.pk) not in listing
    client.force_login(cast["demo-programme-manager"])
    listing = text(client.get(url("activities")))
    assert "CANARY-mine" in listing and "CANARY-theirs" in listing
    assert url("activity_add") not in listing and url("activity_edit", mine.pk) not in listing
    assert client.post(url("activity_add"), form).status_code == 403
    assert PartnerActivity.objects.count() == 2


# --- tagging from the coach's forms (no JavaScript) --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_session_form_offers_only_the_partners_active_activities(client, cast, partners, accompanied, lang):
    own = make_activity(partners["credal"], "microcredit-file", kind="individual", name_nl="Microkredietdossier")
    make_activity(partners["credal"], "old", name_fr="CANARY-inactive", name_nl="CANARY-inactive", active=False)
    foreign = make_activity(partners["microstart"], "review", name_fr="CANARY-foreign", name_nl="CANARY-foreign")
    client.force_login(cast["demo-coach-credal"])
    page = text(client.get(url("session_add", accompanied.pk, lang=lang)))
    select = re.search(r'<select name="activity"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None and 'class="govuk-select"' in page
    with translation.override(lang):
        assert f'<optgroup label="{Step.ACCOMPANIMENT.label}">' in select.group(1)
    assert f'value="{own.pk}"' in select.group(1)
    assert "CANARY-inactive" not in page and "CANARY-foreign" not in page

    # A forged choice (another partner's activity): the field says so and nothing is written.
    response = client.post(
        url("session_add", accompanied.pk, lang=lang), session_data(accompanied, activity=foreign.pk)
    )
    assert response.status_code == 200
    assert shows(response, "Choose one of the activities offered by your organisation.", lang)
    assert not CoachingSession.objects.exists()

    response = client.post(url("session_add", accompanied.pk, lang=lang), session_data(accompanied, activity=own.pk))
    assert response.status_code == 302
    assert CoachingSession.objects.get().activity == own


def test_the_action_and_series_forms_tag_with_an_activity(client, cast, partners, accompanied):
    workshop = make_activity(partners["credal"], "women-workshops")
    client.force_login(cast["demo-coach-credal"])
    accompanied.refresh_from_db()
    due = (timezone.localdate() + datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    response = client.post(
        url("action_add", accompanied.pk),
        {"new_goal": "Financer", "title": "Réunir les pièces", "owner": "jobseeker", "due_on": due,
         "version": accompanied.version, "activity": workshop.pk},
    )  # fmt: skip
    assert response.status_code == 302 and Action.objects.get().activity == workshop
    first = (timezone.localdate() + datetime.timedelta(days=7)).strftime("%d/%m/%Y")
    response = client.post(
        url("collective_series_add"),
        {"form_token": str(uuid.uuid4()), "topic": "Atelier prix", "mode": "in_person", "place": "Rue Haute 1",
         "first_day": first, "time": "14:00", "duration": "120", "capacity": "12", "recurrence": "weekly",
         "count": "2", "activity": workshop.pk},
    )  # fmt: skip
    assert response.status_code == 302
    assert CollectiveSeries.objects.get().activity == workshop
    assert CoachingSession.objects.filter(kind="collective", activity=workshop).count() == 2


def test_without_a_catalogue_the_forms_have_no_activity_field(client, cast, accompanied):
    client.force_login(cast["demo-coach-credal"])
    assert 'name="activity"' not in text(client.get(url("session_add", accompanied.pk)))
    assert 'name="activity"' not in text(client.get(url("collective_series_add")))


# --- the timeline and the partner panel ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_timeline_shows_the_activity_and_its_backbone_step(client, cast, partners, accompanied, lang):
    activity = make_activity(partners["credal"], "exit-preparation", step="exit", kind="individual")
    individual_sessions.record_individual_session(
        trajectory=accompanied, by=cast["demo-coach-credal"], starts_at=timezone.now() - datetime.timedelta(hours=1),
        duration_minutes=60, mode="phone", topic="Lancement", activity=activity,
    )  # fmt: skip
    client.force_login(cast["demo-coach-credal"])
    page = text(client.get(url("trajectory", accompanied.pk, lang=lang)))
    timeline = page[page.index('class="ac-timeline"') :]
    with translation.override(lang):
        expected = gettext("Activity: %(activity)s · backbone step: %(step)s") % {
            "activity": activity.name,
            "step": Step.EXIT.label,
        }
    assert expected in timeline
    # The counsellor sees the backbone but not the partner's coaching records.
    client.force_login(cast["demo-counsellor"])
    assert activity.name not in text(client.get(url("trajectory", accompanied.pk, lang=lang)))


# --- activities delivered, per backbone step and kind, computed in the database -------------------------------------


def _session(
    partner: Any,
    trajectory: Any,
    *,
    kind: str,
    activity: Any,
    ago: datetime.timedelta,
    status: str = "present",
    cancelled: bool = False,
) -> None:
    session = CoachingSession.objects.create(
        partner=partner, kind=kind, topic="x", starts_at=timezone.now() - ago, activity=activity, cancelled=cancelled
    )
    SessionAttendance.objects.create(session=session, trajectory=trajectory, status=status)


def test_the_table_counts_delivered_sessions_per_step_and_kind(client, cast, partners, accompanied, manager):
    credal, microstart = partners["credal"], partners["microstart"]
    diagnostic = make_activity(credal, "diagnostic", step="diagnostic", kind="individual")
    coaching_ = make_activity(credal, "coaching", kind="individual")
    workshops = make_activity(credal, "women-workshops", kind="workshop")
    test = make_activity(credal, "test", kind="test")
    foreign = make_activity(microstart, "coaching", kind="individual")
    day = datetime.timedelta(days=1)
    _session(credal, accompanied, kind="individual", activity=diagnostic, ago=3 * day)
    _session(credal, accompanied, kind="individual", activity=coaching_, ago=2 * day)
    _session(credal, accompanied, kind="individual", activity=coaching_, ago=day)
    _session(credal, accompanied, kind="individual", activity=coaching_, ago=day, status="absent")  # not held
    _session(credal, accompanied, kind="collective", activity=workshops, ago=day, status="absent")  # held
    _session(credal, accompanied, kind="collective", activity=workshops, ago=day, cancelled=True)  # did not take place
    _session(credal, accompanied, kind="individual", activity=test, ago=-day, status="registered")  # to come
    _session(credal, accompanied, kind="individual", activity=coaching_, ago=60 * day)  # before the period
    _session(microstart, accompanied, kind="individual", activity=foreign, ago=day)  # another partner
    _session(credal, accompanied, kind="individual", activity=None, ago=day)  # without an activity
    start = timezone.localdate() - datetime.timedelta(days=30)
    with CaptureQueriesContext(connection) as queries:
        table = catalogue.delivered_counts(credal.pk, start, timezone.localdate())
    assert len(queries) == 1
    kinds = ["individual", "collective", "workshop", "test", "other"]
    cells = {row["step"].value: dict(zip(kinds, row["counts"], strict=True)) for row in table["rows"]}
    assert cells["diagnostic"] == {"individual": 1, "collective": 0, "workshop": 0, "test": 0, "other": 0}
    assert cells["accompaniment"] == {"individual": 2, "collective": 0, "workshop": 1, "test": 0, "other": 0}
    assert sum(cells["exit"].values()) == 0
    assert table["total"] == 4 and table["untagged"] == 1

    client.force_login(manager)
    period = {"start": start.strftime("%d/%m/%Y"), "end": timezone.localdate().strftime("%d/%m/%Y")}
    page = text(client.get(url("activities_delivered", lang="en"), period))
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", page, re.S)
    accompaniment = next(r for r in rows if ">Accompaniment</th>" in r)
    assert re.findall(r">(\d+)</td>", accompaniment) == ["2", "0", "1", "0", "0", "3"]
    # The home page of the partner manager shows this year's table.
    assert "ac-delivered-table" in text(client.get(url("home", lang="en")))


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_wrong_period_gets_a_clear_message(client, manager, lang):
    client.force_login(manager)
    response = client.get(url("activities_delivered", lang=lang), {"start": "31/12/2026", "end": "01/01/2026"})
    assert response.status_code == 200 and "ac-delivered-table" not in text(response)
    assert shows(response, "The end of the period cannot be before its start.", lang)
    response = client.get(url("activities_delivered", lang=lang), {"start": "2026-01-01"})
    assert shows(response, "Enter the date as day/month/year, for example 27/03/2026.", lang)


# --- the demo catalogue -----------------------------------------------------------------------------------------------


def test_the_demo_catalogue_maps_every_partner_onto_the_partner_steps_and_is_idempotent(partners):
    first = ensure_activities(partners)
    again = ensure_activities(partners)
    assert first == again and PartnerActivity.objects.count() == sum(len(specs) for specs in CATALOGUE.values())
    for slug in partners:
        steps = set(PartnerActivity.objects.filter(partner__slug=slug).values_list("step", flat=True))
        assert steps == {"diagnostic", "accompaniment", "exit"}, slug
    assert PartnerActivity.objects.filter(partner__slug="jobyourself", kind="test").exists()
    assert PartnerActivity.objects.filter(partner__slug="credal", code="microcredit-file").exists()
