"""The mail outbox's repository: what was sent, what failed, and how often it was tried."""

from __future__ import annotations

import pytest

from console.store import outbox


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))


def test_a_key_counts_as_sent_only_once_a_send_succeeded():
    assert not outbox.was_sent("refund-re_1")
    outbox.record_attempt("refund-re_1", "zoe@example.org", "Refund", outbox.FAILED, "down", 3)
    assert not outbox.was_sent("refund-re_1")
    outbox.record_attempt("refund-re_1", "zoe@example.org", "Refund", outbox.SENT, None, 1)
    assert outbox.was_sent("refund-re_1")
    assert outbox.failed() == []


def test_failed_messages_add_up_their_attempts_newest_first():
    outbox.record_attempt("a", "ann@example.org", "Welcome", outbox.FAILED, "refused", 3)
    outbox.record_attempt("b", "bob@example.org", "Welcome", outbox.FAILED, "timeout", 2)
    outbox.record_attempt("a", "ann@example.org", "Welcome", outbox.FAILED, "still refused", 3)
    outbox.record_attempt("c", "cy@example.org", "Welcome", outbox.SENT, None, 1)

    failed = outbox.failed()

    assert [(m.notification_key, m.attempts, m.last_error) for m in failed] == [
        ("a", 6, "still refused"),
        ("b", 2, "timeout"),
    ]
    # Pages read them as plain tuples.
    assert failed[0][1:3] == ("ann@example.org", "Welcome")
