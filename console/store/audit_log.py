"""audit_log: who did what, when, with the values before and after. Append-only."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from console.store import db


def append(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    *,
    webinar_id: str | None = None,
    subject: str | None = None,
    amount: int | None = None,
    currency: str | None = None,
    reason: str | None = None,
    stripe_id: str | None = None,
    before: object = None,
    after: object = None,
) -> None:
    """Add an entry in the caller's transaction, so it stands or falls with the change;
    `before` and `after` are kept as JSON."""
    con.execute(
        "INSERT INTO audit_log (actor, action, webinar_id, subject, amount, currency, reason, "
        "stripe_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            actor,
            action,
            webinar_id,
            subject,
            amount,
            currency,
            reason,
            stripe_id,
            None if before is None else json.dumps(before, default=str),
            None if after is None else json.dumps(after, default=str),
        ],
    )


def of_webinar(webinar_id: str) -> pd.DataFrame:
    """The entries about one webinar, newest first."""
    return db.query_frame(
        "SELECT logged_at, actor, action, subject, amount, currency, reason, stripe_id "
        "FROM audit_log WHERE webinar_id = ? ORDER BY logged_at DESC",
        [webinar_id],
    )


def actions() -> list[str]:
    """Every action logged so far, in alphabetical order."""
    with db.connect() as con:
        rows = con.execute("SELECT DISTINCT action FROM audit_log ORDER BY 1").fetchall()
    return [row[0] for row in rows]


def search(who: str = "", action: str | None = None, webinar_id: str = "") -> pd.DataFrame:
    """Entries whose actor contains `who` (any case), of `action` and about `webinar_id`
    when given, newest first."""
    return db.query_frame(
        "SELECT logged_at, actor, action, webinar_id, subject, amount, currency, reason, "
        "stripe_id, before, after FROM audit_log WHERE contains(lower(actor), lower(?)) "
        "AND (? IS NULL OR action = ?) AND (? = '' OR webinar_id = ?) "
        "ORDER BY logged_at DESC",
        [who, action, action, webinar_id, webinar_id],
    )
