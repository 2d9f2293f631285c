"""`make run`'s server in headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from console.domain.money import format_money
from tests.browser_support import RunningConsole, port_is_free, screenshot, sign_in

# Every test here drives `make run`'s console, Ctrl-C included (which takes no browser but
# stops the console the browser tests started): all of it is left out by `-m "not browser"`.
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("make-run")


@pytest.fixture(scope="module")
def first_run_revenue() -> list:
    return []


def _metric_values(page) -> list[str]:
    page.get_by_text("Per webinar").wait_for(timeout=60_000)
    metrics = page.locator('[data-testid="stMetricValue"]')
    # Four payment currencies with four cards each, then the settlement currency's two.
    metrics.nth(17).wait_for(timeout=30_000)
    return metrics.all_inner_texts()


@pytest.fixture(scope="module")
def first_run(data_dir):
    console = RunningConsole(data_dir)
    yield console
    if console.process.poll() is None:
        console.stop()


def _shot(page, name: str) -> None:
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    screenshot(page, name)


def test_make_run_serves_the_revenue_page_with_demo_figures(first_run, browser, first_run_revenue):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    sign_in(page, first_run.url)
    page.goto(first_run.url)
    shown = _metric_values(page)
    _shot(page, "1-revenue")

    revenue = first_run.report("revenue")
    first_run_revenue.extend(revenue)
    assert len({row["webinar_id"] for row in revenue}) >= 10
    assert {row["currency"] for row in revenue} == {"usd", "eur", "gbp", "jpy"}
    # The demo account is French: every payment settles in EUR, converted when it must be.
    assert {row["settlement_currency"] for row in revenue} == {"eur"}
    for currency in ("usd", "eur", "gbp", "jpy"):
        rows = [row for row in revenue if row["currency"] == currency]
        assert format_money(sum(row["gross"] for row in rows), currency) in shown
    assert format_money(sum(row["net"] for row in revenue), "eur") in shown
    assert format_money(sum(row["fees"] for row in revenue), "eur") in shown


def test_walk_overview_to_registrants_to_csv(first_run, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    sign_in(page, first_run.url)
    page.goto(first_run.url)
    _metric_values(page)
    page.get_by_role("combobox", name="Webinar", exact=True).click()
    page.keyboard.type("Growth marketing")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="View paid registrants").click()
    page.get_by_role("heading", name="Paid registrants").wait_for(timeout=30_000)
    page.wait_for_url("**webinar=wb_demo_03", timeout=30_000)
    page.get_by_role("button", name="Download CSV").wait_for(timeout=30_000)
    _shot(page, "2-registrants")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    saved = tmp_path / "registrants.csv"
    download.value.save_as(saved)
    exported = list(csv.DictReader(saved.open(encoding="utf-8")))
    expected = first_run.report("registrants", "--webinar", "wb_demo_03")
    # The page's CSV is for people: its headings are words (the data is the report's).
    assert sorted(row["Stripe charge"] for row in exported) == sorted(
        row["charge_id"] for row in expected
    )
    assert sum(int(row["Amount paid"]) for row in exported) == sum(
        row["amount_paid"] for row in expected
    )

    for path, name in (
        ("fees", "3-fees"),
        ("reconciliation", "4-reconciliation"),
        ("sync", "5-sync"),
    ):
        page.goto(f"{first_run.url}/{path}")
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
        _shot(page, name)
    page.goto(f"{first_run.url}/reconciliation")
    page.get_by_text("no difference").wait_for(timeout=60_000)


def test_ctrl_c_stops_everything_make_run_started(first_run):
    assert first_run.stop() == 0, "".join(first_run.output)
    assert port_is_free(first_run.port) and port_is_free(first_run.stripe_port)


def test_second_make_run_reuses_the_demo_without_duplicating_it(
    data_dir, browser, first_run_revenue
):
    assert first_run_revenue, "the first run's figures are needed"
    console = RunningConsole(data_dir)  # same data directory as the first run
    try:
        assert any("already in place" in line for line in console.output), console.output
        assert console.report("revenue") == first_run_revenue
        page = browser.new_page()
        sign_in(page, console.url)
        page.goto(console.url)
        assert _metric_values(page)
    finally:
        console.stop()
