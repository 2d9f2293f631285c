"""`make bench`: sync throughput against pre-generated Stripe pages, with a baseline.

Each figure is a ratio against a baseline measured in the same run, because these
machines are noisy: the baseline fetches the very same pages with the same SDK client
and throws them away, so the ratio is what the sync itself costs.
"""

from __future__ import annotations

import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from console.settings import STREAMS, StripeSettings  # noqa: E402
from console.stripe_api import gateway, sync  # noqa: E402

SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000").split(","))
BENCH_KEY = "sk_test_bench"


def start_page_server(objects: int, *extra: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("stripe_pages.py")),
            "--objects",
            str(objects),
            "--port",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    return process, line.rsplit(" ", 1)[1].strip()


def fetch_only(settings: StripeSettings) -> tuple[int, float]:
    """Baseline: every page the sync reads, fetched with the same client and discarded."""
    client = gateway.client(settings)
    objects, started = 0, time.perf_counter()
    for stream, _table in STREAMS:
        objects += sum(1 for _ in gateway.every_object(client, stream))
    return objects, time.perf_counter() - started


def full_sync(settings: StripeSettings) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CONSOLE_DB"] = str(Path(folder) / "bench.duckdb")
        started = time.perf_counter()
        # No rate limit here: this measures what the sync itself costs.
        result = sync.run_sync(full=True, settings=settings, requests_per_second=math.inf)
        return result.objects, time.perf_counter() - started


def bench_full_sync() -> list[str]:
    lines = [
        "## Full sync against pre-generated pages (issue 2)",
        "",
        "| objects | fetch only (baseline) | full sync into DuckDB | sync / baseline |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for size in SIZES:
        server, base = start_page_server(size)
        try:
            settings = StripeSettings(api_key=BENCH_KEY, api_base=base)
            fetched, fetch_seconds = fetch_only(settings)
            synced, sync_seconds = full_sync(settings)
        finally:
            server.terminate()
            server.wait()
        assert fetched == synced, (fetched, synced)
        fetch_rate, sync_rate = fetched / fetch_seconds, synced / sync_seconds
        lines.append(
            f"| {size:,} | {fetch_rate:,.0f} objects/s | {sync_rate:,.0f} objects/s | "
            f"{sync_rate / fetch_rate:.2f} |"
        )
        print(lines[-1], flush=True)
    return lines


def previous_section(title: str, problem: Exception) -> list[str]:
    """A section of the last BENCHMARKS.md, kept (and said so) when it cannot be measured."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else ""
    for section in re.split(r"(?m)^(?=## )", text):
        if section.startswith(title):
            kept = section.rstrip("\n").splitlines()
            break
    else:
        kept = [title, ""]
    reason = f"{problem.__class__.__name__}: {str(problem).splitlines()[0]}"
    return kept + ["", f"*Not measured again by this run ({reason}); figures from before.*"]


def kept_soak_section() -> list[str]:
    from tests.benchmarks.soak import TITLE

    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else ""
    for section in re.split(r"(?m)^(?=## )", text):
        if section.startswith(TITLE):
            return [""] + section.rstrip("\n").splitlines()
    return []


def main() -> None:
    header = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "Ratios compare against a baseline measured in the same run.",
        "",
    ]
    sections = bench_full_sync()
    from tests.benchmarks.event_reads import bench_event_reads
    from tests.benchmarks.pages import bench_pages
    from tests.benchmarks.payout_reads import bench_payout_reads
    from tests.benchmarks.sync_speed import bench_sync_speed

    sections += [""] + bench_sync_speed()
    sections += [""] + bench_event_reads()
    sections += [""] + bench_payout_reads()
    try:
        sections += [""] + bench_pages()
    except Exception as problem:  # noqa: BLE001 - the other sections still get written
        print(f"page benchmark failed: {problem}", flush=True)
        sections += [""] + previous_section("## Page cost", problem)
    sections += kept_soak_section()  # `make soak` writes it, not `make bench`
    (ROOT / "BENCHMARKS.md").write_text("\n".join(header + sections) + "\n")
    print("wrote BENCHMARKS.md")


if __name__ == "__main__":
    main()
