"""console/stripe_api/sync_rate.py: the configured rate per key mode, and the governor that
paces starts, halves the rate on a 429, wins it back, and bounds requests in flight.

The governor's clock is replaced by a fake one (its module's `time` only), so pacing is
checked in exact simulated seconds, never against the wall clock."""

from __future__ import annotations

import math
import threading

import pytest

from console.settings import StripeSettings
from console.stripe_api import gateway, sync_rate
from console.stripe_api.sync_rate import GovernedHTTPClient, RateGovernor

TEST_KEY = StripeSettings("sk_test_abc", "http://127.0.0.1:1")
LIVE_KEY = StripeSettings("sk_live_abc", "http://127.0.0.1:1")


class FakeClock:
    """time.monotonic and time.sleep for sync_rate: sleeping moves the clock at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(sync_rate, "time", fake)
    return fake


def _starts(governor: RateGovernor, count: int, status: int = 200) -> list[float]:
    started = []
    for _ in range(count):
        start = governor.acquire()
        started.append(start)
        governor.release(start, status, None)
    return started


# --- the configured rate -------------------------------------------------------------------


def test_the_rate_follows_the_keys_mode(monkeypatch):
    monkeypatch.delenv(sync_rate.RATE_SETTING, raising=False)
    assert sync_rate.configured_rate(TEST_KEY) == sync_rate.TEST_REQUESTS_PER_SECOND == 22.0
    assert sync_rate.configured_rate(LIVE_KEY) == sync_rate.LIVE_REQUESTS_PER_SECOND == 90.0
    restricted = StripeSettings("rk_live_abc", "http://127.0.0.1:1")
    assert sync_rate.configured_rate(restricted) == 90.0


def test_a_configured_rate_overrides_the_modes(monkeypatch):
    monkeypatch.setenv("SYNC_REQUESTS_PER_SECOND", "7.5")
    assert sync_rate.configured_rate(TEST_KEY) == 7.5
    assert sync_rate.configured_rate(LIVE_KEY) == 7.5


@pytest.mark.parametrize("value", ["0", "-3", "nan"])
def test_a_configured_rate_must_be_positive(monkeypatch, value):
    monkeypatch.setenv("SYNC_REQUESTS_PER_SECOND", value)
    with pytest.raises(
        ValueError, match=f"SYNC_REQUESTS_PER_SECOND must be a positive number, not '{value}'"
    ):
        sync_rate.configured_rate(TEST_KEY)


def test_default_concurrency_fills_the_rate_at_half_a_second_of_latency():
    assert sync_rate.default_concurrency(22) == 11
    assert sync_rate.default_concurrency(90) == 45
    assert sync_rate.default_concurrency(1000) == sync_rate.MAX_CONCURRENCY
    assert sync_rate.default_concurrency(0.5) == 1
    assert sync_rate.default_concurrency(math.inf) == 8


# --- the governor -------------------------------------------------------------------------


def test_requests_in_flight_follow_littles_law():
    governor = RateGovernor(22, 64)
    # 22 requests a second at the initial 0.25 s latency, with a fifth spare, then a quarter
    # more room and one more, so a growing latency is seen.
    assert governor.wanted_in_flight() == math.ceil(22 * 0.25 * 1.2) == 7
    assert governor.concurrency_limit() == 10
    assert RateGovernor(22, 4).concurrency_limit() == 4
    assert RateGovernor(math.inf, 12).wanted_in_flight() == 12
    assert RateGovernor(1, 0).max_concurrency == 1


def test_starts_are_paced_at_the_rate_with_a_burst_of_two(clock):
    governor = RateGovernor(10, 64)
    started = _starts(governor, 23)
    offsets = [round(s - started[0], 6) for s in started]
    # Three at once (the first and a burst of two), then one every tenth of a second.
    assert offsets[:3] == [0.0, 0.0, 0.0]
    assert offsets[3:] == [round(0.1 * n, 6) for n in range(1, 21)]
    # So no second holds more than rate + BURST + 1 starts.
    for first in offsets:
        assert sum(first <= s < first + 1 for s in offsets) <= 10 + sync_rate.BURST + 1
    assert governor.requests == 23


def test_an_infinite_rate_never_waits(clock):
    governor = RateGovernor(math.inf, 8)
    assert len(set(_starts(governor, 50))) == 1
    assert clock.slept == []


def test_a_429_halves_the_rate_once_per_signal_down_to_the_floor(clock):
    governor = RateGovernor(80, 64)
    first, second = governor.acquire(), governor.acquire()
    governor.release(first, 429, None)
    assert governor.rate == 40 and governor.throttled == 1
    # The 429 of a request that was already in flight is the same signal.
    governor.release(second, 429, None)
    assert governor.rate == 40 and governor.throttled == 2
    for _ in range(6):
        clock.advance(1.0)  # past the latency: a new signal
        governor.release(governor.acquire(), 429, None)
    assert governor.rate == 80 * sync_rate.FLOOR_SHARE == 10


def test_successes_win_the_rate_back_step_by_step_up_to_the_ceiling(clock):
    governor = RateGovernor(100, 64)
    governor.release(governor.acquire(), 429, None)
    assert governor.rate == 50
    _starts(governor, 10)
    assert governor.rate == pytest.approx(50 + 10 * 100 * sync_rate.RECOVERY_SHARE)
    _starts(governor, 100)
    assert governor.rate == 100


def test_errors_and_lost_answers_neither_cut_nor_win_back_the_rate(clock):
    governor = RateGovernor(100, 64)
    governor.release(governor.acquire(), 429, None)
    for status in (500, 404, None):
        governor.release(governor.acquire(), status, None)
    assert governor.rate == 50 and governor.throttled == 1


def test_retry_after_pauses_every_start(clock):
    governor = RateGovernor(math.inf, 8)
    start = governor.acquire()
    governor.release(start, 429, "2")
    assert governor.acquire() == start + 2
    assert governor.rate == math.inf  # no rate to cut


@pytest.mark.parametrize("retry_after", [None, "soon"], ids=["absent", "not a number"])
def test_without_a_usable_retry_after_the_pause_is_a_quarter_second(clock, retry_after):
    governor = RateGovernor(math.inf, 8)
    start = governor.acquire()
    governor.release(start, 429, retry_after)
    assert governor.acquire() == start + sync_rate.PAUSE_SECONDS


def test_threads_never_have_more_requests_in_flight_than_the_limit(clock):
    governor = RateGovernor(40, 6)
    limit = governor.concurrency_limit()
    guard = threading.Lock()
    in_flight, most = 0, 0

    def worker() -> None:
        nonlocal in_flight, most
        for _ in range(20):
            start = governor.acquire()
            with guard:
                in_flight += 1
                most = max(most, in_flight)
            with guard:
                in_flight -= 1
            governor.release(start, 200, None)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= most <= limit <= 6
    assert governor.requests == 240


# --- every HTTP attempt goes through the governor ------------------------------------------


def test_the_governed_client_counts_each_attempt_and_backs_off_on_a_429(fresh_stripe):
    governor = RateGovernor(1000, 4)
    client = gateway.client(http_client=GovernedHTTPClient(governor))
    assert gateway.retrieve_account(client)["object"] == "account"
    assert (governor.requests, governor.throttled, governor.rate) == (1, 0, 1000)

    # From now on every second request is answered 429 (Retry-After: 0): the SDK retries.
    fresh_stripe.config("faults", status=429, every=2)
    assert gateway.retrieve_account(client)["object"] == "account"
    assert gateway.retrieve_balance(client)["object"] == "balance"
    assert governor.requests == 4  # the 429 and its retry count against the rate
    assert governor.throttled == 1 and governor.rate < 1000
    assert fresh_stripe.config("stats")["faults_injected"] == 1
