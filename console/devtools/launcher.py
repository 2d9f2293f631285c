"""`make run`: the local Stripe, the demo, a sync, then the console, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from console.store.db import database_path

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


def _step(env: dict, *args: str) -> None:
    completed = subprocess.run([sys.executable, "-m", "console", *args], env=env, check=False)
    if completed.returncode != 0:
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


def run_console(console_port: int = 8501, stripe_port: int = 12111) -> int:
    stripe_base = f"http://127.0.0.1:{stripe_port}"
    env = {
        **os.environ,
        "STRIPE_API_KEY": LOCAL_TEST_KEY,
        "STRIPE_API_BASE": stripe_base,
        "STRIPE_PUBLISHABLE_KEY": LOCAL_PUBLISHABLE_KEY,
    }
    # The local Stripe's data lives beside the database, so a second run reuses both.
    stripe_store = database_path().parent / "stripe-local.store"
    stripe_store.parent.mkdir(parents=True, exist_ok=True)
    _mention_the_old_store(stripe_store)
    children: list[subprocess.Popen] = []
    try:
        print(f"1/4 starting the local Stripe on {stripe_base}", flush=True)
        stripe_local = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "console.devtools.stripe_local",
                "--port",
                str(stripe_port),
                "--store",
                str(stripe_store),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        children.append(stripe_local)
        _wait_until_up(stripe_base, stripe_local)  # any answer will do
        print("2/4 seeding the demo (once; later runs reuse it)", flush=True)
        _step(env, "demo")
        print("3/4 syncing Stripe into DuckDB", flush=True)
        _step(env, "sync")
        print("4/4 starting the console", flush=True)
        streamlit = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "console.ui.serve",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(console_port),
            ],
            env=env,
        )
        children.append(streamlit)
        _wait_until_up(f"http://127.0.0.1:{console_port}/_stcore/health", streamlit, 60)
        print(
            f"\nThe console is running: http://127.0.0.1:{console_port}\n"
            "Press Ctrl-C to stop it and the local Stripe.",
            flush=True,
        )
        streamlit.wait()
        return 0
    except RuntimeError as problem:
        print(f"make run stopped: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
