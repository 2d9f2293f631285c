"""Revenue, registrant and fee reports, computed from the Stripe mirror.

Gross comes from succeeded charges, refunds from succeeded refunds, fees and net from
balance transactions (Stripe's ledger), so every figure can be checked against Stripe.
Money columns are integers in minor units; SQL coalesces them so pandas never turns a
missing value into a float.
"""

from __future__ import annotations

import pandas as pd

from console import db

# Balance transaction types that belong to card payments and their refunds.
PAYMENT_TYPES = ("charge", "payment")
REFUND_TYPES = ("refund", "payment_refund", "refund_failure")

# Succeeded charges of one mode, with what was refunded and what Stripe's ledger says.
_PAID_CHARGES = """
WITH refunds AS (
    SELECT charge, sum(amount) AS refunded
    FROM stripe_refunds
    WHERE livemode = $livemode AND status = 'succeeded'
    GROUP BY charge
),
ledger AS (
    -- every balance transaction of a charge: its own, and those of its refunds
    SELECT coalesce(r.charge, b.source) AS charge_id,
           any_value(b.currency) AS settlement_currency,
           sum(b.fee) AS fees,
           sum(b.net) AS net,
           sum(b.fee) FILTER (WHERE b.type IN ('charge', 'payment')) AS charge_fee
    FROM stripe_balance_transactions b
    LEFT JOIN stripe_refunds r ON r.id = b.source
    WHERE b.livemode = $livemode
    GROUP BY 1
)
SELECT c.*,
       coalesce(rf.refunded, 0) AS refunded,
       coalesce(l.settlement_currency, c.currency) AS settlement_currency,
       coalesce(l.fees, 0) AS fees,
       coalesce(l.net, 0) AS net,
       coalesce(l.charge_fee, 0) AS charge_fee
FROM charge_attribution c
LEFT JOIN refunds rf ON rf.charge = c.id
LEFT JOIN ledger l ON l.charge_id = c.id
WHERE c.livemode = $livemode AND c.status = 'succeeded'
"""

REVENUE_COLUMNS = [
    "webinar_id",
    "title",
    "currency",
    "paid_registrants",
    "gross",
    "refunded",
    "settlement_currency",
    "fees",
    "net",
]
REGISTRANT_COLUMNS = [
    "name",
    "email",
    "charge_id",
    "currency",
    "amount_paid",
    "amount_refunded",
    "fee",
    "status",
    "paid_at",
]
FEE_COLUMNS = ["settlement_currency", "month", "charges", "gross", "fees", "refunded", "net"]


def _frame(sql: str, params: dict) -> pd.DataFrame:
    with db.connect() as con:
        return con.execute(sql, params).df()


def revenue(livemode: bool) -> pd.DataFrame:
    """One row per (webinar, presentment currency)."""
    sql = """
    SELECT l.webinar_id,
           any_value(w.title) AS title,
           l.currency,
           count(DISTINCT l.registrant_key) AS paid_registrants,
           sum(l.gross)::BIGINT AS gross,
           sum(l.refunded)::BIGINT AS refunded,
           l.settlement_currency,
           sum(l.fee)::BIGINT AS fees,
           sum(l.net)::BIGINT AS net
    FROM revenue_lines l
    LEFT JOIN webinars w ON w.webinar_id = l.webinar_id
    WHERE l.livemode = $livemode
    GROUP BY l.webinar_id, l.currency, l.settlement_currency
    ORDER BY l.webinar_id, l.currency
    """
    return _frame(sql, {"livemode": livemode})[REVENUE_COLUMNS]


def registrants(livemode: bool, webinar_id: str) -> pd.DataFrame:
    """One row per succeeded charge of the webinar."""
    sql = f"""
    WITH paid AS ({_PAID_CHARGES})
    SELECT registrant_name AS name,
           registrant_email AS email,
           id AS charge_id,
           currency,
           amount AS amount_paid,
           refunded::BIGINT AS amount_refunded,
           charge_fee::BIGINT AS fee,
           CASE WHEN refunded >= amount THEN 'refunded'
                WHEN refunded > 0 THEN 'partially_refunded'
                ELSE 'paid' END AS status,
           strftime(epoch_ms(created * 1000), '%Y-%m-%dT%H:%M:%SZ') AS paid_at,
           card_brand,
           livemode
    FROM paid
    WHERE webinar_id = $webinar_id
    ORDER BY created, id
    """  # noqa: S608 - composed from constants
    return _frame(sql, {"livemode": livemode, "webinar_id": webinar_id})


def fees(livemode: bool) -> pd.DataFrame:
    """One row per (settlement currency, month) of card payments and their refunds."""
    sql = """
    SELECT currency AS settlement_currency,
           strftime(epoch_ms(created * 1000), '%Y-%m') AS month,
           count(*) FILTER (WHERE type IN ('charge', 'payment')) AS charges,
           coalesce(sum(amount) FILTER (WHERE type IN ('charge', 'payment')), 0)::BIGINT
               AS gross,
           sum(fee)::BIGINT AS fees,
           coalesce(-sum(amount) FILTER (WHERE type IN ('refund', 'payment_refund',
                                                        'refund_failure')), 0)::BIGINT
               AS refunded,
           sum(net)::BIGINT AS net
    FROM stripe_balance_transactions
    WHERE livemode = $livemode
      AND type IN ('charge', 'payment', 'refund', 'payment_refund', 'refund_failure')
    GROUP BY 1, 2
    ORDER BY 1, 2
    """
    return _frame(sql, {"livemode": livemode})[FEE_COLUMNS]


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values (ints stay ints, missing values become None)."""
    out = []
    for row in frame.astype(object).itertuples(index=False):
        out.append(
            {
                column: (
                    None if pd.isna(value) else value.item() if hasattr(value, "item") else value
                )
                for column, value in zip(frame.columns, row, strict=True)
            }
        )
    return out
