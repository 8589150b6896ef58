"""ESF+ participant indicators: exact counts by gender, unknown follow-ups, suppressed exports, access, API."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from autocrea.accounts.tokens import issue_token
from autocrea.backbone.steps import Step
from autocrea.pathways import services
from autocrea.reporting import disclosure, esf, kpis, summaries
from tests.factories import make_jobseeker, make_trajectory

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
ENTRY = datetime.date(2025, 3, 1)  # make_trajectory: guided on 05/03/2025, exit on 07/03/2025
CANARY_NAME = "Zorglubette"
CANARY_NN = "85073003328"


def _follow_up(t: Any, coach: Any, *, responded: bool, situation: str = "", improved: bool | None = None) -> None:
    services.record_follow_up(
        trajectory=t,
        by=coach,
        on=datetime.date(2025, 9, 8),
        responded=responded,
        situation=situation,
        improved=improved,
        source="phone" if responded else "",
    )


@pytest.fixture
def world(cast: dict[str, Any], partners: dict[str, Any]) -> dict[str, Any]:
    """Crédal: 6 women (25, master, long-term unemployed, salaried job: 3 answered employed and improved,
    2 no response, 1 still due) and 1 non-binary person (16, lower secondary, other income, dropped out,
    no response). microStart: 3 men (none/none/upper secondary; 65/65/55 on the guided date; unemployed
    3, 3 and exactly 12 months): one reoriented (answered job seeking, not improved), one to training
    (still due), one still in accompaniment. Plus one woman guided in 2024 (out of the period)."""
    counsellor = cast["demo-counsellor"]
    credal, microstart = partners["credal"], partners["microstart"]
    coach_c, coach_m = cast["demo-coach-credal"], cast["demo-coach-microstart"]

    def person(**kw: Any) -> Any:
        return make_jobseeker(**kw)

    for i in range(6):
        js = person(
            gender="female",
            birth_date=datetime.date(2000, 1, 1),
            education_level="master",
            unemployed_since=datetime.date(2023, 1, 1),
            first_name=CANARY_NAME,
            national_number=CANARY_NN if i == 0 else "",
        )
        t = make_trajectory(
            step=Step.EXIT, counsellor=counsellor, coach=coach_c, partner=credal, jobseeker=js, start=ENTRY
        )
        if i < 3:
            _follow_up(t, coach_c, responded=True, situation="employed", improved=True)
        elif i < 5:
            _follow_up(t, coach_c, responded=False)
    js = person(
        gender="non_binary",
        birth_date=datetime.date(2008, 3, 6),
        education_level="lower_secondary",
        unemployed_since=None,
        income_source="other",
    )
    make_trajectory(
        step=Step.FOLLOW_UP,
        counsellor=counsellor,
        coach=coach_c,
        partner=credal,
        jobseeker=js,
        start=ENTRY,
        exit_kind="dropped_out",
    )
    men = [
        (datetime.date(1960, 3, 5), "none", datetime.date(2024, 12, 1), Step.EXIT, "reoriented"),
        (datetime.date(1960, 3, 5), "none", datetime.date(2024, 12, 1), Step.EXIT, "training"),
        (datetime.date(1970, 3, 5), "upper_secondary", datetime.date(2024, 3, 5), Step.ACCOMPANIMENT, "other"),
    ]
    for birth, level, since, step, kind in men:
        js = person(gender="male", birth_date=birth, education_level=level, unemployed_since=since)
        t = make_trajectory(
            step=step,
            counsellor=counsellor,
            coach=coach_m,
            partner=microstart,
            jobseeker=js,
            start=ENTRY,
            exit_kind=kind,
        )
        if kind == "reoriented":
            _follow_up(t, coach_m, responded=True, situation="job_seeking", improved=False)
    make_trajectory(
        step=Step.EXIT, counsellor=counsellor, coach=coach_c, partner=credal, start=datetime.date(2024, 6, 1)
    )
    return {"credal": credal, "microstart": microstart}


def _g(f: int, m: int, nb: int) -> dict[str, int]:
    return {"female": f, "male": m, "non_binary": nb, "total": f + m + nb}


EXPECTED = {
    "participants": _g(6, 3, 1),
    "unemployed": _g(6, 3, 0),
    "long_term_unemployed": _g(6, 1, 0),  # exactly 12 months on the guided date counts
    "age_under_18": _g(0, 0, 1),
    "age_18_29": _g(6, 0, 0),
    "age_55_plus": _g(0, 3, 0),  # 55th birthday on the guided date counts
    "isced_0_2": _g(0, 2, 1),
    "isced_3_4": _g(0, 1, 0),
    "isced_5_8": _g(6, 0, 0),
    "leavers": _g(6, 2, 1),
    "job_searching": _g(0, 1, 0),
    "in_education_or_training": _g(0, 1, 0),
    "in_employment": _g(6, 0, 0),
    "situation_unknown": _g(0, 0, 1),
    "followed_leavers": _g(6, 2, 1),
    "answered": _g(3, 1, 0),
    "follow_up_unknown": _g(3, 1, 1),  # no response or still due: unknown, never guessed
    "in_employment_6m": _g(3, 0, 0),
    "improved_6m": _g(3, 0, 0),
}


def test_the_indicators_are_exact_by_gender(world):
    data = esf.esf_indicators(start=START, end=END)
    assert data["indicators"] == EXPECTED


def test_a_partner_filter_keeps_only_its_trajectories(world):
    data = esf.esf_indicators(start=START, end=END, partner_id=world["microstart"].pk)
    assert data["indicators"]["participants"] == _g(0, 3, 0)
    assert data["indicators"]["leavers"] == _g(0, 2, 0)
    assert data["partner"] == "microstart"


def test_a_period_that_starts_after_it_ends_is_refused(db):
    with pytest.raises(ValueError):
        esf.esf_indicators(start=END, end=START)


def _lines(rows: dict[str, list[Any]]) -> list[list[Any]]:
    lines = [list(row) for row in rows.values()]
    for block in esf.ADDITIVE_BLOCKS:
        lines += [[rows[k][c] for k in block] for c in range(4)]
    return lines


def test_the_published_table_hides_small_cells_and_what_would_reveal_them(world):
    rows = {r[0]: r[3:7] for r in esf.export_rows(esf.esf_indicators(start=START, end=END))}
    assert [r[0] for r in esf.export_rows(esf.esf_indicators(start=START, end=END))] == [i.key for i in esf.INDICATORS]
    for cells in rows.values():
        assert all(v is None or v == 0 or v >= 5 for v in cells), cells
    for line in _lines(rows):
        assert sum(v is None for v in line) != 1, line  # one hidden cell in a known sum would be given away
    assert rows["participants"][0] == 6 and rows["participants"][3] == 10
    assert rows["in_employment"][0] == 6


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_command_writes_csv_json_and_xlsx_without_identifiers(world, tmp_path):
    out = io.StringIO()
    call_command("export_esf", "--from", "01/01/2025", "--to", "31/12/2025", stdout=out)
    text = out.getvalue()
    assert CANARY_NAME not in text and CANARY_NN not in text and "T-0" not in text
    rows = _csv(text.encode())
    assert len(rows) == 1 + len(esf.INDICATORS)
    participants = next(r for r in rows if r[0] == "participants")
    assert participants[3:7] == ["6", "", "", "10"] and participants[7]

    out = io.StringIO()
    call_command("export_esf", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["threshold"] == 5
    by_key = {r["indicator"]: r for r in data["indicators"]}
    assert by_key["follow_up_unknown"]["female"] is None  # 3 unknown women: hidden, not guessed
    assert by_key["in_employment"]["female"] == 6

    from openpyxl import load_workbook

    path = tmp_path / "esf.xlsx"
    call_command("export_esf", "--from", "01/01/2025", "--to", "31/12/2025", "--format", "xlsx", "--output", path)
    values = [c for row in load_workbook(path).active.iter_rows(values_only=True) for c in row]
    assert CANARY_NAME not in values and CANARY_NN not in values
    assert not [v for v in values if isinstance(v, int) and 0 < v < 5]


def _url(name: str) -> str:
    with translation.override("fr"):
        return reverse(name)


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("demo-programme-manager", 200),
        ("demo-counsellor", 403),
        ("demo-coach-credal", 403),
        ("demo-partner-manager-credal", 403),
        ("demo-admin", 403),
        ("demo-jobseeker", 403),
        ("nobody", 403),
    ],
)
def test_only_the_programme_manager_gets_the_esf_export(client, cast, world, username, status):
    client.force_login(cast[username])
    response = client.get(_url("reporting:esf_export"), {"from": "01/01/2025", "to": "31/12/2025", "format": "csv"})
    assert response.status_code == status
    if status == 200:
        rows = _csv(response.content)
        assert len(rows[0]) == 8 and len(rows) == 1 + len(esf.INDICATORS)
        assert "attachment" in response["Content-Disposition"]
        body = response.content.decode("utf-8-sig")
        assert CANARY_NAME not in body and CANARY_NN not in body
        for row in rows[1:]:
            assert all(v in {"", "0"} or int(v) >= 5 for v in row[3:7]), row


def test_the_esf_export_xlsx_and_bad_input(client, cast, world):
    client.force_login(cast["demo-programme-manager"])
    response = client.get(_url("reporting:esf_export"), {"from": "01/01/2025", "to": "31/12/2025", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    content = b"".join(response.streaming_content)  # the test client closes the response itself
    sheet = load_workbook(io.BytesIO(content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert CANARY_NAME not in values and not [v for v in values if isinstance(v, int) and 0 < v < 5]
    assert client.get(_url("reporting:esf_export"), {"format": "pdf"}).status_code == 400
    assert client.get(_url("reporting:esf_export"), {"from": "31/12/2025", "to": "01/01/2025"}).status_code == 400


def test_the_programme_dashboard_links_to_the_esf_export(client, cast, world):
    client.force_login(cast["demo-programme-manager"])
    html = client.get(_url("reporting:programme")).content.decode()
    assert _url("reporting:esf_export") in html


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    assert client.get(_url("reporting:esf_export")).status_code == 302


# --- API /api/kpis -------------------------------------------------------------------------------


def _auth(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=user)}"}


def test_the_api_the_engine_and_the_command_give_the_same_figures(client, cast, world):
    auth = _auth(cast["demo-programme-manager"])
    response = client.get("/api/kpis", {"from": "2025-01-01", "to": "2025-12-31"}, **auth)
    assert response.status_code == 200
    engine = json.loads(json.dumps(kpis.compute_kpis(start=START, end=END, partner_id=None)))
    engine["as_of"] = summaries.as_of_iso()  # when the summaries were built (API and command say it)
    out = io.StringIO()
    call_command("kpis", "--json", "--from", "01/01/2025", "--to", "31/12/2025", stdout=out)
    command = json.loads(out.getvalue())
    command = {k: v for k, v in command.items() if k not in {"survival", "equity"}}
    assert engine == command
    # The API publishes them under the one disclosure rule (docs/kpis.md, "Small numbers").
    assert response.json() == json.loads(json.dumps(disclosure.disclose_kpis(engine)))
    assert engine["guided"]["count"] == 10


def test_the_api_scopes_kpis_to_the_partner_staffs_own_partner(client, cast, world):
    auth = _auth(cast["demo-coach-credal"])
    own = client.get("/api/kpis", {"from": "2025-01-01", "to": "2025-12-31"}, **auth)
    assert own.status_code == 200
    figures = kpis.compute_kpis(start=START, end=END, partner_id=world["credal"].pk)
    expected = json.loads(json.dumps(disclosure.disclose_kpis(figures)))
    expected["as_of"] = summaries.as_of_iso()  # when the summaries were built (the API says it)
    assert own.json() == expected
    assert own.json()["guided"]["count"] == 7
    assert own.json()["period"]["partner"] == "credal"
    same = client.get("/api/kpis", {"from": "2025-01-01", "to": "2025-12-31", "partner": "credal"}, **auth)
    assert same.json() == expected
    assert client.get("/api/kpis", {"partner": "microstart"}, **auth).status_code == 404
    assert client.get("/api/kpis", {"partner": "no-such-partner"}, **auth).status_code == 404


def test_the_programme_manager_may_narrow_the_api_kpis_to_one_partner(client, cast, world):
    auth = _auth(cast["demo-programme-manager"])
    response = client.get("/api/kpis", {"from": "2025-01-01", "to": "2025-12-31", "partner": "microstart"}, **auth)
    assert response.json()["guided"]["count"] == 3
    assert client.get("/api/kpis", {"partner": "no-such-partner"}, **auth).status_code == 404
    bad = client.get("/api/kpis", {"from": "2025-12-31", "to": "2025-01-01"}, **auth)
    assert bad.status_code == 422


@pytest.mark.parametrize("username", ["demo-counsellor", "demo-jobseeker", "demo-admin"])
def test_other_roles_get_403_from_api_kpis(client, cast, world, username):
    assert client.get("/api/kpis", **_auth(cast[username])).status_code == 403


def test_api_kpis_needs_a_token(client, world):
    assert client.get("/api/kpis").status_code == 401
