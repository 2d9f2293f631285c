"""console/devtools/launcher.py (`make run`): waiting for a child to answer, the notice about
release 0.1.0's local Stripe store, and a run that stops when the local Stripe cannot start.
Streamlit itself is never started here."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.devtools import launcher
from tests.browser_support import free_port


class _Answer(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def _serve(status: int) -> Iterator[str]:
    handler = type("Handler", (_Answer,), {"status": status})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def answering() -> Iterator[str]:
    yield from _serve(200)


@pytest.fixture
def answering_404() -> Iterator[str]:
    yield from _serve(404)


@pytest.fixture
def alive() -> Iterator[subprocess.Popen]:
    """A child that stays up until the test ends."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield process
    finally:
        process.kill()
        process.wait()


@pytest.fixture
def closed_port_url() -> Iterator[str]:
    """A loopback URL where nothing listens: the port is bound, never listened on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def _exited(*args: str) -> subprocess.Popen:
    process = subprocess.Popen(list(args))
    process.wait()
    return process


# --- _wait_until_up ----------------------------------------------------------------------


def test_an_answer_means_up(answering, alive):
    launcher._wait_until_up(answering, alive)


def test_an_error_status_is_an_answer_too(answering_404, alive):
    launcher._wait_until_up(answering_404 + "/_stcore/health", alive)


def test_a_child_that_exited_is_named(closed_port_url):
    child = _exited(sys.executable, "-m", "console.nonexistent_module")
    with pytest.raises(RuntimeError) as excinfo:
        launcher._wait_until_up(closed_port_url, child)
    assert str(excinfo.value) == "console.nonexistent_module exited"


def test_a_child_with_a_short_command_is_a_process(closed_port_url):
    child = _exited(sys.executable, "-V")
    with pytest.raises(RuntimeError) as excinfo:
        launcher._wait_until_up(closed_port_url, child)
    assert str(excinfo.value) == "process exited"


def test_a_child_that_exited_is_reported_even_if_something_answers(answering):
    """Another program on the port must not pass for the child that failed to start."""
    child = _exited(sys.executable, "-c", "raise SystemExit(1)")
    with pytest.raises(RuntimeError, match="exited"):
        launcher._wait_until_up(answering, child)


def test_no_answer_in_time_is_an_error(closed_port_url, alive):
    with pytest.raises(RuntimeError) as excinfo:
        launcher._wait_until_up(closed_port_url, alive, seconds=0.3)
    assert str(excinfo.value) == f"{closed_port_url} did not answer within 0 s"


# --- the old store notice ----------------------------------------------------------------


@pytest.fixture
def data_dir(monkeypatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    return tmp_path


def test_an_old_store_alone_is_mentioned(capsys, data_dir):
    (data_dir / "localstripe.pickle").write_bytes(b"0.1.0")
    launcher._mention_the_old_store(data_dir / "stripe-local.store")
    out = capsys.readouterr().out
    assert out.startswith(f"Note: {data_dir / 'localstripe.pickle'} holds the demo payments")
    assert "this release cannot read" in out
    assert f"remove {data_dir / 'console.duckdb'} too for a clean demo" in out


def test_no_notice_once_the_new_store_exists(capsys, data_dir):
    (data_dir / "localstripe.pickle").write_bytes(b"0.1.0")
    (data_dir / "stripe-local.store").write_bytes(b"new")
    launcher._mention_the_old_store(data_dir / "stripe-local.store")
    assert capsys.readouterr().out == ""


def test_no_notice_without_an_old_store(capsys, data_dir):
    launcher._mention_the_old_store(data_dir / "stripe-local.store")
    assert capsys.readouterr().out == ""


# --- _step and run_console ----------------------------------------------------------------


def test_a_failing_step_names_the_command(data_dir):
    with pytest.raises(RuntimeError) as excinfo:
        launcher._step(dict(os.environ), "no-such-command")  # argparse refuses it: exit 2
    assert str(excinfo.value) == "`console no-such-command` failed"


def test_run_stops_when_the_local_stripe_cannot_start(capsys, data_dir):
    """The local Stripe's port is taken: the run says so, exits 1 and starts nothing else."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        stripe_port = taken.getsockname()[1]
        code = launcher.run_console(console_port=free_port(), stripe_port=stripe_port)
    captured = capsys.readouterr()
    assert code == 1
    assert f"1/4 starting the local Stripe on http://127.0.0.1:{stripe_port}" in captured.out
    assert "2/4" not in captured.out
    assert "make run stopped: console.devtools.stripe_local exited\n" in captured.err
    assert not (data_dir / "stripe-local.store").exists()  # nothing was saved
