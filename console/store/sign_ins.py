"""signin_failures and console_sessions: failed sign-ins per e-mail, and signed-in browsers.

The local accounts themselves live in a file (services/auth.py), not in the database.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from console.store import db


def failures(email: str) -> tuple[int, datetime | None]:
    """Failed sign-ins in a row for the e-mail, and until when it is locked (if it is)."""
    with db.connect() as con:
        row = con.execute(
            "SELECT failures, locked_until FROM signin_failures WHERE email = ?", [email]
        ).fetchone()
    return (row[0], row[1]) if row else (0, None)


def record_failure(
    con: duckdb.DuckDBPyConnection, email: str, count: int, locked_until: datetime | None
) -> None:
    """In the caller's transaction, so the audit entry goes with it."""
    con.execute(
        "INSERT INTO signin_failures VALUES (?, ?, ?) ON CONFLICT (email) DO UPDATE SET "
        "failures = excluded.failures, locked_until = excluded.locked_until",
        [email, count, locked_until],
    )


def clear_failures(email: str) -> None:
    """A successful sign-in starts the count again."""
    with db.connect(write=True) as con:
        con.execute("DELETE FROM signin_failures WHERE email = ?", [email])


def save_session(token_hash: str, email: str, role: str, expires_at: datetime) -> None:
    with db.connect(write=True) as con:
        con.execute(
            "INSERT INTO console_sessions VALUES (?, ?, ?, ?)",
            [token_hash, email, role, expires_at],
        )


def session_email(token_hash: str) -> str | None:
    """Who signed in with the session, unless there is none or it has expired (the role
    is looked up afresh each time, so a change of role takes effect at once)."""
    with db.connect() as con:
        row = con.execute(
            "SELECT email FROM console_sessions WHERE token_hash = ? AND expires_at > now()",
            [token_hash],
        ).fetchone()
    return row[0] if row else None


def delete_session(token_hash: str) -> None:
    with db.connect(write=True) as con:
        con.execute("DELETE FROM console_sessions WHERE token_hash = ?", [token_hash])
