"""PDF documents: attestations in the person's language, the steering report with the dashboard's figures.

Every PDF is read back with pypdf; language-specific words are computed with gettext inside
`translation.override(lang)`, so the checks hold before and after the lead's translations.
"""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from autocrea.accounts.models import AuditEvent
from autocrea.backbone.steps import Step
from autocrea.coaching.services import individual_sessions
from autocrea.lib import pdf
from autocrea.pathways import services
from autocrea.pathways.models import FollowUpSituation
from autocrea.reference.models import ExitKind
from autocrea.reporting import kpis
from autocrea.reporting.formatting import fmt
from tests.factories import make_jobseeker, make_trajectory

NISS = "85073003328"  # 85.07.30-033.28, valid (docs/conventions.md)


def _url(name: str, *args: Any, lang: str = "fr", query: str = "") -> str:
    with translation.override(lang):
        return reverse(name, args=list(args)) + (f"?{query}" if query else "")


def _text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def _t(lang: str, message: str) -> str:
    with translation.override(lang):
        return gettext(message)


def _pdf(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    return _text(response.content)


@pytest.fixture
def people(cast: dict[str, Any], partners: dict[str, Any]) -> dict[str, Any]:
    """A: Dutch-speaking, with Crédal, in accompaniment; B: French-speaking, left microStart, follow-up answered."""
    counsellor = cast["demo-counsellor"]
    coach_c, coach_m = cast["demo-coach-credal"], cast["demo-coach-microstart"]
    person_a = make_jobseeker(
        user=cast["demo-jobseeker"],
        first_name="Zoë",
        last_name="Van den Broeck",
        contact_language="nl",
        national_number=NISS,
    )
    person_b = make_jobseeker(user=cast["jobseeker-b"], first_name="Hélène", last_name="Dupré", contact_language="fr")
    own = make_trajectory(
        step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach_c, partner=partners["credal"], jobseeker=person_a
    )
    individual_sessions.record_individual_session(
        trajectory=own,
        by=coach_c,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        duration_minutes=90,
        mode="in_person",
        topic="Private topic of an individual session",
    )
    foreign = make_trajectory(
        step=Step.EXIT, counsellor=counsellor, coach=coach_m, partner=partners["microstart"], jobseeker=person_b
    )
    answered_on = foreign.exit_on + datetime.timedelta(days=1)
    foreign = services.record_follow_up(
        trajectory=foreign,
        by=coach_m,
        on=answered_on,
        responded=True,
        situation=FollowUpSituation.SELF_EMPLOYED,
        improved=True,
        source="phone",
    )
    return {"own": own, "foreign": foreign, "a": person_a, "b": person_b, **partners}


# ---------------------------------------------------------------- lib/pdf.py


def test_render_pdf_writes_a_tagged_pdf_in_the_asked_language():
    content = pdf.render_pdf(
        "pdf/base.html", {"organisation": "Actiris", "issued_on": datetime.date(2025, 3, 7)}, lang="nl"
    )
    reader = pypdf.PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert "/StructTreeRoot" in root  # tagged (PDF/UA-1): readable by screen readers
    text = _text(content)
    assert "07/03/2025" in text  # Belgian date format
    assert _t("nl", "Issued on %(date)s") % {"date": "07/03/2025"} in text


def test_pdfs_fetch_static_files_and_nothing_from_the_network():
    fetcher = pdf.static_files_fetcher()
    for url in ("https://example.com/font.woff", "file:///etc/passwd", "http://example.com/static/autocrea/pdf.css"):
        with pytest.raises(ValueError, match="local static files"):
            fetcher.fetch(url)
    response = fetcher.fetch(pdf.BASE_URL + "static/autocrea/pdf.css")
    try:
        assert b"@page" in response.read()
    finally:
        response.close()


def test_pdf_file_names_are_plain_ascii():
    response = pdf.pdf_response(b"%PDF-1.7", "attestation Zoë « T-1 ».pdf")
    assert response["Content-Disposition"] == 'attachment; filename="attestation-zoe-t-1.pdf"'
    assert response["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- attestations, staff side


def test_a_dutch_speaking_persons_attestation_is_in_dutch_while_the_coach_browses_in_french(client, cast, people):
    coach = cast["demo-coach-credal"]
    client.force_login(coach)
    response = client.get(_url("workspace:attestation", people["own"].pk, lang="fr"))
    text = _pdf(response)
    assert "Zoë Van den Broeck" in text
    assert people["credal"].name_in("nl") in text
    for message in ("Attestation of participation", "Date of birth", "National register number", "Partner"):
        assert _t("nl", message) in text, message
    assert _t("fr", "Date of birth") not in text  # not the coach's screen language
    # The national number is masked; only its two check digits show.
    assert "••.••.••-•••.28" in text and NISS not in text and "85.07.30" not in text
    # Steps reached with Belgian dates, and the individual session (without its private topic).
    assert people["own"].guided_on.strftime("%d/%m/%Y") in text
    assert _t("nl", "Individual session") in text
    assert "Private topic" not in text
    # Printed by staff: a signature line with their name.
    assert (coach.get_full_name() or coach.username) in text
    event = AuditEvent.objects.get(action="generate:attestation.participation")
    assert (event.user_id_ref, event.object_type, event.object_id) == (coach.pk, "trajectory", people["own"].pk)


def test_a_french_speaking_persons_attestation_is_in_french_while_the_coach_browses_in_dutch(client, cast, people):
    client.force_login(cast["demo-coach-microstart"])
    text = _pdf(client.get(_url("workspace:attestation", people["foreign"].pk, lang="nl")))
    assert "Hélène Dupré" in text
    assert _t("fr", "Date of birth") in text and _t("nl", "Date of birth") not in text
    kind = ExitKind.objects.get(code="salaried_job")
    assert kind.name_in("fr") in text and kind.name_in("nl") not in text
    assert people["foreign"].exit_on.strftime("%d/%m/%Y") in text
    assert _t("fr", "National register number") not in text  # none recorded: no line at all


def test_the_follow_up_attestation_says_the_situation_in_the_persons_language(client, counsellor, people):
    client.force_login(counsellor)
    text = _pdf(client.get(_url("workspace:attestation", people["foreign"].pk, lang="nl", query="kind=follow-up")))
    follow_up = people["foreign"].follow_ups.get()
    with translation.override("fr"):
        situation = str(FollowUpSituation.SELF_EMPLOYED.label)
        source = follow_up.get_source_display()
    assert situation in text and source in text
    assert _t("fr", "Attestation of follow-up") in text
    assert follow_up.answered_on.strftime("%d/%m/%Y") in text
    assert AuditEvent.objects.filter(action="generate:attestation.follow-up", object_id=people["foreign"].pk).exists()


def test_no_follow_up_attestation_before_an_answer_nor_after_a_non_response(client, cast, counsellor, people):
    client.force_login(counsellor)
    assert client.get(_url("workspace:attestation", people["own"].pk, query="kind=follow-up")).status_code == 404
    silent = make_trajectory(
        step=Step.FOLLOW_UP, counsellor=counsellor, coach=cast["demo-coach-credal"], partner=people["credal"]
    )  # the factory records a non-response
    assert client.get(_url("workspace:attestation", silent.pk, query="kind=follow-up")).status_code == 404
    assert client.get(_url("workspace:attestation", silent.pk, query="kind=other")).status_code == 404
    assert client.get(_url("workspace:attestation", silent.pk)).status_code == 200
    assert not AuditEvent.objects.filter(action__startswith="generate:attestation.f").exists()


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("demo-coach-microstart", 404),  # another partner's coach: a foreign object
        ("demo-programme-manager", 404),  # aggregates only, never a person's file
        ("demo-jobseeker", 403),  # the person's own file, but from the staff workspace
        ("nobody", 404),
    ],
)
def test_staff_attestations_are_scoped_like_the_trajectory(client, cast, people, username, status):
    client.force_login(cast[username])
    assert client.get(_url("workspace:attestation", people["own"].pk)).status_code == status
    assert not AuditEvent.objects.filter(action__startswith="generate:").exists()


def test_the_trajectory_page_links_to_the_attestations_that_exist(client, cast, counsellor, people):
    client.force_login(counsellor)
    html = client.get(_url("workspace:trajectory", people["own"].pk)).content.decode()
    participation = _url("workspace:attestation", people["own"].pk) + "?kind=participation"
    assert f'href="{participation}"' in html
    assert "kind=follow-up" not in html
    html = client.get(_url("workspace:trajectory", people["foreign"].pk)).content.decode()
    assert 'href="{}?kind=follow-up"'.format(_url("workspace:attestation", people["foreign"].pk)) in html
    response = client.get(participation)
    assert _pdf(response)


# ---------------------------------------------------------------- attestations, the person's side


def test_my_documents_lists_only_my_own_attestations(client, cast, people):
    client.force_login(cast["demo-jobseeker"])
    pathway = client.get(_url("portal:pathway", lang="nl")).content.decode()
    assert _url("portal:documents", lang="nl") in pathway
    html = client.get(_url("portal:documents", lang="nl")).content.decode()
    own_url = _url("portal:attestation", people["own"].pk, lang="nl")
    assert f"{own_url}?kind=participation" in html
    assert "kind=follow-up" not in html
    assert _url("portal:attestation", people["foreign"].pk, lang="nl") not in html
    text = _pdf(client.get(f"{own_url}?kind=participation"))
    assert "Zoë Van den Broeck" in text and _t("nl", "Attestation of participation") in text
    # Downloaded by the person: no signature line, issued electronically.
    assert cast["demo-coach-credal"].username not in text
    event = AuditEvent.objects.get(action="generate:attestation.participation")
    assert event.user_id_ref == cast["demo-jobseeker"].pk


def test_a_person_with_an_answered_follow_up_gets_both_attestations_in_their_language(client, cast, people):
    client.force_login(cast["jobseeker-b"])
    # Person B browses in Dutch; her contact language is French.
    html = client.get(_url("portal:documents", lang="nl")).content.decode()
    base = _url("portal:attestation", people["foreign"].pk, lang="nl")
    assert f"{base}?kind=participation" in html and f"{base}?kind=follow-up" in html
    text = _pdf(client.get(f"{base}?kind=follow-up"))
    assert "Hélène Dupré" in text and _t("fr", "Attestation of follow-up") in text
    with translation.override("fr"):
        assert str(FollowUpSituation.SELF_EMPLOYED.label) in text


def test_job_seeker_b_cannot_get_as_attestation(client, cast, people):
    client.force_login(cast["jobseeker-b"])
    for kind in ("participation", "follow-up"):
        url = _url("portal:attestation", people["own"].pk, query=f"kind={kind}")
        assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="generate:").exists()


def test_staff_and_visitors_cannot_use_the_persons_download(client, cast, people):
    url = _url("portal:attestation", people["own"].pk)
    assert client.get(url).status_code == 302  # anonymous: to the person's sign-in
    client.force_login(cast["demo-counsellor"])
    assert client.get(url).status_code == 403
    client.force_login(cast["demo-coach-microstart"])
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- the steering report


@pytest.fixture
def figures(cast: dict[str, Any], partners: dict[str, Any]) -> dict[str, Any]:
    """Crédal: 10 exits (5 salaried jobs, 5 dropped out: no small cell) and 1 in accompaniment; microStart: 3 exits."""
    counsellor = cast["demo-counsellor"]
    coach_c, coach_m = cast["demo-coach-credal"], cast["demo-coach-microstart"]
    for kind in ["salaried_job"] * 5 + ["dropped_out"] * 5:
        make_trajectory(
            step=Step.EXIT, counsellor=counsellor, coach=coach_c, partner=partners["credal"], exit_kind=kind
        )
    make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach_c, partner=partners["credal"])
    for _ in range(3):
        make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach_m, partner=partners["microstart"])
    return partners


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_partner_report_has_the_dashboards_numbers_in_the_chosen_language(client, cast, figures, lang):
    client.force_login(cast["demo-partner-manager-credal"])
    credal = figures["credal"]
    # The manager browses in French and chooses the report's language.
    text = _pdf(client.get(_url("reporting:report_pdf", lang="fr", query=f"lang={lang}")))
    expected = kpis.compute_kpis(start=None, end=None, partner_id=credal.pk)
    assert expected["guided"]["count"] == 11 and expected["exits"]["exits"] == 10
    with translation.override(lang):
        for label, value in (
            ("Guided in the period", fmt(expected["guided"]["count"], "int")),
            ("Exits in the period", fmt(expected["exits"]["exits"], "int")),
            ("Positive-exit rate", fmt(expected["exits"]["positive_rate"], "rate")),
            ("Job-creation rate", fmt(expected["exits"]["job_creation_rate"], "rate")),
        ):
            assert gettext(label) in text, label
            assert value.replace("\u00a0", " ") in text.replace("\u00a0", " "), (label, value)
        assert gettext("Exits and their outcomes, per partner") in text
    assert "50,0" in text  # 5 positive exits out of 10, with a decimal comma
    assert credal.name_in(lang) in text
    assert figures["microstart"].name_in(lang) not in text
    other = "nl" if lang == "fr" else "fr"
    assert _t(other, "Exits in the period") not in text
    assert AuditEvent.objects.filter(action=f"export:kpi.report.pdf.{lang}", object_id=credal.pk).exists()


def test_the_report_numbers_match_the_dashboard_page(client, cast, figures):
    client.force_login(cast["demo-partner-manager-credal"])
    page = client.get(_url("reporting:partner", query="from=01/01/2024&to=31/12/2027")).content.decode()
    text = _pdf(client.get(_url("reporting:report_pdf", query="from=01/01/2024&to=31/12/2027&lang=fr")))
    for figure in ("guided", "exits", "positive-rate", "job-creation-rate"):
        value = re.search(rf'id="figure-{figure}">([^<]*)<', page).group(1)
        assert value.replace("\u00a0", " ") in text.replace("\u00a0", " "), figure
    assert "01/01/2024" in text and "31/12/2027" in text


def test_small_groups_are_hidden_in_the_printed_report(client, cast, figures):
    client.force_login(cast["demo-programme-manager"])
    text = _pdf(client.get(_url("reporting:report_pdf", query=f"partner={figures['microstart'].slug}&lang=nl")))
    assert kpis.compute_kpis(start=None, end=None, partner_id=figures["microstart"].pk)["exits"]["exits"] == 3
    # One rule with the dashboard (docs/kpis.md, "Small numbers"): the exits count is the scope's margin and
    # is printed; the outcome rates of fewer than 5 exits, and the breakdown's cells, are hidden.
    headline = text.split(_t("nl", "Job-creation rate"), 1)[0]
    assert re.search(re.escape(_t("nl", "Exits in the period")) + r"\s*3\s", headline)
    assert re.search(re.escape(_t("nl", "Positive-exit rate")) + r"\s*\*", headline)
    assert f"{figures['microstart'].name_in('nl')} * * * 0 *" in re.sub(r"\s+", " ", text)
    assert figures["microstart"].name_in("nl") in text


def test_the_programme_manager_gets_the_whole_programme_in_their_screen_language(client, cast, figures):
    client.force_login(cast["demo-programme-manager"])
    text = _pdf(client.get(_url("reporting:report_pdf", lang="nl")))
    expected = kpis.compute_kpis(start=None, end=None, partner_id=None)
    assert expected["exits"]["exits"] == 13
    with translation.override("nl"):
        assert gettext("Exits in the period") in text
        assert fmt(expected["exits"]["positive_rate"], "rate").replace("\u00a0", " ") in text.replace("\u00a0", " ")
    assert figures["credal"].name_in("nl") in text and figures["microstart"].name_in("nl") in text


def test_a_report_on_another_partner_is_refused_to_partner_staff(client, cast, figures):
    client.force_login(cast["demo-coach-credal"])
    foreign = _url("reporting:report_pdf", query=f"partner={figures['microstart'].slug}")
    assert client.get(foreign).status_code == 404
    assert client.get(_url("reporting:report_pdf", query=f"partner={figures['credal'].slug}")).status_code == 200
    client.force_login(cast["demo-programme-manager"])
    assert client.get(_url("reporting:report_pdf", query="partner=no-such-partner")).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="export:kpi.report", object_id=figures["microstart"].pk)


@pytest.mark.parametrize("username", ["demo-counsellor", "demo-jobseeker", "demo-admin", "nobody"])
def test_the_report_is_refused_to_other_roles(client, cast, figures, username):
    client.force_login(cast[username])
    assert client.get(_url("reporting:report_pdf")).status_code == 403


def test_bad_dates_get_a_clear_message_and_no_report(client, cast, figures):
    client.force_login(cast["demo-partner-manager-credal"])
    response = client.get(_url("reporting:report_pdf", lang="nl", query="from=31-31-2025"))
    assert response.status_code == 400
    with translation.override("nl"):
        assert (
            gettext("%(label)s: write the date as dd/mm/yyyy.") % {"label": gettext("From")}
            in response.content.decode()
        )
    assert not AuditEvent.objects.filter(action__startswith="export:kpi.report").exists()


def test_the_dashboards_offer_the_report_in_french_or_dutch(client, cast, figures):
    client.force_login(cast["demo-partner-manager-credal"])
    html = client.get(_url("reporting:partner", lang="nl", query="from=01/01/2025")).content.decode()
    assert f'action="{_url("reporting:report_pdf", lang="nl")}"' in html
    assert '<option value="nl" lang="nl" selected>' in html and '<option value="fr" lang="fr">' in html
    assert 'name="from" value="01/01/2025"' in html
    client.force_login(cast["demo-programme-manager"])
    html = client.get(_url("reporting:programme", query=f"partner={figures['credal'].slug}")).content.decode()
    assert f'name="partner" value="{figures["credal"].slug}"' in html
    assert '<option value="fr" lang="fr" selected>' in html
