"""The window reader against an in-memory list, and the rate governor's arithmetic."""

from __future__ import annotations

import bisect
import random
import threading
import time

import pytest

from console.stripe_api import sync_windows
from console.stripe_api.sync_rate import RateGovernor
from console.stripe_api.sync_windows import (
    FLOOR,
    OpenWindows,
    Window,
    WindowReader,
    split,
    windows_from_json,
    windows_to_json,
)

NOW = 1_750_000_000


class FakeList:
    """A Stripe list, newest first, answering `created` gte/lt, `starting_after`, `limit`."""

    def __init__(self, objects: list[dict]) -> None:
        self.objects = sorted(objects, key=lambda obj: (obj["created"], obj["id"]), reverse=True)
        self.negated = [-obj["created"] for obj in self.objects]
        self.position = {obj["id"]: i for i, obj in enumerate(self.objects)}
        self.requests = 0
        self._lock = threading.Lock()

    def page(self, _stream: str, params: dict) -> dict:
        with self._lock:
            self.requests += 1
        time.sleep(random.uniform(0, 0.002))  # answers come back in any order
        created = params.get("created", {})
        start = 0 if "lt" not in created else bisect.bisect_left(self.negated, -created["lt"] + 1)
        stop = bisect.bisect_right(self.negated, -created.get("gte", 0))
        if "starting_after" in params:
            start = max(start, self.position[params["starting_after"]] + 1)
        chosen = self.objects[start:stop][: params["limit"] + 1]
        return {"data": chosen[: params["limit"]], "has_more": len(chosen) > params["limit"]}


def _objects(count: int, seed: int = 3) -> list[dict]:
    """Clusters of dense days, empty years, and many objects within one second."""
    rng = random.Random(seed)
    created = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.5:
            created.append(NOW - rng.randrange(30 * 86400))  # a busy month
        elif kind < 0.8:
            created.append(NOW - 3 * 365 * 86400 - rng.randrange(86400))  # one day, years ago
        else:
            created.append(NOW - 400 * 86400)  # all in the same second
    return [{"id": f"ob_{i:06d}", "created": at} for i, at in enumerate(created)]


@pytest.fixture
def small_windows(monkeypatch):
    """Windows small enough to split within a few hundred objects."""
    monkeypatch.setattr(sync_windows, "MIN_WINDOW_OBJECTS", 50)
    monkeypatch.setattr(sync_windows, "MAX_WINDOW_OBJECTS", 100)


def _read_all(reader: WindowReader, stop_after: int | None = None) -> tuple[list[str], dict]:
    """Object ids in the order taken, and the open windows after the last page taken."""
    seen: list[str] = []
    open_windows = OpenWindows(reader.initial)
    for number, page in enumerate(reader.pages(), start=1):
        seen += [obj["id"] for obj in page.objects]
        open_windows.follow(page)
        if number == stop_after:
            reader.stop()
            break
    return seen, open_windows.windows


@pytest.mark.parametrize("workers", [1, 3, 16])
def test_every_object_once_whatever_the_workers(small_windows, workers):
    listing = FakeList(_objects(3000))
    reader = WindowReader([Window("things", FLOOR, NOW + 1)], listing.page, workers)

    seen, left = _read_all(reader)

    assert sorted(seen) == sorted(obj["id"] for obj in listing.objects)
    assert left == {}


def test_windows_split_when_workers_are_idle_and_never_when_one_reads(small_windows):
    split_off = {}
    requests = {}
    for workers in (1, 16):
        listing = FakeList(_objects(3000))
        reader = WindowReader([Window("things", FLOOR, NOW + 1)], listing.page, workers)
        split_off[workers] = sum(len(page.new_windows) for page in reader.pages())
        requests[workers] = listing.requests

    assert split_off[1] == 0
    assert split_off[16] >= 3
    # One request per 100 objects; each window adds at most its last, part-filled page.
    assert requests[1] == 30
    assert requests[16] <= 30 + 1 + split_off[16]


def test_an_empty_list_costs_one_request():
    listing = FakeList([])
    reader = WindowReader([Window("things", FLOOR, NOW + 1)], listing.page, 8)

    seen, _ = _read_all(reader)

    assert seen == [] and listing.requests == 1


@pytest.mark.parametrize("stop_after", [1, 5, 17, 40])
def test_stopped_reading_resumes_from_the_open_windows_with_no_gap_and_no_duplicate(
    small_windows, stop_after
):
    listing = FakeList(_objects(3000, seed=5))
    first = WindowReader([Window("things", FLOOR, NOW + 1)], listing.page, 8)
    before, left = _read_all(first, stop_after=stop_after)

    # What is saved is JSON; resume from a copy read back, as a new process would.
    saved = windows_from_json(windows_to_json(list(left.values())))
    after, _ = _read_all(WindowReader(saved, listing.page, 8))

    assert sorted(before + after) == sorted(obj["id"] for obj in listing.objects)


def test_a_worker_error_reaches_the_consumer():
    def broken(_stream: str, _params: dict) -> dict:
        raise RuntimeError("Stripe had an internal error")

    reader = WindowReader([Window("things", FLOOR, NOW + 1)], broken, 4)

    with pytest.raises(RuntimeError, match="internal error"):
        _read_all(reader)


def test_split_covers_the_rest_of_the_window_exactly():
    window = Window("things", 1000, 5000, after="ob_1", after_created=4000, density=2.0)

    kept, *older = split(window, 5)

    assert kept.after == "ob_1" and kept.hi == 5000
    bounds = [(kept.lo, None)] + [(piece.lo, piece.hi) for piece in older]
    for (lo, _hi), (_next_lo, next_hi) in zip(bounds, bounds[1:], strict=False):
        assert next_hi == lo  # no gap, no overlap
    assert older[-1].lo == 1000
    assert all(piece.after is None for piece in older)


def test_split_doubles_so_an_empty_past_costs_few_windows():
    window = Window("things", FLOOR, NOW + 1, after="ob_1", after_created=NOW - 100, density=1.0)

    kept, *older = split(window, 64)

    assert older[-1].lo == FLOOR
    assert len(older) < 25  # from 4,000 seconds to 55 years, doubling


def test_a_429_halves_the_rate_once_per_burst_then_it_recovers():
    governor = RateGovernor(rate=90.0, max_concurrency=8)
    for _ in range(3):  # three answers of one burst
        governor.release(governor.acquire(), 429, "0")
    assert governor.rate == 45.0
    assert governor.throttled == 3

    for _ in range(50):
        governor.release(governor.acquire(), 200, None)
    assert governor.rate == pytest.approx(90.0)


def test_the_rate_never_falls_below_its_floor():
    governor = RateGovernor(rate=80.0, max_concurrency=8)
    for _ in range(10):
        governor._no_cut_until = 0.0  # each 429 a burst of its own
        governor.release(governor.acquire(), 429, "0")
    assert governor.rate == 10.0


def test_in_flight_requests_follow_rate_times_latency():
    governor = RateGovernor(rate=100.0, max_concurrency=64)
    governor._latency = 0.3
    assert governor.wanted_in_flight() == 36
    governor._latency = 0.01
    assert governor.wanted_in_flight() == 2
    assert RateGovernor(rate=100.0, max_concurrency=4).concurrency_limit() == 4
