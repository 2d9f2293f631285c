"""An admin in headless Chromium: create a webinar, price it in EUR, see it listed, and be
told why 0.10 EUR cannot be a price."""

from __future__ import annotations

import pytest

from tests.browser_support import (
    RunningConsole,
    grid_cells,
    screenshot,
    sign_in,
    wait_until_drawn,
)


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    running = RunningConsole(tmp_path_factory.mktemp("admin-run"))
    yield running
    running.stop()


def _open_webinar(page, url: str, title: str) -> None:
    page.goto(f"{url}/webinars")
    page.get_by_role("combobox", name="Open a webinar").click()
    page.keyboard.type(title)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Open the webinar").click()
    page.get_by_role("heading", name=title).wait_for(timeout=30_000)


def _grid_cell(page, text: str):
    """The data-grid cell that shows `text` (the grid draws its accessible cells a moment
    after the table element appears)."""
    cell = page.locator('[data-testid="stDataFrame"] [role="gridcell"]', has_text=text)
    return cell.first


def _review_price(page, amount: str) -> None:
    page.get_by_label("Amount (as you would write it").fill(amount)
    page.get_by_label("Amount (as you would write it").press("Enter")
    page.get_by_role("button", name="Review the new price").click()


def _type_start_time(page, hour: str, minute: str) -> None:
    hour_field = page.get_by_role("spinbutton", name="hour, Start time")
    if hour_field.count():
        hour_field.first.click()
        page.keyboard.type(hour + minute)
        return
    page.get_by_label("Start time").first.click()  # a list of times to pick from
    page.keyboard.type(f"{hour}:{minute}")
    page.keyboard.press("Enter")


def test_create_price_list_and_refuse_ten_cents(console, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    sign_in(page, console.url)
    page.goto(f"{console.url}/webinars")
    page.get_by_label("Title").fill("Browser-made webinar")
    page.get_by_role("combobox", name="Time zone").click()
    page.keyboard.type("Europe/Paris")
    page.keyboard.press("Enter")
    # Streamlit's date and time fields take typed digits, segment by segment.
    page.get_by_role("spinbutton", name="year, Date").first.click()
    page.keyboard.type("20270504")
    _type_start_time(page, "15", "00")
    page.get_by_label("Minutes").fill("90")
    page.get_by_label("Minutes").press("Enter")
    page.get_by_text("Tuesday, May 4, 2027, 15:00 (Europe/Paris)").wait_for(timeout=30_000)
    page.get_by_label("Capacity").fill("25")
    page.get_by_label("Description, with the cancellation").fill("Full refund until May 1.")
    page.get_by_role("button", name="Create webinar").click()
    page.get_by_text("Created “Browser-made webinar”").wait_for(timeout=30_000)
    screenshot(page, "admin-1-created")

    _open_webinar(page, console.url, "Browser-made webinar")
    # The link participants register by, on the public site, with its QR code.
    page.get_by_text(f"{console.public_url}/?webinar=").wait_for(timeout=30_000)
    page.get_by_text("QR code of the link").wait_for()
    page.get_by_role("button", name="Download the QR code (SVG)").wait_for()
    _review_price(page, "49")
    page.get_by_text("from Free to €49.00?").wait_for(timeout=30_000)
    page.get_by_role("button", name="Confirm the price").click()
    page.get_by_text("Price saved.").wait_for(timeout=30_000)
    screenshot(page, "admin-2-priced")

    page.goto(f"{console.url}/webinars")
    _grid_cell(page, "Browser-made webinar").wait_for(state="attached", timeout=30_000)
    wait_until_drawn(page)
    cells = grid_cells(page)
    row = cells.index("Browser-made webinar")
    assert "€49.00" in cells[row : row + 8]
    screenshot(page, "admin-3-listed")

    _open_webinar(page, console.url, "Browser-made webinar")
    _review_price(page, "0.10")
    message = page.get_by_text("Stripe's minimum charge in EUR is €0.50").first
    message.wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Confirm the price").count() == 0
    screenshot(page, "admin-4-refused")


def test_partial_refund_from_the_registrants_page(console, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    sign_in(page, console.url)
    page.goto(f"{console.url}/registrants?webinar=wb_demo_03")
    page.get_by_text("Refund a payment").wait_for(timeout=60_000)
    page.get_by_text("Part of it").click()
    page.get_by_label("Amount to refund").fill("10")
    page.get_by_label("Amount to refund").press("Enter")
    page.get_by_role("button", name="Review the refund").click()
    page.get_by_text("Refund $10.00 of $99.00").wait_for(timeout=30_000)
    # The demo account settles in EUR: the fee kept and the net are euros, not dollars.
    confirmation = page.get_by_text("Stripe keeps its fee of €").inner_text()
    assert "$10.00" in confirmation and "becomes about €" in confirmation
    screenshot(page, "refund-1-confirm")

    page.get_by_role("button", name="Confirm the refund").click()
    page.get_by_text("Refund succeeded: $10.00").wait_for(timeout=30_000)
    screenshot(page, "refund-2-done")
    refunded = [
        row
        for row in console.report("registrants", "--webinar", "wb_demo_03")
        if row["amount_refunded"] == 1000
    ]
    assert len(refunded) >= 1


FRENCH_VISA = "4000 0025 0000 0003"  # docs.stripe.com/testing#international-cards


def _pay(page, number: str) -> None:
    page.get_by_test_id("card-number").fill(number)
    page.get_by_test_id("card-expiry").fill("12 / 30")
    page.get_by_test_id("card-cvc").fill("123")
    page.get_by_test_id("pay-button").click()


def test_register_and_pay_in_eur_then_see_the_registrant_after_a_sync(console, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 1800})
    sign_in(page, console.url)
    page.goto(f"{console.public_url}/?webinar=wb_demo_11")
    page.get_by_text("TEST MODE").wait_for(timeout=30_000)
    page.get_by_label("Your name").fill("Jeanne Browser")
    page.get_by_label("Your e-mail").fill("jeanne.browser@example.org")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_test_id("card-number").wait_for(timeout=30_000)
    screenshot(page, "register-1-card")
    _pay(page, FRENCH_VISA)
    page.get_by_text("You are registered,").wait_for(timeout=30_000)
    screenshot(page, "register-2-paid")

    console.sync()
    [row] = [
        r
        for r in console.report("registrants", "--webinar", "wb_demo_11")
        if r["email"] == "jeanne.browser@example.org"
    ]
    # A French card on a French account: 1.5% + €0.25.
    assert (row["amount_paid"], row["currency"], row["fee"]) == (3900, "eur", 84)
    page.goto(f"{console.url}/registrants?webinar=wb_demo_11")
    page.get_by_role("textbox", name="Search name, e-mail or charge").fill("jeanne.browser")
    page.keyboard.press("Enter")
    _grid_cell(page, "jeanne.browser@example.org").wait_for(state="attached", timeout=30_000)
    wait_until_drawn(page)
    cells = grid_cells(page)
    assert "jeanne.browser@example.org" in cells and "€39.00" in cells and "€0.84" in cells
    screenshot(page, "register-3-registrants")


def test_a_declined_card_then_a_good_one_makes_exactly_one_payment(console, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 1800})
    sign_in(page, console.url)
    page.goto(f"{console.public_url}/?webinar=wb_demo_12")
    page.get_by_label("Your name").fill("Dina Declined")
    page.get_by_label("Your e-mail").fill("dina.declined@example.org")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_test_id("card-number").wait_for(timeout=30_000)
    _pay(page, "4000 0000 0000 0002")
    page.get_by_text("Your card was declined. Try another card.").wait_for(timeout=30_000)
    screenshot(page, "register-4-declined")
    _pay(page, "4242 4242 4242 4242")
    page.get_by_text("You are registered,").wait_for(timeout=30_000)

    console.sync()
    payments = [
        r
        for r in console.report("registrants", "--webinar", "wb_demo_12")
        if r["email"] == "dina.declined@example.org"
    ]
    assert len(payments) == 1 and payments[0]["amount_paid"] == 5900


def _start_registration(page, url: str, webinar_id: str, name: str, email: str) -> None:
    page.goto(f"{url}/?webinar={webinar_id}")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your e-mail").fill(email)
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_test_id("card-number").wait_for(timeout=30_000)


def _registrant_row(console, page, webinar_id: str, email: str) -> tuple[dict, list[str]]:
    """After a sync: the registrant's report row, and the cells the registrants page shows."""
    console.sync()
    [row] = [
        r for r in console.report("registrants", "--webinar", webinar_id) if r["email"] == email
    ]
    page.goto(f"{console.url}/registrants?webinar={webinar_id}")
    page.get_by_role("textbox", name="Search name, e-mail or charge").fill(email)
    page.keyboard.press("Enter")
    _grid_cell(page, email).wait_for(state="attached", timeout=30_000)
    wait_until_drawn(page)
    return row, grid_cells(page)


def test_a_payment_that_needs_3d_secure_ends_up_on_the_registrants_page(console, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    sign_in(page, console.url)
    email = "sam.secure@example.org"
    _start_registration(page, console.public_url, "wb_demo_11", "Sam Secure", email)
    _pay(page, "4000 0027 6000 3184")  # always asks for 3D Secure
    page.get_by_test_id("threeds-complete").wait_for(timeout=30_000)
    screenshot(page, "register-5-3ds")
    page.get_by_test_id("threeds-complete").click()
    page.get_by_text("You are registered,").wait_for(timeout=30_000)

    row, cells = _registrant_row(console, page, "wb_demo_11", email)

    assert (row["amount_paid"], row["currency"], row["status"]) == (3900, "eur", "paid")
    assert "€39.00" in cells and row["dispute_status"] is None
    screenshot(page, "register-6-3ds-registrant")


def test_a_payment_with_a_dispute_test_card_shows_its_dispute(console, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    sign_in(page, console.url)
    email = "dora.dispute@example.org"
    _start_registration(page, console.public_url, "wb_demo_11", "Dora Dispute", email)
    _pay(page, "4000 0000 0000 0259")  # paid, then disputed as fraudulent
    page.get_by_text("You are registered,").wait_for(timeout=30_000)

    row, cells = _registrant_row(console, page, "wb_demo_11", email)

    assert row["dispute_status"] == "needs_response"
    # The chargeback and the dispute fee leave the balance: the net is below zero.
    assert row["settlement_currency"] == "eur" and row["net"] < 0
    assert "needs response" in cells
    screenshot(page, "register-7-dispute")


# Every page an admin opens, what it shows once it has rendered (its title, a text from
# further down, the kinds of element it draws) and whether it offers a CSV export.
PAGES = (
    ("", "Revenue", "Per webinar", ("stMetricValue", "stPlotlyChart", "stDataFrame"), True),
    (
        "registrants?webinar=wb_demo_01",
        "Paid registrants",
        "Refund a payment",
        ("stDataFrame",),
        True,
    ),
    ("fees", "Stripe fees", "Fees by type", ("stPlotlyChart", "stDataFrame"), True),
    ("reconciliation", "Reconciliation", "Compare with Stripe now", ("stDataFrame",), False),
    ("sync", "Sync status", "Last sync", ("stMetricValue", "stDataFrame"), False),
    ("webinars", "Webinars", "Create a webinar", ("stDataFrame",), False),
    ("connection", "Stripe connection", "A test-mode key is configured", (), False),
    ("audit", "Audit log", "Entries cannot be edited or deleted", ("stDataFrame",), True),
    (  # on the public site
        "public:?webinar=wb_demo_11",
        "Comptabilité pour associations",
        "Price: €39.00",
        ("stForm",),
        False,
    ),
)


def _wait_until_shown(page, title: str, text: str, testids: tuple[str, ...]) -> None:
    page.get_by_role("heading", level=1, name=title).wait_for(timeout=60_000)
    page.get_by_text(text).first.wait_for(timeout=60_000)
    for testid in testids:
        page.locator(f'[data-testid="{testid}"]').first.wait_for(timeout=60_000)
    wait_until_drawn(page)
    assert page.locator('[data-testid="stException"]').count() == 0, title


def test_the_stripe_key_appears_in_no_page_export_or_log(console, browser, tmp_path):
    key = "sk_test_local_console"
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    sign_in(page, console.url)
    seen = {}
    for path, title, text, testids, exports in PAGES:
        public = path.startswith("public:")
        page.goto(f"{console.public_url}/{path[7:]}" if public else f"{console.url}/{path}")
        _wait_until_shown(page, title, text, testids)
        name = "register" if public else path.split("?")[0] or "revenue"
        seen[name] = page.content()
        buttons = page.get_by_role("button", name="Download CSV")
        assert (buttons.count() > 0) == exports, name
        if exports:
            with page.expect_download(timeout=60_000) as download:
                buttons.first.dispatch_event("click")
            saved = tmp_path / f"{name}.csv"
            download.value.save_as(saved)
            seen[f"{name}.csv"] = saved.read_text()
            assert seen[f"{name}.csv"].count("\n") > 1, f"{name}.csv has no rows"
    page.goto(f"{console.url}/connection")
    page.get_by_role("button", name="Check the connection now").click()
    page.get_by_text("Verification", exact=True).wait_for(timeout=30_000)
    seen["connection checked"] = page.content()
    assert "…sole" in seen["connection checked"]  # the last four characters, and no more
    seen["log"] = "".join(console.output)
    assert len(seen) == len(PAGES) + 4 + 2  # nine pages, four exports, the check, the log
    assert not [name for name, text in seen.items() if key in text]
