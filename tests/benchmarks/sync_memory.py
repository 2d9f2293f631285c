"""Peak memory of one backfill, in a process of its own (run by tests/benchmarks/run.py).

    python sync_memory.py CHARGES [--trace]

Serves CHARGES charges (with their payment intents, balance transactions and a refund on
every tenth) without latency, backfills them into a new database and prints one JSON
line: objects, the process's peak resident memory when the backfill ends (before the
page aggregates are rebuilt), and with --trace the peak of the Python heap (tracemalloc).
"""

from __future__ import annotations

import json
import math
import os
import resource
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from console.settings import StripeSettings  # noqa: E402
from console.stripe_api import sync  # noqa: E402
from tests.benchmarks.run import BENCH_KEY, start_page_server  # noqa: E402


def peak_rss_mb() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    charges, trace = int(sys.argv[1]), "--trace" in sys.argv
    server, base = start_page_server(0, "--charges", str(charges))
    marks: dict[str, float] = {}

    def note(progress: sync.SyncProgress) -> None:
        if progress.phase == "totals" and "rss" not in marks:
            marks["rss"] = peak_rss_mb()
            if trace:
                marks["heap"] = tracemalloc.get_traced_memory()[1] / 2**20

    try:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["CONSOLE_DB"] = str(Path(folder) / "memory.duckdb")
            if trace:
                tracemalloc.start()
            result = sync.run_sync(
                full=True,
                settings=StripeSettings(api_key=BENCH_KEY, api_base=base),
                on_progress=note,
                requests_per_second=math.inf,
                max_concurrency=4,
            )
    finally:
        server.terminate()
        server.wait()
    print(json.dumps({"objects": result.objects, **marks}))


if __name__ == "__main__":
    main()
