"""The summaries out of the write path: rebuilt on a schedule, "as of" their build, verified against the full computation.

- No service imports reporting; a step change leaves the summary counts as they were.
- With SUMMARIES_REFRESH_ON_READ off (production), the dashboards, exports, API and `kpis --json`
  show the figures of the last rebuild and say its time; the next rebuild brings the change.
- An exit kind's flags edited (admin or code) queue one refresh after commit; `rebuild_summaries
  --schedule` queues the worker's repeating refresh once, and the task queues its next run.
- `verify_summaries` passes on a rebuild and fails when a summary row is tampered with.
"""

from __future__ import annotations

import ast
import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from autocrea.accounts.tokens import issue_token
from autocrea.backbone.steps import Step
from autocrea.reference.models import ExitKind
from autocrea.reporting import summaries, tasks
from autocrea.reporting.models import SummaryCount, SummaryState
from tests.factories import make_trajectory

BUILT = datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC)  # 03:30 in Brussels (summer time that day)
BUILT_TEXT = "29/03/2026 03:30"


def _url(name: str, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse(name)


@pytest.fixture
def production(settings: Any) -> None:
    """As in production: figures come from the last rebuild only."""
    settings.SUMMARIES_REFRESH_ON_READ = False


@pytest.fixture
def built(db: Any, production: None, partners: dict[str, Any], cast: dict[str, Any]) -> dict[str, Any]:
    """Three exits at Crédal, summaries rebuilt, their build time set to a known moment."""
    for _ in range(6):
        make_trajectory(
            step=Step.EXIT,
            counsellor=cast["demo-counsellor"],
            coach=cast["demo-coach-credal"],
            partner=partners["credal"],
        )
    summaries.rebuild()
    SummaryState.objects.filter(pk=1).update(built_at=BUILT)
    return partners


@pytest.mark.parametrize(
    "module",
    [
        "pathways/services.py",
        "coaching/services/action_plan.py",
        "coaching/services/individual_sessions.py",
        "coaching/services/milestones.py",
        "coaching/services/collective_sessions.py",
        "coaching/services/guided.py",
        "jobseekers/merge.py",
    ],
)
def test_no_service_imports_reporting(module: str) -> None:
    tree = ast.parse((Path(django_settings.BASE_DIR) / "autocrea" / module).read_text())
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)] + [
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    ]
    assert not [name for name in imported if name.startswith("autocrea.reporting")]


def test_a_step_change_leaves_the_counts_until_the_next_rebuild(built, cast, client):
    before = summaries.totals()
    make_trajectory(
        step=Step.EXIT, counsellor=cast["demo-counsellor"], coach=cast["demo-coach-credal"], partner=built["credal"]
    )
    assert summaries.totals() == before  # the write path never touches them
    client.force_login(cast["demo-programme-manager"])
    html = client.get(_url("reporting:programme")).content.decode()
    assert f"Figures as of {BUILT_TEXT}" in html
    assert 'id="figure-exits">6<' in html  # still the figures of the last rebuild
    summaries.rebuild()
    html = client.get(_url("reporting:programme")).content.decode()
    assert 'id="figure-exits">7<' in html and BUILT_TEXT not in html
    assert summaries.built_at() is not None and summaries.built_at() > BUILT


def test_every_output_says_when_the_figures_were_built(built, cast, client):
    client.force_login(cast["demo-programme-manager"])
    assert f'id="figures-as-of">Figures as of {BUILT_TEXT}<' in client.get(_url("reporting:programme")).content.decode()
    assert BUILT_TEXT in client.get(_url("reporting:survival_compare")).content.decode()
    body = client.get(_url("reporting:programme") + "?export=exits_by_partner&format=csv").content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[-1][0] == f"Figures as of {BUILT_TEXT}" and len(rows[-1]) == len(rows[0])
    out = io.StringIO()
    call_command("kpis", "--json", stdout=out)
    assert json.loads(out.getvalue())["as_of"] == "2026-03-29T03:30:00+02:00"
    out = io.StringIO()
    call_command("kpis", stdout=out)
    assert f"Figures as of {BUILT_TEXT}" in out.getvalue()


def test_the_api_says_as_of(built, cast, client):
    response = client.get("/api/kpis", HTTP_AUTHORIZATION=f"Bearer {issue_token(user=cast['demo-programme-manager'])}")
    assert response.status_code == 200
    assert response.json()["as_of"] == "2026-03-29T03:30:00+02:00"


def test_never_built_says_so(db, production, cast, client):
    assert summaries.built_at() is None and summaries.as_of_iso() is None
    client.force_login(cast["demo-programme-manager"])
    assert "Figures not computed yet." in client.get(_url("reporting:programme")).content.decode()


def test_an_exit_kinds_flag_edit_queues_one_refresh_after_commit(db, production, django_capture_on_commit_callbacks):
    kind = ExitKind.objects.get(code="salaried_job")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        kind.save()  # nothing changed: nothing queued
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True):
        kind.is_positive = not kind.is_positive
        kind.save()
    with django_capture_on_commit_callbacks(execute=True):
        kind.is_job_creation = not kind.is_job_creation
        kind.save()
    queued = DBTaskResult.objects.filter(task_path=tasks.refresh_summaries.module_path, status="READY")
    assert queued.count() == 1  # never two pending
    assert queued.get().args_kwargs["kwargs"] == {"repeat": False}


def test_the_schedule_is_queued_once_and_each_run_queues_the_next(db, production, settings):
    settings.SUMMARY_REFRESH_SECONDS = 120
    out = io.StringIO()
    call_command("rebuild_summaries", "--schedule", stdout=out)
    assert "every 120 s" in out.getvalue()
    call_command("rebuild_summaries", "--schedule", stdout=io.StringIO())  # already queued: not twice
    queued = DBTaskResult.objects.filter(task_path=tasks.refresh_summaries.module_path, status="READY")
    assert queued.count() == 1
    first = queued.get()
    assert first.args_kwargs["kwargs"] == {"repeat": True}
    assert abs((first.run_after - timezone.now()).total_seconds() - 120) < 30
    # The worker runs it: the summaries are rebuilt and the next run is queued.
    first.delete()
    SummaryState.objects.all().delete()
    tasks.refresh_summaries.call(repeat=True)
    assert summaries.built_at() is not None
    assert queued.count() == 1


def test_verify_summaries_passes_then_fails_on_a_tampered_row(built):
    out = io.StringIO()
    call_command("verify_summaries", stdout=out)
    assert "identical figures" in out.getvalue()
    # One more person guided at Crédal than the tables say, in every grain (day, month, year).
    tampered = SummaryCount.objects.filter(fact="guided", partner_key=built["credal"].pk)
    assert tampered.exists()
    tampered.update(n=F("n") + 1)
    out = io.StringIO()
    with pytest.raises(CommandError, match="differences"):
        call_command("verify_summaries", "--no-rebuild", stdout=out)
    assert "guided.count" in out.getvalue()
    call_command("verify_summaries", stdout=io.StringIO())  # a rebuild repairs it


@pytest.mark.postgres
def test_postgresql_rebuild_swaps_a_table_built_aside_and_skips_while_another_runs(built):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from django.db import connections

    before = summaries.totals()
    assert summaries.rebuild() == SummaryCount.objects.count()
    assert summaries.totals() == before
    with connection.cursor() as cursor:  # the table has its names back (the model's index and constraint)
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [SummaryCount._meta.db_table])
        names = {r[0] for r in cursor.fetchall()}
    assert {"summary_key", "summary_partner_fact_idx"} <= names
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [summaries._LOCK_KEY])
            assert summaries.rebuild() is None  # another rebuild runs: skipped
            cursor.execute("SELECT pg_advisory_unlock(%s)", [summaries._LOCK_KEY])
    finally:
        other.close()
