"""The censoring-aware comparison page: per partner and start cohort, beside the raw closed-case rates."""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from autocrea.backbone.steps import Step
from autocrea.pathways import services
from autocrea.pathways.models import Trajectory
from autocrea.reference.models import ExitKind
from autocrea.reporting import kpis, survival
from autocrea.reporting.formatting import fmt
from autocrea.reporting.survival_compare import HORIZONS, compare_rows, suppress_compare
from tests.factories import make_trajectory

TODAY = timezone.localdate()
YEARS = (TODAY.year - 2, TODAY.year - 1)  # inside the default programme period (2024–2027)


def _url(name: str, lang: str = "fr") -> str:
    with translation.override(lang):
        return reverse(name)


def _late_exit(t: Trajectory, coach: Any, *, code: str, after_days: int) -> None:
    kind = ExitKind.objects.get(code=code)
    bce = "0403.170.701" if kind.evidence_hint == "enterprise_number" else ""
    on = t.guided_on + datetime.timedelta(days=after_days)
    services.record_exit(trajectory=t, kind=kind, on=on, by=coach, enterprise_number=bce)


@pytest.fixture
def world(cast: dict[str, Any], partners: dict[str, Any]) -> dict[str, Any]:
    """Crédal: 17 people over two cohorts, quick and slow exits and people still guided; microStart: 3 people."""
    counsellor = cast["demo-counsellor"]
    credal, microstart = partners["credal"], partners["microstart"]
    coach_c, coach_m = cast["demo-coach-credal"], cast["demo-coach-microstart"]
    old, recent = (datetime.date(y, 2, 1) for y in YEARS)
    for kind in ["dropped_out"] * 4 + ["salaried_job"] * 2:  # quick exits (2 days after being accepted)
        make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach_c, partner=credal, exit_kind=kind, start=old)
    for code, after in [("self_employed", 250), ("company", 300), ("self_employed", 400), ("training", 500)]:
        t = make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach_c, partner=credal, start=old)
        _late_exit(t, coach_c, code=code, after_days=after)
    for _ in range(2):  # still guided, followed for more than 18 months
        make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach_c, partner=credal, start=old)
    for kind in ["dropped_out", "not_viable"]:
        make_trajectory(
            step=Step.EXIT, counsellor=counsellor, coach=coach_c, partner=credal, exit_kind=kind, start=recent
        )
    for _ in range(3):
        make_trajectory(step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach_c, partner=credal, start=recent)
    for _ in range(3):
        make_trajectory(step=Step.EXIT, counsellor=counsellor, coach=coach_m, partner=microstart, start=recent)
    return {"credal": credal, "microstart": microstart}


def _cells(summary: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"population": summary["population"]}
    for h in summary["horizons"]:
        m = h["months"]
        row |= {
            f"still_{m}": h["still_in_programme"],
            f"positive_{m}": h["cumulative_incidence"]["positive"],
            f"job_creation_{m}": h["cumulative_incidence"]["job_creation"],
            f"at_risk_{m}": h["at_risk"],
        }
    return row


def _assert_same(row: dict[str, Any], expected: dict[str, Any]) -> None:
    for key, value in expected.items():
        assert row[key] == pytest.approx(value, abs=1e-12), key


def test_partner_rows_equal_survival_summary_and_the_closed_case_rates(world):
    figures = compare_rows(partner_id=None)
    kp = kpis.compute_kpis(start=None, end=None, partner_id=None)
    raw = {r["partner"]: r for r in kp["exits"]["by_partner"]}
    assert [r["partner"] for r in figures["by_partner"]] == ["credal", "microstart"]
    for row in figures["by_partner"]:
        partner = world[row["partner"]]
        expected = survival.survival_summary(start=None, end=None, partner_id=partner.pk, source="full")
        _assert_same(row, _cells(expected))
        for key in ("exits", "positive", "job_creation", "positive_rate", "job_creation_rate"):
            assert row[key] == raw[partner.slug][key], key
    credal = figures["by_partner"][0]
    assert credal["population"] == 17 and credal["exits"] == 12
    # Closed cases: 6 positive out of 12; counting everyone, no job creation within 6 months, some by 12.
    assert credal["positive_rate"] == pytest.approx(6 / 12)
    assert credal["job_creation_6"] == pytest.approx(0.0)
    assert credal["job_creation_12"] > credal["job_creation_6"]


def test_cohort_rows_follow_each_cohort_until_today(world):
    # The page reads the summary counts (they hold this scope), the reference below computes in full.
    assert survival.durations(start=None, end=None, partner_id=None, source="summary")
    figures = compare_rows(partner_id=None)
    kp = kpis.compute_kpis(start=None, end=None, partner_id=None)
    raw = {r["cohort"]: r for r in kp["exits"]["by_cohort"]}
    programme_start, _end = kpis.programme_window()
    assert [r["cohort"] for r in figures["by_cohort"]] == list(range(programme_start.year, TODAY.year + 1))
    by_year = {r["cohort"]: r for r in figures["by_cohort"]}
    for year, row in by_year.items():
        last = datetime.date(year, 12, 31)
        # The reference: the full computation over the trajectories guided up to the cohort's last day,
        # from its first day, followed until today (not only until the end of its year).
        expected = survival.survival_summary(
            start=datetime.date(year, 1, 1),
            end=None,
            partner_id=None,
            queryset=Trajectory.objects.filter(guided_on__lte=last),
            source="full",
        )
        if expected["population"]:
            _assert_same(row, _cells(expected))
        else:
            assert row["population"] == 0 and row["still_6"] is None
        counts = raw.get(year, {"exits": 0, "positive_rate": None})
        assert row["exits"] == counts["exits"] and row["positive_rate"] == counts["positive_rate"]
    old = by_year[YEARS[0]]
    assert old["population"] == 12 and old["at_risk_18"] == 2  # the two people still guided
    assert old["positive_18"] == pytest.approx(6 / 12)  # salaried ×2, self-employed ×2, company, training
    assert old["job_creation_18"] == pytest.approx(3 / 12)
    # survival_summary over the cohort's own year alone would stop following it on 31 December.
    own_year = survival.survival_summary(
        start=datetime.date(YEARS[0], 1, 1), end=datetime.date(YEARS[0], 12, 31), partner_id=None
    )
    assert own_year["horizons"][2]["at_risk"] == 0


def test_partner_staff_see_only_their_own_cohorts(client, cast, world):
    client.force_login(cast["demo-partner-manager-credal"])
    response = client.get(_url("reporting:partner_survival_compare"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="table-survival_by_cohort"' in html and "survival_by_partner" not in html
    assert world["microstart"].name_fr not in html
    rows = _csv(client.get(_url("reporting:partner_survival_compare") + "?export=survival_by_cohort&format=csv"))
    populations = {row[0]: row[1] for row in rows[1:]}
    own = compare_rows(partner_id=world["credal"].pk)
    assert populations[str(YEARS[0])] == "12" and populations[str(YEARS[1])] == "5"
    assert {r["cohort"]: r["population"] for r in own["by_cohort"]}[YEARS[1]] == 5  # microStart's 3 left out
    assert (
        client.get(_url("reporting:partner_survival_compare") + "?export=survival_by_partner&format=csv").status_code
        == 404
    )
    assert client.get(_url("reporting:survival_compare")).status_code == 403
    client.force_login(cast["demo-coach-microstart"])
    html = client.get(_url("reporting:partner_survival_compare")).content.decode()
    assert world["credal"].name_fr not in html


@pytest.mark.parametrize("username", ["demo-counsellor", "demo-jobseeker", "demo-admin", "nobody"])
def test_other_roles_are_refused(client, cast, username):
    client.force_login(cast[username])
    assert client.get(_url("reporting:survival_compare")).status_code == 403
    assert client.get(_url("reporting:partner_survival_compare")).status_code == 403
    assert client.get(_url("reporting:survival_compare") + "?export=survival_by_cohort&format=csv").status_code == 403


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_exports_hide_cells_under_5_and_say_so(client, cast, world):
    client.force_login(cast["demo-programme-manager"])
    for table in ("survival_by_partner", "survival_by_cohort"):
        rows = _csv(client.get(_url("reporting:survival_compare") + f"?export={table}&format=csv"))
        header, data = rows[0], rows[1:]
        assert data and len(header) == 2 + 4 * len(HORIZONS) + 3 + 1
        for row in data:
            for name, cell in zip(header[1:-1], row[1:-1], strict=True):
                if cell.isdigit():
                    assert not 1 <= int(cell) <= 4, f"{table}: {name}={cell} in {row}"
    rows = _csv(client.get(_url("reporting:survival_compare") + "?export=survival_by_partner&format=csv"))
    microstart = next(row for row in rows[1:] if row[0] == world["microstart"].name_fr)
    assert microstart[1] == "" and microstart[2] == "" and microstart[-1]  # 3 people, their estimates too
    # Crédal's 17 would give microStart's 3 away from the published total of 20: hidden too.
    credal = next(row for row in rows[1:] if row[0] == world["credal"].name_fr)
    assert credal[1] == "" and credal[-1]
    response = client.get(_url("reporting:survival_compare") + "?export=survival_by_cohort&format=xlsx")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    assert client.get(_url("reporting:survival_compare") + "?export=people&format=csv").status_code == 404


def test_suppression_of_small_rows():
    base = {f"{name}_{m}": 0.5 for m in HORIZONS for name in ("still", "positive", "job_creation")}
    base |= {f"at_risk_{m}": 10 for m in HORIZONS}
    rows = [
        {**base, "cohort": 2024, "population": 40, "exits": 20, "positive": 10, "job_creation": 5},
        {**base, "cohort": 2025, "population": 3, "exits": 0, "positive": 0, "job_creation": 0},
        {**base, "cohort": 2026, "population": 30, "exits": 10, "positive": 5, "job_creation": 0},
    ]
    for r in rows:
        r["positive_rate"] = r["positive"] / r["exits"] if r["exits"] else None
        r["job_creation_rate"] = r["job_creation"] / r["exits"] if r["exits"] else None
    out = suppress_compare(rows)
    assert out[1]["population"] is None and out[1]["still_6"] is None and out[1]["note"]
    assert out[2]["population"] is None  # the smaller visible cell of the column is hidden too
    assert out[0]["population"] == 40 and out[0]["still_6"] == 0.5 and out[0]["positive_rate"] == 0.5
    assert rows[1]["population"] == 3  # the raw rows are untouched


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_page_renders_in_french_and_dutch_with_the_note(client, cast, world, lang):
    client.force_login(cast["demo-programme-manager"])
    response = client.get(_url("reporting:survival_compare", lang))
    assert response.status_code == 200
    html = re.sub(r"[ \t\r\n]+", " ", response.content.decode())
    assert f'lang="{lang}"' in html
    assert 'id="compare-note"' in html and 'id="table-survival_by_partner"' in html
    figures = compare_rows(partner_id=None)
    old = next(r for r in figures["by_cohort"] if r["cohort"] == YEARS[0])
    with translation.override(lang):
        assert translation.gettext("Why the two kinds of figures differ") in html
        assert translation.gettext("Closed cases") in html
        assert fmt(old["positive_18"], "rate") == "50,0\u00a0%"
        assert f">{fmt(old['positive_18'], 'rate')}<" in html
    # The programme dashboard links to it, the partner dashboard to the partner's own page.
    dashboard = client.get(_url("reporting:programme", lang)).content.decode()
    assert f'href="{_url("reporting:survival_compare", lang)}"' in dashboard
    client.force_login(cast["demo-coach-credal"])
    dashboard = client.get(_url("reporting:partner", lang)).content.decode()
    assert f'href="{_url("reporting:partner_survival_compare", lang)}"' in dashboard


def test_both_pages_are_valid_html(client, cast, world, tmp_path):
    from tests import test_html_validity as validity

    java = validity.shutil.which("java")
    if not (validity.VNU.exists() and java):
        pytest.skip("Nu Html Checker not installed: run `make vnu` (needs npm and java)")
    pages = {}
    for username, name in [
        ("demo-programme-manager", "reporting:survival_compare"),
        ("demo-partner-manager-credal", "reporting:partner_survival_compare"),
    ]:
        client.force_login(cast[username])
        for lang in ("fr", "nl"):
            response = client.get(_url(name, lang))
            assert response.status_code == 200
            pages[f"{lang}-{name.split(':')[1]}"] = response.content.decode()
    command = [java, "-jar", str(validity.VNU), "--errors-only", "--format", "json"]
    assert validity._check(command, pages, tmp_path) == []
