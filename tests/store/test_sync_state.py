"""The sync's bookkeeping: cursors per mode, written with the rows they cover, and its runs."""

from __future__ import annotations

import pytest

from console.store import db, sync_state


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))


def test_state_is_kept_per_mode_and_overwritten():
    with db.connect(write=True) as con:
        sync_state.set_states(con, False, {"events_cursor": "100"})
        sync_state.set_states(con, True, {"events_cursor": "7"})
    with db.connect(write=True) as con:
        sync_state.set_states(con, False, {"events_cursor": "200"})

    assert sync_state.read_state(False) == {"events_cursor": "200"}
    assert sync_state.read_state(True) == {"events_cursor": "7"}


def test_several_cursors_are_written_at_once_and_none_is_nothing():
    with db.connect(write=True) as con:
        sync_state.set_states(con, False, {"events_cursor": "1", "balance_cursor": "2"})
        sync_state.set_states(con, False, {"balance_cursor": "3", "events_read_at": None})
        sync_state.set_states(con, False, {})
    assert sync_state.read_state(False) == {
        "events_cursor": "1",
        "balance_cursor": "3",
        "events_read_at": None,
    }


def test_state_moves_only_with_the_callers_transaction():
    with pytest.raises(RuntimeError), db.connect(write=True) as con:
        sync_state.set_states(con, False, {"events_cursor": "100"})
        raise RuntimeError("the rows it covers were not written")
    assert sync_state.read_state(False) == {}


def test_clearing_a_backfill_leaves_the_other_cursors():
    with db.connect(write=True) as con:
        names = ("backfill_anchor", "backfill:charges", "events_cursor", "balance_cursor")
        sync_state.set_states(con, False, dict.fromkeys(names, "1"))
        sync_state.set_states(con, True, {"backfill:charges": "1"})
    with db.connect(write=True) as con:
        sync_state.clear_backfill_state(con, False)

    assert sync_state.read_state(False) == {"events_cursor": "1", "balance_cursor": "1"}
    assert sync_state.read_state(True) == {"backfill:charges": "1"}  # the other mode's


def test_runs_start_running_and_finish_succeeded_or_failed():
    assert sync_state.last_run(False) is None
    assert sync_state.last_success_at(False) is None

    first = sync_state.start_run(False, "full")
    assert sync_state.last_run(False)["status"] == sync_state.RUNNING
    sync_state.finish_run(first, objects=12, requests=3, error=None)
    second = sync_state.start_run(False, "incremental")
    sync_state.finish_run(second, objects=0, requests=1, error="Stripe said no")
    sync_state.start_run(True, "full")  # live mode's runs are apart

    last = sync_state.last_run(False)
    assert (last["run_id"], last["mode"], last["status"], last["error"]) == (
        second,
        "incremental",
        sync_state.FAILED,
        "Stripe said no",
    )
    runs = sync_state.recent_runs(False, limit=20)
    assert runs[["mode", "status", "objects", "requests"]].values.tolist() == [
        ["incremental", "failed", 0, 1],
        ["full", "succeeded", 12, 3],
    ]
    assert len(sync_state.recent_runs(False, limit=1)) == 1
    succeeded_at = sync_state.last_success_at(False)
    assert succeeded_at is not None and succeeded_at.tzinfo is not None
    assert sync_state.last_success_at(True) is None
