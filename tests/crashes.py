"""kill -9, for real: console code runs in a child process until something seen from the
outside says it is in the middle of its work, then the child gets SIGKILL: no handler,
no `finally`, no atexit runs in it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from tests import REPO


def start(code: str, env: dict[str, str] | None = None, args: list[str] = ()) -> subprocess.Popen:
    """`python -c code args…` in the repository, with the test's environment (CONSOLE_DB,
    the local Stripe, the SMTP server) unless `env` is given."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=env if env is not None else dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_when(child: subprocess.Popen, in_the_middle: Callable[[], bool], seconds=120) -> None:
    """SIGKILL the child as soon as `in_the_middle()` holds; fail if it finished first."""
    deadline = time.monotonic() + seconds
    while not in_the_middle():
        if child.poll() is not None:
            raise AssertionError(f"it finished before the kill:\n{child.stderr.read()}")
        if time.monotonic() > deadline:
            child.kill()
            raise AssertionError("the moment to kill it never came")
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL


def said(child: subprocess.Popen, line: str) -> Callable[[], bool]:
    """True once the child has printed `line` (it must flush)."""
    return lambda: child.stdout.readline().strip() == line
