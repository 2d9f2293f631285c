"""Finance in headless Chromium on the demo (`make run`): the dispute deadline banner leads
to the Disputes page and Stripe's dashboard; the Payouts page opens the payout that failed,
and the accountant's CSV of a payout adds up to its amount."""

from __future__ import annotations

import csv
import io

import pytest

from console.domain.money import format_money
from tests.browser_support import RunningConsole, grid_cells, screenshot, sign_in, wait_until_drawn


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    running = RunningConsole(tmp_path_factory.mktemp("finance-run"))
    yield running
    running.stop()


def _grid_cell(page, text: str):
    return page.locator('[data-testid="stDataFrame"] [role="gridcell"]', has_text=text).first


def test_the_deadline_banner_leads_to_the_dispute_and_stripes_dashboard(console, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    sign_in(page, console.url)
    # The demo's open dispute is due in two days: every page of figures says so.
    page.get_by_text("1 dispute needs a response within 3 days").wait_for(timeout=60_000)
    wait_until_drawn(page)
    screenshot(page, "finance-1-banner")
    page.get_by_role("link", name="Open the disputes").click()
    page.get_by_role("heading", level=1, name="Disputes").wait_for(timeout=60_000)
    # The grid draws its accessible cells a moment after the table appears.
    _grid_cell(page, "Due within 3 days").wait_for(state="attached", timeout=60_000)
    wait_until_drawn(page)
    screenshot(page, "finance-2-disputes")
    # The link to the dispute in Stripe's dashboard, test mode's (the grid's accessible cell
    # holds the address; the canvas shows the dispute's id).
    [link] = [cell for cell in grid_cells(page) if cell.startswith("https://")]
    assert link.startswith("https://dashboard.stripe.com/test/disputes/dp_")


def test_the_failed_payout_and_a_payouts_csv_that_adds_up(console, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    sign_in(page, console.url)
    page.goto(f"{console.url}/payouts")
    page.get_by_role("heading", level=1, name="Payouts").wait_for(timeout=60_000)
    page.get_by_text("What it holds, per webinar").wait_for(timeout=60_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    _grid_cell(page, "Failed").wait_for(state="attached", timeout=60_000)
    wait_until_drawn(page)
    screenshot(page, "finance-3-payouts")

    report = console.report("payouts")
    failed = next(row for row in report if row["status"] == "failed")
    page.get_by_role("combobox", name="Open a payout").click()
    page.keyboard.type(failed["payout_id"])
    page.keyboard.press("Enter")
    page.get_by_text(
        "This payout failed (account_closed: The bank account has been closed.)"
    ).wait_for(timeout=60_000)
    page.get_by_text("add up to the payout's amount, to the unit").wait_for(timeout=60_000)
    wait_until_drawn(page)
    screenshot(page, "finance-4-failed-payout")

    button = page.get_by_role("button", name="Download this payout's transactions (CSV)")
    with page.expect_download(timeout=60_000) as download:
        button.dispatch_event("click")
    saved = tmp_path / "payout.csv"
    download.value.save_as(saved)
    lines = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert len(lines) == failed["transactions"]
    assert {line["Payout"] for line in lines} == {failed["payout_id"]}
    assert sum(int(line["Net"]) for line in lines) == failed["amount"]
    shown = format_money(failed["amount"], failed["currency"])
    assert page.locator('[data-testid="stMetricValue"]', has_text=shown).count() == 2
