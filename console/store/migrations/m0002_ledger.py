"""Migration 2: disputes, and every figure from the ledger as DESIGN.md defines it.

- `stripe_disputes` mirrors Stripe's Dispute objects.
- Refunds and balance transactions carry no `livemode` at Stripe, so 0.1.0 filed a live
  account's as test data: they take the mode of their charge, or of the only mode synced.
- A payment's fees and net are the sums over all of its balance transactions: the
  charge's, its refunds' (and refund failures'), its disputes'. Balance transactions are
  classified by `reporting_category`, as Stripe documents.
"""

import duckdb

NAME = "disputes; fees and net from each payment's whole ledger; livemode of refunds"
# The page totals are rebuilt from the mirror once the schema is current.
REBUILDS_ROLLUPS = True

STATEMENTS = (
    """
    CREATE TABLE IF NOT EXISTS stripe_disputes (
        id VARCHAR PRIMARY KEY,
        livemode BOOLEAN NOT NULL,
        created BIGINT NOT NULL,
        charge VARCHAR,
        payment_intent VARCHAR,
        amount BIGINT NOT NULL,
        currency VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        reason VARCHAR,
        is_charge_refundable BOOLEAN,
        due_by BIGINT,
        metadata JSON,
        raw JSON NOT NULL,
        snapshot_at BIGINT NOT NULL
    )
    """,
    # A file only ever synced with a live key holds live data only.
    """
    UPDATE stripe_refunds SET livemode = true
    WHERE EXISTS (SELECT 1 FROM sync_runs WHERE livemode)
      AND NOT EXISTS (SELECT 1 FROM sync_runs WHERE NOT livemode)
    """,
    """
    UPDATE stripe_balance_transactions SET livemode = true
    WHERE EXISTS (SELECT 1 FROM sync_runs WHERE livemode)
      AND NOT EXISTS (SELECT 1 FROM sync_runs WHERE NOT livemode)
    """,
    """
    UPDATE stripe_refunds SET livemode = c.livemode
    FROM stripe_charges c
    WHERE c.id = stripe_refunds.charge AND c.livemode <> stripe_refunds.livemode
    """,
    """
    UPDATE stripe_balance_transactions SET livemode = true
    WHERE NOT livemode AND source IN (
        SELECT id FROM stripe_charges WHERE livemode
        UNION ALL SELECT id FROM stripe_refunds WHERE livemode)
    """,
    # The money of each succeeded charge, one line per object that moved it: the charge,
    # each refund, each dispute; fee and net sum that object's balance transactions (a
    # refund failure's source is its refund, a dispute's are the dispute). `disputed` is
    # the presentment amount withdrawn by a dispute and not reinstated.
    """
    CREATE OR REPLACE VIEW revenue_lines AS
    WITH ledger AS (
        SELECT source, sum(fee) AS fee, sum(net) AS net, any_value(currency) AS currency,
               count(*) FILTER (WHERE reporting_category = 'dispute') AS withdrawals,
               count(*) FILTER (WHERE reporting_category = 'dispute_reversal')
                   AS reinstatements
        FROM stripe_balance_transactions
        GROUP BY source
    ),
    paid AS (
        SELECT a.*, coalesce(l.currency, a.currency) AS settlement_currency,
               coalesce(l.fee, 0) AS fee, coalesce(l.net, 0) AS net
        FROM charge_attribution a LEFT JOIN ledger l ON l.source = a.id
        WHERE a.status = 'succeeded'
    )
    SELECT 'charge' AS kind, p.id AS charge_id, p.livemode, p.created, p.webinar_id,
           p.currency, p.settlement_currency, p.amount AS gross, 0 AS refunded,
           0 AS disputed, p.fee, p.net,
           coalesce(p.registrant_id, lower(p.registrant_email), p.id) AS registrant_key
    FROM paid p
    UNION ALL
    SELECT 'refund', r.charge, p.livemode, r.created, p.webinar_id, p.currency,
           p.settlement_currency, 0,
           CASE WHEN r.status = 'succeeded' THEN r.amount ELSE 0 END, 0,
           coalesce(l.fee, 0), coalesce(l.net, 0), NULL
    FROM stripe_refunds r JOIN paid p ON p.id = r.charge
    LEFT JOIN ledger l ON l.source = r.id
    UNION ALL
    SELECT 'dispute', d.charge, p.livemode, d.created, p.webinar_id, p.currency,
           p.settlement_currency, 0, 0,
           d.amount * greatest(0, coalesce(l.withdrawals - l.reinstatements, 0)),
           coalesce(l.fee, 0), coalesce(l.net, 0), NULL
    FROM stripe_disputes d JOIN paid p ON p.id = d.charge
    LEFT JOIN ledger l ON l.source = d.id
    """,
    "ALTER TABLE revenue_daily ADD COLUMN disputed BIGINT NOT NULL DEFAULT 0",
    # One row per succeeded charge: its lines summed, so a webinar's registrants add up to
    # its revenue; refunds still in flight are shown apart and not counted as refunded.
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
           d.status AS dispute_status, c.card_brand, c.created
    FROM charge_attribution c
    JOIN lines l ON l.charge_id = c.id
    LEFT JOIN stripe_balance_transactions b ON b.id = c.balance_transaction
    LEFT JOIN in_flight f ON f.charge = c.id
    LEFT JOIN latest_dispute d ON d.charge = c.id
    WHERE c.status = 'succeeded'
    """,
    # Per settlement currency and month, from the balance transactions of payments, their
    # refunds and their disputes (Stripe's reporting categories).
    """
    CREATE OR REPLACE VIEW monthly_fees AS
    SELECT livemode,
           currency AS settlement_currency,
           strftime(epoch_ms(created * 1000), '%Y-%m') AS month,
           count(*) FILTER (WHERE reporting_category = 'charge') AS charges,
           coalesce(sum(amount) FILTER (WHERE reporting_category = 'charge'), 0)::BIGINT
               AS gross,
           sum(fee)::BIGINT AS fees,
           coalesce(-sum(amount) FILTER (WHERE reporting_category IN ('refund',
                                                                      'refund_failure')),
                    0)::BIGINT AS refunded,
           coalesce(-sum(amount) FILTER (WHERE reporting_category IN ('dispute',
                                                                      'dispute_reversal')),
                    0)::BIGINT AS disputed,
           sum(net)::BIGINT AS net
    FROM stripe_balance_transactions
    WHERE reporting_category IN ('charge', 'refund', 'refund_failure', 'dispute',
                                 'dispute_reversal')
    GROUP BY livemode, settlement_currency, month
    """,
    # The same transactions' fees by kind, so the breakdown adds up to the monthly totals:
    # payments settled as they were, payments converted to the settlement currency
    # (Stripe adds its conversion fee there), refunds, disputes.
    """
    CREATE OR REPLACE VIEW fee_types AS
    SELECT livemode, currency AS settlement_currency,
           CASE WHEN reporting_category = 'charge' AND exchange_rate IS NULL
                    THEN 'card_payments'
                WHEN reporting_category = 'charge' THEN 'converted_card_payments'
                WHEN reporting_category IN ('refund', 'refund_failure') THEN 'refunds'
                ELSE 'disputes' END AS fee_type,
           count(*) AS transactions,
           sum(fee)::BIGINT AS amount
    FROM stripe_balance_transactions
    WHERE reporting_category IN ('charge', 'refund', 'refund_failure', 'dispute',
                                 'dispute_reversal')
    GROUP BY ALL
    """,
)


def apply(con: duckdb.DuckDBPyConnection) -> None:
    for statement in STATEMENTS:
        con.execute(statement)
