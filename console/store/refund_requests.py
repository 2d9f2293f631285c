"""refund_requests and charge_locks: each refund the console asks of Stripe, and the lock
that keeps a second one off the same payment while the first is in flight."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from console.store import db

OPEN = "requested"  # written, Stripe's answer not recorded yet
# Refunds Stripe has not finished: they count as refunded only once they succeed.
IN_FLIGHT = ("pending", "requires_action")


@dataclass(frozen=True)
class NewRequest:
    request_id: str
    livemode: bool
    charge_id: str
    webinar_id: str | None
    registrant_email: str | None
    amount: int | None  # None: everything still refundable
    currency: str
    reason: str | None
    note: str
    cancel_registration: bool
    job_id: str | None
    requested_by: str

    @property
    def idempotency_key(self) -> str:
        return f"console-refund-{self.request_id}"


def open_request(con: duckdb.DuckDBPyConnection, request: NewRequest) -> dict:
    """Write the request and lock its charge in the caller's transaction; a second open
    request on the same charge raises duckdb.ConstraintException. Returns the request as
    `load` reads it."""
    written = con.execute(
        "INSERT INTO refund_requests (request_id, idempotency_key, livemode, charge_id, "
        "webinar_id, registrant_email, amount, currency, reason, note, cancel_registration, "
        "job_id, requested_by, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING *",
        [
            request.request_id,
            request.idempotency_key,
            request.livemode,
            request.charge_id,
            request.webinar_id,
            request.registrant_email,
            request.amount,
            request.currency,
            request.reason,
            request.note,
            request.cancel_registration,
            request.job_id,
            request.requested_by,
            OPEN,
        ],
    )
    row = _one(written)
    con.execute(
        "INSERT INTO charge_locks (charge_id, request_id) VALUES (?, ?)",
        [request.charge_id, request.request_id],
    )
    return row


def load(request_id: str) -> dict | None:
    with db.connect() as con:
        return _one(con.execute("SELECT * FROM refund_requests WHERE request_id = ?", [request_id]))


def _one(cursor: duckdb.DuckDBPyConnection) -> dict | None:
    # One row, read as a tuple: a pandas frame costs more than the query.
    row = cursor.fetchone()
    return None if row is None else dict(zip([c[0] for c in cursor.description], row, strict=True))


def record_answer(con: duckdb.DuckDBPyConnection, request_id: str, refund: dict) -> bool:
    """Stripe's refund for the open request; the charge's lock goes with it. False when
    the request had its answer already (another process heard it first)."""
    answered = con.execute(
        "UPDATE refund_requests SET status = ?, stripe_refund_id = ?, amount = ?, "
        "failure_reason = ?, updated_at = now() WHERE request_id = ? AND status = ? "
        "RETURNING request_id",
        [
            refund["status"],
            refund["id"],
            refund["amount"],
            refund.get("failure_reason"),
            request_id,
            OPEN,
        ],
    ).fetchall()
    _unlock(con, request_id)
    return bool(answered)


def record_refusal(con: duckdb.DuckDBPyConnection, request_id: str, reason: str) -> None:
    """Stripe refused the request: no refund exists, the charge is free again."""
    con.execute(
        "UPDATE refund_requests SET status = 'failed', failure_reason = ?, updated_at = now() "
        "WHERE request_id = ?",
        [reason, request_id],
    )
    _unlock(con, request_id)


def record_status(
    con: duckdb.DuckDBPyConnection, request_id: str, status: str, failure_reason: str | None
) -> None:
    """A refund in flight moved on at Stripe (succeeded, failed or canceled)."""
    con.execute(
        "UPDATE refund_requests SET status = ?, failure_reason = ?, updated_at = now() "
        "WHERE request_id = ?",
        [status, failure_reason, request_id],
    )


def _unlock(con: duckdb.DuckDBPyConnection, request_id: str) -> None:
    con.execute("DELETE FROM charge_locks WHERE request_id = ?", [request_id])


def open_request_ids(livemode: bool) -> list[str]:
    """Requests whose Stripe answer was never recorded, oldest first."""
    with db.connect() as con:
        rows = con.execute(
            "SELECT request_id FROM refund_requests WHERE status = ? AND livemode = ? "
            "ORDER BY requested_at",
            [OPEN, livemode],
        ).fetchall()
    return [row[0] for row in rows]


def in_flight(livemode: bool) -> list[tuple[str, str]]:
    """(request id, Stripe refund id) of refunds Stripe has not finished."""
    with db.connect() as con:
        return con.execute(
            "SELECT request_id, stripe_refund_id FROM refund_requests "
            "WHERE list_contains(?, status) AND livemode = ?",
            [list(IN_FLIGHT), livemode],
        ).fetchall()


def of_webinar(webinar_id: str) -> pd.DataFrame:
    return db.query_frame(
        "SELECT requested_at, requested_by, registrant_email, charge_id, amount, currency, "
        "reason, note, status, stripe_refund_id, failure_reason FROM refund_requests "
        "WHERE webinar_id = ? ORDER BY requested_at DESC",
        [webinar_id],
    )
