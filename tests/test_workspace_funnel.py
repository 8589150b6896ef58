"""The funnel's staff screens over HTTP: intake, the step forms, the case list and a trajectory's page."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from autocrea.backbone.errors import PathwayError, TransitionError
from autocrea.backbone.steps import Step
from autocrea.backbone.transitions import check_action
from autocrea.coaching.models import Diagnostic
from autocrea.jobseekers.models import Jobseeker
from autocrea.lib.identifiers import mask_national_number
from autocrea.pathways.models import InformationSession, Orientation, StepLog, Trajectory
from autocrea.workspace.views import funnel
from tests.factories import make_jobseeker, make_trajectory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(name: str, *args: Any, lang: str = "fr") -> str:
    with translation.override(lang):
        return reverse(f"workspace:{name}", args=args)


def in_language(lang: str, text: Any) -> str:
    """Return `text` translated as the page in `lang` shows it (HTML-escaped)."""
    with translation.override(lang):
        return escape(str(text))


def day(d: datetime.date) -> str:
    return d.strftime("%d/%m/%Y")


def intake_data(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Fatou",
        "last_name": "Diallo",
        "birth_date": "30/07/1985",
        "gender": "female",
        "contact_language": "nl",
        "email": "fatou@example.org",
        "phone": "0470 12 34 56",
        "commune": "21009",
        "education_level": "upper_secondary",
        "diploma_recognised": "no",
        "unemployed_since": "15/01/2024",
        "income_source": "cpas",
        "end_of_rights_on": "",
        "national_number": "85.07.30-033.28",
        "project_summary": "A bakery with products from the neighbourhood.",
        "sector": "I",
        "channel": "counter",
    }
    data.update(overrides)
    return data


def version_of(trajectory: Trajectory) -> str:
    return str(Trajectory.objects.get(pk=trajectory.pk).version)


def listed_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/\w\w/workspace/trajectories/(\d+)/(?:\?[^"]*)?"', html)]


# --- the funnel, end to end ------------------------------------------------------------------


def test_a_counsellor_takes_a_person_from_intake_to_orientation(client, counsellor, partners):
    client.force_login(counsellor)
    response = client.post(url("intake"), intake_data())
    trajectory = Trajectory.objects.get(jobseeker__last_name="Diallo")
    assert response.status_code == 302 and response["Location"] == url("trajectory", trajectory.pk)
    person = trajectory.jobseeker
    assert person.national_number == "85073003328" and person.phone == "+32470123456"
    assert person.diploma_recognised is False and person.contact_language == "nl"
    assert trajectory.current_step == Step.INTEREST and trajectory.intake_channel == "counter"
    assert trajectory.sector_id == "I"

    response = client.post(
        url("information", trajectory.pk),
        {"kind": "interview", "on": day(TODAY), "channel": "phone", "version": version_of(trajectory)},
    )
    assert response.status_code == 302
    response = client.post(
        url("decision", trajectory.pk),
        {"go_ahead": "yes", "reason": "go", "on": day(TODAY), "channel": "counter", "version": version_of(trajectory)},
    )
    assert response.status_code == 302
    response = client.post(
        url("orient", trajectory.pk),
        {
            "partner": partners["credal"].pk,
            "chosen_by_person": "on",
            "on": day(TODAY),
            "channel": "counter",
            "version": version_of(trajectory),
        },
    )
    assert response.status_code == 302
    trajectory.refresh_from_db()
    assert trajectory.current_step == Step.ORIENTATION and trajectory.partner == partners["credal"]
    assert list(StepLog.objects.filter(trajectory=trajectory).values_list("to_step", "by", "channel")) == [
        ("interest", counsellor.pk, "counter"),
        ("information", counsellor.pk, "phone"),
        ("decision", counsellor.pk, "counter"),
        ("orientation", counsellor.pk, "counter"),
    ]
    assert Orientation.objects.get(trajectory=trajectory).chosen_by_person is True

    page = client.get(url("trajectory", trajectory.pk)).content.decode()
    assert "Diallo" in page and mask_national_number("85073003328") in page
    assert "85073003328" not in page and "85.07.30-033.28" not in page


def test_information_can_be_a_past_collective_session(client, counsellor):
    session = InformationSession.objects.create(
        starts_at=timezone.now() - datetime.timedelta(days=1), place="Actiris, Tour Astro", language="fr"
    )
    trajectory = make_trajectory(step=Step.INTEREST, counsellor=counsellor, start=TODAY - datetime.timedelta(days=5))
    client.force_login(counsellor)
    response = client.post(
        url("information", trajectory.pk),
        {"kind": "session", "session": session.pk, "channel": "counter", "version": version_of(trajectory)},
    )
    assert response.status_code == 302
    assert session.attendances.get().status == "present"


def test_a_counsellor_stops_and_reopens_a_file(client, counsellor):
    trajectory = make_trajectory(step=Step.INFORMATION, counsellor=counsellor, start=TODAY - datetime.timedelta(days=3))
    client.force_login(counsellor)
    response = client.post(
        url("stop", trajectory.pk),
        {"reason": "Found a job", "on": day(TODAY), "channel": "phone", "version": version_of(trajectory)},
    )
    assert response.status_code == 302
    trajectory.refresh_from_db()
    assert trajectory.current_step == Step.STOPPED
    response = client.post(
        url("reopen", trajectory.pk),
        {"reason": "Lost the job", "on": day(TODAY), "channel": "counter", "version": version_of(trajectory)},
    )
    assert response.status_code == 302
    trajectory.refresh_from_db()
    assert trajectory.current_step == Step.INFORMATION


# --- refusals are translated and write nothing -----------------------------------------------


@pytest.mark.parametrize(("lang", "required"), [("fr", "Ce champ est obligatoire."), ("nl", "Dit veld is verplicht.")])
def test_an_invalid_national_number_is_refused_in_the_reader_language(client, counsellor, lang, required):
    from autocrea.lib.identifiers import clean_national_number

    client.force_login(counsellor)
    before = (Jobseeker.objects.count(), Trajectory.objects.count())
    response = client.post(url("intake", lang=lang), intake_data(national_number="85.07.30-033.29", first_name=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{lang}"' in page
    with pytest.raises(Exception) as err:
        clean_national_number("85.07.30-033.29")
    assert in_language(lang, err.value.messages[0]) in page
    assert required in page  # Django's own catalogue: the page really is in French or Dutch
    assert 'href="#id_national_number"' in page and 'class="govuk-error-summary"' in page
    assert (Jobseeker.objects.count(), Trajectory.objects.count()) == before


def test_a_duplicate_national_number_is_refused(client, counsellor):
    make_jobseeker(national_number="85073003328")
    client.force_login(counsellor)
    before = Jobseeker.objects.count()
    response = client.post(url("intake"), intake_data())
    assert response.status_code == 200
    assert "already registered" in response.content.decode() or Jobseeker.objects.count() == before
    assert Jobseeker.objects.count() == before and not Trajectory.objects.filter(jobseeker__last_name="Diallo")


def test_intake_writes_nothing_when_the_service_refuses(client, counsellor, monkeypatch):
    def refuse(**kwargs: Any) -> None:
        raise PathwayError("Refused for the test")

    monkeypatch.setattr(funnel.services, "express_interest", refuse)
    client.force_login(counsellor)
    before = Jobseeker.objects.count()
    response = client.post(url("intake"), intake_data())
    assert response.status_code == 200 and "Refused for the test" in response.content.decode()
    assert Jobseeker.objects.count() == before


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_wrong_date_format_is_refused_in_the_reader_language(client, counsellor, lang):
    from autocrea.workspace.forms import DayField

    trajectory = make_trajectory(step=Step.INFORMATION, counsellor=counsellor, start=TODAY - datetime.timedelta(days=3))
    client.force_login(counsellor)
    response = client.post(
        url("decision", trajectory.pk, lang=lang),
        {"go_ahead": "yes", "reason": "go", "on": "2026-03-27", "channel": "counter", "version": trajectory.version},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{lang}"' in page
    assert in_language(lang, DayField().error_messages["invalid"]) in page
    assert 'href="#id_on"' in page
    trajectory.refresh_from_db()
    assert trajectory.current_step == Step.INFORMATION and not trajectory.decisions.exists()


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_an_out_of_order_transition_shows_the_service_message(client, counsellor, partners, lang):
    trajectory = make_trajectory(step=Step.INTEREST, counsellor=counsellor, start=TODAY - datetime.timedelta(days=3))
    before = StepLog.objects.count()
    client.force_login(counsellor)
    response = client.post(
        url("orient", trajectory.pk, lang=lang),
        {
            "partner": partners["credal"].pk,
            "chosen_by_person": "on",
            "on": day(TODAY),
            "channel": "counter",
            "version": trajectory.version,
        },
    )
    assert response.status_code == 200
    with translation.override(lang), pytest.raises(TransitionError) as err:
        check_action("choose_partner", Step.INTEREST)
    assert escape(err.value.message) in response.content.decode()
    trajectory.refresh_from_db()
    assert trajectory.current_step == Step.INTEREST and trajectory.partner_id is None
    assert StepLog.objects.count() == before and not trajectory.orientations.exists()


def test_a_stale_version_is_refused(client, counsellor):
    trajectory = make_trajectory(step=Step.INFORMATION, counsellor=counsellor, start=TODAY - datetime.timedelta(days=3))
    client.force_login(counsellor)
    response = client.post(
        url("decision", trajectory.pk),
        {"go_ahead": "yes", "reason": "go", "on": day(TODAY), "channel": "counter", "version": trajectory.version - 1},
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    trajectory.refresh_from_db()
    assert trajectory.current_step == Step.INFORMATION and not trajectory.decisions.exists()


def test_changing_a_pending_partner_needs_a_reason(client, counsellor, partners):
    trajectory = make_trajectory(
        step=Step.ORIENTATION, counsellor=counsellor, partner=partners["credal"], start=TODAY - datetime.timedelta(5)
    )
    client.force_login(counsellor)
    data = {"partner": partners["illes"].pk, "on": day(TODAY), "channel": "phone", "version": trajectory.version}
    response = client.post(url("orient", trajectory.pk), data)
    assert response.status_code == 200 and 'href="#id_reason"' in response.content.decode()
    trajectory.refresh_from_db()
    assert trajectory.partner == partners["credal"]

    response = client.post(url("orient", trajectory.pk), {**data, "reason": "Closer to home"})
    assert response.status_code == 302
    trajectory.refresh_from_db()
    assert trajectory.partner == partners["illes"]
    assert Orientation.objects.get(trajectory=trajectory, partner=partners["illes"]).chosen_by_person is False


def test_the_skip_reason_is_asked_only_at_interest(client, counsellor):
    at_interest = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    informed = make_trajectory(step=Step.INFORMATION, counsellor=counsellor)
    client.force_login(counsellor)
    assert 'name="skip_reason"' in client.get(url("decision", at_interest.pk)).content.decode()
    assert 'name="skip_reason"' not in client.get(url("decision", informed.pk)).content.decode()


# --- who sees what ---------------------------------------------------------------------------


def test_a_coach_of_another_partner_never_sees_a_trajectory(client, counsellor, coach, other_coach, partners):
    mine = make_trajectory(
        step=Step.ORIENTATION,
        counsellor=counsellor,
        partner=partners["microstart"],
        jobseeker=make_jobseeker(last_name="Mertens"),
    )
    foreign = make_trajectory(
        step=Step.ACCOMPANIMENT,
        counsellor=counsellor,
        coach=coach,
        partner=partners["credal"],
        jobseeker=make_jobseeker(last_name="Peeters"),
    )
    client.force_login(other_coach)
    assert client.get(url("trajectory", foreign.pk)).status_code == 404
    assert client.get(url("trajectory", 999999)).status_code == 404
    assert client.get(url("stop", foreign.pk)).status_code == 404
    assert client.post(url("reopen", foreign.pk), {"reason": "x"}).status_code == 404
    for query in ("", "?q=peeters", f"?partner={partners['credal'].pk}", "?step=accompaniment"):
        page = client.get(url("trajectories") + query).content.decode()
        assert "Peeters" not in page and foreign.reference not in page
        assert foreign.pk not in listed_ids(page)
    assert mine.pk in listed_ids(client.get(url("trajectories")).content.decode())


@pytest.mark.parametrize("who", ["demo-jobseeker", "demo-programme-manager", "nobody"])
def test_people_without_a_caseload_are_refused(client, cast, counsellor, who):
    user = cast[who]
    own = make_trajectory(step=Step.INTEREST, counsellor=counsellor, jobseeker=make_jobseeker(user=user))
    foreign = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    client.force_login(user)
    for address in (
        url("trajectories"),
        url("trajectory", own.pk),
        url("trajectory", foreign.pk),
        url("decision", own.pk),
        url("intake"),
        url("info_sessions"),
    ):
        assert client.get(address).status_code in {403, 404}, address
    assert client.post(url("intake"), intake_data()).status_code == 403
    assert not Jobseeker.objects.filter(last_name="Diallo").exists()


def test_a_coach_cannot_record_intake_or_plan_sessions(client, coach):
    client.force_login(coach)
    assert client.get(url("intake")).status_code == 403
    assert client.get(url("info_sessions")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, counsellor):
    trajectory = make_trajectory(step=Step.INTEREST, counsellor=counsellor)
    for address in (url("trajectories"), url("trajectory", trajectory.pk), url("intake")):
        response = client.get(address)
        assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_coaching_notes_stay_with_the_partner(client, counsellor, coach, partners):
    trajectory = make_trajectory(
        step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"]
    )
    Diagnostic.objects.filter(trajectory=trajectory).update(notes="CONFIDENTIAL-NOTE")
    client.force_login(counsellor)
    page = client.get(url("trajectory", trajectory.pk)).content.decode()
    assert "CONFIDENTIAL-NOTE" not in page
    client.force_login(coach)
    page = client.get(url("trajectory", trajectory.pk)).content.decode()
    assert "CONFIDENTIAL-NOTE" in page


def test_the_national_number_is_masked_and_shown_to_counsellors_only(client, counsellor, coach, partners):
    person = make_jobseeker(national_number="93051822361", last_name="Janssens")
    trajectory = make_trajectory(
        step=Step.DIAGNOSTIC, counsellor=counsellor, coach=coach, partner=partners["credal"], jobseeker=person
    )
    client.force_login(counsellor)
    detail = client.get(url("trajectory", trajectory.pk)).content.decode()
    listing = client.get(url("trajectories")).content.decode()
    assert mask_national_number("93051822361") in detail
    assert mask_national_number("93051822361") not in listing
    client.force_login(coach)
    detail = client.get(url("trajectory", trajectory.pk)).content.decode()
    assert mask_national_number("93051822361") not in detail and trajectory.reference in detail
    for page in (detail, listing):
        assert "93051822361" not in page and "93.05.18" not in page


# --- the case list ---------------------------------------------------------------------------


def test_the_list_page_runs_a_bounded_number_of_queries(
    client, counsellor, coach, partners, django_assert_max_num_queries
):
    for i in range(30):
        make_trajectory(
            step=Step.ORIENTATION, counsellor=counsellor, partner=partners["credal"] if i % 2 else partners["illes"]
        )
    for user in (counsellor, coach):
        client.force_login(user)
        with django_assert_max_num_queries(8):
            response = client.get(url("trajectories"))
        assert response.status_code == 200
        first = listed_ids(response.content.decode())
        with django_assert_max_num_queries(9):
            client.get(url("trajectories") + f"?after={first[-1]}&step=orientation")


def test_keyset_pagination_returns_every_row_once(client, counsellor, monkeypatch):
    monkeypatch.setattr(funnel, "PAGE_SIZE", 7)
    expected = set()
    for i in range(30):
        # Same names on purpose: the id breaks the tie between rows with one name.
        person = make_jobseeker(last_name=f"Dubois{i % 4}", first_name="Marie")
        expected.add(make_trajectory(step=Step.INTEREST, counsellor=counsellor, jobseeker=person).pk)
    client.force_login(counsellor)
    seen: list[int] = []
    address = url("trajectories")
    pages = 0
    while address:
        page = client.get(address).content.decode()
        seen += listed_ids(page)
        pages += 1
        match = re.search(r'href="(\?[^"]*after=\d+[^"]*)" rel="next"', page)
        address = url("trajectories") + match.group(1).replace("&amp;", "&") if match else ""
        assert pages < 10
    assert pages == 5 and len(seen) == len(set(seen)) == 30 and set(seen) == expected


def test_search_by_name_prefix_and_filters_stay_in_the_url(client, counsellor, partners):
    a = make_trajectory(step=Step.INTEREST, counsellor=counsellor, jobseeker=make_jobseeker(last_name="Émile"))
    b = make_trajectory(step=Step.INFORMATION, counsellor=counsellor, jobseeker=make_jobseeker(last_name="Emerson"))
    c = make_trajectory(step=Step.INTEREST, counsellor=counsellor, jobseeker=make_jobseeker(last_name="Fontaine"))
    client.force_login(counsellor)
    assert set(listed_ids(client.get(url("trajectories") + "?q=em").content.decode())) == {a.pk, b.pk}
    assert listed_ids(client.get(url("trajectories") + "?q=EM&step=interest").content.decode()) == [a.pk]
    page = client.get(url("trajectories") + "?step=bogus").content.decode()
    assert {a.pk, b.pk, c.pk} <= set(listed_ids(page))


# --- information sessions and home ----------------------------------------------------------


def test_a_counsellor_plans_an_information_session(client, counsellor):
    client.force_login(counsellor)
    when = TODAY + datetime.timedelta(days=10)
    response = client.post(
        url("info_sessions"),
        {"day": day(when), "time": "09:30", "place": "Actiris, Tour Astro", "language": "nl", "capacity": "15"},
    )
    assert response.status_code == 302
    session = InformationSession.objects.get()
    local = timezone.localtime(session.starts_at)
    assert (local.date(), local.hour, local.minute, session.language, session.capacity) == (when, 9, 30, "nl", 15)
    assert "Actiris, Tour Astro" in client.get(url("info_sessions")).content.decode()


def test_a_session_cannot_be_planned_in_the_past(client, counsellor):
    client.force_login(counsellor)
    response = client.post(
        url("info_sessions"),
        {
            "day": day(TODAY - datetime.timedelta(days=2)),
            "time": "09:30",
            "place": "X",
            "language": "fr",
            "capacity": "15",
        },
    )
    assert response.status_code == 200 and not InformationSession.objects.exists()


def test_home_shows_partner_staff_their_counts_per_step(client, counsellor, coach, partners):
    make_trajectory(step=Step.ORIENTATION, counsellor=counsellor, partner=partners["credal"])
    make_trajectory(step=Step.ORIENTATION, counsellor=counsellor, partner=partners["illes"])
    client.force_login(coach)
    page = client.get(url("home")).content.decode()
    assert "?step=orientation" in page
    assert re.search(r"govuk-table__cell--numeric\">1<", page)


def test_home_gives_each_role_its_links(client, cast):
    client.force_login(cast["demo-programme-manager"])
    page = client.get(url("home")).content.decode()
    assert "trajectories.xlsx" in page and url("trajectories") not in page
    client.force_login(cast["demo-counsellor"])
    page = client.get(url("home")).content.decode()
    assert url("intake") in page and url("info_sessions") in page and url("trajectories") in page
    client.force_login(cast["demo-jobseeker"])
    page = client.get(url("home")).content.decode()
    assert url("trajectories") not in page and url("intake") not in page


def test_a_double_submitted_intake_registers_the_person_once(client, counsellor):
    from autocrea.jobseekers.models import Jobseeker
    from autocrea.pathways.models import Trajectory

    client.force_login(counsellor)
    data = {
        "first_name": "Yasmina",
        "last_name": "Double",
        "birth_date": "12/03/1990",
        "gender": "female",
        "contact_language": "fr",
        "commune": "21009",
        "education_level": "upper_secondary",
        "unemployed_since": "01/01/2020",  # eligible: unemployed for more than 12 months
        "income_source": "benefits",
        "channel": "counter",
        "project_summary": "Catering",
    }
    with translation.override("fr"):
        url = reverse("workspace:intake")
    first = client.post(url, data)
    assert first.status_code == 302, first.content.decode()[:2000]
    second = client.post(url, data)
    assert second.status_code == 200
    assert "déjà" in second.content.decode() or "already" in second.content.decode()
    assert Jobseeker.objects.filter(last_name="Double").count() == 1
    assert Trajectory.objects.filter(jobseeker__last_name="Double").count() == 1
