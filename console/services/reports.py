"""Revenue, registrant and fee reports: the same figures as the pages, read from the page
totals each sync rebuilds from the Stripe mirror (store/rollups.py).

Gross comes from succeeded charges, refunds from succeeded refunds, disputed from
disputes' withdrawals not reinstated, fees and net from each payment's balance transactions
(Stripe's ledger, DESIGN.md), so every figure can be checked against Stripe.
Money columns are integers in minor units; SQL coalesces them so pandas never turns a
missing value into a float.
"""

from __future__ import annotations

import pandas as pd

from console.services import analytics
from console.store import db

REVENUE_COLUMNS = [
    "webinar_id",
    "title",
    "currency",
    "paid_registrants",
    "gross",
    "refunded",
    "disputed",
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
    "settlement_currency",
    "fee",
    "net",
    "status",
    "dispute_status",
    "paid_at",
]
FEE_COLUMNS = [
    "settlement_currency",
    "month",
    "charges",
    "gross",
    "fees",
    "refunded",
    "disputed",
    "net",
]


def revenue(livemode: bool) -> pd.DataFrame:
    """One row per (webinar, presentment currency): the pages' figures, unfiltered."""
    return analytics.revenue_rows(livemode)[REVENUE_COLUMNS]


def registrants(livemode: bool, webinar_id: str) -> pd.DataFrame:
    """One row per succeeded charge of the webinar: what was paid and refunded in its
    currency; fee and net over all of its balance transactions, in the settlement currency."""
    sql = """
    SELECT name, email, charge_id, currency, amount_paid, amount_refunded,
           settlement_currency, fee, net,
           CASE WHEN amount_refunded >= amount_paid THEN 'refunded'
                WHEN amount_refunded > 0 THEN 'partially_refunded'
                ELSE 'paid' END AS status,
           dispute_status,
           strftime(epoch_ms(created * 1000), '%Y-%m-%dT%H:%M:%SZ') AS paid_at,
           card_brand
    FROM charge_facts
    WHERE livemode = $livemode AND webinar_id = $webinar_id
    ORDER BY created, charge_id
    """
    return db.query_frame(sql, {"livemode": livemode, "webinar_id": webinar_id})


def fees(livemode: bool) -> pd.DataFrame:
    """One row per (settlement currency, month) of card payments and their refunds."""
    return analytics.monthly_fee_rows(livemode)[FEE_COLUMNS]


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
