"""Runs the local Stripe server (console.devtools.stripe_local) as a subprocess for tests.

Use `start_stripe_local()` for an instance of your own, or the session fixture
`stripe_local` (tests/conftest.py imports it, which makes it available to every test).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import stripe

from tests import REPO

API_KEY = "sk_test_local_console"
READY_PREFIX = "stripe-local listening on "
START_TIMEOUT_SECONDS = 30


def _read_ready_line(process: subprocess.Popen[str]) -> str:
    lines: list[str] = []
    # readline() blocks; a thread lets a server that never starts fail the test instead.
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT_SECONDS)
    line = lines[0] if lines else ""
    if not line.startswith(READY_PREFIX):
        process.kill()
        raise RuntimeError(f"stripe-local did not start (first line: {line!r})")
    return line[len(READY_PREFIX) :].strip()


def _wait_until_answering(base_url: str) -> None:
    request = urllib.request.Request(
        base_url + "/v1/account", headers={"Authorization": f"Bearer {API_KEY}"}
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _spawn(store_path: Path | str | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "console.devtools.stripe_local", "--port", "0"]
    if store_path is not None:
        command += ["--store", str(store_path)]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)


def _ready(process: subprocess.Popen[str]) -> str:
    """The base URL of a spawned server, once it answers."""
    base_url = _read_ready_line(process)
    _wait_until_answering(base_url)
    return base_url


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # lets it save its store
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.stdout.close()


def start_stripe_local(store_path: Path | str | None = None) -> tuple[str, Callable[[], None]]:
    """Starts a server on a free port; returns its base URL and a function that stops it."""
    process = _spawn(store_path)
    return _ready(process), lambda: _stop(process)


class FreshServers:
    """Empty in-memory servers for `fresh_stripe`, started while the tests before run.

    Starting a server costs about a second (its imports, then its first answer, which
    imports more), and about 240 tests ask for a fresh one. So `AHEAD` servers are kept
    starting, each asked `GET /v1/account` in the background as `start_stripe_local`
    does before returning. A used server is sent SIGTERM (as `start_stripe_local`'s stop
    does) without waiting for it to exit: it has no store to save, and its recording is
    complete once its test has its answers (the recorder writes each line, line-buffered,
    before answering). Every test still gets a server of its own that nothing else has
    called.
    """

    AHEAD = 2  # one is often not ready yet after a short test

    def __init__(self) -> None:
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stripe-local")
        # Servers started ahead: each with its base URL to come, and the environment it got.
        self._ahead: list[tuple[subprocess.Popen[str], Future[str], dict[str, str]]] = []
        self._stopping: list[subprocess.Popen[str]] = []

    def take(self) -> tuple[str, Callable[[], None]]:
        """A fresh server's base URL, and the function that stops it."""
        self._reap()
        environment = _environment()
        if any(started[2] != environment for started in self._ahead):
            # Started under other variables than this test has set (the server reads some).
            self._stop_ahead()
        if self._ahead:
            process, started, _ = self._ahead.pop(0)
            base_url = started.result()
        else:
            process = _spawn()
            base_url = _ready(process)
        while len(self._ahead) < self.AHEAD:
            following = _spawn()
            self._ahead.append((following, self._starter.submit(_ready, following), environment))
        return base_url, lambda: self._stop_later(process)

    def _stop_later(self, process: subprocess.Popen[str]) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        self._stopping.append(process)

    def _stop_ahead(self) -> None:
        for process, started, _ in self._ahead:
            try:
                started.result()
            except Exception:  # noqa: BLE001, S110 - being stopped; _ready killed it if it hung
                pass
            self._stop_later(process)
        self._ahead.clear()

    def _reap(self) -> None:
        for process in [p for p in self._stopping if p.poll() is not None]:
            process.stdout.close()
            self._stopping.remove(process)

    def close(self) -> None:
        """Stops the servers started ahead, and waits for every server to exit."""
        self._stop_ahead()
        self._starter.shutdown()
        for process in self._stopping:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()
        self._stopping.clear()


def _environment() -> dict[str, str]:
    """The variables a server started now would have (pytest's own per-test one aside)."""
    return {key: value for key, value in os.environ.items() if key != "PYTEST_CURRENT_TEST"}


@dataclass
class StripeLocal:
    base_url: str
    api_key: str = API_KEY

    def client(self, **options: Any) -> stripe.StripeClient:
        """A StripeClient pointed at this server (options override the defaults)."""
        settings: dict[str, Any] = {
            "base_addresses": {"api": self.base_url},
            "max_network_retries": 2,
            **options,
        }
        return stripe.StripeClient(self.api_key, **settings)

    def config(self, path: str, method: str | None = None, **payload: Any) -> Any:
        """Calls a /_config endpoint: POST with a JSON payload, else GET (or `method`)."""
        if not path.startswith("/_config/"):
            path = "/_config/" + path.lstrip("/")
        data = json.dumps(payload).encode() if payload else None
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method or ("POST" if payload else "GET"),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None


@pytest.fixture(scope="session")
def stripe_local() -> Iterator[StripeLocal]:
    base_url, stop = start_stripe_local()
    try:
        yield StripeLocal(base_url)
    finally:
        stop()


@pytest.fixture(scope="session", name="fresh_servers")
def fresh_servers_fixture() -> Iterator[FreshServers]:
    """The session's `FreshServers` (tests/conftest.py's `fresh_stripe` takes from it)."""
    servers = FreshServers()
    try:
        yield servers
    finally:
        servers.close()
