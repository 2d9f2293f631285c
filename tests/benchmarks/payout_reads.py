"""What reading payouts adds to a full sync (issue 15): the demo's six months, paid out
daily, synced in full twice in the same run, with each new payout's list of balance
transactions (`?payout=`) and without it (the baseline: the sync before payouts were traced).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from unittest import mock

from console.devtools import demo
from console.settings import StripeSettings
from console.store import db
from console.stripe_api import gateway, sync
from tests.stripe_local_fixture import API_KEY, start_stripe_local

# The local Stripe's own pace: what is compared is requests, and seconds at the same pace.
RATE = 200.0


def _full_sync(settings: StripeSettings, database: Path, trace_payouts: bool):
    os.environ["CONSOLE_DB"] = str(database)
    db._close_all()
    started = time.monotonic()
    if trace_payouts:
        result = sync.run_sync(full=True, settings=settings, requests_per_second=RATE)
    else:
        with mock.patch.object(sync, "_read_payouts", lambda session: None):
            result = sync.run_sync(full=True, settings=settings, requests_per_second=RATE)
    return result.requests, time.monotonic() - started


def bench_payout_reads() -> list[str]:
    base_url, stop = start_stripe_local()
    try:
        settings = StripeSettings(API_KEY, base_url)
        with tempfile.TemporaryDirectory() as folder:
            os.environ["CONSOLE_DB"] = str(Path(folder) / "demo.duckdb")
            with mock.patch.dict(
                os.environ, {"STRIPE_API_KEY": API_KEY, "STRIPE_API_BASE": base_url}
            ):
                demo.seed_demo(settings)
            # A request at the present runs the payout schedule before either sync is timed.
            gateway.retrieve_balance(gateway.client(settings))
            without = _full_sync(settings, Path(folder) / "without.duckdb", trace_payouts=False)
            traced = _full_sync(settings, Path(folder) / "with.duckdb", trace_payouts=True)
            with db.connect() as con:
                payouts = con.execute("SELECT count(*) FROM stripe_payouts").fetchone()[0]
    finally:
        stop()
        gateway._client_for.cache_clear()
    lines = [
        "## Payouts in a full sync (issue 15)",
        "",
        f"The demo (six months, {payouts} daily payouts), synced in full at {RATE:.0f} requests a "
        "second against the local Stripe, with each payout's list of balance transactions "
        "read (several at once) and without (baseline).",
        "",
        "| full sync | requests | seconds |",
        "| --- | ---: | ---: |",
        f"| without payouts' contents (baseline) | {without[0]} | {without[1]:.1f} |",
        f"| with them (the console) | {traced[0]} | {traced[1]:.1f} |",
        f"| ratio | {traced[0] / without[0]:.2f} | {traced[1] / without[1]:.2f} |",
        "",
        "One request per payout, once: an incremental run reads only new payouts' lists.",
    ]
    for line in lines:
        print(line, flush=True)
    return lines
