"""One disclosure rule: the same figures hide the same cells on screen, in the PDF, in CSV/XLSX and in the API.

World (tests/test_dashboard.py): Crédal 7 exits (5 salaried jobs, 2 dropped out) and 1 person in
accompaniment; microStart 3 exits. microStart's 3 are hidden, and Crédal's 7 with them (the total, 10,
is published, so Crédal's row would give microStart's away).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pypdf
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from autocrea.accounts.tokens import issue_token
from autocrea.reporting import disclosure
from tests.test_dashboard import world  # noqa: F401 - the fixture

KEYS = ["exits", "positive", "positive_rate", "job_creation", "job_creation_rate"]  # the table's columns


def _url(name: str) -> str:
    with translation.override("fr"):
        return reverse(name)


def _hidden_on_screen(html: str, names: dict[str, str]) -> dict[str, set[str]]:
    table = html[html.index('id="table-exits_by_partner"') :]
    table = table[: table.index("</table>")]
    out = {}
    for slug, name in names.items():
        row = re.search(rf"{re.escape(name)}</th>(.*?)</tr>", table, re.S)
        assert row, name
        cells = re.findall(r'numeric">([^<]*)<', row.group(1))
        out[slug] = {key for key, cell in zip(KEYS, cells, strict=True) if cell == disclosure.HIDDEN}
    return out


def _hidden_in_rows(rows: list[list[Any]], names: dict[str, str]) -> dict[str, set[str]]:
    by_name = {row[0]: row for row in rows[1:]}
    return {
        slug: {key for key, cell in zip(KEYS, by_name[name][1:6], strict=True) if cell in ("", None)}
        for slug, name in names.items()
    }


def _hidden_in_pdf(text: str, names: dict[str, str]) -> dict[str, set[str]]:
    flat = re.sub(r"\s+", " ", text)
    with translation.override("fr"):
        section = flat[flat.index(translation.gettext("Exits and their outcomes, per partner")) :]
    out = {}
    for slug, name in names.items():
        cells = section[section.index(name + " ") + len(name) + 1 :].split(" ")
        # A rate prints as "71,4 %": drop the percent signs to get one token per column.
        cells = [c for c in cells if c != "%"][: len(KEYS)]
        out[slug] = {key for key, cell in zip(KEYS, cells, strict=True) if cell == disclosure.HIDDEN}
    return out


def test_the_same_cells_are_hidden_on_screen_in_the_pdf_the_exports_and_the_api(client, cast, world):  # noqa: F811
    manager = cast["demo-programme-manager"]
    client.force_login(manager)
    names = {"credal": world["credal"].name_fr, "microstart": world["microstart"].name_fr}
    expected = {"credal": set(KEYS) - {"job_creation"}, "microstart": set(KEYS) - {"job_creation"}}
    # job creation is 0 in both rows: zeros are shown (docs/kpis.md), every other value is hidden.

    screen = _hidden_on_screen(client.get(_url("reporting:programme")).content.decode(), names)

    response = client.get(_url("reporting:programme") + "?export=exits_by_partner&format=csv")
    text = response.content.decode("utf-8-sig")
    in_csv = _hidden_in_rows(list(csv.reader(io.StringIO(text), delimiter=";")), names)

    response = client.get(_url("reporting:programme") + "?export=exits_by_partner&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    in_xlsx = _hidden_in_rows([list(row) for row in sheet.iter_rows(values_only=True)], names)

    response = client.get(_url("reporting:report_pdf") + "?lang=fr")
    pdf_text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    in_pdf = _hidden_in_pdf(pdf_text, names)

    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=manager)}"}
    api = client.get("/api/kpis", **auth).json()
    in_api = {
        row["partner"]: {key for key in KEYS if row[key] is None}
        for row in api["exits"]["by_partner"]
        if row["partner"] in names
    }
    assert {row["partner"]: set(row["suppressed"]) for row in api["exits"]["by_partner"]} == in_api

    assert screen == in_csv == in_xlsx == in_pdf == in_api == expected


def test_the_headline_is_the_same_everywhere_and_hides_rates_of_fewer_than_5_exits(client, cast, world):  # noqa: F811
    coach = cast["demo-coach-microstart"]  # microStart: 3 people guided, 3 exits
    client.force_login(coach)
    html = client.get(_url("reporting:partner")).content.decode()
    figure = {
        name: re.search(rf'id="figure-{name}">([^<]*)<', html).group(1)
        for name in ("guided", "exits", "positive-rate", "job-creation-rate")
    }
    assert figure == {"guided": "3", "exits": "3", "positive-rate": "*", "job-creation-rate": "*"}

    response = client.get(_url("reporting:report_pdf") + "?lang=fr")
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages))
    with translation.override("fr"):
        guided, exits, rate = (
            translation.gettext(s) for s in ("Guided in the period", "Exits in the period", "Positive-exit rate")
        )
    assert f"{guided} 3 {exits} 3 {rate} *" in text

    api = client.get("/api/kpis", HTTP_AUTHORIZATION=f"Bearer {issue_token(user=coach)}").json()
    assert (api["guided"]["count"], api["exits"]["exits"]) == (3, 3)
    assert api["exits"]["positive_rate"] is None and api["exits"]["job_creation_rate"] is None
    assert set(api["exits"]["suppressed"]) == set(disclosure.HEADLINE_RATES)


def test_five_exits_or_more_show_the_headline_rates() -> None:
    assert disclosure.headline_rates_shown(5) and disclosure.headline_rates_shown(0)
    assert not any(disclosure.headline_rates_shown(n) for n in range(1, 5))


def test_the_api_figures_hide_every_breakdown_like_its_table() -> None:
    rows = [{"step": "interest", "reached": 3, "conversion_to_next": 1.0}, {"step": "x", "reached": 9, "x": None}]
    hidden = disclosure.FUNNEL(rows)
    assert hidden[0]["reached"] is None and hidden[0]["conversion_to_next"] is None
    assert hidden[0]["suppressed"] == ["reached", "conversion_to_next"] and hidden[0]["note"]
    assert hidden[1]["reached"] == 9 and hidden[1]["suppressed"] == []
    assert rows[0]["reached"] == 3  # the figures as computed are never modified
