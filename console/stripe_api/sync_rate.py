"""How fast the sync asks Stripe: a paced request rate that backs off on 429, and as many
requests in flight as that rate needs at the latency seen.

Stripe allows about 100 requests a second in live mode and 25 in test mode, per account,
shared with every other client of that account. The governor starts requests no faster
than the configured rate, halves the rate at once on a 429 (and pauses for Retry-After),
then wins it back step by step. It lets rate x latency requests be in flight (Little's
law), so more threads than that never pile onto a slow Stripe. Every HTTP attempt goes
through it, the SDK's own retries included, so those count against the rate too.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from typing import Any

import stripe

from console.settings import StripeSettings, setting

RATE_SETTING = "SYNC_REQUESTS_PER_SECOND"
LIVE_REQUESTS_PER_SECOND = 90.0
TEST_REQUESTS_PER_SECOND = 22.0
MAX_CONCURRENCY = 64
# Workers enough for this much latency at the full rate; the governor admits fewer if
# requests come back sooner.
WORKER_LATENCY_SECONDS = 0.5
INITIAL_LATENCY_SECONDS = 0.25
# After a 429 with no Retry-After: Stripe's limiter refills within about a second.
PAUSE_SECONDS = 0.25
# Starts that may come early to make up for ones that woke late.
BURST = 2
# A 429 halves the rate, never below this share of the configured one.
FLOOR_SHARE = 0.125
# Each success wins back this share of the configured rate.
RECOVERY_SHARE = 0.01


def configured_rate(settings: StripeSettings) -> float:
    """Requests per second: SYNC_REQUESTS_PER_SECOND, else what the key's mode allows."""
    value = setting(RATE_SETTING)
    if value:
        rate = float(value)
        if not rate > 0:
            raise ValueError(f"{RATE_SETTING} must be a positive number, not {value!r}")
        return rate
    return LIVE_REQUESTS_PER_SECOND if settings.livemode else TEST_REQUESTS_PER_SECOND


def default_concurrency(rate: float) -> int:
    if math.isinf(rate):
        return 8  # no rate to fill: enough to overlap waiting for answers with the work

    return max(1, min(MAX_CONCURRENCY, math.ceil(rate * WORKER_LATENCY_SECONDS)))


class RateGovernor:
    """Paces request starts and bounds requests in flight; thread-safe."""

    def __init__(self, rate: float, max_concurrency: int) -> None:
        self.ceiling = rate
        self.rate = rate
        self.max_concurrency = max(1, max_concurrency)
        self.requests = 0
        self.throttled = 0
        self._latency = INITIAL_LATENCY_SECONDS
        self._in_flight = 0
        self._due = 0.0  # when the next start is due at the rate
        self._paused_until = 0.0
        self._no_cut_until = 0.0
        self._cond = threading.Condition()
        self._pacer = threading.Lock()

    def wanted_in_flight(self) -> int:
        """Requests in flight that keep the rate busy at the latency seen (Little's law)."""
        if math.isinf(self.rate):
            return self.max_concurrency
        return max(1, min(self.max_concurrency, math.ceil(self.rate * self._latency * 1.2)))

    def concurrency_limit(self) -> int:
        """Room above what the rate needs, so a latency that grows is seen, not capped."""
        return min(self.max_concurrency, math.ceil(self.wanted_in_flight() * 1.25) + 1)

    def acquire(self) -> float:
        """Wait for a place in flight and a start time; returns the start time."""
        with self._cond:
            while self._in_flight >= self.concurrency_limit():
                self._cond.wait()
            self._in_flight += 1
        # One start at a time, at the rate on average; a start that woke late may be made
        # up for by the next few (at most BURST early), so any second holds at most
        # rate + BURST + 1 starts, and late wake-ups do not lower the rate.
        with self._pacer:
            while True:
                with self._cond:
                    now = time.monotonic()
                    interval = 0.0 if math.isinf(self.rate) else 1 / self.rate
                    earliest = max(self._due - BURST * interval, self._paused_until)
                    if now >= earliest:
                        self._due = max(self._due, now) + interval
                        self.requests += 1
                        return now
                # A 429 while this request waited moves its start: look again after.
                time.sleep(earliest - now)

    def release(self, started: float, status: int | None, retry_after: str | None) -> None:
        """A response (status None: no answer) for a request from `acquire`."""
        with self._cond:
            self._in_flight -= 1
            if status == 429:
                self._back_off(retry_after)
            elif status is not None and status < 400:
                self._latency = 0.8 * self._latency + 0.2 * (time.monotonic() - started)
                self.rate = min(self.ceiling, self.rate + self.ceiling * RECOVERY_SHARE)
            self._cond.notify_all()

    def _back_off(self, retry_after: str | None) -> None:
        now = time.monotonic()
        self.throttled += 1
        # The 429s of requests already in flight are one signal, not several.
        if now >= self._no_cut_until and not math.isinf(self.ceiling):
            self.rate = max(self.ceiling * FLOOR_SHARE, self.rate / 2)
            self._no_cut_until = now + self._latency
        try:
            pause = float(retry_after) if retry_after is not None else PAUSE_SECONDS
        except ValueError:
            pause = PAUSE_SECONDS
        self._paused_until = max(self._paused_until, now + pause)


class GovernedHTTPClient(stripe.RequestsClient):
    """The SDK's HTTP client, with every attempt paced and observed by a governor."""

    def __init__(self, governor: RateGovernor) -> None:
        super().__init__()
        self.governor = governor

    def request(
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        started = self.governor.acquire()
        status = retry_after = None
        try:
            content, status, response_headers = super().request(method, url, headers, post_data)
            retry_after = response_headers.get("retry-after")
            return content, status, response_headers
        finally:
            self.governor.release(started, status, retry_after)
