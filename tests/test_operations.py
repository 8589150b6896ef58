"""Backup, restore and the backup drill (docs/operations.md), on the database the suite runs on.

The tests run on SQLite in the normal suite and again on PostgreSQL (DATABASE_URL); the tests marked
`postgres` check what only PostgreSQL does (pg_dump's format, the drill's own database dropped).
They are transactional: pg_dump and the drill's copy read committed data from other connections.
"""

from __future__ import annotations

import io
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from autocrea.backbone.steps import Step
from autocrea.jobseekers.models import Jobseeker
from autocrea.operations import backups, drill
from autocrea.operations.drill import Fingerprint, TableComparison, compare, run_drill
from autocrea.pathways.models import Trajectory
from tests.factories import make_trajectory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def seeded(counsellor: Any, coach: Any, partners: dict[str, Any]) -> list[Trajectory]:
    """A few people at several steps, with a step log, partners and reference data around them."""
    return [
        make_trajectory(step=step, counsellor=counsellor, coach=coach, partner=partners["credal"])
        for step in (Step.INTEREST, Step.ORIENTATION, Step.EXIT)
    ]


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _change_one_name(copy: Any) -> None:
    with copy.cursor() as cursor:
        cursor.execute(
            "UPDATE jobseekers_jobseeker SET first_name = 'Tampered'"
            " WHERE id = (SELECT MIN(id) FROM jobseekers_jobseeker)"
        )


def _delete_one_audit_row(copy: Any) -> None:
    with copy.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = (SELECT MIN(id) FROM accounts_auditevent)")


def test_the_drill_passes_on_the_test_data_and_prints_the_figures(seeded):
    out = _run("backup_drill")
    header, *lines = out.strip().splitlines()
    assert header.split() == ["table", "rows", "source", "rows", "restored", "hash", "equal"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[:-1]}
    assert rows["jobseekers_jobseeker"] == [str(Jobseeker.objects.count()), str(Jobseeker.objects.count()), "yes"]
    assert rows["pathways_trajectory"] == ["3", "3", "yes"]
    assert all(values[2] == "yes" and values[0] == values[1] for values in rows.values())
    assert lines[-1].startswith("Backup drill passed:")


def test_a_tampered_restore_is_detected(seeded):
    result = run_drill(connection, before_compare=_change_one_name)
    differing = [row for row in result if not row.equal]
    assert [row.table for row in differing] == ["jobseekers_jobseeker"]
    assert differing[0].rows_source == differing[0].rows_restored == Jobseeker.objects.count()
    assert differing[0].hash_equal is False


def test_a_missing_row_is_detected_by_its_count(seeded):
    result = {row.table: row for row in run_drill(connection, before_compare=_delete_one_audit_row)}
    audit = result["accounts_auditevent"]
    assert audit.rows_restored == audit.rows_source - 1 and not audit.hash_equal
    assert all(row.equal for table, row in result.items() if table != "accounts_auditevent")


def test_the_drill_command_fails_on_a_difference(seeded, monkeypatch):
    from autocrea.operations.management.commands import backup_drill

    monkeypatch.setattr(backup_drill, "run_drill", lambda conn: run_drill(conn, before_compare=_change_one_name))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 table\\(s\\) differ: jobseekers_jobseeker"):
        call_command("backup_drill", stdout=out, stderr=io.StringIO())
    line = next(line for line in out.getvalue().splitlines() if line.startswith("jobseekers_jobseeker "))
    assert line.split()[-1] == "NO"


def test_compare_reports_a_table_missing_on_one_side():
    one = Fingerprint(rows=1, digest="a")
    result = compare({"kept": one, "lost": one}, {"kept": one})
    assert result == [
        TableComparison(table="kept", rows_source=1, rows_restored=1, hash_equal=True),
        TableComparison(table="lost", rows_source=1, rows_restored=None, hash_equal=False),
    ]
    assert [row.equal for row in result] == [True, False]


def test_the_fingerprint_changes_with_the_content_of_its_table_only(seeded):
    before = drill.fingerprints(connection)
    person = Jobseeker.objects.order_by("pk").first()
    assert person is not None
    person.first_name = "Changed"
    person.save(update_fields=["first_name"])
    after = drill.fingerprints(connection)
    assert after["jobseekers_jobseeker"].digest != before["jobseekers_jobseeker"].digest
    assert after["jobseekers_jobseeker"].rows == before["jobseekers_jobseeker"].rows
    assert after["pathways_trajectory"] == before["pathways_trajectory"]


def test_backup_writes_a_private_file_and_never_overwrites(seeded, tmp_path: Path):
    target = tmp_path / "nightly.backup"
    assert str(target) in _run("backup", "--output", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert backups.kind_of(target) == connection.vendor
    with pytest.raises(CommandError, match="already exists"):
        _run("backup", "--output", str(target))


def test_backup_without_output_goes_to_the_backup_folder(seeded, tmp_path: Path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    _run("backup")
    [written] = (tmp_path / "backups").iterdir()
    assert written.name.startswith("autocrea-")


def test_restore_refuses_a_database_that_is_not_empty(seeded, tmp_path: Path):
    target = tmp_path / "b.backup"
    _run("backup", "--output", str(target))
    with pytest.raises(CommandError, match=r"is not empty \(\d+ tables\).*--yes"):
        _run("restore", str(target))


def test_restore_refuses_production_settings_without_yes(seeded, tmp_path: Path, settings):
    target = tmp_path / "b.backup"
    _run("backup", "--output", str(target))
    settings.DEVELOPMENT = False
    with pytest.raises(CommandError, match=r"production settings.*--yes"):
        _run("restore", str(target))


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_database(tmp_path: Path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    with pytest.raises(CommandError, match="neither a pg_dump"):
        _run("restore", str(junk), "--yes")
    other = tmp_path / "other.backup"
    other.write_bytes(backups.POSTGRES_MAGIC if connection.vendor == "sqlite" else backups.SQLITE_MAGIC)
    with pytest.raises(CommandError, match="the configured database is"):
        _run("restore", str(other), "--yes")


def test_restore_with_yes_brings_the_data_back(seeded, tmp_path: Path):
    target = tmp_path / "b.backup"
    _run("backup", "--output", str(target))
    kept = {t.pk: t.current_step for t in Trajectory.objects.all()}
    Trajectory.objects.filter(pk=seeded[0].pk).update(current_step=Step.STOPPED)
    assert "Restored" in _run("restore", str(target), "--yes")
    assert {t.pk: t.current_step for t in Trajectory.objects.all()} == kept


def test_a_missing_client_tool_says_what_to_install(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.OperationError, match="postgresql-client"):
        backups.check_client_version(connection, "pg_dump")


@pytest.mark.postgres
def test_postgres_backups_are_pg_dump_custom_format(seeded, tmp_path: Path):
    target = tmp_path / "b.backup"
    _run("backup", "--output", str(target))
    assert target.read_bytes().startswith(b"PGDMP")


@pytest.mark.postgres
def test_postgres_drill_creates_and_drops_its_own_database(seeded):
    seen: list[str] = []

    def look(copy: Any) -> None:
        seen.append(copy.settings_dict["NAME"])

    assert all(row.equal for row in run_drill(connection, before_compare=look))
    assert seen == [f"{connection.settings_dict['NAME']}_drill"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [seen[0]])
        assert cursor.fetchone()[0] == 0


@pytest.mark.postgres
def test_an_older_pg_dump_than_the_server_is_refused(monkeypatch):
    real = backups.subprocess.run

    def old_client(args: list[str], **kwargs: Any) -> Any:
        done = real(args, **kwargs)
        if args[-1] == "--version":
            done.stdout = "pg_dump (PostgreSQL) 9.6.24\n"
        return done

    monkeypatch.setattr(backups.subprocess, "run", old_client)
    with pytest.raises(backups.OperationError, match="pg_dump 9 cannot handle a PostgreSQL"):
        backups.check_client_version(connection, "pg_dump")
