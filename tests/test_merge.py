"""Merging a duplicate person: everything moves, history is kept, all or nothing, refusals."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import translation

from autocrea.accounts.models import AuditEvent
from autocrea.backbone.errors import PathwayError
from autocrea.backbone.steps import Step
from autocrea.jobseekers import merge as merge_module
from autocrea.jobseekers.merge import merge_jobseekers
from autocrea.jobseekers.models import Jobseeker, LanguageSkill
from autocrea.jobseekers.services import find_duplicates
from autocrea.pathways.models import StepLog, Trajectory
from tests.factories import make_jobseeker, make_trajectory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are compared in English: start every test there, whatever an earlier test activated."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(counsellor, coach, partners):
    """The same woman recorded twice: once at the counter (kept), once by post with her national number."""
    keep = make_jobseeker(first_name="Fatima", last_name="Zahra", email="", phone="+32470111111")
    duplicate = make_jobseeker(
        first_name="Fatima",
        last_name="Zahra",
        email="fatima@example.be",
        phone="",
        national_number="85073003328",
        contact_language="nl",
    )
    LanguageSkill.objects.create(jobseeker=keep, language="fr", level="native")
    LanguageSkill.objects.create(jobseeker=duplicate, language="fr", level="basic")
    LanguageSkill.objects.create(jobseeker=duplicate, language="ar", level="native")
    open_t = make_trajectory(step=Step.DECISION, counsellor=counsellor, jobseeker=keep)
    closed_t = make_trajectory(
        step=Step.EXIT, counsellor=counsellor, coach=coach, partner=partners["credal"], jobseeker=duplicate
    )
    return {"keep": keep, "duplicate": duplicate, "open": open_t, "closed": closed_t}


def url(trajectory, **query) -> str:
    with translation.override("en"):
        base = reverse("workspace:merge", args=[trajectory.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_merge_moves_the_trajectories_and_rows_and_keeps_the_duplicate_as_history(counsellor, pair):
    keep, duplicate = pair["keep"], pair["duplicate"]
    steps_before = StepLog.objects.filter(trajectory=pair["closed"]).count()
    merge_jobseekers(duplicate=duplicate, keep=keep, by=counsellor, take_from_duplicate={"email", "national_number"})
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert set(Trajectory.objects.filter(jobseeker=keep).values_list("pk", flat=True)) == {
        pair["open"].pk,
        pair["closed"].pk,
    }
    assert StepLog.objects.filter(trajectory=pair["closed"]).count() == steps_before
    # Chosen values come from the duplicate, the others stay.
    assert (keep.email, keep.national_number, keep.phone, keep.contact_language) == (
        "fatima@example.be",
        "85073003328",
        "+32470111111",
        "fr",
    )
    # The kept person's own level wins for a language both records have; the other language moves.
    assert dict(keep.language_skills.values_list("language", "level")) == {"fr": "native", "ar": "native"}
    assert (duplicate.merged_into, duplicate.merged_by, duplicate.national_number) == (keep, counsellor, "")
    assert duplicate.first_name == "Fatima"  # not lost
    assert AuditEvent.objects.filter(action="jobseeker:merged_into", object_id=duplicate.pk).count() == 1
    assert AuditEvent.objects.filter(action="jobseeker:merged_from", object_id=keep.pk).count() == 1
    assert find_duplicates(jobseeker=keep) == []


def test_a_merge_is_all_or_nothing(counsellor, pair, monkeypatch):
    def boom(duplicate, keep):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(merge_module, "_move_related", boom)
    with pytest.raises(RuntimeError):
        merge_jobseekers(duplicate=pair["duplicate"], keep=pair["keep"], by=counsellor, take_from_duplicate={"email"})
    duplicate = Jobseeker.objects.get(pk=pair["duplicate"].pk)
    keep = Jobseeker.objects.get(pk=pair["keep"].pk)
    assert duplicate.merged_into_id is None and duplicate.national_number == "85073003328"
    assert keep.email == ""
    assert Trajectory.objects.get(pk=pair["closed"].pk).jobseeker_id == duplicate.pk
    assert LanguageSkill.objects.filter(jobseeker=duplicate).count() == 2
    assert not AuditEvent.objects.filter(action__startswith="jobseeker:merged").exists()


def test_a_person_cannot_be_merged_into_themselves(counsellor, pair):
    with pytest.raises(PathwayError, match="themselves"):
        merge_jobseekers(duplicate=pair["keep"], keep=pair["keep"], by=counsellor, take_from_duplicate=set())


def test_a_second_merge_of_the_same_duplicate_is_refused(counsellor, pair):
    merge_jobseekers(duplicate=pair["duplicate"], keep=pair["keep"], by=counsellor, take_from_duplicate=set())
    with pytest.raises(PathwayError, match="already merged"):
        merge_jobseekers(duplicate=pair["duplicate"], keep=pair["keep"], by=counsellor, take_from_duplicate=set())
    assert AuditEvent.objects.filter(action="jobseeker:merged_into").count() == 1


def test_partner_staff_and_out_of_scope_people_cannot_be_merged(coach, other_coach, pair, counsellor, partners):
    with pytest.raises(PathwayError):
        merge_jobseekers(duplicate=pair["duplicate"], keep=pair["keep"], by=coach, take_from_duplicate=set())
    # Scope is checked on both people, whatever the role says (a job seeker sees only themselves).
    with pytest.raises(PathwayError):
        merge_jobseekers(duplicate=pair["duplicate"], keep=pair["keep"], by=other_coach, take_from_duplicate=set())
    assert Jobseeker.objects.get(pk=pair["duplicate"].pk).merged_into_id is None


def test_two_open_trajectories_are_refused(counsellor, pair):
    second = make_jobseeker(first_name="Fatima", last_name="Zahra")
    make_trajectory(step=Step.INTEREST, counsellor=counsellor, jobseeker=second)
    with pytest.raises(PathwayError, match="open trajectory"):
        merge_jobseekers(duplicate=second, keep=pair["keep"], by=counsellor, take_from_duplicate=set())


def test_the_merge_page_lists_the_duplicates_and_merges_the_chosen_values(client, counsellor, pair):
    client.force_login(counsellor)
    page = client.get(url(pair["open"])).content.decode()
    assert f'value="{pair["duplicate"].pk}"' in page
    compare = client.get(url(pair["open"], duplicate=pair["duplicate"].pk)).content.decode()
    assert "fatima@example.be" in compare and "85073003328" not in compare  # masked
    response = client.post(
        url(pair["open"]), {"duplicate": pair["duplicate"].pk, "email": "duplicate", "phone": "keep"}
    )
    assert response.status_code == 302
    keep = Jobseeker.objects.get(pk=pair["keep"].pk)
    assert (keep.email, keep.phone) == ("fatima@example.be", "+32470111111")
    # A double submit: refused with a message, nothing more written.
    again = client.post(url(pair["open"]), {"duplicate": pair["duplicate"].pk, "email": "duplicate"})
    assert again.status_code == 200
    assert AuditEvent.objects.filter(action="jobseeker:merged_into").count() == 1


def test_the_merge_page_refuses_the_person_themselves_and_coaches(client, counsellor, coach, pair):
    client.force_login(counsellor)
    response = client.post(url(pair["open"]), {"duplicate": pair["keep"].pk})
    assert "Choose the duplicate record to merge." in response.content.decode()
    client.force_login(coach)
    assert client.get(url(pair["closed"])).status_code == 403
    assert client.get(url(pair["open"])).status_code == 404


def test_the_merge_keeps_a_birth_date_chosen_from_the_duplicate(counsellor, pair):
    Jobseeker.objects.filter(pk=pair["duplicate"].pk).update(birth_date=datetime.date(1985, 7, 31))
    duplicate = Jobseeker.objects.get(pk=pair["duplicate"].pk)
    merge_jobseekers(duplicate=duplicate, keep=pair["keep"], by=counsellor, take_from_duplicate={"birth_date"})
    assert Jobseeker.objects.get(pk=pair["keep"].pk).birth_date == datetime.date(1985, 7, 31)
