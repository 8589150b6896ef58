"""The explained partner recommendation: exact ranking and reasons, and how staff and job seekers see it."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from autocrea.backbone.steps import Channel, Step
from autocrea.jobseekers.models import LanguageSkill
from autocrea.partners.recommendation import Recommendation, recommend_partners
from autocrea.pathways import services
from autocrea.pathways.models import Orientation, Trajectory
from tests.factories import make_jobseeker, make_trajectory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MOLENBEEK = "21012"


def url(name: str, lang: str, *args: Any) -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def decided(
    counsellor: Any, *, sector: str | None = "I", skills: dict[str, str] | None = None, **person: Any
) -> Trajectory:
    """A person who decided to go ahead and now chooses a partner."""
    jobseeker = make_jobseeker(**person)
    for language, level in (skills or {}).items():
        LanguageSkill.objects.create(jobseeker=jobseeker, language=language, level=level)
    trajectory = make_trajectory(
        step=Step.DECISION, counsellor=counsellor, jobseeker=jobseeker, start=TODAY - datetime.timedelta(days=3)
    )
    trajectory.sector_id = sector
    trajectory.save(update_fields=["sector"])
    return Trajectory.objects.select_related("jobseeker", "sector").get(pk=trajectory.pk)


def amina(counsellor: Any, **overrides: Any) -> Trajectory:
    """A woman in Molenbeek with a catering project (NACE I), contact in French, fluent in Arabic."""
    values: dict[str, Any] = {
        "gender": "female",
        "commune_id": MOLENBEEK,
        "contact_language": "fr",
        "skills": {"ar": "fluent", "en": "basic"},
    }
    values.update(overrides)
    return decided(counsellor, **values)


def by_slug(ranking: list[Recommendation]) -> dict[str, Recommendation]:
    return {reco.partner.slug: reco for reco in ranking}


def accept_this_year(partner: Any, coach: Any, counsellor: Any) -> Trajectory:
    return make_trajectory(
        step=Step.DIAGNOSTIC,
        counsellor=counsellor,
        coach=coach,
        partner=partner,
        start=TODAY - datetime.timedelta(days=4),
    )


# --- the ranking ------------------------------------------------------------------------------


def test_a_woman_with_a_catering_project_in_molenbeek(counsellor, partners):
    ranking = recommend_partners(trajectory=amina(counsellor))
    assert [(r.partner.slug, r.score) for r in ranking] == [
        ("microstart", 8),  # sector 3 + French and Arabic 3 + Molenbeek 2
        ("credal", 7),  # sector 3 + French 2 + women 2
        ("refresh", 5),  # sector 3 + French 2
        ("faisletoimeme", 2),  # French 2; ties broken by name
        ("illes", 2),
        ("jobyourself", 2),
    ]
    reco = by_slug(ranking)
    assert reco["microstart"].codes == ["sector", "language", "same_commune"]
    assert [r.points for r in reco["microstart"].reasons] == [3, 3, 2]
    assert reco["credal"].codes == ["sector", "language", "women_focus", "other_commune"]
    assert reco["refresh"].codes == ["sector", "language", "other_commune"]
    assert reco["illes"].codes == ["sector_other", "language", "other_commune"]
    assert [r.code for r in reco["illes"].fits] == ["language"]
    assert [r.code for r in reco["illes"].considerations] == ["sector_other", "other_commune"]
    # Capacity is live but nobody was accepted yet this year.
    assert reco["microstart"].places_left == partners["microstart"].yearly_capacity
    assert reco["microstart"].waitlisted == 0

    with translation.override("en"):
        texts = [r.text for r in reco["microstart"].reasons]
        person = [r.text_for_person for r in reco["microstart"].reasons]
        other = reco["credal"].reasons[-1].text
    assert texts == [
        "Works with projects in the person's sector: Accommodation and food service.",
        "Works in a language the person speaks: French, Arabic.",
        "Located in the person's commune (Molenbeek-Saint-Jean).",
    ]
    assert person[1] == "Speaks your language: French, Arabic."
    assert other == "Located in Ixelles."


def test_the_sector_text_names_the_sector_in_the_readers_language(counsellor, partners):
    ranking = recommend_partners(trajectory=amina(counsellor))
    sector_reason = ranking[0].reasons[0]
    commune_reason = ranking[0].reasons[2]
    trajectory_sector = ranking[0].partner.sectors.get(code="I")
    molenbeek = partners["microstart"].commune
    for lang in ("fr", "nl"):
        with translation.override(lang):
            expected = translation.gettext("Works with projects in the person's sector: %(sector)s.") % {
                "sector": trajectory_sector.name_in(lang)
            }
            assert sector_reason.text == expected
            assert commune_reason.text_for_person == translation.gettext("Is in your commune (%(commune)s).") % {
                "commune": molenbeek.name_in(lang)
            }
    with translation.override("nl"):
        assert "Sint-Jans-Molenbeek" in commune_reason.text


def test_a_full_partner_gets_the_capacity_reason_and_drops(cast, counsellor, partners):
    refresh = partners["refresh"]
    refresh.yearly_capacity = 1
    refresh.save(update_fields=["yearly_capacity"])
    accept_this_year(refresh, cast["demo-coach-refresh"], counsellor)

    ranking = recommend_partners(trajectory=amina(counsellor))
    assert [r.partner.slug for r in ranking] == [
        "microstart",
        "credal",
        "faisletoimeme",
        "illes",
        "jobyourself",
        "refresh",
    ]
    full = ranking[-1]
    assert full.codes == ["sector", "language", "other_commune", "full"]
    assert full.score == 1 and full.places_left == 0
    assert full.considerations[0].code == "full" and full.considerations[0].negative
    # Next year the same partner has places again: only this calendar year's acceptances count.
    next_year = recommend_partners(trajectory=amina(counsellor), on=datetime.date(TODAY.year + 1, 1, 1))
    assert by_slug(next_year)["refresh"].places_left == 1
    assert "full" not in by_slug(next_year)["refresh"].codes


def test_a_waiting_list_is_mentioned_without_a_penalty(cast, counsellor, partners):
    other = decided(counsellor, gender="male")
    services.orient(trajectory=other, partner=partners["microstart"], by=counsellor, channel=Channel.COUNTER, on=TODAY)
    services.answer_orientation(
        trajectory=Trajectory.objects.get(pk=other.pk), by=cast["demo-coach-microstart"], answer="waitlisted", on=TODAY
    )
    ranking = recommend_partners(trajectory=amina(counsellor))
    first = ranking[0]
    assert first.partner.slug == "microstart" and first.score == 8 and first.waitlisted == 1
    waitlist = [r for r in first.reasons if r.code == "waitlist"]
    assert len(waitlist) == 1 and waitlist[0].points == 0
    with translation.override("en"):
        assert waitlist[0].text == "1 person on its waiting list."
    # The person's own waiting-list place is not counted against them.
    assert by_slug(recommend_partners(trajectory=other))["microstart"].waitlisted == 0


def test_a_man_gets_a_neutral_note_and_unserved_languages_a_penalty(counsellor, partners):
    trajectory = decided(counsellor, gender="male", contact_language="nl", commune_id="21015", sector="C")
    reco = by_slug(recommend_partners(trajectory=trajectory))
    credal = reco["credal"]
    note = [r for r in credal.reasons if r.code == "women_focus_note"]
    assert len(note) == 1 and note[0].points == 0 and not note[0].positive and not note[0].negative
    assert credal.score == 2  # Dutch only: no penalty for the women focus
    fltm = reco["faisletoimeme"]
    assert fltm.codes == ["sector", "language_none", "other_commune"]
    assert fltm.score == 0  # sector 3, French only -3
    with translation.override("en"):
        assert fltm.reasons[1].text == "Works in none of the person's languages (Dutch)."
    assert reco["illes"].codes == ["sector_other", "language", "same_commune"]


def test_a_basic_level_is_not_a_language_the_person_works_in(counsellor, partners):
    trajectory = amina(counsellor, skills={"ar": "basic"})
    microstart = by_slug(recommend_partners(trajectory=trajectory))["microstart"]
    assert microstart.reasons[1].points == 2
    with translation.override("en"):
        assert microstart.reasons[1].text == "Works in a language the person speaks: French."


def test_without_a_sector_no_sector_reason(counsellor, partners):
    ranking = recommend_partners(trajectory=amina(counsellor, sector=None))
    assert all(not {"sector", "sector_other"} & set(r.codes) for r in ranking)
    assert ranking[0].partner.slug == "microstart"


def test_inactive_partners_are_not_recommended(counsellor, partners):
    partners["illes"].active = False
    partners["illes"].save(update_fields=["active"])
    assert "illes" not in by_slug(recommend_partners(trajectory=amina(counsellor)))


def test_the_recommendation_costs_a_bounded_number_of_queries(
    cast, counsellor, partners, django_assert_max_num_queries
):
    trajectory = amina(counsellor)
    accept_this_year(partners["microstart"], cast["demo-coach-microstart"], counsellor)
    with django_assert_max_num_queries(5):
        recommend_partners(trajectory=trajectory)


# --- the staff orient page --------------------------------------------------------------------


def radio_values(html: str, name: str = "partner") -> list[str]:
    return re.findall(rf'<input type="radio"[^>]*name="{name}"[^>]*value="(\d+)"', html)


def checked_partner_radios(html: str) -> list[str]:
    return re.findall(r'<input type="radio"[^>]*name="partner"[^>]*checked', html)


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_orient_page_explains_the_ranking_and_preselects_nothing(client, counsellor, partners, lang):
    trajectory = amina(counsellor)
    ranking = recommend_partners(trajectory=trajectory)
    client.force_login(counsellor)
    html = client.get(url("workspace:orient", lang, trajectory.pk)).content.decode()
    assert radio_values(html) == [str(r.partner.pk) for r in ranking]
    assert checked_partner_radios(html) == []
    with translation.override(lang):
        text = unescape(html)  # {% translate %} output is not escaped, variables are: compare as text
        for heading in ("Why this partner may fit:", "Points to consider:"):
            assert translation.gettext(heading) in text
        for reco in ranking:
            for reason in reco.reasons:
                assert str(reason.text) in text
        places = partners["microstart"].yearly_capacity
        capacity = translation.ngettext(
            "%(counter)s place left this year", "%(counter)s places left this year", places
        ) % {"counter": places}
        assert capacity in html
    # The "chosen by the person" box is still there and ticked, as before.
    assert re.search(r'name="chosen_by_person"[^>]*checked', html)


def test_the_orient_page_query_count_is_bounded(client, cast, counsellor, partners, django_assert_max_num_queries):
    trajectory = amina(counsellor)
    for slug in ("microstart", "credal"):
        accept_this_year(partners[slug], cast[f"demo-coach-{slug}"], counsellor)
    client.force_login(counsellor)
    client.get(url("workspace:orient", "fr", trajectory.pk))  # warm the session and caches
    with django_assert_max_num_queries(15):
        response = client.get(url("workspace:orient", "fr", trajectory.pk))
    assert response.status_code == 200


def test_the_orient_form_still_records_the_persons_free_choice(client, counsellor, partners):
    trajectory = amina(counsellor)
    client.force_login(counsellor)
    response = client.post(
        url("workspace:orient", "fr", trajectory.pk),
        {
            "partner": partners["jobyourself"].pk,  # ranked last: the choice is the person's
            "chosen_by_person": "on",
            "on": TODAY.strftime("%d/%m/%Y"),
            "channel": "counter",
            "version": trajectory.version,
        },
    )
    assert response.status_code == 302
    orientation = Orientation.objects.get(trajectory=trajectory)
    assert orientation.partner == partners["jobyourself"] and orientation.chosen_by_person is True


# --- the job seeker's own choice --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_portal_choice_explains_in_plain_words_and_preselects_nothing(client, cast, counsellor, partners, lang):
    user = cast["demo-jobseeker"]
    trajectory = amina(counsellor, user=user)
    ranking = recommend_partners(trajectory=trajectory)
    client.force_login(user)
    html = client.get(url("portal:partners_choose", lang)).content.decode()
    assert 'id="recommendation-intro"' in html
    cards = re.findall(r'id="partner-([\w-]+)-name"', html)
    assert cards == [r.partner.slug for r in ranking]
    assert re.findall(r'name="partner"[^>]*checked', html) == []
    with translation.override(lang):
        assert escape(translation.gettext("Why this partner may suit you")) in html
        for reco in ranking:
            for reason in reco.reasons:
                assert escape(reason.text_for_person) in html
                assert escape(reason.text) not in html or reason.text == reason.text_for_person

    response = client.post(
        url("portal:partners_choose", lang), {"partner": partners["illes"].pk, "version": trajectory.version}
    )
    assert response.status_code == 302
    orientation = Orientation.objects.get(trajectory=trajectory)
    assert orientation.partner == partners["illes"] and orientation.chosen_by_person is True
