"""The audit log's repository: entries appended in the caller's transaction, read back."""

from __future__ import annotations

import json

import pytest

from console.store import audit_log, db


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))


def _entries() -> None:
    with db.connect(write=True) as con:
        audit_log.append(con, "ann@example.org", "price change", webinar_id="wb_1", amount=4900)
        audit_log.append(
            con,
            "Bob@example.org",
            "cancel webinar",
            webinar_id="wb_1",
            reason="speaker ill",
            before={"status": "scheduled"},
            after={"job": "job_1"},
        )
        audit_log.append(con, "bob@example.org", "user added", subject="cy@example.org")


def test_an_entry_keeps_what_it_was_given_and_its_values_as_json():
    _entries()
    frame = audit_log.search(action="cancel webinar")
    [entry] = frame.to_dict("records")
    assert (entry["actor"], entry["webinar_id"], entry["reason"]) == (
        "Bob@example.org",
        "wb_1",
        "speaker ill",
    )
    assert json.loads(entry["before"]) == {"status": "scheduled"}
    assert json.loads(entry["after"]) == {"job": "job_1"}
    no_values = audit_log.search(action="user added").iloc[0]
    assert no_values["before"] is None and no_values["after"] is None


def test_an_entry_stands_or_falls_with_the_callers_transaction():
    with pytest.raises(RuntimeError), db.connect(write=True) as con:
        audit_log.append(con, "ann@example.org", "price change", webinar_id="wb_1")
        raise RuntimeError("the change failed")
    assert audit_log.actions() == []


def test_newest_entries_come_first():
    for action in ("first", "second"):
        with db.connect(write=True) as con:
            audit_log.append(con, "ann@example.org", action, webinar_id="wb_1")
    assert audit_log.of_webinar("wb_1")["action"].tolist() == ["second", "first"]
    assert audit_log.search()["action"].tolist() == ["second", "first"]


def test_reads_by_webinar_by_action_and_by_filters():
    _entries()
    assert audit_log.actions() == ["cancel webinar", "price change", "user added"]
    assert sorted(audit_log.of_webinar("wb_1")["action"]) == ["cancel webinar", "price change"]
    assert audit_log.of_webinar("wb_2").empty
    # The actor matches by part, in any case; the webinar exactly.
    assert sorted(audit_log.search(who="BOB")["action"]) == ["cancel webinar", "user added"]
    assert audit_log.search(who="bob", webinar_id="wb_1")["action"].tolist() == ["cancel webinar"]
    assert len(audit_log.search()) == 3
