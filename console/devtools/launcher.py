"""`make run`: the local Stripe, the demo, a sync, then the console, stopped together.

It runs from any directory: the children run in the project's folder, where Streamlit
finds the app and its settings. Each child has a process group of its own, and all of
them stop when the launcher gets SIGINT (Ctrl-C), SIGTERM (a service manager, `docker
stop`) or SIGHUP (a closed terminal), and when the launcher itself dies.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from console.store.db import database_path

PROJECT = Path(__file__).resolve().parents[2]  # where streamlit_app.py is

# Not a secret: the local Stripe accepts any test key.
LOCAL_TEST_KEY = "sk_test_local_console"
LOCAL_PUBLISHABLE_KEY = "pk_test_local_console"


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[2] if len(process.args) > 2 else 'process'} exited")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback URL we built
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


class Stopped(Exception):
    """SIGTERM or SIGHUP: stop everything, as Ctrl-C does."""


def _stop_on_signals() -> None:
    def stop(signum: int, _frame) -> None:
        raise Stopped(signal.Signals(signum).name)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)


def _die_with_the_launcher() -> None:
    """In each child: the kernel sends it SIGTERM if the launcher dies, even by kill -9."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _start(args: list[str], env: dict, **options) -> subprocess.Popen:
    """A child in its own process group, in the project's folder."""
    return subprocess.Popen(
        args,
        env=env,
        cwd=PROJECT,
        start_new_session=True,
        preexec_fn=_die_with_the_launcher,  # noqa: PLW1509 - the launcher has one thread
        **options,
    )


def _stop(children: list[subprocess.Popen]) -> None:
    """Each child's whole process group: SIGTERM, then SIGKILL after 10 s."""
    for child in reversed(children):
        if child.poll() is None:
            _signal_group(child, signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass  # it has just ended


def taken_ports(*ports: int) -> list[int]:
    """The ports something on this machine already listens on."""
    taken = []
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                taken.append(port)
    return taken


def _step(env: dict, children: list[subprocess.Popen], *args: str) -> None:
    step = _start([sys.executable, "-m", "console", *args], env)
    children.append(step)
    status = step.wait()
    children.remove(step)
    if status != 0:
        raise RuntimeError(f"`console {' '.join(args)}` failed")


def _mention_the_old_store(stripe_store) -> None:
    old = stripe_store.with_name("localstripe.pickle")  # release 0.1.0's local Stripe
    if old.exists() and not stripe_store.exists():
        print(
            f"Note: {old} holds the demo payments of the earlier local Stripe, which this "
            "release cannot read; the local Stripe starts with a new demo. What the console "
            "mirrored from the old one stays in the database's test mode: remove "
            f"{database_path()} too for a clean demo.",
            flush=True,
        )


def _from_the_project() -> None:
    """Work in the project's folder, whatever the directory it was started from: paths
    a person gave (CONSOLE_DB, CONSOLE_USERS) keep the meaning they had there."""
    for name in ("CONSOLE_DB", "CONSOLE_USERS"):
        if os.environ.get(name):
            os.environ[name] = str(Path(os.environ[name]).resolve())
    os.chdir(PROJECT)


def _refuse_taken_ports(console_port: int, stripe_port: int, public_port: int) -> str | None:
    options = {console_port: "--port", stripe_port: "--stripe-port", public_port: "--public-port"}
    taken = taken_ports(console_port, public_port, stripe_port)
    if not taken:
        return None
    port = taken[0]
    return (
        f"port {port} is taken: another program listens on it (an earlier `make run` "
        f"still running?). Stop it, or choose another port: `console run {options[port]} "
        f"{port + 1}`."
    )


def _serve(env: dict, port: int, *options: str) -> subprocess.Popen:
    return _start(
        [
            sys.executable,
            "-m",
            "console.ui.serve",
            *options,
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
        ],
        env,
    )


def run_console(
    console_port: int = 8501, stripe_port: int = 12111, public_port: int | None = None
) -> int:
    public_port = public_port or console_port + 1
    refused = _refuse_taken_ports(console_port, stripe_port, public_port)
    if refused:
        print(f"make run stopped: {refused}", file=sys.stderr)
        return 1
    _from_the_project()
    _stop_on_signals()
    stripe_base = f"http://127.0.0.1:{stripe_port}"
    env = {
        **os.environ,
        "STRIPE_API_KEY": LOCAL_TEST_KEY,
        "STRIPE_API_BASE": stripe_base,
        "STRIPE_PUBLISHABLE_KEY": LOCAL_PUBLISHABLE_KEY,
        # The console links to the public site it starts, unless told its outside address.
        "CONSOLE_PUBLIC_URL": os.environ.get("CONSOLE_PUBLIC_URL")
        or f"http://127.0.0.1:{public_port}",
    }
    # The local Stripe's data lives beside the database, so a second run reuses both.
    stripe_store = database_path().parent / "stripe-local.store"
    stripe_store.parent.mkdir(parents=True, exist_ok=True)
    _mention_the_old_store(stripe_store)
    children: list[subprocess.Popen] = []
    try:
        print(f"1/4 starting the local Stripe on {stripe_base}", flush=True)
        stripe_local = _start(
            [
                sys.executable,
                "-m",
                "console.devtools.stripe_local",
                "--port",
                str(stripe_port),
                "--store",
                str(stripe_store),
            ],
            env,
            stdout=subprocess.DEVNULL,
        )
        children.append(stripe_local)
        _wait_until_up(stripe_base, stripe_local)  # any answer will do
        print("2/4 seeding the demo (once; later runs reuse it)", flush=True)
        _step(env, children, "demo")
        print("3/4 syncing Stripe into DuckDB", flush=True)
        _step(env, children, "sync")
        print("4/4 starting the console and the public registration site", flush=True)
        streamlit = _serve(env, console_port)
        children.append(streamlit)
        public = _serve(env, public_port, "--public")
        children.append(public)
        _wait_until_up(f"http://127.0.0.1:{console_port}/_stcore/health", streamlit, 60)
        _wait_until_up(f"http://127.0.0.1:{public_port}/_stcore/health", public, 60)
        print(
            f"\nThe console is running: http://127.0.0.1:{console_port}\n"
            f"The public registration site: {env['CONSOLE_PUBLIC_URL']}\n"
            "Press Ctrl-C to stop them and the local Stripe.",
            flush=True,
        )
        while streamlit.poll() is None and public.poll() is None:
            time.sleep(0.5)
        return 0
    except RuntimeError as problem:
        print(f"make run stopped: {problem}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Stopped):
        return 0
    finally:
        _stop(children)
