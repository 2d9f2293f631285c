"""Migration 1: the schema of release 0.1.0, before migrations existed.

Every statement is idempotent, so a file written by 0.1.0 (which has these tables but no
`schema_migrations`) takes it as a no-op and is then on version 1. Never edit this file:
change the schema in a new migration.
"""

import duckdb

NAME = "release 0.1.0 schema"

# The Stripe mirror keeps typed columns for reports and the raw JSON beside them, so a
# new report never needs a re-sync. `snapshot_at` is the Stripe time the row's state
# is from (an event's `created`, or when a list page was read): older never overwrites newer.
STATEMENTS = (
    """
    CREATE TABLE IF NOT EXISTS stripe_charges (
        id VARCHAR PRIMARY KEY,
        livemode BOOLEAN NOT NULL,
        created BIGINT NOT NULL,
        amount BIGINT NOT NULL,
        currency VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        captured BOOLEAN,
        disputed BOOLEAN,
        payment_intent VARCHAR,
        balance_transaction VARCHAR,
        metadata JSON,
        billing_name VARCHAR,
        billing_email VARCHAR,
        receipt_email VARCHAR,
        card_brand VARCHAR,
        failure_code VARCHAR,
        raw JSON NOT NULL,
        snapshot_at BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS stripe_refunds (
        id VARCHAR PRIMARY KEY,
        livemode BOOLEAN NOT NULL,
        created BIGINT NOT NULL,
        charge VARCHAR,
        payment_intent VARCHAR,
        amount BIGINT NOT NULL,
        currency VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        reason VARCHAR,
        balance_transaction VARCHAR,
        metadata JSON,
        raw JSON NOT NULL,
        snapshot_at BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS stripe_balance_transactions (
        id VARCHAR PRIMARY KEY,
        livemode BOOLEAN NOT NULL,
        created BIGINT NOT NULL,
        available_on BIGINT,
        type VARCHAR NOT NULL,
        reporting_category VARCHAR,
        source VARCHAR,
        amount BIGINT NOT NULL,
        fee BIGINT NOT NULL,
        net BIGINT NOT NULL,
        currency VARCHAR NOT NULL,
        exchange_rate VARCHAR,
        status VARCHAR,
        fee_details JSON,
        raw JSON NOT NULL,
        snapshot_at BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS stripe_payment_intents (
        id VARCHAR PRIMARY KEY,
        livemode BOOLEAN NOT NULL,
        created BIGINT NOT NULL,
        amount BIGINT NOT NULL,
        currency VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        latest_charge VARCHAR,
        metadata JSON,
        raw JSON NOT NULL,
        snapshot_at BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS sync_state (
        livemode BOOLEAN NOT NULL,
        name VARCHAR NOT NULL,
        value VARCHAR,
        updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (livemode, name)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS sync_runs (
        run_id VARCHAR PRIMARY KEY,
        livemode BOOLEAN NOT NULL,
        mode VARCHAR NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        status VARCHAR NOT NULL,
        objects BIGINT NOT NULL DEFAULT 0,
        requests BIGINT NOT NULL DEFAULT 0,
        error VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS webinars (
        webinar_id VARCHAR PRIMARY KEY,
        title VARCHAR NOT NULL,
        organizer_email VARCHAR NOT NULL,
        description VARCHAR NOT NULL DEFAULT '',
        capacity INTEGER,
        status VARCHAR NOT NULL DEFAULT 'scheduled',
        price_amount BIGINT,
        price_currency VARCHAR,
        created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        CHECK ((price_amount IS NULL) = (price_currency IS NULL))
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS webinar_sessions (
        webinar_id VARCHAR NOT NULL,
        session_no INTEGER NOT NULL,
        starts_at TIMESTAMPTZ NOT NULL,
        duration_minutes INTEGER NOT NULL,
        PRIMARY KEY (webinar_id, session_no)
    )
    """,
    "ALTER TABLE webinar_sessions ADD COLUMN IF NOT EXISTS cancelled BOOLEAN DEFAULT false",
    "ALTER TABLE webinars ADD COLUMN IF NOT EXISTS join_url VARCHAR",
    """
    CREATE TABLE IF NOT EXISTS registrants (
        registrant_id VARCHAR PRIMARY KEY,
        webinar_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        email VARCHAR NOT NULL,
        status VARCHAR NOT NULL DEFAULT 'registered',
        payment_intent VARCHAR,
        registered_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )
    """,
    # Who a charge belongs to: the PaymentIntent's metadata first (Stripe copies it onto
    # the charge only once, at confirmation), then the charge's own, then billing details.
    """
    CREATE OR REPLACE VIEW charge_attribution AS
    SELECT
        c.*,
        coalesce(nullif(pi.metadata->>'webinar_id', ''), nullif(c.metadata->>'webinar_id', ''),
                 'unattributed') AS webinar_id,
        coalesce(nullif(pi.metadata->>'registrant_name', ''),
                 nullif(c.metadata->>'registrant_name', ''), c.billing_name) AS registrant_name,
        coalesce(nullif(pi.metadata->>'registrant_email', ''),
                 nullif(c.metadata->>'registrant_email', ''), c.billing_email,
                 c.receipt_email) AS registrant_email,
        coalesce(nullif(pi.metadata->>'registrant_id', ''),
                 nullif(c.metadata->>'registrant_id', '')) AS registrant_id
    FROM stripe_charges c
    LEFT JOIN stripe_payment_intents pi ON pi.id = c.payment_intent
    """,
    # Every movement of money on a paid webinar, one line per charge or refund, with its
    # ledger entries (fee, net in the settlement currency). All revenue figures sum these.
    """
    CREATE OR REPLACE VIEW revenue_lines AS
    WITH ledger AS (
        SELECT source, sum(fee) AS fee, sum(net) AS net, any_value(currency) AS currency
        FROM stripe_balance_transactions
        GROUP BY source
    ),
    paid AS (
        SELECT * FROM charge_attribution WHERE status = 'succeeded'
    )
    SELECT 'charge' AS kind, p.id AS charge_id, p.livemode, p.created, p.webinar_id,
           p.currency, coalesce(l.currency, p.currency) AS settlement_currency,
           p.amount AS gross, 0 AS refunded, coalesce(l.fee, 0) AS fee,
           coalesce(l.net, 0) AS net,
           coalesce(p.registrant_id, lower(p.registrant_email), p.id) AS registrant_key
    FROM paid p LEFT JOIN ledger l ON l.source = p.id
    UNION ALL
    SELECT 'refund', r.charge, r.livemode, r.created, p.webinar_id, p.currency,
           coalesce(l.currency, p.currency), 0,
           CASE WHEN r.status = 'succeeded' THEN r.amount ELSE 0 END,
           coalesce(l.fee, 0), coalesce(l.net, 0), NULL
    FROM stripe_refunds r JOIN paid p ON p.id = r.charge
    LEFT JOIN ledger l ON l.source = r.id
    """,
    # Daily totals, rebuilt after each sync, so pages cost the same at 10k or 1M charges.
    # A registrant counts once, on the day of their first payment for that webinar.
    """
    CREATE TABLE IF NOT EXISTS revenue_daily (
        livemode BOOLEAN NOT NULL,
        day DATE NOT NULL,
        webinar_id VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        settlement_currency VARCHAR NOT NULL,
        gross BIGINT NOT NULL,
        refunded BIGINT NOT NULL,
        fees BIGINT NOT NULL,
        net BIGINT NOT NULL,
        charges BIGINT NOT NULL,
        new_paid_registrants BIGINT NOT NULL
    )
    """,
    # Card payments and their refunds per settlement currency and month (Stripe's ledger).
    """
    CREATE OR REPLACE VIEW monthly_fees AS
    SELECT livemode,
           currency AS settlement_currency,
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
    WHERE type IN ('charge', 'payment', 'refund', 'payment_refund', 'refund_failure')
    GROUP BY livemode, settlement_currency, month
    """,
    """
    CREATE OR REPLACE VIEW fee_types AS
    SELECT t.livemode, t.currency AS settlement_currency, f.type AS fee_type,
           sum(f.amount)::BIGINT AS amount
    FROM stripe_balance_transactions t,
         unnest(from_json(t.fee_details, '[{"type": "VARCHAR", "amount": "BIGINT"}]')) AS u(f)
    GROUP BY t.livemode, settlement_currency, fee_type
    """,
    # One row per succeeded charge: who paid, what came back, Stripe's fee.
    """
    CREATE OR REPLACE VIEW paid_charges AS
    WITH refunds AS (
        SELECT charge, sum(amount) FILTER (WHERE status = 'succeeded') AS refunded
        FROM stripe_refunds GROUP BY charge
    ),
    fees AS (
        SELECT source, sum(fee) AS fee FROM stripe_balance_transactions
        WHERE type IN ('charge', 'payment') GROUP BY source
    )
    SELECT c.livemode, c.webinar_id, c.id AS charge_id, c.registrant_name AS name,
           c.registrant_email AS email, c.currency, c.amount AS amount_paid,
           coalesce(r.refunded, 0)::BIGINT AS amount_refunded,
           coalesce(f.fee, 0)::BIGINT AS fee, c.card_brand, c.created
    FROM charge_attribution c
    LEFT JOIN refunds r ON r.charge = c.id
    LEFT JOIN fees f ON f.source = c.id
    WHERE c.status = 'succeeded'
    """,
    # Every price change: kept forever, shown on the webinar.
    """
    CREATE TABLE IF NOT EXISTS price_changes (
        webinar_id VARCHAR NOT NULL,
        changed_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        changed_by VARCHAR NOT NULL,
        old_amount BIGINT,
        old_currency VARCHAR,
        new_amount BIGINT,
        new_currency VARCHAR
    )
    """,
    # A refund asked for in the console. Written, with its idempotency key, before Stripe
    # is called; Stripe gets that key on every retry, so a request refunds at most once.
    """
    CREATE TABLE IF NOT EXISTS refund_requests (
        request_id VARCHAR PRIMARY KEY,
        idempotency_key VARCHAR NOT NULL UNIQUE,
        livemode BOOLEAN NOT NULL,
        charge_id VARCHAR NOT NULL,
        webinar_id VARCHAR,
        registrant_email VARCHAR,
        amount BIGINT,
        currency VARCHAR NOT NULL,
        reason VARCHAR,
        note VARCHAR,
        cancel_registration BOOLEAN NOT NULL DEFAULT false,
        job_id VARCHAR,
        requested_by VARCHAR NOT NULL,
        requested_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        status VARCHAR NOT NULL,
        stripe_refund_id VARCHAR,
        failure_reason VARCHAR,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )
    """,
    # One refund in flight per charge: a second person gets "in progress", not a refund.
    """
    CREATE TABLE IF NOT EXISTS charge_locks (
        charge_id VARCHAR PRIMARY KEY,
        request_id VARCHAR NOT NULL,
        since TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS cancellation_jobs (
        job_id VARCHAR PRIMARY KEY,
        webinar_id VARCHAR NOT NULL,
        session_no INTEGER,
        reason VARCHAR,
        started_by VARCHAR NOT NULL,
        started_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        finished_at TIMESTAMPTZ
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS cancellation_items (
        job_id VARCHAR NOT NULL,
        item_key VARCHAR NOT NULL,
        name VARCHAR,
        email VARCHAR,
        charge_id VARCHAR,
        currency VARCHAR,
        amount_refunded BIGINT NOT NULL DEFAULT 0,
        outcome VARCHAR NOT NULL,
        detail VARCHAR,
        stripe_refund_id VARCHAR,
        PRIMARY KEY (job_id, item_key)
    )
    """,
    # E-mails sent, by a key derived from what they are about: each is sent once.
    """
    CREATE TABLE IF NOT EXISTS notifications (
        notification_key VARCHAR PRIMARY KEY,
        recipient VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error VARCHAR,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )
    """,
    # Append-only: nothing in the console updates or deletes an entry.
    """
    CREATE TABLE IF NOT EXISTS audit_log (
        logged_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        actor VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        webinar_id VARCHAR,
        subject VARCHAR,
        amount BIGINT,
        currency VARCHAR,
        reason VARCHAR,
        stripe_id VARCHAR,
        before JSON,
        after JSON
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS signin_failures (
        email VARCHAR PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until TIMESTAMPTZ
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS console_sessions (
        token_hash VARCHAR PRIMARY KEY,
        email VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
    )
    """,
)


def apply(con: duckdb.DuckDBPyConnection) -> None:
    for statement in STATEMENTS:
        con.execute(statement)
