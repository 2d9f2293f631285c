"""Failed sign-ins and browser sessions: counted, locked, kept by hash, expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.store import db, sign_ins


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))


def test_failures_are_counted_then_cleared():
    assert sign_ins.failures("ann@example.org") == (0, None)
    with db.connect(write=True) as con:
        sign_ins.record_failure(con, "ann@example.org", 1, None)
    assert sign_ins.failures("ann@example.org") == (1, None)

    until = datetime.now(UTC) + timedelta(minutes=15)
    with db.connect(write=True) as con:
        sign_ins.record_failure(con, "ann@example.org", 5, until)
    count, locked_until = sign_ins.failures("ann@example.org")
    assert count == 5 and locked_until == until

    sign_ins.clear_failures("ann@example.org")
    assert sign_ins.failures("ann@example.org") == (0, None)


def test_a_failure_is_not_kept_when_the_callers_transaction_fails():
    with pytest.raises(RuntimeError), db.connect(write=True) as con:
        sign_ins.record_failure(con, "ann@example.org", 1, None)
        raise RuntimeError("the audit entry could not be written")
    assert sign_ins.failures("ann@example.org") == (0, None)


def test_a_session_is_found_by_its_hash_until_it_expires_or_is_deleted():
    later = datetime.now(UTC) + timedelta(days=7)
    sign_ins.save_session("hash_live", "ann@example.org", "admin", later)
    sign_ins.save_session("hash_old", "bob@example.org", "finance", datetime.now(UTC))

    assert sign_ins.session_email("hash_live") == "ann@example.org"
    assert sign_ins.session_email("hash_old") is None  # expired
    assert sign_ins.session_email("hash_unknown") is None

    sign_ins.delete_session("hash_live")
    assert sign_ins.session_email("hash_live") is None
