"""Payouts traced to webinars: what each bank deposit holds, for finance and admins.

A payout's lines are the balance transactions Stripe lists for it (`?payout=po_…`), but its
own; their `net` adds up to the payout's amount, to the unit. Each line belongs to a payment
(its charge, one of its refunds or disputes) and so to a webinar, or to nothing (`other`: a
failed earlier payout's money coming back). Amounts are in the payout's currency.
"""

from __future__ import annotations

import json

import pandas as pd

from console.formatting.csv_export import to_csv_bytes
from console.services.access import ADMIN, FINANCE, Actor, require
from console.store import db

# The line kinds the report sums apart (DESIGN.md, `console report payouts`).
KINDS = ("charges", "refunds", "disputes", "other")
UNATTRIBUTED = "unattributed"

_SUMS = """
SELECT payout_id, count(*) AS transactions,
       coalesce(sum(amount) FILTER (WHERE kind = 'charges'), 0)::BIGINT AS charges,
       coalesce(sum(amount) FILTER (WHERE kind = 'refunds'), 0)::BIGINT AS refunds,
       coalesce(sum(amount) FILTER (WHERE kind = 'disputes'), 0)::BIGINT AS disputes,
       coalesce(sum(amount) FILTER (WHERE kind = 'other'), 0)::BIGINT AS other,
       sum(fee)::BIGINT AS fees, sum(net)::BIGINT AS net
FROM payout_lines WHERE livemode = $livemode GROUP BY payout_id
"""

PAYOUTS_SQL = f"""
WITH sums AS ({_SUMS}),
read AS (SELECT DISTINCT payout FROM stripe_payout_transactions WHERE livemode = $livemode)
SELECT p.id AS payout_id,
       strftime(epoch_ms(p.arrival_date * 1000), '%Y-%m-%d') AS arrival_date,
       p.currency, p.status, p.amount,
       coalesce(s.charges, 0)::BIGINT AS charges, coalesce(s.refunds, 0)::BIGINT AS refunds,
       coalesce(s.disputes, 0)::BIGINT AS disputes, coalesce(s.fees, 0)::BIGINT AS fees,
       coalesce(s.net, 0)::BIGINT AS net, coalesce(s.other, 0)::BIGINT AS other,
       coalesce(s.transactions, 0)::BIGINT AS transactions,
       d.last4 AS destination_last4, p.failure_code, p.raw->>'failure_message' AS failure_message,
       p.automatic,
       r.payout IS NOT NULL AS contents_listed, p.created
FROM stripe_payouts p
LEFT JOIN sums s ON s.payout_id = p.id
LEFT JOIN read r ON r.payout = p.id
LEFT JOIN stripe_payout_destinations d ON d.id = p.destination
WHERE p.livemode = $livemode
ORDER BY p.arrival_date DESC, p.created DESC, p.id
"""  # noqa: S608 - fixed text

# A line's webinar: its payment's; `unattributed` for a payment line whose charge names none;
# NULL for a line that is no payment's (a failed payout's money coming back).
_WEBINAR_OF_LINE = (
    f"CASE WHEN webinar_id IS NOT NULL THEN webinar_id "
    f"WHEN kind <> 'other' THEN '{UNATTRIBUTED}' END"
)

BY_WEBINAR_SQL = f"""
WITH lines AS (SELECT *, {_WEBINAR_OF_LINE} AS line_webinar FROM payout_lines)
SELECT line_webinar AS webinar_id, any_value(w.title) AS title,
       count(DISTINCT charge_id) FILTER (WHERE kind = 'charges')::BIGINT AS payment_count,
       coalesce(sum(amount) FILTER (WHERE kind = 'charges'), 0)::BIGINT AS charges,
       coalesce(sum(amount) FILTER (WHERE kind = 'refunds'), 0)::BIGINT AS refunds,
       coalesce(sum(amount) FILTER (WHERE kind = 'disputes'), 0)::BIGINT AS disputes,
       sum(fee)::BIGINT AS fees, sum(net)::BIGINT AS net
FROM lines l LEFT JOIN webinars w ON w.webinar_id = l.line_webinar
WHERE l.livemode = $livemode AND payout_id = $payout
GROUP BY line_webinar
ORDER BY line_webinar IS NULL, net DESC, line_webinar
"""  # noqa: S608 - fixed text

NET_BY_WEBINAR_SQL = f"""
SELECT payout_id, {_WEBINAR_OF_LINE} AS webinar_id, sum(net)::BIGINT AS net
FROM payout_lines WHERE livemode = $livemode GROUP BY ALL ORDER BY webinar_id
"""  # noqa: S608 - fixed text

LEDGER_SQL = f"""
SELECT l.payout_id, strftime(epoch_ms(p.arrival_date * 1000), '%Y-%m-%d') AS arrival_date,
       p.status AS payout_status, l.balance_transaction_id,
       strftime(epoch_ms(l.created * 1000), '%Y-%m-%dT%H:%M:%SZ') AS created,
       l.type, l.reporting_category, l.amount, l.fee, l.net, l.currency, l.source,
       l.charge_id, {_WEBINAR_OF_LINE} AS webinar_id, w.title,
       l.registrant_name, l.registrant_email
FROM payout_lines l
JOIN stripe_payouts p ON p.id = l.payout_id
LEFT JOIN webinars w USING (webinar_id)
WHERE l.livemode = $livemode AND ($payout IS NULL OR l.payout_id = $payout)
ORDER BY p.arrival_date DESC, l.payout_id, l.created, l.balance_transaction_id
"""  # noqa: S608 - fixed text


def _payout_rows(livemode: bool) -> pd.DataFrame:
    """One row per payout, newest arrival first, with its lines summed by kind."""
    frame = db.query_frame(PAYOUTS_SQL, {"livemode": livemode})
    frame["difference"] = frame["net"] - frame["amount"]
    return frame


def list_payouts(actor: Actor, livemode: bool) -> pd.DataFrame:
    """Every payout and what it holds: finance's view of the bank deposits."""
    require(actor, ADMIN, FINANCE)
    return _payout_rows(livemode)


def payout_by_webinar(actor: Actor, livemode: bool, payout_id: str) -> pd.DataFrame:
    """One payout's lines per webinar (`other` last: money that is no webinar's)."""
    require(actor, ADMIN, FINANCE)
    return db.query_frame(BY_WEBINAR_SQL, {"livemode": livemode, "payout": payout_id})


def payout_ledger(actor: Actor, livemode: bool, payout_id: str | None = None) -> pd.DataFrame:
    """Every line of one payout, or of all: the accountant's export."""
    require(actor, ADMIN, FINANCE)
    return db.query_frame(LEDGER_SQL, {"livemode": livemode, "payout": payout_id})


def ledger_csv(actor: Actor, livemode: bool, payout_id: str | None = None) -> bytes:
    """The ledger as CSV: amounts in minor units, Stripe's codes as they are."""
    return to_csv_bytes(payout_ledger(actor, livemode, payout_id))


def report(livemode: bool) -> list[dict]:
    """`console report payouts --format json`: DESIGN.md's objects, newest first."""
    rows = _payout_rows(livemode)
    nets = db.query_frame(NET_BY_WEBINAR_SQL, {"livemode": livemode})
    by_payout: dict[str, dict[str, int]] = {}
    for payout_id, webinar_id, net in nets.itertuples(index=False):
        if isinstance(webinar_id, str):
            by_payout.setdefault(payout_id, {})[webinar_id] = int(net)
    return [
        {
            "payout_id": row.payout_id,
            "arrival_date": row.arrival_date,
            "currency": row.currency,
            "status": row.status,
            "amount": int(row.amount),
            "charges": int(row.charges),
            "refunds": int(row.refunds),
            "disputes": int(row.disputes),
            "fees": int(row.fees),
            "net": int(row.net),
            "webinars": {UNATTRIBUTED: 0} | by_payout.get(row.payout_id, {}),
            "other": int(row.other),
            "transactions": int(row.transactions),
            "destination_last4": None if pd.isna(row.destination_last4) else row.destination_last4,
            "contents_listed": bool(row.contents_listed),
        }
        for row in rows.itertuples(index=False)
    ]


def report_frame(livemode: bool) -> pd.DataFrame:
    """The report as a table (CSV and the terminal): `webinars` as JSON text."""
    records = report(livemode)
    frame = pd.DataFrame.from_records(records, columns=REPORT_COLUMNS)
    frame["webinars"] = frame["webinars"].map(
        lambda nets: json.dumps(nets, separators=(",", ":"), sort_keys=True)
    )
    return frame


REPORT_COLUMNS = [
    "payout_id",
    "arrival_date",
    "currency",
    "status",
    "amount",
    "charges",
    "refunds",
    "disputes",
    "fees",
    "net",
    "webinars",
    "other",
    "transactions",
    "destination_last4",
    "contents_listed",
]
