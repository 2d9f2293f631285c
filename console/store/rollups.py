"""Aggregates the pages read, rebuilt from the mirror after every sync."""

from __future__ import annotations

import duckdb

from console.store import db

REBUILD_REVENUE_DAILY = """
DELETE FROM revenue_daily;
INSERT INTO revenue_daily (livemode, day, webinar_id, currency, settlement_currency, gross,
                           refunded, disputed, fees, net, charges, new_paid_registrants)
WITH all_lines AS MATERIALIZED (  -- read twice below: worked out once
    SELECT * FROM revenue_lines
),
first_payment AS (
    SELECT livemode, webinar_id, currency, registrant_key, min(created) AS created,
           arg_min(settlement_currency, created) AS settlement_currency
    FROM all_lines WHERE kind = 'charge'
    GROUP BY livemode, webinar_id, currency, registrant_key
),
lines AS (
    SELECT livemode, CAST(epoch_ms(created * 1000) AS DATE) AS day, webinar_id, currency,
           settlement_currency, gross, refunded, disputed, fee, net,
           CASE WHEN kind = 'charge' THEN 1 ELSE 0 END AS charge, 0 AS newcomer
    FROM all_lines
    UNION ALL
    SELECT livemode, CAST(epoch_ms(created * 1000) AS DATE), webinar_id, currency,
           settlement_currency, 0, 0, 0, 0, 0, 0, 1
    FROM first_payment
)
SELECT livemode, day, webinar_id, currency, settlement_currency,
       sum(gross), sum(refunded), sum(disputed), sum(fee), sum(net), sum(charge), sum(newcomer)
FROM lines
GROUP BY livemode, day, webinar_id, currency, settlement_currency;
"""


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute what the pages read, in the caller's transaction."""
    con.execute(REBUILD_REVENUE_DAILY)
    # Stored in webinar order: reading one webinar's registrants touches its row groups only.
    con.execute(
        "CREATE OR REPLACE TABLE charge_facts AS SELECT * FROM paid_charges "
        "ORDER BY livemode, webinar_id, created"
    )
    con.execute("CREATE OR REPLACE TABLE fees_by_month AS SELECT * FROM monthly_fees")
    con.execute("CREATE OR REPLACE TABLE fees_by_type AS SELECT * FROM fee_types")
    # Pages key their caches on this, so a refund shows at once, not after the next sync.
    con.execute("CREATE OR REPLACE TABLE rollup_state AS SELECT now() AS built_at")


def refresh() -> None:
    """Rebuild in a transaction of its own, after a change outside the sync (a refund)."""
    with db.connect(write=True) as con:
        rebuild(con)


def built_at() -> str:
    with db.connect() as con:
        try:
            row = con.execute("SELECT built_at FROM rollup_state").fetchone()
        except duckdb.CatalogException:
            return "never"
    return str(row[0]) if row else "never"
