"""The pseudonymised export: Belgian Excel dialect, no identifying data, scoped per user."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from autocrea.backbone.steps import Step
from autocrea.pathways.models import Trajectory
from autocrea.reporting import export
from autocrea.reporting.export import CSV_HEADER, age_band, unemployment_band
from tests.factories import make_jobseeker, make_trajectory

pytestmark = pytest.mark.django_db

CANARY_NUMBER = "85073003328"  # valid (mod 97): 85.07.30-033.28
CANARY_TEXTS = ("Zorglub", "Canary", CANARY_NUMBER, "85.07.30-033.28", "zorglub@example.org", "470123456")


@pytest.fixture
def canary(counsellor, coach, partners) -> Trajectory:
    person = make_jobseeker(
        first_name="Zorglub",
        last_name="Canary",
        national_number=CANARY_NUMBER,
        email="zorglub@example.org",
        phone="+32470123456",
        birth_date=datetime.date(1960, 3, 1),
        unemployed_since=datetime.date(2020, 1, 1),
    )
    return make_trajectory(
        step=Step.EXIT,
        counsellor=counsellor,
        coach=coach,
        partner=partners["credal"],
        jobseeker=person,
        exit_kind="self_employed",
    )


@pytest.fixture
def foreign(counsellor, other_coach, partners) -> Trajectory:
    return make_trajectory(
        step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=other_coach, partner=partners["microstart"]
    )


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    return [line.split(";") for line in text.split("\r\n") if line]


def xlsx_text(content: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    values = [str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    workbook.close()
    return "\n".join(values)


def test_csv_has_a_bom_a_header_semicolons_and_belgian_dates(canary, foreign, counsellor):
    make_trajectory(step=Step.STOPPED, counsellor=counsellor)
    rows = csv_rows(b"".join(export.stream_csv(Trajectory.objects.all())))
    assert rows[0] == list(CSV_HEADER)
    assert len(rows) == 1 + Trajectory.objects.count() == 4
    by_ref = {row[0]: dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]}
    row = by_ref[f"T-{canary.pk:06d}"]
    assert row["interest_on"] == canary.interest_on.strftime("%d/%m/%Y")
    assert row["exit_on"] == canary.exit_on.strftime("%d/%m/%Y")
    assert row["partner"] == "credal" and row["current_step"] == "exit"
    assert (row["exit_kind"], row["positive"], row["job_creation"]) == ("self_employed", "1", "1")
    assert row["age_band"] == "55+" and row["commune_nis"] == "21009" and row["unemployment_band"] == "2y+"
    assert row["stopped_on"] == ""
    open_row = by_ref[f"T-{foreign.pk:06d}"]
    assert (open_row["exit_kind"], open_row["positive"], open_row["job_creation"]) == ("", "", "")


def test_neither_the_name_nor_the_national_number_is_exported(canary, tmp_path):
    content = b"".join(export.stream_csv(Trajectory.objects.all()))
    text = content.decode("utf-8-sig")
    path = tmp_path / "export.xlsx"
    with path.open("wb") as file:
        assert export.write_xlsx(Trajectory.objects.all(), file) == 1
    workbook = xlsx_text(path.read_bytes())
    assert "self_employed" in text and "self_employed" in workbook
    for secret in CANARY_TEXTS:
        assert secret not in text
        assert secret not in workbook


def test_the_command_writes_csv_to_stdout_and_xlsx_only_to_a_file(canary, tmp_path):
    out = io.StringIO()
    call_command("export_trajectories", "--format", "csv", stdout=out)
    assert out.getvalue().startswith("\ufeff" + ";".join(CSV_HEADER))
    assert len(out.getvalue().strip().split("\r\n")) == 2
    with pytest.raises(CommandError):
        call_command("export_trajectories", "--format", "xlsx", stdout=io.StringIO())
    target = tmp_path / "t.xlsx"
    call_command("export_trajectories", "--format", "xlsx", "--output", str(target), stderr=io.StringIO())
    assert "credal" in xlsx_text(target.read_bytes())
    csv_target = tmp_path / "t.csv"
    call_command("export_trajectories", "--output", str(csv_target), stderr=io.StringIO())
    assert csv_rows(csv_target.read_bytes())[1][0] == f"T-{canary.pk:06d}"


def url(fmt: str = "csv") -> str:
    return reverse("workspace:export", kwargs={"fmt": fmt})


def test_a_coach_exports_only_their_own_partner(client, coach, canary, foreign):
    client.force_login(coach)
    response = client.get(url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = csv_rows(b"".join(response.streaming_content))
    partner_column = CSV_HEADER.index("partner")
    assert [row[0] for row in rows[1:]] == [f"T-{canary.pk:06d}"]
    assert sum(1 for row in rows[1:] if row[partner_column] != "credal") == 0
    assert client.get(url(), {"partner": "microstart"}).status_code == 404
    assert client.get(url(), {"partner": "no-such-partner"}).status_code == 404
    assert client.get(url(), {"partner": "credal"}).status_code == 200
    xlsx = client.get(url("xlsx"))
    assert xlsx.status_code == 200
    text = xlsx_text(b"".join(xlsx.streaming_content))
    assert f"T-{canary.pk:06d}" in text and f"T-{foreign.pk:06d}" not in text
    assert client.get(url("pdf")).status_code == 404


def test_a_counsellor_exports_everything_and_can_filter_by_partner(client, counsellor, canary, foreign):
    client.force_login(counsellor)
    rows = csv_rows(b"".join(client.get(url()).streaming_content))
    assert len(rows) == 3
    rows = csv_rows(b"".join(client.get(url(), {"partner": "microstart"}).streaming_content))
    assert [row[0] for row in rows[1:]] == [f"T-{foreign.pk:06d}"]


@pytest.mark.parametrize("username", ["demo-jobseeker", "demo-admin", "nobody"])
def test_roles_without_an_export_right_get_403(client, cast, canary, username):
    client.force_login(cast[username])
    assert client.get(url()).status_code == 403
    assert client.get(url("xlsx")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(url())
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("birth", "band"),
    [
        ("2010-06-01", "<18"),
        ("2006-06-01", "18-29"),
        ("1995-06-02", "18-29"),
        ("1995-06-01", "30-54"),
        ("1970-06-01", "55+"),
    ],
)
def test_age_bands_follow_esf_plus_at_the_interest_date(birth, band):
    assert age_band(datetime.date.fromisoformat(birth), datetime.date(2025, 6, 1)) == band


def test_unemployment_bands_are_counted_at_the_interest_date():
    on = datetime.date(2025, 6, 1)
    assert unemployment_band(None, on) == ""
    assert unemployment_band(datetime.date(2024, 6, 2), on) == "<1y"
    assert unemployment_band(datetime.date(2024, 6, 1), on) == "1-2y"
    assert unemployment_band(datetime.date(2023, 6, 1), on) == "2y+"
