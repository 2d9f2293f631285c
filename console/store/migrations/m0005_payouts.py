"""Migration 5: payouts, and which payout holds each balance transaction.

- `stripe_payouts` mirrors Stripe's Payout objects; `stripe_payout_destinations` the bank
  accounts (or cards) they went to, for the last four digits finance matches deposits by.
- `stripe_payout_transactions`: the balance transactions an automatic payout paid out, as
  `GET /v1/balance_transactions?payout=po_…` lists them (the payout's own included). A
  transaction is paid out once, so it is the key.
- `payout_lines`: each of those transactions but the payout's own, with the payment it
  belongs to (its charge, its refund's or its dispute's) and that payment's webinar. Their
  `net` adds up to the payout's amount.
- `paid_charges` gains the payout that holds each payment.
"""

import duckdb

NAME = "payouts and the balance transactions each holds"
# charge_facts gains its payout column.
REBUILDS_ROLLUPS = True

STATEMENTS = (
    """
    CREATE TABLE IF NOT EXISTS stripe_payouts (
        id VARCHAR PRIMARY KEY,
        livemode BOOLEAN NOT NULL,
        created BIGINT NOT NULL,
        arrival_date BIGINT NOT NULL,
        amount BIGINT NOT NULL,
        currency VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        automatic BOOLEAN,
        method VARCHAR,
        destination VARCHAR,
        balance_transaction VARCHAR,
        failure_code VARCHAR,
        failure_balance_transaction VARCHAR,
        reconciliation_status VARCHAR,
        metadata JSON,
        raw JSON NOT NULL,
        snapshot_at BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS stripe_payout_destinations (
        id VARCHAR PRIMARY KEY,
        livemode BOOLEAN NOT NULL,
        object VARCHAR NOT NULL,
        last4 VARCHAR,
        bank_name VARCHAR,
        currency VARCHAR,
        raw JSON NOT NULL,
        snapshot_at BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS stripe_payout_transactions (
        balance_transaction VARCHAR PRIMARY KEY,
        payout VARCHAR NOT NULL,
        livemode BOOLEAN NOT NULL
    )
    """,
    """
    CREATE OR REPLACE VIEW payout_lines AS
    SELECT t.payout AS payout_id, t.livemode, b.id AS balance_transaction_id, b.created,
           b.type, b.reporting_category, b.amount, b.fee, b.net, b.currency, b.source,
           CASE WHEN b.reporting_category = 'charge' THEN 'charges'
                WHEN b.reporting_category IN ('refund', 'refund_failure') THEN 'refunds'
                WHEN b.reporting_category IN ('dispute', 'dispute_reversal') THEN 'disputes'
                ELSE 'other' END AS kind,
           coalesce(r.charge, d.charge, c.id) AS charge_id,
           c.webinar_id, c.registrant_name, c.registrant_email
    FROM stripe_payout_transactions t
    JOIN stripe_balance_transactions b ON b.id = t.balance_transaction
    LEFT JOIN stripe_refunds r ON r.id = b.source
    LEFT JOIN stripe_disputes d ON d.id = b.source
    LEFT JOIN charge_attribution c ON c.id = coalesce(r.charge, d.charge, b.source)
    WHERE NOT (b.type = 'payout' AND b.source = t.payout)
    """,
    """
    CREATE OR REPLACE VIEW paid_charges AS
    WITH lines AS (
        SELECT charge_id, sum(refunded)::BIGINT AS refunded, sum(disputed)::BIGINT AS disputed,
               sum(fee)::BIGINT AS fee, sum(net)::BIGINT AS net
        FROM revenue_lines GROUP BY charge_id
    ),
    in_flight AS (
        SELECT charge, sum(amount)::BIGINT AS amount FROM stripe_refunds
        WHERE status IN ('pending', 'requires_action') GROUP BY charge
    ),
    latest_dispute AS (
        SELECT charge, arg_max(status, created) AS status FROM stripe_disputes GROUP BY charge
    )
    SELECT c.livemode, c.webinar_id, c.id AS charge_id, c.registrant_name AS name,
           c.registrant_email AS email, c.currency, c.amount AS amount_paid,
           l.refunded AS amount_refunded, coalesce(f.amount, 0)::BIGINT AS refund_pending,
           l.disputed AS amount_disputed,
           coalesce(b.currency, c.currency) AS settlement_currency, l.fee, l.net,
           d.status AS dispute_status, c.card_brand, c.created, p.payout AS payout_id
    FROM charge_attribution c
    JOIN lines l ON l.charge_id = c.id
    LEFT JOIN stripe_balance_transactions b ON b.id = c.balance_transaction
    LEFT JOIN in_flight f ON f.charge = c.id
    LEFT JOIN latest_dispute d ON d.charge = c.id
    LEFT JOIN stripe_payout_transactions p ON p.balance_transaction = c.balance_transaction
    WHERE c.status = 'succeeded'
    """,
)


def apply(con: duckdb.DuckDBPyConnection) -> None:
    for statement in STATEMENTS:
        con.execute(statement)
