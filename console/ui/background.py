"""What the console's server does on its own, once a minute, whoever is looking: settle the
refunds a crash left open, follow those Stripe answered "pending", and free the seats of
payments nobody finished in time. (Page views do not: they would call Stripe and write the
audit log in the name of whoever opened the page.)

CONSOLE_BACKGROUND_SECONDS sets the pace (60; 0 turns it off, as the tests do).
"""

from __future__ import annotations

import atexit
import logging
import threading

import streamlit as st

from console.services import operations
from console.settings import setting

PACE_SETTING = "CONSOLE_BACKGROUND_SECONDS"
DEFAULT_PACE_SECONDS = 60.0

log = logging.getLogger(__name__)


def settle_once() -> list[str]:
    """One round; what went wrong, for the server's log."""
    try:
        return operations.background_round()
    except Exception as problem:  # noqa: BLE001 - the next round tries again
        return [f"The background round failed: {problem.__class__.__name__}: {problem}"]


def settle_every(seconds: float, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        for warning in settle_once():
            log.warning(warning)


@st.cache_resource
def _started(seconds: float) -> threading.Event:
    """One settling thread per server process; returns what stops it."""
    stop = threading.Event()
    worker = threading.Thread(
        target=settle_every, args=(seconds, stop), name="console-settle", daemon=True
    )
    worker.start()

    @atexit.register
    def _stop() -> None:  # before the database closes: a thread inside DuckDB at exit aborts
        stop.set()
        worker.join(timeout=10)

    return stop


def start_background_work() -> None:
    """Called by the app on each run; starts the thread once."""
    seconds = float(setting(PACE_SETTING) or DEFAULT_PACE_SECONDS)
    if seconds > 0:
        _started(seconds)
