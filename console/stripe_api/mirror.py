"""The Stripe mirror's repository: Stripe objects in, typed rows with raw JSON out.

Writes go in batches through Arrow (one INSERT per table per batch), and an upsert never
replaces a row with an older state of the same object. A row's `livemode` is the mode of
the key that read it: Stripe puts `livemode` on some objects only (not on a Refund or a
BalanceTransaction), and a key sees the objects of its own mode alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import duckdb
import pyarrow as pa


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


def object_id(value: object) -> str | None:
    """An expandable field is an id or an expanded object: keep the id."""
    if isinstance(value, dict):
        return value.get("id")
    return value  # type: ignore[return-value]


def charge_row(charge: dict) -> dict:
    billing = charge.get("billing_details") or {}
    card = (charge.get("payment_method_details") or {}).get("card") or {}
    return {
        "id": charge["id"],
        "created": charge["created"],
        "amount": charge["amount"],
        "currency": charge["currency"],
        "status": charge["status"],
        "captured": charge.get("captured"),
        "disputed": charge.get("disputed"),
        "payment_intent": object_id(charge.get("payment_intent")),
        "balance_transaction": object_id(charge.get("balance_transaction")),
        "metadata": _json(charge.get("metadata") or {}),
        "billing_name": billing.get("name"),
        "billing_email": billing.get("email"),
        "receipt_email": charge.get("receipt_email"),
        "card_brand": card.get("brand"),
        "failure_code": charge.get("failure_code"),
    }


def refund_row(refund: dict) -> dict:
    return {
        "id": refund["id"],
        "created": refund["created"],
        "charge": object_id(refund.get("charge")),
        "payment_intent": object_id(refund.get("payment_intent")),
        "amount": refund["amount"],
        "currency": refund["currency"],
        "status": refund["status"],
        "reason": refund.get("reason"),
        "balance_transaction": object_id(refund.get("balance_transaction")),
        "metadata": _json(refund.get("metadata") or {}),
    }


def balance_transaction_row(txn: dict) -> dict:
    rate = txn.get("exchange_rate")
    return {
        "id": txn["id"],
        "created": txn["created"],
        "available_on": txn.get("available_on"),
        "type": txn["type"],
        "reporting_category": txn.get("reporting_category"),
        "source": object_id(txn.get("source")),
        "amount": txn["amount"],
        "fee": txn.get("fee") or 0,
        "net": txn["net"],
        "currency": txn["currency"],
        # Kept as text: an exchange rate is not money, but it must not be rounded either.
        "exchange_rate": None if rate is None else str(rate),
        "status": txn.get("status"),
        "fee_details": _json(txn.get("fee_details") or []),
    }


def payment_intent_row(intent: dict) -> dict:
    return {
        "id": intent["id"],
        "created": intent["created"],
        "amount": intent["amount"],
        "currency": intent["currency"],
        "status": intent["status"],
        "latest_charge": object_id(intent.get("latest_charge")),
        "metadata": _json(intent.get("metadata") or {}),
    }


def dispute_row(dispute: dict) -> dict:
    return {
        "id": dispute["id"],
        "created": dispute["created"],
        "charge": object_id(dispute.get("charge")),
        "payment_intent": object_id(dispute.get("payment_intent")),
        "amount": dispute["amount"],
        "currency": dispute["currency"],
        "status": dispute["status"],
        "reason": dispute.get("reason"),
        "is_charge_refundable": dispute.get("is_charge_refundable"),
        "due_by": (dispute.get("evidence_details") or {}).get("due_by"),
        "metadata": _json(dispute.get("metadata") or {}),
    }


def payout_row(payout: dict) -> dict:
    return {
        "id": payout["id"],
        "created": payout["created"],
        "arrival_date": payout["arrival_date"],
        "amount": payout["amount"],
        "currency": payout["currency"],
        "status": payout["status"],
        "automatic": payout.get("automatic"),
        "method": payout.get("method"),
        "destination": object_id(payout.get("destination")),
        "balance_transaction": object_id(payout.get("balance_transaction")),
        "failure_code": payout.get("failure_code"),
        "failure_balance_transaction": object_id(payout.get("failure_balance_transaction")),
        "reconciliation_status": payout.get("reconciliation_status"),
        "metadata": _json(payout.get("metadata") or {}),
    }


def payout_destination_row(destination: dict) -> dict:
    """A payout's bank account (or debit card): finance matches deposits by its last four."""
    return {
        "id": destination["id"],
        "object": destination["object"],
        "last4": destination.get("last4"),
        "bank_name": destination.get("bank_name"),
        "currency": destination.get("currency"),
    }


# object type (Stripe's `object` field) -> (table, row builder)
ROW_BUILDERS: dict[str, tuple[str, Callable[[dict], dict]]] = {
    "charge": ("stripe_charges", charge_row),
    "refund": ("stripe_refunds", refund_row),
    "balance_transaction": ("stripe_balance_transactions", balance_transaction_row),
    "payment_intent": ("stripe_payment_intents", payment_intent_row),
    "dispute": ("stripe_disputes", dispute_row),
    "payout": ("stripe_payouts", payout_row),
}
# A payout's bank account (or debit card), kept only as a payout names it: an event about a
# customer's card is no payout's destination.
DESTINATIONS_TABLE = "stripe_payout_destinations"
PAYOUT_CONTENTS_TABLE = "stripe_payout_transactions"
# Every table the mirror writes: one per object type, where payouts went, what each holds.
TABLES = {table for table, _row in ROW_BUILDERS.values()} | {
    DESTINATIONS_TABLE,
    PAYOUT_CONTENTS_TABLE,
}


class Batch:
    """Objects gathered for one write, grouped by table; the newest state of each wins.
    `livemode` is the mode of the key the objects were read with."""

    def __init__(self, livemode: bool) -> None:
        self.livemode = livemode
        self._rows: dict[str, dict[str, dict]] = {
            table: {} for table in TABLES - {PAYOUT_CONTENTS_TABLE}
        }
        self._paid_out: dict[str, str] = {}  # balance transaction -> the payout holding it

    def add(self, stripe_object: dict, snapshot_at: int) -> bool:
        """Add an object; False if its type is not mirrored."""
        builder = ROW_BUILDERS.get(stripe_object.get("object", ""))
        if builder is None:
            return False
        destination = stripe_object.get("destination")
        if stripe_object["object"] == "payout" and isinstance(destination, dict):
            # Read expanded: its last four digits.
            self._keep(
                DESTINATIONS_TABLE, payout_destination_row(destination), destination, snapshot_at
            )
        table, to_row = builder
        self._keep(table, to_row(stripe_object), stripe_object, snapshot_at)
        return True

    def _keep(self, table: str, row: dict, stripe_object: dict, snapshot_at: int) -> None:
        row["livemode"] = self.livemode
        row["raw"] = json.dumps(stripe_object, separators=(",", ":"))
        row["snapshot_at"] = snapshot_at
        current = self._rows[table].get(row["id"])
        # On a tie the first state offered wins: lists and events arrive newest first.
        if current is None or current["snapshot_at"] < snapshot_at:
            self._rows[table][row["id"]] = row

    def add_payout_contents(self, payout_id: str, transactions: Iterable[dict], snapshot_at: int):
        """The balance transactions `GET /v1/balance_transactions?payout=` lists for a payout."""
        for txn in transactions:
            self.add(txn, snapshot_at)
            self._paid_out[txn["id"]] = payout_id

    def __len__(self) -> int:
        return sum(len(rows) for rows in self._rows.values()) + len(self._paid_out)

    def write(self, con: duckdb.DuckDBPyConnection) -> int:
        """Upsert every row in the caller's transaction; returns rows offered."""
        written = 0
        for table, rows in self._rows.items():
            if rows:
                _upsert(con, table, rows.values())
                written += len(rows)
        if self._paid_out:
            contents = pa.Table.from_pylist(  # noqa: F841 - read by DuckDB's replacement scan
                [
                    {"balance_transaction": txn, "payout": payout, "livemode": self.livemode}
                    for txn, payout in self._paid_out.items()
                ]
            )
            # A transaction is paid out once: reading a payout again changes nothing.
            con.execute(
                "INSERT INTO stripe_payout_transactions (balance_transaction, payout, livemode) "
                "SELECT balance_transaction, payout, livemode FROM contents "
                "ON CONFLICT (balance_transaction) DO NOTHING"
            )
            written += len(self._paid_out)
        return written


def payouts_to_read(con: duckdb.DuckDBPyConnection, livemode: bool) -> tuple[list[str], list[str]]:
    """Automatic payouts whose contents Stripe has settled (reconciliation completed) but
    the mirror has not read; and one payout for each bank account the mirror lacks."""
    unread = con.execute(
        "SELECT id FROM stripe_payouts p WHERE livemode = $livemode AND automatic "
        "AND reconciliation_status = 'completed' AND NOT EXISTS "
        "(SELECT 1 FROM stripe_payout_transactions t WHERE t.payout = p.id) ORDER BY created",
        {"livemode": livemode},
    ).fetchall()
    unknown_destinations = con.execute(
        "SELECT any_value(id ORDER BY created) FROM stripe_payouts p "
        "WHERE livemode = $livemode AND destination IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM stripe_payout_destinations d WHERE d.id = p.destination) "
        "GROUP BY destination",
        {"livemode": livemode},
    ).fetchall()
    return [row[0] for row in unread], [row[0] for row in unknown_destinations]


def save(con: duckdb.DuckDBPyConnection, stripe_object: dict, livemode: bool) -> None:
    """One object just answered by Stripe to a key of this mode, in the caller's
    transaction (pages show it before the next sync)."""
    batch = Batch(livemode)
    batch.add(stripe_object, stripe_object["created"])
    batch.write(con)


def _upsert(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[dict]) -> None:
    rows = list(rows)
    columns = list(rows[0])
    arrow_rows = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB's replacement scan
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns if column != "id")
    con.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - fixed identifiers
        f"SELECT {', '.join(columns)} FROM arrow_rows "
        f"ON CONFLICT (id) DO UPDATE SET {updates} "
        f"WHERE excluded.snapshot_at >= {table}.snapshot_at"
    )
