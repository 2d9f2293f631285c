"""Runs the local Stripe server (console.stripe_local) as a subprocess for tests.

Use `start_stripe_local()` for an instance of your own, or the session fixture
`stripe_local` (tests/conftest.py imports it, which makes it available to every test).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import stripe

REPO_ROOT = Path(__file__).resolve().parents[1]
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


def start_stripe_local(store_path: Path | str | None = None) -> tuple[str, Callable[[], None]]:
    """Starts a server on a free port; returns its base URL and a function that stops it."""
    command = [sys.executable, "-m", "console.stripe_local", "--port", "0"]
    if store_path is not None:
        command += ["--store", str(store_path)]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    base_url = _read_ready_line(process)
    _wait_until_answering(base_url)

    def stop() -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # lets it save its store
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stdout.close()

    return base_url, stop


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
