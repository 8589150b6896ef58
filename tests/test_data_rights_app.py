"""The correction requests moved from the portal app to the data-rights app without touching their table."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from autocrea.datarights.models import CorrectionRequest, CorrectionStatus
from tests.factories import make_jobseeker

MOVE = [("portal", "0003_correction_request_moves_to_datarights"), ("datarights", "0001_initial")]


def test_the_table_keeps_its_name():
    assert CorrectionRequest._meta.db_table == "portal_correctionrequest"
    assert CorrectionRequest._meta.app_label == "datarights"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("app", "name"), MOVE)
def test_the_move_writes_no_sql(app, name, capsys):
    call_command("sqlmigrate", app, name)
    sql = capsys.readouterr().out.upper()
    for statement in ("CREATE", "DROP", "ALTER", "INSERT", "DELETE", "UPDATE"):
        assert statement not in sql


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it():
    executor = MigrationExecutor(connection)
    executor.migrate([("portal", "0002_correction_request"), ("datarights", None)])
    old_apps = executor.loader.project_state([("portal", "0002_correction_request")]).apps
    old = old_apps.get_model("portal", "CorrectionRequest")
    person = make_jobseeker()
    row = old.objects.create(jobseeker_id=person.pk, what_is_wrong="Name", what_it_should_be="Nom")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = CorrectionRequest.objects.get(pk=row.pk)
    assert (moved.jobseeker_id, moved.what_it_should_be, moved.status) == (person.pk, "Nom", CorrectionStatus.OPEN)
