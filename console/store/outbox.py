"""notifications: each e-mail the console sends, by its key, and whether it went out."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from console.store import db

SENT = "sent"
FAILED = "failed"


class FailedMessage(NamedTuple):
    notification_key: str
    recipient: str
    subject: str
    attempts: int
    last_error: str | None
    updated_at: datetime


def was_sent(key: str) -> bool:
    with db.connect() as con:
        row = con.execute(
            "SELECT status FROM notifications WHERE notification_key = ?", [key]
        ).fetchone()
    return bool(row) and row[0] == SENT


def record_attempt(
    key: str, recipient: str, subject: str, status: str, error: str | None, tries: int
) -> None:
    """The outcome of sending a message; attempts add up over every try of the same key."""
    # An update, then an insert when there was nothing to update: DuckDB plans this pair
    # faster than INSERT ... ON CONFLICT DO UPDATE.
    with db.connect(write=True) as con:
        updated = con.execute(
            "UPDATE notifications SET status = ?, attempts = attempts + ?, last_error = ?, "
            "updated_at = now() WHERE notification_key = ? RETURNING notification_key",
            [status, tries, error, key],
        ).fetchone()
        if updated is None:
            con.execute(
                "INSERT INTO notifications (notification_key, recipient, subject, status, "
                "attempts, last_error) VALUES (?, ?, ?, ?, ?, ?)",
                [key, recipient, subject, status, tries, error],
            )


def failed() -> list[FailedMessage]:
    """Messages whose last attempt failed, most recent first."""
    with db.connect() as con:
        rows = con.execute(
            "SELECT notification_key, recipient, subject, attempts, last_error, updated_at "
            "FROM notifications WHERE status = ? ORDER BY updated_at DESC",
            [FAILED],
        ).fetchall()
    return [FailedMessage(*row) for row in rows]
