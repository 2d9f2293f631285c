"""sync_state and sync_runs: where the Stripe sync stands (cursors, open windows), and each run."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

import duckdb
import pandas as pd

from console.store import db

RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"


# --- state: name -> value, per mode ------------------------------------------------------


def read_state(livemode: bool) -> dict[str, str]:
    with db.connect() as con:
        rows = con.execute(
            "SELECT name, value FROM sync_state WHERE livemode = ?", [livemode]
        ).fetchall()
    return dict(rows)


def set_states(
    con: duckdb.DuckDBPyConnection, livemode: bool, states: Mapping[str, str | None]
) -> None:
    """In the caller's transaction, so a cursor moves only with the rows it covers; all in
    one statement (a sync writes a few with every batch)."""
    if not states:
        return
    rows = ", ".join(["(?, ?, ?, now())"] * len(states))
    con.execute(
        f"INSERT INTO sync_state (livemode, name, value, updated_at) VALUES {rows} "  # noqa: S608
        "ON CONFLICT (livemode, name) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at",
        [field for name, value in states.items() for field in (livemode, name, value)],
    )


def clear_backfill_state(con: duckdb.DuckDBPyConnection, livemode: bool) -> None:
    """Forget a backfill's anchor and windows (it finished, or a full sync starts over)."""
    con.execute(
        "DELETE FROM sync_state WHERE livemode = ? AND (name LIKE 'backfill:%' "
        "OR name = 'backfill_anchor')",
        [livemode],
    )


# --- runs ------------------------------------------------------------------------------------


def start_run(livemode: bool, mode: str) -> str:
    """A new run, marked running; its id."""
    run_id = uuid.uuid4().hex
    with db.connect(write=True) as con:
        con.execute(
            "INSERT INTO sync_runs (run_id, livemode, mode, started_at, status) "
            "VALUES (?, ?, ?, now(), ?)",
            [run_id, livemode, mode, RUNNING],
        )
    return run_id


def finish_run(run_id: str, objects: int, requests: int, error: str | None) -> None:
    """The run ends: failed with `error`, else succeeded."""
    with db.connect(write=True) as con:
        con.execute(
            "UPDATE sync_runs SET finished_at = now(), status = ?, objects = ?, requests = ?, "
            "error = ? WHERE run_id = ?",
            [FAILED if error else SUCCEEDED, objects, requests, error, run_id],
        )


def last_run(livemode: bool) -> dict | None:
    with db.connect() as con:
        row = con.execute(
            "SELECT run_id, mode, started_at, finished_at, status, objects, requests, error "
            "FROM sync_runs WHERE livemode = ? ORDER BY started_at DESC LIMIT 1",
            [livemode],
        ).fetchone()
    if row is None:
        return None
    keys = ("run_id", "mode", "started_at", "finished_at", "status", "objects", "requests", "error")
    return dict(zip(keys, row, strict=True))


def last_success_at(livemode: bool) -> datetime | None:
    with db.connect() as con:
        row = con.execute(
            "SELECT max(finished_at) FROM sync_runs WHERE livemode = ? AND status = ?",
            [livemode, SUCCEEDED],
        ).fetchone()
    value = row[0] if row else None
    return value.astimezone(UTC) if value else None


def recent_runs(livemode: bool, limit: int) -> pd.DataFrame:
    """The latest runs, newest first, as recorded (a run killed mid-way stays 'running')."""
    with db.connect() as con:
        return con.execute(
            "SELECT started_at, finished_at, mode, status, objects, requests, error "
            "FROM sync_runs WHERE livemode = ? ORDER BY started_at DESC LIMIT ?",
            [livemode, limit],
        ).df()
