"""Runs the local Stripe server (console.devtools.stripe_local) as a process of its own for
tests.

Use `start_stripe_local()` for an instance of your own, or the session fixture
`stripe_local` (tests/conftest.py imports it, which makes it available to every test).

Every server is a new process that runs `python -m console.devtools.stripe_local`'s
`main()` with the test's environment, and starts with nothing in it but what `--store`
names. Starting one from scratch costs about a second (its imports, then its first
answers, which import and derive more from the SDK), and about 240 tests ask for one. So
the servers are forked from a `_Zygote`: one process per test session that imported the
server's modules and answered a few requests (in a server of its own, thrown away before
it forks), so each server starts with what it would have imported and cached anyway.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
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
# The account as it is before its owner finishes Stripe's onboarding (POST /_config/account).
UNVERIFIED_ACCOUNT = {
    "charges_enabled": False,
    "details_submitted": False,
    "requirements": {
        "currently_due": ["external_account", "tos_acceptance.date"],
        "eventually_due": [],
        "past_due": [],
        "disabled_reason": None,
    },
}
START_TIMEOUT_SECONDS = 30
RECORD_ENV = "STRIPE_LOCAL_RECORD"  # console.devtools.stripe_local.app reads it in build_app


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


# ------------------------------------------------------------------ the zygote


class _Zygote:
    """The process the servers are forked from (see the module's docstring).

    It runs `_zygote_main` and takes requests on a Unix socket: each names the server's
    arguments and environment and carries two file descriptors, the write end of a pipe
    for the server's standard output and the caller's standard error. It answers with
    the new server's pid. The server alone holds the write end of that pipe, so the
    pipe's end of file tells the caller that the server has exited.
    """

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        code = "from tests.stripe_local_fixture import _zygote_main; _zygote_main()"
        self._process = subprocess.Popen(
            [sys.executable, "-c", code, str(theirs.fileno())],
            cwd=REPO,
            env={k: v for k, v in os.environ.items() if k != RECORD_ENV},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            pass_fds=[theirs.fileno()],
        )
        theirs.close()
        self._socket = ours
        self._lock = threading.Lock()

    def fork(self, argv: list[str]) -> _Server:
        read_end, write_end = os.pipe()
        try:
            request = json.dumps({"argv": argv, "env": dict(os.environ)}).encode()
            with self._lock:
                socket.send_fds(self._socket, [request], [write_end, 2])
                answer = self._socket.recv(64)
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        if not answer:
            os.close(read_end)
            raise RuntimeError(f"the stripe-local zygote exited ({self._process.poll()})")
        return _Server(int(answer), read_end)

    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        self._socket.close()  # the zygote exits at the end of its socket
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


_zygote: _Zygote | None = None
_zygote_lock = threading.Lock()


def _the_zygote() -> _Zygote:
    global _zygote
    with _zygote_lock:
        if _zygote is None or not _zygote.alive():
            if _zygote is None:
                atexit.register(close_zygote)
            _zygote = _Zygote()
        return _zygote


def close_zygote() -> None:
    """Stops the zygote (the servers forked from it run on until stopped)."""
    global _zygote
    with _zygote_lock:
        if _zygote is not None:
            _zygote.close()
            _zygote = None


class _Server:
    """A forked server, as much of `subprocess.Popen` as these fixtures use. It is the
    zygote's child, not ours: its exit shows as the end of its standard output."""

    def __init__(self, pid: int, stdout: int) -> None:
        self.pid = pid
        self._stdout: int | None = stdout
        self._pending = b""
        self._exited = False

    def readline(self, timeout: float) -> str:
        """Its first line of output ("" if it exits or says nothing within `timeout`)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending and self._read(deadline - time.monotonic()):
            pass
        line, newline, self._pending = self._pending.partition(b"\n")
        return (line + newline).decode() if newline else ""

    def _read(self, timeout: float) -> bool:
        """Reads what it wrote within `timeout`; False once it has exited or after that."""
        if self._exited or self._stdout is None or timeout < 0:
            return False
        if not select.select([self._stdout], [], [], timeout)[0]:
            return False
        chunk = os.read(self._stdout, 65536)
        if not chunk:
            self._exited = True
            return False
        self._pending += chunk
        return True

    def poll(self) -> int | None:
        """0 once it has exited (its exit status is the zygote's to read), else None."""
        while self._read(0):
            pass
        return 0 if self._exited else None

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while not self._exited:
            if not self._read(deadline - time.monotonic()) and not self._exited:
                if time.monotonic() >= deadline:
                    raise subprocess.TimeoutExpired(f"stripe-local {self.pid}", timeout)
        return 0

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def close(self) -> None:
        if self._stdout is not None:
            os.close(self._stdout)
            self._stdout = None


def _zygote_main() -> None:
    """The zygote: warm up, then fork a server for each request until the socket ends."""
    requests = socket.socket(fileno=int(sys.argv[1]))
    try:
        _warm_up()
    except Exception:  # noqa: BLE001 - each server then fails to start, and says why
        traceback.print_exc()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the servers
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(requests, 1 << 20, 2)
        except OSError:
            return
        if not message:
            return
        pid = os.fork()
        if pid == 0:
            _run_server(requests, fds, json.loads(message))
        for fd in fds:
            os.close(fd)
        requests.send(str(pid).encode())


def _run_server(requests: socket.socket, fds: list[int], request: dict[str, Any]) -> None:
    """In a forked child: `python -m console.devtools.stripe_local` with the request's
    arguments, environment, standard output and standard error. Never returns."""
    status = 1
    try:
        requests.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        stdout, stderr = fds
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        os.close(stdout)
        os.close(stderr)
        os.environ.clear()
        os.environ.update(request["env"])
        from console.devtools.stripe_local.__main__ import main

        main(request["argv"])
        status = 0
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported, then the child exits
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001, S110 - exiting anyway
                pass
        os._exit(status)


# What the warm-up asks: the calls the console and the tests make most, so that a forked
# server has imported the SDK's classes and derived its checks for them already.
_PAY = {
    "amount": "4900",
    "currency": "usd",
    "payment_method": "pm_card_visa",
    "allowed_payment_method_types[0]": "card",
    "confirm": "true",
    "metadata[webinar_id]": "wb_warm",
    "metadata[registrant_email]": "warm@example.org",
}
_LISTS = (
    "charges",
    "refunds",
    "payment_intents",
    "balance_transactions",
    "disputes",
    "events",
    "customers",
    "payment_methods",
)


def _warm_up() -> None:
    """Imports the server and serves typical requests once, in a server thrown away after.
    Nothing of that server is left in the zygote but module-level caches of what the SDK
    declares (console.devtools.stripe_local's `contract` and `shapes`)."""
    import asyncio

    import aiohttp
    from aiohttp import web

    from console.devtools.stripe_local import contract
    from console.devtools.stripe_local.__main__ import main  # noqa: F401 - imported for the forks
    from console.devtools.stripe_local.app import build_app

    headers = {"Authorization": f"Bearer {API_KEY}"}

    async def serve_and_ask() -> None:
        app = build_app(None)
        for route in app.router.routes():
            path = route.resource.canonical if route.resource else ""
            if path.startswith("/v1/") and route.method in ("GET", "POST", "DELETE"):
                contract.request_problems(route.method, path.replace("{id}", "x_1"), {})
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession(base, headers=headers) as session:

                async def ask(method: str, path: str, **data: str) -> Any:
                    async with session.request(method, path, data=data or None) as answer:
                        return await answer.json(content_type=None)

                await ask("GET", "/v1/account")
                paid = await ask("POST", "/v1/payment_intents", **_PAY)
                await ask(
                    "POST",
                    "/v1/payment_intents",
                    **{**_PAY, "payment_method": "pm_card_chargeDeclined"},
                )
                await ask(
                    "POST",
                    "/v1/payment_intents",
                    **{**_PAY, "payment_method": "pm_card_createDispute"},
                )
                await ask("GET", f"/v1/payment_intents/{paid['id']}")
                charge = paid.get("latest_charge") or ""
                await ask("GET", f"/v1/charges/{charge}")
                part = await ask("POST", "/v1/refunds", payment_intent=paid["id"], amount="100")
                await ask("GET", f"/v1/refunds/{part.get('id')}")
                await ask("POST", "/v1/refunds", charge=charge)
                for name in _LISTS:
                    await ask("GET", f"/v1/{name}?limit=100")
                await ask("GET", "/v1/balance")
                await ask("GET", f"/v1/refunds?charge={charge}&limit=100")
        finally:
            await runner.cleanup()

    asyncio.run(serve_and_ask())


# ------------------------------------------------------------------ the servers


def _read_ready_line(process: _Server) -> str:
    line = process.readline(START_TIMEOUT_SECONDS)
    if not line.startswith(READY_PREFIX):
        process.kill()
        raise RuntimeError(f"stripe-local did not start (first line: {line!r})")
    return line[len(READY_PREFIX) :].strip()


def _spawn(store_path: Path | str | None = None) -> _Server:
    argv = ["--port", "0"]
    if store_path is not None:
        argv += ["--store", str(store_path)]
    return _the_zygote().fork(argv)


def _ready(process: _Server) -> str:
    """The base URL of a spawned server, once it answers."""
    base_url = _read_ready_line(process)
    _wait_until_answering(base_url)
    return base_url


def _stop(process: _Server) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # lets it save its store
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
    process.close()


def start_stripe_local(store_path: Path | str | None = None) -> tuple[str, Callable[[], None]]:
    """Starts a server on a free port; returns its base URL and a function that stops it."""
    process = _spawn(store_path)
    return _ready(process), lambda: _stop(process)


class FreshServers:
    """Empty in-memory servers for `fresh_stripe`, started while the tests before run.

    About 240 tests ask for a fresh server. A forked one is ready within tens of
    milliseconds, and `AHEAD` are kept starting, each asked `GET /v1/account` in the
    background as `start_stripe_local` does before returning, so a test seldom waits even
    for that. A used server is sent SIGTERM (as `start_stripe_local`'s stop does) without
    waiting for it to exit: it has no store to save, and its recording is complete once
    its test has its answers (the recorder writes each line, line-buffered, before
    answering). Every test still gets a server of its own that nothing else has called.
    """

    AHEAD = 1

    def __init__(self) -> None:
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stripe-local")
        # Servers started ahead: each with its base URL to come, and the environment it got.
        self._ahead: list[tuple[_Server, Future[str], dict[str, str]]] = []
        self._stopping: list[_Server] = []

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

    def _stop_later(self, process: _Server) -> None:
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
            process.close()
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
                process.wait(timeout=15)
            process.close()
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
        close_zygote()
