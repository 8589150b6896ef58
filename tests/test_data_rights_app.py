"""The correction requests moved from the portal app to the data-rights app without touching their table."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection, migrations
from django.db.migrations.executor import MigrationExecutor

from autocrea.datarights.models import CorrectionRequest, CorrectionStatus
from tests.factories import make_jobseeker

MOVE = [("portal", "0003_correction_request_moves_to_datarights"), ("datarights", "0001_initial")]


def test_the_table_keeps_its_name():
    assert CorrectionRequest._meta.db_table == "portal_correctionrequest"
    assert CorrectionRequest._meta.app_label == "datarights"


@pytest.mark.parametrize(("app", "name"), MOVE)
def test_the_move_changes_no_table(app, name):
    """Only Django's state changes (and the content type's label): no schema operation runs."""
    migration = importlib.import_module(f"autocrea.{app}.migrations.{name}").Migration
    for operation in migration.operations:
        if isinstance(operation, migrations.RunPython):
            continue
        assert isinstance(operation, migrations.SeparateDatabaseAndState)
        assert operation.database_operations == []


# Migrates back and forth for real: transactional, and the data of the other tests restored afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
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
