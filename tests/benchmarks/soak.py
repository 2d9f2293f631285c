"""`make soak`: signed-in browser sessions moving between every page while full syncs run
in a loop and a 300-registrant cancellation runs, against the same pages with nothing else
running, in the same run. Writes its section of BENCHMARKS.md.

SOAK_SESSIONS (20) browser sessions and SOAK_SECONDS (180) per phase; the small version in
`make test` (tests/browser/test_soak.py) runs 5 sessions and one sync.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from tests.browser_support import (  # noqa: E402
    _DRAWN,
    _HAS_SESSION_COOKIE,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CHROMIUM,
    CHROMIUM_ARGS,
    RunningConsole,
)

TITLE = "## Soak: browser sessions during syncs and a cancellation (issue 13)"
# Every page an admin opens, as a person moves through the console.
PAGES = (
    "revenue",
    "registrants?webinar=wb_demo_03",
    "fees",
    "reconciliation",
    "sync_status",
    "webinars",
    "webinar?webinar=wb_demo_03",
    "connection",
    "audit",
)
SOAK_WEBINAR = "wb_soak"
PAGE_TIMEOUT_MS = 120_000


@dataclass
class Walks:
    """Page loads of one phase: seconds per load, and what went wrong."""

    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: set[str] = field(default_factory=set)  # those opened

    def percentile(self, share: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def _sign_in(page, url: str) -> None:
    await page.goto(url)
    await page.get_by_role("textbox", name="E-mail").fill(ADMIN_EMAIL)
    await page.get_by_role("textbox", name="Password").fill(ADMIN_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_text(f"Signed in as {ADMIN_EMAIL}").wait_for(timeout=PAGE_TIMEOUT_MS)
    await page.wait_for_function(_HAS_SESSION_COOKIE, timeout=PAGE_TIMEOUT_MS)


async def _open(page, url: str) -> str | None:
    """Open a page and wait until it has drawn; what went wrong, or None."""
    try:
        await page.goto(url)
        await page.wait_for_function(_DRAWN, timeout=PAGE_TIMEOUT_MS)
    except Exception as problem:  # noqa: BLE001 - a failed load is a figure, not a crash
        return f"{url}: {problem.__class__.__name__}: {str(problem).splitlines()[0]}"
    shown = await page.locator('[data-testid="stException"]').count()
    return f"{url}: a traceback on the page" if shown else None


async def _walk(
    browser, url: str, first_page: int, until: float, rounds: int, walks: Walks
) -> None:
    """One person: signed in, then from page to page, `rounds` times round them at least
    and until `until`."""
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    # One limit for a whole load, fetching included (Playwright's own is 30 s for `goto`):
    # twenty browsers on two cores take longer than that to fetch a page at times.
    context.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    page = await context.new_page()
    try:
        await _sign_in(page, url)
        step = first_page
        while step - first_page < rounds * len(PAGES) or time.monotonic() < until:
            started = time.monotonic()
            path = PAGES[step % len(PAGES)]
            problem = await _open(page, f"{url}/{path}")
            walks.seconds.append(time.monotonic() - started)
            walks.pages.add(path)
            if problem:
                walks.errors.append(problem)
            step += 1
    finally:
        await context.close()


async def _phase(url: str, sessions: int, seconds: float, rounds: int) -> Walks:
    walks = Walks()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        until = time.monotonic() + seconds
        # Spread out, so that between them the sessions open every page soon.
        firsts = (n * len(PAGES) // sessions for n in range(sessions))
        await asyncio.gather(*(_walk(browser, url, f, until, rounds, walks) for f in firsts))
        await browser.close()
    return walks


def browse(url: str, sessions: int, seconds: float, rounds: int = 0) -> Walks:
    """`sessions` people moving between every page for `seconds`, and `rounds` times
    round them at least."""
    return asyncio.run(_phase(url, sessions, seconds, rounds))


class Background:
    """Full syncs in a loop (`loop_syncs`, else one), and the cancellation of a webinar
    with `registrants` paid registrants, while the browsers walk."""

    def __init__(self, console: RunningConsole, registrants: int, loop_syncs: bool):
        self.console, self.loop_syncs = console, loop_syncs
        self.syncs: list[int] = []  # exit statuses
        self.cancellation: str = "not run"
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._sync, daemon=True)]
        if registrants:
            seed_paid_webinar(console, registrants)
            self._threads.append(threading.Thread(target=self._cancel, daemon=True))

    def __enter__(self) -> Background:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=600)

    def _sync(self) -> None:
        while True:
            done = self.console.run_console("sync", "--full")
            self.syncs.append(done.returncode)
            if not self.loop_syncs or self._stop.is_set():
                return

    def _cancel(self) -> None:
        done = self.console.run_console(
            "cancel-webinar", SOAK_WEBINAR, program=[sys.executable, __file__]
        )
        self.cancellation = done.stdout.strip() or done.stderr.strip()


def seed_paid_webinar(console: RunningConsole, registrants: int) -> None:
    """A webinar with `registrants` card payments at the console's local Stripe, synced."""
    done = console.run_console(
        "seed-webinar", SOAK_WEBINAR, str(registrants), program=[sys.executable, __file__]
    )
    if done.returncode:
        raise RuntimeError(f"could not seed the soak webinar: {done.stderr}")


def _seed_webinar(webinar_id: str, registrants: int) -> None:
    from console.domain.catalog import Webinar
    from console.settings import stripe_settings
    from console.store import db
    from console.store.catalog import save_webinars
    from console.stripe_api import gateway, sync
    from tests.payments import pay

    with db.connect(write=True) as con:
        save_webinars(
            con,
            [
                Webinar(
                    webinar_id,
                    "Soak",
                    ADMIN_EMAIL,
                    "Refunds in full.",
                    price_amount=4900,
                    price_currency="usd",
                )
            ],
        )
    client = gateway.client(stripe_settings())
    for n in range(registrants):
        pay(client, webinar_id, email=f"soak{n}@example.org", name=f"Soak {n}")
    sync.run_sync()


def _cancel_webinar(webinar_id: str) -> None:
    from console.services import cancellations
    from console.services.access import ADMIN, Actor

    admin = Actor(ADMIN_EMAIL, ADMIN)
    job = cancellations.start_cancellation(admin, webinar_id, "soak test")
    done = cancellations.run_cancellation(admin, job)
    print(f"{done.refunded} refunded, {done.failed} failed of {done.done}")


def soak(
    data_dir: Path,
    sessions: int,
    seconds: float,
    registrants: int,
    loop_syncs: bool,
    rounds: int = 0,
):
    """The same walk twice: alone, then with the syncs and the cancellation running."""
    console = RunningConsole(data_dir)
    try:
        quiet = browse(console.url, sessions, seconds, rounds)
        with Background(console, registrants, loop_syncs) as load:
            loaded = browse(console.url, sessions, seconds, rounds)
        return quiet, loaded, load
    finally:
        console.stop()


def section(sessions: int, seconds: float, quiet: Walks, loaded: Walks, load) -> list[str]:
    def row(name: str, walks: Walks) -> str:
        return (
            f"| {name} | {len(walks.seconds)} | {len(walks.errors)} | "
            f"{statistics.median(walks.seconds):.2f} | {walks.percentile(0.95):.2f} |"
        )

    ratio = statistics.median(loaded.seconds) / statistics.median(quiet.seconds)
    p95_ratio = loaded.percentile(0.95) / quiet.percentile(0.95)
    return [
        TITLE,
        "",
        f"{sessions} signed-in Chromium sessions (Debian's, headless) move between the "
        f"{len(PAGES)} pages for {seconds:.0f} s, first alone, then while full syncs run "
        f"in a loop ({len(load.syncs)} ran, exit statuses {sorted(set(load.syncs))}) and a "
        f"webinar is cancelled ({load.cancellation}). A page load is from `goto` until the "
        "script has finished and every chart and table has drawn.",
        "",
        "| phase | page loads | errors | median s | p95 s |",
        "| --- | --- | --- | --- | --- |",
        row("nothing else running", quiet),
        row("syncs + cancellation", loaded),
        "",
        f"Loaded against quiet: median ×{ratio:.2f}, p95 ×{p95_ratio:.2f}.",
        *(f"- error: {error}" for error in (quiet.errors + loaded.errors)[:10]),
    ]


def write_section(lines: list[str]) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    kept = [s for s in re.split(r"(?m)^(?=## )", text) if not s.startswith(TITLE)]
    path.write_text("".join(kept).rstrip("\n") + "\n\n" + "\n".join(lines) + "\n")


def main() -> None:
    if sys.argv[1:2] == ["seed-webinar"]:
        return _seed_webinar(sys.argv[2], int(sys.argv[3]))
    if sys.argv[1:2] == ["cancel-webinar"]:
        return _cancel_webinar(sys.argv[2])
    sessions = int(os.environ.get("SOAK_SESSIONS", "20"))
    seconds = float(os.environ.get("SOAK_SECONDS", "180"))
    with tempfile.TemporaryDirectory() as folder:
        quiet, loaded, load = soak(Path(folder), sessions, seconds, 300, loop_syncs=True)
    lines = section(sessions, seconds, quiet, loaded, load)
    print("\n".join(lines))
    write_section(lines)
    if quiet.errors or loaded.errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
