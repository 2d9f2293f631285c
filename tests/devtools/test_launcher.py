"""console/devtools/launcher.py (`make run`): waiting for a child to answer, the notice about
release 0.1.0's local Stripe store, taken ports, and stopping every child on SIGTERM,
SIGHUP or the launcher's death, from any directory. Streamlit itself is never started
here (the browser tests run it)."""

from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
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
    children: list[subprocess.Popen] = []
    with pytest.raises(RuntimeError) as excinfo:
        launcher._step(dict(os.environ), children, "no-such-command")  # argparse: exit 2
    assert str(excinfo.value) == "`console no-such-command` failed"
    assert children == []  # a finished step is no longer a child to stop


@pytest.mark.parametrize("which", ["console", "stripe", "public"])
def test_a_taken_port_is_named_and_nothing_starts(capsys, data_dir, which):
    """Something (an earlier run, say) listens on a port: say which, and start nothing."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ports = {
            "console_port": free_port(),
            "stripe_port": free_port(),
            "public_port": free_port(),
        }
        ports[f"{which}_port"] = port
        code = launcher.run_console(**ports)
    captured = capsys.readouterr()
    option = {"console": "--port", "stripe": "--stripe-port", "public": "--public-port"}[which]
    assert code == 1
    assert captured.out == ""  # not even the local Stripe was started
    assert captured.err == (
        f"make run stopped: port {port} is taken: another program listens on it (an "
        "earlier `make run` still running?). Stop it, or choose another port: "
        f"`console run {option} {port + 1}`.\n"
    )
    assert not (data_dir / "stripe-local.store").exists()


# --- stopping: every child, on every signal a person or a service manager sends ----------


def _children_of(pid: int) -> set[int]:
    """Processes whose parent is `pid`, from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent has not asked yet


def _wait(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def seeding_run(tmp_path):
    """`console run` started from a directory that is not the project's, with a database
    path relative to it, stopped while it seeds the demo: the local Stripe and the demo
    step are its children then."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "CONSOLE_DB": "data/console.duckdb"}
    stripe_port = free_port()
    run = subprocess.Popen(
        [sys.executable, "-m", "console", "run", "--port", str(free_port())]
        + ["--stripe-port", str(stripe_port), "--public-port", str(free_port())],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in run.stdout:
            if line.startswith("2/4"):
                break
        assert _wait(lambda: len(_children_of(run.pid)) == 2), "no local Stripe and demo step"
        yield run, _children_of(run.pid), stripe_port, elsewhere
    finally:
        if run.poll() is None:
            run.kill()
        run.wait()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_the_launcher_stops_every_child(seeding_run, signum):
    run, children, stripe_port, elsewhere = seeding_run
    os.kill(run.pid, signum)  # the launcher alone, as a service manager or a terminal does
    assert run.wait(timeout=30) == 0
    assert _wait(lambda: not any(_alive(child) for child in children))
    assert launcher.taken_ports(stripe_port) == []
    # Run from elsewhere: the database path meant what it meant there.
    assert (elsewhere / "data" / "stripe-local.store").exists()


def test_children_stop_when_the_launcher_is_killed(seeding_run):
    run, children, stripe_port, _elsewhere = seeding_run
    run.kill()  # kill -9: the launcher cannot clean up; the kernel tells the children
    run.wait()
    assert _wait(lambda: not any(_alive(child) for child in children))
    assert _wait(lambda: launcher.taken_ports(stripe_port) == [])
