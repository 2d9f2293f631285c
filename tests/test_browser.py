"""`make run`'s server in headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from console.money import format_money

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningConsole:
    def __init__(self, data_dir: Path):
        self.env = {**os.environ, "CONSOLE_DB": str(data_dir / "console.duckdb")}
        self.env.pop("STRIPE_API_KEY", None)
        self.port, self.stripe_port = _free_port(), _free_port()
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
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.url = self._wait_for_url(timeout=300)

    def _wait_for_url(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            self.output.append(line)
            if line.startswith("The console is running: "):
                return line.split(": ", 1)[1].strip()
        raise AssertionError("make run did not start:\n" + "".join(self.output))

    def report(self, *args: str) -> list[dict]:
        env = {**self.env, "STRIPE_API_KEY": "sk_test_local_console"}
        out = subprocess.run(
            [sys.executable, "-m", "console", "report", *args, "--format", "json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(out)

    def stop(self) -> int:
        os.killpg(self.process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        try:
            return self.process.wait(timeout=30)
        finally:
            self.output.extend(self.process.stdout.readlines())


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("make-run")


@pytest.fixture(scope="module")
def first_run_revenue() -> list:
    return []


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


def _metric_values(page) -> list[str]:
    page.get_by_text("Per webinar").wait_for(timeout=60_000)
    metrics = page.locator('[data-testid="stMetricValue"]')
    metrics.nth(19).wait_for(timeout=30_000)  # four currencies, five cards each
    return metrics.all_inner_texts()


def test_make_run_serves_the_revenue_page_with_demo_figures(data_dir, browser, first_run_revenue):
    console = RunningConsole(data_dir)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(console.url)
        shown = _metric_values(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "revenue.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0

        revenue = console.report("revenue")
        first_run_revenue.extend(revenue)
        assert len({row["webinar_id"] for row in revenue}) >= 10
        assert {row["currency"] for row in revenue} == {"usd", "eur", "gbp", "jpy"}
        for currency in ("usd", "eur", "gbp", "jpy"):
            rows = [row for row in revenue if row["currency"] == currency]
            net = sum(row["net"] for row in rows)
            gross = sum(row["gross"] for row in rows)
            assert format_money(net, currency) in shown
            assert format_money(gross, currency) in shown
    finally:
        code = console.stop()
    assert code == 0, "".join(console.output)
    assert _port_is_free(console.port) and _port_is_free(console.stripe_port)


def test_second_make_run_reuses_the_demo_without_duplicating_it(
    data_dir, browser, first_run_revenue
):
    assert first_run_revenue, "the first run's figures are needed"
    console = RunningConsole(data_dir)  # same data directory as the first run
    try:
        assert any("already in place" in line for line in console.output), console.output
        assert console.report("revenue") == first_run_revenue
        page = browser.new_page()
        page.goto(console.url)
        assert _metric_values(page)
    finally:
        console.stop()
