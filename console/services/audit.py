"""The audit log: who did what, when, with the values before and after. Append-only."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from console.services.access import ADMIN, ORGANIZER, Actor, require, require_webinar_owner
from console.store import db


def record(
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
    """Add an entry in the caller's transaction, so it stands or falls with the change."""
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


def webinar_log(actor: Actor, webinar_id: str) -> pd.DataFrame:
    """The entries about one webinar, newest first (its organizer's, or an admin's)."""
    require(actor, ADMIN, ORGANIZER)
    if actor.role == ORGANIZER:
        with db.connect() as con:
            owner = con.execute(
                "SELECT organizer_email FROM webinars WHERE webinar_id = ?", [webinar_id]
            ).fetchone()
        require_webinar_owner(actor, owner[0] if owner else "")
    return db.query_frame(
        "SELECT logged_at, actor, action, subject, amount, currency, reason, stripe_id "
        "FROM audit_log WHERE webinar_id = ? ORDER BY logged_at DESC",
        [webinar_id],
    )


def actions(actor: Actor) -> list[str]:
    require(actor, ADMIN)
    with db.connect() as con:
        return [
            row[0]
            for row in con.execute("SELECT DISTINCT action FROM audit_log ORDER BY 1").fetchall()
        ]


def search(
    actor: Actor, who: str = "", action: str | None = None, webinar_id: str = ""
) -> pd.DataFrame:
    """Entries matching the filters, newest first (admins only)."""
    require(actor, ADMIN)
    return db.query_frame(
        "SELECT logged_at, actor, action, webinar_id, subject, amount, currency, reason, "
        "stripe_id, before, after FROM audit_log WHERE contains(lower(actor), lower(?)) "
        "AND (? IS NULL OR action = ?) AND (? = '' OR webinar_id = ?) "
        "ORDER BY logged_at DESC",
        [who.strip(), action, action, webinar_id.strip(), webinar_id.strip()],
    )
