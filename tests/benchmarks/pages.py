"""Page cost against data size: each page through AppTest at 10k and at 1M charges.

The mirror is filled straight from SQL (with refunds and balance transactions), because
that is what the pages read; going through Stripe would only measure Stripe.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from console.services.access import ADMIN, Actor
from console.store import db, rollups
from tests.accounts import signed_in

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "streamlit_app.py"
PAGES = {
    "revenue": None,
    "registrants": "pages/registrants.py",
    "fees": "pages/fees.py",
    "sync status": "pages/sync_status.py",
}
SPAN_SECONDS = 2 * 365 * 86400

FILL = """
INSERT INTO stripe_payment_intents
SELECT 'pi_' || i, false, $start + i * $span // $n, amount, currency, 'succeeded', 'ch_' || i,
       json_object('webinar_id', 'wb_' || (i % 40), 'registrant_email', 'p' || i || '@example.org',
                   'registrant_name', 'Person ' || i), '{}', 0
FROM (SELECT i, [4900, 2900, 3000, 5000][i % 4 + 1] AS amount,
             ['usd', 'eur', 'gbp', 'jpy'][i % 4 + 1] AS currency FROM range($n) t(i));
INSERT INTO stripe_charges (id, livemode, created, amount, currency, status, captured, disputed,
       payment_intent, balance_transaction, metadata, card_brand, raw, snapshot_at)
SELECT 'ch_' || substr(id, 4), false, created, amount, currency, 'succeeded', true, false, id,
       'txn_' || substr(id, 4), '{}', 'visa', '{}', 0
FROM stripe_payment_intents;
INSERT INTO stripe_balance_transactions
SELECT 'txn_' || substr(id, 4), false, created, created, 'charge', 'charge', id, amount,
       amount * 29 // 1000 + 30, amount - (amount * 29 // 1000 + 30), currency, NULL,
       'available', '[{"type": "stripe_fee", "amount": ' || (amount * 29 // 1000 + 30) || '}]',
       '{}', 0
FROM stripe_charges;
INSERT INTO stripe_refunds
SELECT 're_' || substr(id, 4), false, created + 3600, id, payment_intent, 100, currency,
       'succeeded', 'requested_by_customer', 'txn_r' || substr(id, 4), '{}', '{}', 0
FROM stripe_charges WHERE hash(id) % 10 = 0;
INSERT INTO stripe_balance_transactions
SELECT 'txn_r' || substr(id, 4), false, created, created, 'refund', 'refund', id, -amount, 0,
       -amount, currency, NULL, 'available', '[]', '{}', 0
FROM stripe_refunds;
INSERT INTO sync_runs VALUES ('bench', false, 'full', now(), now(), 'succeeded', $n, 0, NULL);
"""


def build_database(path: Path, charges: int) -> float:
    """Fill a mirror with `charges` charges; returns the seconds the rollup rebuild took."""
    os.environ["CONSOLE_DB"] = str(path)
    with db.connect(write=True) as con:
        values = {"n": charges, "start": int(time.time()) - SPAN_SECONDS, "span": SPAN_SECONDS}
        for statement in filter(str.strip, FILL.split(";")):
            used = {k: v for k, v in values.items() if f"${k}" in statement}
            con.execute(statement, used)
    started = time.perf_counter()
    with db.connect(write=True) as con:
        rollups.rebuild(con)
    return time.perf_counter() - started


def time_page(page: str | None, runs: int = 3) -> float:
    """Median seconds from AppTest.run() to done, with cold caches each time."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    seconds = []
    for _ in range(runs):
        st.cache_data.clear()
        app = AppTest.from_file(str(APP), default_timeout=300)
        signed_in(app, Actor("admin@example.org", ADMIN))  # signed in
        app.query_params["webinar"] = "wb_7"
        if page:
            app.run()
            st.cache_data.clear()
            started = time.perf_counter()
            app.switch_page(page).run()
        else:
            started = time.perf_counter()
            app.run()
        seconds.append(time.perf_counter() - started)
        assert not app.exception, app.exception
    return statistics.median(seconds)


def bench_pages(small: int = 10_000, large: int = 1_000_000) -> list[str]:
    os.environ.setdefault("STRIPE_API_KEY", "sk_test_bench")
    timings: dict[int, dict[str, float]] = {}
    rebuilds: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in (small, large):
            rebuilds[size] = build_database(Path(folder) / f"pages_{size}.duckdb", size)
            time_page(None, runs=1)  # warm imports
            timings[size] = {name: time_page(page) for name, page in PAGES.items()}
            print(f"pages at {size:,} charges: {timings[size]}", flush=True)
    lines = [
        "## Page cost against data size (issue 3)",
        "",
        f"Median of 3 cold-cache `AppTest.run()` per page; {small:,} against {large:,} charges "
        "(each with its balance transaction; a refund on one charge in ten).",
        "",
        f"| page | {small:,} charges | {large:,} charges | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in PAGES:
        a, b = timings[small][name], timings[large][name]
        lines.append(f"| {name} | {a * 1000:,.0f} ms | {b * 1000:,.0f} ms | {b / a:.2f} |")
    lines += [
        "",
        f"Rebuilding the page aggregates after a sync: {rebuilds[small]:.2f} s at {small:,} "
        f"charges, {rebuilds[large]:.2f} s at {large:,}.",
        "",
    ]
    return lines
