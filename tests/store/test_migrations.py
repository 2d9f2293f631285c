"""Schema migrations: a file from any earlier release opens with every row and figure.

`fixtures/console-v2.duckdb.gz` was written by the release before seat holds (schema
version 2); `reports-v2.json` holds what its reports said.

`fixtures/console-0.1.0.duckdb.gz` was written by release 0.1.0 (commit d2e6a58, before
migrations existed): its demo (12 registrations per webinar, 30% refunded), a full and an
incremental sync, a console refund and a price change. `reports-0.1.0.json` holds what
that release's reports said about it.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from console import cli
from console.formatting import i18n
from console.services import reports
from console.store import db, migrations
from tests import REPO, crashes

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.first_migration  # new files here are migrated, not copied

TABLES_OF_0_1_0 = (
    "stripe_charges",
    "stripe_refunds",
    "stripe_balance_transactions",
    "stripe_payment_intents",
    "sync_state",
    "sync_runs",
    "webinars",
    "webinar_sessions",
    "registrants",
    "price_changes",
    "refund_requests",
    "audit_log",
    "notifications",
)


def _unpacked(fixture: str, tmp_path: Path, monkeypatch) -> Path:
    """A fixture's database file, unpacked where CONSOLE_DB points."""
    path = tmp_path / "console.duckdb"
    with gzip.open(FIXTURES / fixture) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    monkeypatch.setenv("CONSOLE_DB", str(path))
    return path


@pytest.fixture
def release_0_1_0(tmp_path, monkeypatch) -> Path:
    return _unpacked("console-0.1.0.duckdb.gz", tmp_path, monkeypatch)


def _counts(path: Path, tables: tuple[str, ...] = TABLES_OF_0_1_0) -> dict[str, int]:
    """Rows per table (`tables=()`: every table of the file but the schema's version)."""
    db._close_all()  # this process may hold the file open for its next unit of work
    with duckdb.connect(str(path), read_only=True) as con:
        names = tables or [
            name
            for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            if name != "schema_migrations"
        ]
        return {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in names
        }


def _version(path: Path) -> int:
    db._close_all()
    with duckdb.connect(str(path), read_only=True) as con:
        return migrations.current_version(con)


def test_a_0_1_0_file_upgrades_with_every_row_and_figure(release_0_1_0):
    before = _counts(release_0_1_0)
    assert before["stripe_charges"] > 100 and before["refund_requests"] == 1
    db.ensure_schema()
    assert _version(release_0_1_0) == migrations.LATEST
    assert _counts(release_0_1_0) == before
    expected = json.loads((FIXTURES / "reports-0.1.0.json").read_text())
    # Reports only gain keys: every key 0.1.0 printed still says the same.
    for name, now in (
        ("revenue", reports.records(reports.revenue(False))),
        ("fees", reports.records(reports.fees(False))),
        (
            "registrants",
            reports.records(reports.registrants(False, expected["registrants_webinar"])),
        ),
    ):
        assert len(now) == len(expected[name]), name
        kept = [{k: row[k] for k in old} for row, old in zip(now, expected[name], strict=True)]
        assert kept == expected[name], name
    assert len(migrations.backups(release_0_1_0)) == 1


@pytest.fixture
def release_2(tmp_path, monkeypatch) -> Path:
    """A file written by the release before seat holds (schema version 2): the demo, a full
    and an incremental sync, a console refund, a price change, a payment under way."""
    return _unpacked("console-v2.duckdb.gz", tmp_path, monkeypatch)


def test_a_release_2_file_upgrades_with_every_row_and_figure(release_2, capsys):
    assert _version(release_2) == 2
    before = _counts(release_2, tables=())
    assert before["stripe_charges"] > 100 and before["refund_requests"] == 1
    db.ensure_schema()
    assert _version(release_2) == migrations.LATEST
    after = _counts(release_2, tables=())
    # Every row kept; the tables of later releases start empty.
    assert after == before | {table: 0 for table in after.keys() - before.keys()}
    expected = json.loads((FIXTURES / "reports-v2.json").read_text())
    for name, extra in (
        ("revenue", []),
        ("fees", []),
        ("registrants", ["--webinar", expected["registrants_webinar"]]),
    ):  # what `console report … --format json` printed then, it prints now
        capsys.readouterr()
        assert cli.main(["report", name, *extra, "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out) == expected[name], name
    with db.connect() as con:
        paula = con.execute(
            "SELECT status, seat_held_until FROM registrants WHERE email = 'paula@example.org'"
        ).fetchall()
    assert paula == [("pending_payment", None)]  # written before holds: it holds no seat
    assert len(migrations.backups(release_2)) == 1


def test_the_backup_is_the_file_as_it_was(release_0_1_0):
    before = _counts(release_0_1_0)
    db.ensure_schema()
    (backup,) = migrations.backups(release_0_1_0)
    assert backup.name.startswith("console.duckdb.v0-")
    assert _counts(backup) == before and _version(backup) == 0


def test_a_new_file_starts_at_the_latest_version_without_a_backup(tmp_path, monkeypatch):
    path = tmp_path / "new" / "console.duckdb"
    monkeypatch.setenv("CONSOLE_DB", str(path))
    assert reports.revenue(False).empty
    assert _version(path) == migrations.LATEST
    assert migrations.backups(path) == []


def test_a_current_file_runs_no_migration(release_0_1_0, monkeypatch):
    db.ensure_schema()
    db._initialised.clear()  # as a new process would

    def refuse(*_args):
        raise AssertionError("a current file must not be migrated")

    monkeypatch.setattr(migrations, "upgrade", refuse)
    db.ensure_schema()
    assert len(migrations.backups(release_0_1_0)) == 1


def test_a_failing_migration_leaves_the_file_as_it_was(release_0_1_0, monkeypatch):
    class Broken:
        NAME = "fails half way"

        @staticmethod
        def apply(con):
            con.execute("CREATE TABLE half_done (x INTEGER)")
            con.execute("DELETE FROM stripe_charges")
            raise RuntimeError("migration bug")

    before = _counts(release_0_1_0)
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, Broken))
    monkeypatch.setattr(migrations, "LATEST", migrations.LATEST + 1)
    with pytest.raises(RuntimeError, match="migration bug"):
        db.ensure_schema()
    db._close_all()
    assert _version(release_0_1_0) == 0
    assert _counts(release_0_1_0) == before
    with duckdb.connect(str(release_0_1_0), read_only=True) as con:
        assert not con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half_done'"
        ).fetchone()[0]


_MIGRATION_KILLED_HALF_WAY = """
import time
from console.store import db, migrations

class Slow:
    NAME = "killed half way"

    @staticmethod
    def apply(con):
        con.execute("CREATE TABLE half_done (x INTEGER)")
        con.execute("DELETE FROM stripe_charges")
        print("half way", flush=True)
        time.sleep(60)

migrations.MIGRATIONS = (*migrations.MIGRATIONS, Slow)
migrations.LATEST += 1
db.ensure_schema()
"""


def test_a_migration_killed_half_way_leaves_the_file_as_it_was_and_runs_again(release_0_1_0):
    before = _counts(release_0_1_0)
    child = crashes.start(_MIGRATION_KILLED_HALF_WAY)
    crashes.kill_when(child, crashes.said(child, "half way"))

    assert _version(release_0_1_0) == 0  # the killed transaction left nothing behind
    assert _counts(release_0_1_0) == before
    with duckdb.connect(str(release_0_1_0), read_only=True) as con:
        assert not con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half_done'"
        ).fetchone()[0]
    db.ensure_schema()  # the next start: this release's migrations, all of them
    assert _version(release_0_1_0) == migrations.LATEST
    assert _counts(release_0_1_0) == before


def test_a_file_from_a_newer_release_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    path = tmp_path / "console.duckdb"
    monkeypatch.setenv("CONSOLE_DB", str(path))
    db.ensure_schema()
    db._close_all()
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
    db._initialised.clear()
    with pytest.raises(db.DatabaseTooNew, match="newer release of the console"):
        db.ensure_schema()
    with i18n.speaking("fr"), pytest.raises(db.DatabaseTooNew) as french:
        db.ensure_schema()
    assert str(french.value) == (
        f"La base de données {path} a été écrite par une version plus récente de la console "
        f"(schéma version 99 ; cette version connaît jusqu'à la {migrations.LATEST}). Mettez la "
        "console à jour, ou faites pointer CONSOLE_DB vers un autre fichier."
    )
    cli = subprocess.run(
        [sys.executable, "-m", "console", "report", "revenue", "--format", "json"],
        cwd=REPO,
        env={**_env(), "CONSOLE_DB": str(path)},
        capture_output=True,
        text=True,
    )
    assert cli.returncode != 0
    assert "newer release of the console" in cli.stderr and "Traceback" not in cli.stderr


def test_old_backups_are_pruned(release_0_1_0, monkeypatch):
    for step in range(migrations.KEEP_BACKUPS + 2):
        monkeypatch.setattr(migrations, "current_version", lambda con: 0)
        migrations._back_up(duckdb.connect(str(release_0_1_0)), release_0_1_0, step)
    assert len(migrations.backups(release_0_1_0)) == migrations.KEEP_BACKUPS


def test_twenty_threads_open_a_new_file_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    start, errors = threading.Barrier(20), []

    def open_and_read():
        start.wait()
        try:
            reports.revenue(False)
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=open_and_read) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _version(tmp_path / "console.duckdb") == migrations.LATEST


def test_eight_processes_open_a_new_file_at_once(tmp_path):
    path = tmp_path / "console.duckdb"
    command = [sys.executable, "-m", "console", "report", "revenue", "--format", "json"]
    env = {**_env(), "CONSOLE_DB": str(path)}
    processes = [
        subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(8)
    ]
    outcomes = [(p.wait(timeout=120), *p.communicate()) for p in processes]
    assert [(code, out.strip()) for code, out, _err in outcomes] == [(0, "[]")] * 8, outcomes
    assert _version(path) == migrations.LATEST


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "CONSOLE_DB"}
