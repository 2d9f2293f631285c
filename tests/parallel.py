"""The test session on several processes (pytest-xdist: `make test` and `make test-fast`
run `-n auto --dist loadfile --no-loadscope-reorder`).

- A test file runs on one worker, in its order: a world its module-scoped fixtures seed
  is seeded once, and tests that lean on the ones before them in their file (the
  browser tests) see them.
- The workers' queue starts with the longest files, as long as the session before took
  (pytest's cache, `.pytest_cache`), so no long file starts last while the other worker
  has run out of work. Tests the cache does not know yet count as an average one;
  without a cache the order is the files' order.
- The files that use the session's shared `stripe_local` server stay in the files' order
  (one block, as long as all of them): each of their tests sees what those before it on
  its worker left there, as it would in a session of one process.

tests/devtools/stripe_local/recording.py keeps the conformance tests last, and out of
the workers.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.devtools.stripe_local.recording import is_xdist_worker

DURATIONS = "console/durations"  # the cache's key: seconds per test id
SHARED_SERVER = "stripe_local"  # the session-scoped fixture (tests/stripe_local_fixture.py)


class Parallel:
    def __init__(self) -> None:
        self._durations: dict[str, float] = defaultdict(float)

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]):
        if not is_xdist_worker(config):
            return
        cache = getattr(config, "cache", None)
        known = cache.get(DURATIONS, {}) if cache else {}
        average = sum(known.values()) / len(known) if known else 0.0
        shared = {
            _file(item) for item in items if SHARED_SERVER in getattr(item, "fixturenames", ())
        }
        block = {item: SHARED_SERVER if _file(item) in shared else _file(item) for item in items}
        cost: dict[str, float] = defaultdict(float)
        for item in items:
            cost[block[item]] += known.get(item.nodeid, average)
        # A stable sort: each block keeps its order. Every worker sorts the same
        # collection with the same cache, into the same order.
        items.sort(key=lambda item: -cost[block[item]])

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._durations[report.nodeid] += report.duration

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        cache = getattr(config, "cache", None)
        if is_xdist_worker(config) or cache is None or not self._durations:
            return
        known = cache.get(DURATIONS, {})
        known.update({nodeid: round(seconds, 3) for nodeid, seconds in self._durations.items()})
        cache.set(DURATIONS, known)


def _file(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]
