"""cancellation_jobs and cancellation_items: each webinar (or session) cancellation, and what
it did for each registrant, so a stopped job resumes where it was."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from console.domain.catalog import ACTIVE
from console.store import db

# Outcomes after which a paid registrant is not tried again; a failed refund is.
DONE = ("refunded", "pending", "requires_action", "skipped_already_refunded", "cancelled")


@dataclass(frozen=True)
class Item:
    """What the job did for one registrant: a charge (keyed by its id) or, for someone
    who had not paid, a registration (keyed by the registrant id)."""

    job_id: str
    item_key: str
    name: str | None
    email: str | None
    charge_id: str | None
    currency: str | None
    amount_refunded: int
    outcome: str
    detail: str | None
    stripe_refund_id: str | None


def open_job(
    con: duckdb.DuckDBPyConnection,
    job_id: str,
    webinar_id: str,
    session_no: int | None,
    reason: str,
    started_by: str,
) -> None:
    """In the caller's transaction, with the cancellation itself."""
    con.execute(
        "INSERT INTO cancellation_jobs (job_id, webinar_id, session_no, reason, started_by) "
        "VALUES (?, ?, ?, ?, ?)",
        [job_id, webinar_id, session_no, reason, started_by],
    )


def load_job(job_id: str) -> tuple[str, str | None] | None:
    """(webinar id, reason) of the job."""
    with db.connect() as con:
        return con.execute(
            "SELECT webinar_id, reason FROM cancellation_jobs WHERE job_id = ?", [job_id]
        ).fetchone()


def unfinished_job(webinar_id: str) -> str | None:
    """The webinar's latest job that has not finished, if any."""
    with db.connect() as con:
        row = con.execute(
            "SELECT job_id FROM cancellation_jobs WHERE webinar_id = ? AND finished_at IS NULL "
            "ORDER BY started_at DESC LIMIT 1",
            [webinar_id],
        ).fetchone()
    return row[0] if row else None


def finish_job(job_id: str) -> None:
    with db.connect(write=True) as con:
        con.execute("UPDATE cancellation_jobs SET finished_at = now() WHERE job_id = ?", [job_id])


def work_left(job_id: str, webinar_id: str, livemode: bool) -> tuple[list[dict], list[dict]]:
    """Paid charges the job has not done, oldest first, with their payer's registrant id
    and their settled money (as a refund plans it), and active registrations without a
    payment it has not cancelled, in order of registration."""
    with db.connect() as con:
        charges = _records(
            con.execute(
                """
            SELECT p.charge_id, p.name, p.email, p.currency, p.amount_paid, p.amount_refunded,
                   a.registrant_id, p.settlement_currency, p.fee, p.net, b.exchange_rate
            FROM paid_charges p
            JOIN charge_attribution a ON a.id = p.charge_id
            LEFT JOIN stripe_balance_transactions b ON b.id = a.balance_transaction
            WHERE p.webinar_id = ? AND p.livemode = ?
              AND p.charge_id NOT IN (SELECT item_key FROM cancellation_items
                                      WHERE job_id = ? AND list_contains(?, outcome))
            ORDER BY p.created
            """,
                [webinar_id, livemode, job_id, list(DONE)],
            )
        )
        unpaid = _records(
            con.execute(
                """
            SELECT r.registrant_id, r.name, r.email, r.status FROM registrants r
            WHERE r.webinar_id = ? AND list_contains(?, r.status)
              AND r.registrant_id NOT IN (SELECT item_key FROM cancellation_items
                                          WHERE job_id = ?)
              AND NOT EXISTS (SELECT 1 FROM paid_charges p WHERE p.webinar_id = r.webinar_id
                              AND lower(p.email) = lower(r.email))
            ORDER BY r.registered_at
            """,
                [webinar_id, list(ACTIVE), job_id],
            )
        )
    return charges, unpaid


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def save_item(item: Item) -> None:
    """Insert or, for a retried charge, replace the outcome; each in its own transaction so
    what is done stays done if the job stops."""
    # An update, then an insert when there was nothing to update: DuckDB plans this pair
    # faster than INSERT ... ON CONFLICT DO UPDATE.
    with db.connect(write=True) as con:
        replaced = con.execute(
            "UPDATE cancellation_items SET amount_refunded = ?, outcome = ?, detail = ?, "
            "stripe_refund_id = ? WHERE job_id = ? AND item_key = ? RETURNING item_key",
            [
                item.amount_refunded,
                item.outcome,
                item.detail,
                item.stripe_refund_id,
                item.job_id,
                item.item_key,
            ],
        ).fetchone()
        if replaced is None:
            con.execute(
                "INSERT INTO cancellation_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    item.job_id,
                    item.item_key,
                    item.name,
                    item.email,
                    item.charge_id,
                    item.currency,
                    item.amount_refunded,
                    item.outcome,
                    item.detail,
                    item.stripe_refund_id,
                ],
            )


def outcome_counts(job_id: str) -> dict[str, int]:
    """How many items of the job ended in each outcome."""
    with db.connect() as con:
        return dict(
            con.execute(
                "SELECT outcome, count(*) FROM cancellation_items WHERE "
                "job_id = ? GROUP BY outcome",
                [job_id],
            ).fetchall()
        )


def items_frame(job_id: str) -> pd.DataFrame:
    """The job's items, grouped by outcome."""
    return db.query_frame(
        "SELECT name, email, charge_id, currency, amount_refunded, outcome, detail, "
        "stripe_refund_id FROM cancellation_items WHERE job_id = ? ORDER BY outcome, email",
        [job_id],
    )
