"""Running `make run`'s console for browser tests, and Debian's Chromium via Playwright."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

from tests import REPO

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.org", "browser-test-password"
# Chromium's background services try the (closed) network; keep them off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Ports handed out by `free_port`, on this machine, with when.
_PORTS_GIVEN = Path(tempfile.gettempdir()) / "console-tests-ports.json"
PORT_HELD_SECONDS = 120


def free_port() -> int:
    """A port nothing listens on, for a server a test starts and binds a moment later.

    The kernel picks it, and no other call of any test process on this machine (the other
    pytest-xdist workers of the session, another session) is given the same port for
    PORT_HELD_SECONDS, time enough for that server to bind it: the ports given are kept in
    a file that every call reads and writes under a lock."""
    with _PORTS_GIVEN.open("a+") as given_file:
        fcntl.flock(given_file, fcntl.LOCK_EX)  # until the file is closed
        given_file.seek(0)
        try:
            given = json.loads(given_file.read() or "{}")
        except ValueError:
            given = {}
        now = time.time()
        given = {port: at for port, at in given.items() if now - at < PORT_HELD_SECONDS}
        while True:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            if str(port) not in given:
                break
        given[str(port)] = now
        given_file.seek(0)
        given_file.truncate()
        given_file.write(json.dumps(given))
        return port


class RunningConsole:
    def __init__(self, data_dir: Path):
        self.env = {
            **os.environ,
            "CONSOLE_DB": str(data_dir / "console.duckdb"),
            "CONSOLE_BACKGROUND_SECONDS": "5",  # open refunds settled as the product does
        }
        self.env.pop("STRIPE_API_KEY", None)
        self.port, self.stripe_port, self.public_port = free_port(), free_port(), free_port()
        # The console needs sign-in: an admin whose password the tests know.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "console",
                "users",
                "add",
                ADMIN_EMAIL,
                "--role",
                "admin",
                "--password-stdin",
            ],
            cwd=REPO,
            env=self.env,
            input=ADMIN_PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
        )
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "console",
                "run",
                "--port",
                str(self.port),
                "--stripe-port",
                str(self.stripe_port),
                "--public-port",
                str(self.public_port),
            ],
            cwd=data_dir,  # `console run` works from any directory
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.url = self._wait_for_line("The console is running: ", timeout=300)
        self.public_url = self._wait_for_line("The public registration site: ", timeout=30)

    def _wait_for_line(self, start: str, timeout: float) -> str:
        """What follows `start` on the launcher's line that begins with it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            self.output.append(line)
            if line.startswith(start):
                return line.split(": ", 1)[1].strip()
        raise AssertionError("make run did not start:\n" + "".join(self.output))

    def run_console(self, *args: str, program: list[str] | None = None):
        """`console ARGS` (or `program ARGS`) against this run's local Stripe and database."""
        env = {
            **self.env,
            "STRIPE_API_KEY": "sk_test_local_console",
            "STRIPE_API_BASE": f"http://127.0.0.1:{self.stripe_port}",
        }
        return subprocess.run(
            [*(program or [sys.executable, "-m", "console"]), *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )

    def report(self, *args: str) -> list[dict]:
        """A `console report … --format json` against this run's database."""
        done = self.run_console("report", *args, "--format", "json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def sync(self) -> None:
        """`console sync` against this run's local Stripe and database."""
        done = self.run_console("sync")
        assert done.returncode == 0, done.stderr

    def stop(self) -> int:
        os.killpg(self.process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        try:
            return self.process.wait(timeout=30)
        finally:
            self.output.extend(self.process.stdout.readlines())


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


# Per module: while Playwright's sync API is open, an asyncio loop counts as running in
# this thread, and a later test's asyncio.run() would refuse to start.
@pytest.fixture(scope="module")
def browser():

    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Streamlit's own end-to-end tests wait on stApp's data-test-script-state the same way.
_DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  // What a collapsed expander holds is not drawn until it is opened.
  const shown = (testid) => [...document.querySelectorAll(`[data-testid="${testid}"]`)]
    .filter((element) => element.checkVisibility());
  return shown('stPlotlyChart').every((chart) => chart.querySelector('svg.main-svg'))
    && shown('stDataFrame').every((table) => table.querySelector('canvas'));
}"""


def wait_until_drawn(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the page's script, nothing shown is stale
    from a previous run, and every chart and table has drawn. Call it after waiting for
    what the step should show: right after a click, the previous run still counts as done."""
    page.wait_for_function(_DRAWN, timeout=timeout)


def screenshot(page, name: str) -> None:
    """Save what a person sees, and fail on any traceback shown on the page."""
    wait_until_drawn(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0, name


def grid_cells(page) -> list[str]:
    """Texts of the data-grid cells (Streamlit's tables draw on a canvas, with accessible cells)."""
    return page.locator('[data-testid="stDataFrame"] [role="gridcell"]').all_inner_texts()


_HAS_SESSION_COOKIE = (
    "() => document.cookie.split('; ').some((c) => c.startsWith('console_session='))"
)


def sign_in(page, url: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    """Sign in through the form; the session cookie keeps the page signed in after that."""
    page.goto(url)
    page.get_by_role("textbox", name="E-mail").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {email}").wait_for(timeout=30_000)
    # The cookie is written by the page's script (a component), just after; with two test
    # workers' browsers and servers on two cores, its frame can take a while to load.
    try:
        page.wait_for_function(_HAS_SESSION_COOKIE, timeout=90_000)
    except PlaywrightTimeoutError:
        raise AssertionError("the session cookie was not set") from None
    assert any(c["name"] == "console_session" for c in page.context.cookies())
