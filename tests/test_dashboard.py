"""The dashboards: who sees which figures, in which language, and what the exports hold."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from autocrea.backbone.steps import Step
from autocrea.reporting import kpis
from autocrea.reporting.formatting import fmt
from tests.factories import make_trajectory


def _url(name: str, lang: str = "fr") -> str:
    with translation.override(lang):
        return reverse(name)


@pytest.fixture
def world(cast: dict[str, Any], partners: dict[str, Any]) -> dict[str, Any]:
    """Crédal: 7 exits (5 salaried jobs, 2 dropped out) and 1 person in accompaniment; microStart: 3 exits."""
    counsellor = cast["demo-counsellor"]
    credal, microstart = partners["credal"], partners["microstart"]
    coach_c, coach_m = cast["demo-coach-credal"], cast["demo-coach-microstart"]
    for kind in ["salaried_job"] * 5 + ["dropped_out"] * 2:
        make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach_c, partner=credal, exit_kind=kind)
    make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach_c, partner=credal)
    for _ in range(3):
        make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach_m, partner=microstart)
    return {"credal": credal, "microstart": microstart}


def _text(response: Any) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def _figure(html: str, figure: str) -> str:
    match = re.search(rf'id="figure-{figure}">([^<]*)<', html)
    assert match, figure
    return match.group(1)


@pytest.mark.parametrize(("lang", "heading"), [("fr", 'lang="fr"'), ("nl", 'lang="nl"')])
def test_the_programme_manager_sees_every_partners_figures(client, cast, world, lang, heading):
    client.force_login(cast["demo-programme-manager"])
    response = client.get(_url("reporting:programme", lang))
    assert response.status_code == 200
    html = _text(response)
    assert heading in html
    figures = kpis.compute_kpis(start=None, end=None, partner_id=None)
    assert _figure(html, "guided") == str(figures["guided"]["count"]) == "11"
    assert _figure(html, "exits") == str(figures["exits"]["exits"]) == "10"
    with translation.override(lang):
        assert _figure(html, "positive-rate") == fmt(figures["exits"]["positive_rate"], "rate")
    assert world["credal"].name_in(lang) in html and world["microstart"].name_in(lang) in html
    # Decimal comma in French and Dutch: 8 positive exits out of 10 → "80,0 %".
    assert "80,0\u00a0%" in _figure(html, "positive-rate")
    assert "<svg" in html and 'role="img"' in html


def test_a_partner_manager_sees_only_their_partners_figures(client, cast, world):
    client.force_login(cast["demo-partner-manager-credal"])
    # A partner parameter is ignored: partner staff have no choice.
    response = client.get(_url("reporting:partner") + f"?partner={world['microstart'].slug}")
    assert response.status_code == 200
    html = _text(response)
    figures = kpis.compute_kpis(start=None, end=None, partner_id=world["credal"].pk)
    assert _figure(html, "guided") == str(figures["guided"]["count"]) == "8"
    assert _figure(html, "exits") == str(figures["exits"]["exits"]) == "7"
    with translation.override("fr"):
        assert _figure(html, "positive-rate") == fmt(figures["exits"]["positive_rate"], "rate")
    assert world["microstart"].name_fr not in html
    assert "id_partner" not in html


def test_a_coach_sees_their_own_partner_only_and_not_the_programme_page(client, cast, world):
    client.force_login(cast["demo-coach-microstart"])
    response = client.get(_url("reporting:partner") + f"?partner={world['credal'].slug}")
    assert response.status_code == 200
    html = _text(response)
    assert _figure(html, "guided") == "3"
    assert world["credal"].name_fr not in html
    assert client.get(_url("reporting:programme") + f"?partner={world['credal'].slug}").status_code == 403


@pytest.mark.parametrize("username", ["demo-counsellor", "demo-jobseeker", "demo-admin", "nobody"])
def test_other_roles_are_refused(client, cast, username):
    client.force_login(cast[username])
    assert client.get(_url("reporting:programme")).status_code == 403
    assert client.get(_url("reporting:partner")).status_code == 403
    assert client.get(_url("reporting:programme") + "?export=exits_by_partner&format=csv").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(_url("reporting:programme"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_programme_manager_cannot_see_the_partner_page(client, cast):
    client.force_login(cast["demo-programme-manager"])
    assert client.get(_url("reporting:partner")).status_code == 403


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert ";" in text.splitlines()[0]
    return list(csv.reader(io.StringIO(text), delimiter=";"))


TABLES = ["guided_by_partner", "exits_by_partner", "exits_by_year", "exits_by_cohort", "funnel", "time_in_step"]
TABLES += ["capacity", "survival", "equity"]


def test_csv_exports_are_belgian_and_hide_cells_under_5(client, cast, world):
    client.force_login(cast["demo-programme-manager"])
    for table in TABLES:
        response = client.get(_url("reporting:programme") + f"?export={table}&format=csv")
        assert response.status_code == 200, table
        assert response["Content-Type"].startswith("text/csv")
        rows = _csv(response)
        header, data = rows[0], rows[1:]
        assert data, table
        for row in data:
            # Every whole number in the table (text columns and rates aside) is 0 or at least 5.
            for name, cell in zip(header[1:-1], row[1:-1], strict=True):
                if cell.isdigit():
                    assert not 1 <= int(cell) <= 4, f"{table}: {name}={cell} in {row}"
        # No direct identifier: names of people never appear.
        assert "Amina" not in response.content.decode("utf-8-sig")


def test_the_exits_export_hides_small_partners_and_says_so(client, cast, world):
    client.force_login(cast["demo-programme-manager"])
    rows = _csv(client.get(_url("reporting:programme") + "?export=exits_by_partner&format=csv"))
    by_partner = {row[0]: row for row in rows[1:]}
    microstart = by_partner[world["microstart"].name_fr]
    assert microstart[1] == ""  # 3 exits: hidden
    assert microstart[-1]  # with a note
    # Crédal's 7 exits would give microStart's 3 away (the total, 10, is published): hidden too.
    credal = by_partner[world["credal"].name_fr]
    assert credal[1] == "" and credal[-1]


def test_xlsx_export_and_unknown_tables(client, cast, world):
    client.force_login(cast["demo-programme-manager"])
    response = client.get(_url("reporting:programme") + "?export=capacity&format=xlsx")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert client.get(_url("reporting:programme") + "?export=people&format=csv").status_code == 404
    assert client.get(_url("reporting:programme") + "?partner=nope").status_code == 404


def test_the_equity_dimension_chooser_and_bad_dates(client, cast, world):
    client.force_login(cast["demo-programme-manager"])
    response = client.get(_url("reporting:programme", "nl") + "?dimension=age_band&from=31/02/2025")
    assert response.status_code == 200
    html = _text(response)
    assert 'value="age_band" selected' in html
    assert "govuk-error-summary" in html
    response = client.get(_url("reporting:programme") + "?from=01/01/2020&to=31/12/2030")
    assert response.status_code == 200
    assert "01/01/2020" in _text(response)
