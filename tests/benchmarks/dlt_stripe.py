"""dlt's way with Stripe, against the benchmark's page server: run in a virtualenv of its own.

dlt's `stripe_analytics` verified source makes one dlt resource per endpoint that pages
through `stripe.<Resource>.list(created=..., limit=100, starting_after=...)` one request
at a time, and a dlt pipeline loads what it yields (here into DuckDB). `dlt init` fetches
that source from GitHub, out of reach here, so this file does the same with dlt itself.

    python dlt_stripe.py BASE_URL DUCKDB_PATH CREATED_GTE CREATED_LT WORK_DIR

Prints one JSON line: objects loaded and the seconds the pipeline run took.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator

ENDPOINTS = ("Charge", "PaymentIntent", "BalanceTransaction", "Refund")


def main() -> None:
    base, database, gte, lt, work_dir = sys.argv[1:6]
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    import dlt
    import stripe

    stripe.api_key = "sk_test_bench"
    stripe.api_base = base

    def pages(endpoint: str) -> Iterator[list[dict]]:
        starting_after = None
        while True:
            params = {"created": {"gte": int(gte), "lt": int(lt)}, "limit": 100}
            if starting_after:
                params["starting_after"] = starting_after
            response = getattr(stripe, endpoint).list(**params).to_dict()
            if response["data"]:
                starting_after = response["data"][-1]["id"]
            yield response["data"]
            if not response["has_more"]:
                return

    @dlt.source
    def stripe_source():
        for endpoint in ENDPOINTS:
            yield dlt.resource(pages, name=endpoint, write_disposition="replace")(endpoint)

    pipeline = dlt.pipeline(
        pipeline_name="bench_stripe",
        destination=dlt.destinations.duckdb(database),
        dataset_name="stripe",
        pipelines_dir=work_dir,
    )
    started = time.perf_counter()
    pipeline.run(stripe_source())
    seconds = time.perf_counter() - started
    with pipeline.sql_client() as client:
        objects = sum(
            client.execute_sql(f"SELECT count(*) FROM {endpoint.lower()}")[0][0]  # noqa: S608
            for endpoint in ("charge", "payment_intent", "balance_transaction", "refund")
        )
    print(json.dumps({"objects": objects, "seconds": seconds, "dlt": dlt.__version__}))


if __name__ == "__main__":
    main()
