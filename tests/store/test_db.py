"""The database stays usable from another process while a sync writes to it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from console.domain.catalog import Webinar
from console.formatting import i18n
from console.services import reports
from console.store import catalog, db
from console.stripe_api import sync_rate
from tests import REPO
from tests.benchmarks.run import start_page_server


def test_reads_and_writes_succeed_while_a_sync_runs_in_another_process(tmp_path, monkeypatch):
    database = tmp_path / "console.duckdb"
    monkeypatch.setenv("CONSOLE_DB", str(database))
    # Slow pages stretch the sync over seconds, with many batch writes.
    server, base = start_page_server(6000, "--latency-ms", "15")
    env = {
        # At the rate Stripe allows a test key (conftest.py lifts it for the other tests).
        **{k: v for k, v in os.environ.items() if k != sync_rate.RATE_SETTING},
        "CONSOLE_DB": str(database),
        "STRIPE_API_KEY": "sk_test_x",
        "STRIPE_API_BASE": base,
    }
    sync = subprocess.Popen(
        [sys.executable, "-m", "console", "sync", "--full"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        reads = writes = 0
        while sync.poll() is None:
            reports.revenue(livemode=False)
            reads += 1
            with db.connect(write=True) as con:
                catalog.save_webinars(con, [Webinar(f"wb_{writes}", "Title", "o@example.org")])
            writes += 1
        out, err = sync.communicate()
    finally:
        server.terminate()
        server.wait()
    assert sync.returncode == 0, err
    assert "full sync: 6000 objects" in out
    assert reads > 5 and writes > 5
    assert catalog.count_webinars("wb_") == writes
    assert len(reports.revenue(livemode=False)) == 40  # every webinar of the page server


def test_a_file_held_too_long_by_another_process_is_said_busy_in_the_language_of_the_page(
    tmp_path, monkeypatch
):
    database = tmp_path / "console.duckdb"
    monkeypatch.setenv("CONSOLE_DB", str(database))
    db.ensure_schema()
    db._close_all()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(60)",
            str(database),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(db, "LOCK_WAIT_SECONDS", 0.2)
        with pytest.raises(db.DatabaseBusy) as english, db.connect():
            pass
        with i18n.speaking("fr"), pytest.raises(db.DatabaseBusy) as french, db.connect():
            pass
    finally:
        holder.kill()
        holder.wait()
    assert str(english.value) == (
        f"The database {database} is busy (another process holds it). Try again in a minute."
    )
    assert str(french.value) == (
        f"La base de données {database} est occupée (un autre processus la tient). "
        "Réessayez dans une minute."
    )
