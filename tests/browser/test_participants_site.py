"""The public registration site of `make run`, in headless Chromium as participants see it:
a French visitor in Paris registers and pays, gets the confirmation page, a French e-mail
(through a real SMTP server) and a valid .ics, in Paris time across the clock change; a
visitor in New York sees the same session in their time; no internal page is reachable
from the public port; and the pages pass axe-core with no serious or critical violation."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest

from console.domain.catalog import Session, Webinar
from console.store import catalog, db
from tests.browser_support import RunningConsole, screenshot, wait_until_drawn
from tests.worlds import running_smtp

AXE = os.path.join(os.path.dirname(__file__), "axe", "node_modules", "axe-core", "axe.min.js")
# The last Sunday of October 2027: Paris is back on CET (UTC+1) from 03:00, New York is
# still on EDT (UTC-4) until November 7. 10:00 in Paris is 09:00 UTC and 05:00 there.
STARTS = datetime(2027, 10, 31, 9, 0, tzinfo=UTC)
PARIS = Webinar(
    "wb_paris",
    "Atelier facturation électronique",
    "ann@example.org",
    description="Annulation : remboursement intégral jusqu'à 7 jours avant la session.",
    capacity=30,
    price_amount=3900,
    price_currency="eur",
    sessions=(Session(STARTS, 90),),
    time_zone="Europe/Paris",
)
INTERNAL_PATHS = (
    "revenue",
    "registrants",
    "fees",
    "reconciliation",
    "sync",
    "webinars",
    "webinar",
    "connection",
    "audit",
    "sign-in",
)


@pytest.fixture(scope="module")
def inbox():
    with pytest.MonkeyPatch.context() as patch, running_smtp(patch) as messages:
        yield messages


@pytest.fixture(scope="module")
def console(tmp_path_factory, inbox):
    data_dir = tmp_path_factory.mktemp("participants-run")
    running = RunningConsole(data_dir)  # takes SMTP_* from the environment inbox set
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONSOLE_DB", running.env["CONSOLE_DB"])
        with db.connect(write=True) as con:  # beside the running console, as a sync would
            catalog.save_webinars(con, [PARIS])
        db._close_all()
    yield running
    running.stop()


def _visitor(browser, locale: str, zone: str):
    context = browser.new_context(
        locale=locale, timezone_id=zone, viewport={"width": 1000, "height": 1600}
    )
    return context, context.new_page()


def _pay(page, number: str = "4242 4242 4242 4242") -> None:
    page.get_by_test_id("card-number").fill(number)
    page.get_by_test_id("card-expiry").fill("12 / 30")
    page.get_by_test_id("card-cvc").fill("123")
    page.get_by_test_id("pay-button").click()


def _serious_violations(page) -> list[dict]:
    """axe-core's serious and critical findings on the page as drawn."""
    wait_until_drawn(page)
    page.add_script_tag(path=AXE)
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:160] for n in v["nodes"]][:5]}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_a_french_visitor_in_paris_registers_pays_and_gets_it_all_in_french(
    console, browser, inbox, tmp_path
):
    context, page = _visitor(browser, "fr-FR", "Europe/Paris")
    page.goto(f"{console.public_url}/?webinar=wb_paris")
    page.get_by_text("Prix : 39,00 €").wait_for(timeout=60_000)
    page.get_by_text("dimanche 31 octobre 2027, 10:00 (Europe/Paris), 90 minutes").wait_for()
    assert page.get_by_text("Votre heure").count() == 0  # the visitor is in Paris too
    assert _serious_violations(page) == []
    screenshot(page, "participant-1-fr-announcement")

    page.get_by_label("Votre nom").fill("Camille Martin")
    page.get_by_label("Votre e-mail").fill("camille@example.org")
    page.get_by_role("button", name="Continuer vers le paiement").click()
    page.get_by_placeholder("Numéro de carte").wait_for(timeout=30_000)  # Stripe.js in French
    assert _serious_violations(page) == []
    _pay(page)
    page.get_by_text("Vous êtes inscrit, Camille Martin.").wait_for(timeout=60_000)
    wait_until_drawn(page)
    assert page.get_by_test_id("pay-button").count() == 0  # the form gave way
    page.get_by_text("Carte : Visa se terminant par 4242").wait_for()
    assert _serious_violations(page) == []
    screenshot(page, "participant-2-fr-confirmation")

    with page.expect_download() as download:
        page.get_by_role("button", name="Ajouter au calendrier (.ics)").click()
    download.value.save_as(tmp_path / "webinar.ics")
    ics = icalendar.Calendar.from_ical((tmp_path / "webinar.ics").read_bytes())
    [event] = ics.walk("VEVENT")
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event["dtstart"].dt.hour == 10 and event["dtstart"].dt.astimezone(UTC) == STARTS

    url = page.url
    page.reload()  # a reload shows the same confirmation, never a second payment
    page.get_by_text("Vous êtes inscrit, Camille Martin.").wait_for(timeout=60_000)
    wait_until_drawn(page)
    assert page.get_by_test_id("pay-button").count() == 0
    context.close()

    [mail] = [m for m in inbox.messages if m["To"] == "camille@example.org"]
    assert mail["Subject"] == "Vous êtes inscrit : Atelier facturation électronique"
    text = mail.get_body(("plain",)).get_content()
    assert "- dimanche 31 octobre 2027, 10:00 (Europe/Paris), 90 minutes" in text
    assert "Montant payé : 39,00\u00a0€ (EUR)" in text and "Visa se terminant par 4242" in text
    assert PARIS.description in text
    [token] = parse_qs(urlsplit(url).query)["registration"]
    assert f"{console.public_url}/?registration={token}" in text  # the link back
    [attachment] = list(mail.iter_attachments())
    [event] = icalendar.Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT")
    assert event["dtstart"].dt.astimezone(UTC) == STARTS

    console.sync()
    [paid] = [
        r
        for r in console.report("registrants", "--webinar", "wb_paris")
        if r["email"] == "camille@example.org"
    ]
    assert (paid["amount_paid"], paid["currency"], paid["status"]) == (3900, "eur", "paid")


def test_a_visitor_in_new_york_sees_the_same_session_in_their_time(console, browser):
    context, page = _visitor(browser, "en-US", "America/New_York")
    page.goto(f"{console.public_url}/?webinar=wb_paris")
    page.get_by_text("Price: €39.00").wait_for(timeout=60_000)
    page.get_by_text("Sunday, October 31, 2027, 10:00 (Europe/Paris), 90 minutes").wait_for()
    page.get_by_text("Your time: Sunday, October 31, 2027, 05:00 (America/New_York)").wait_for()
    screenshot(page, "participant-3-en-new-york")
    page.get_by_role("radio", name="Français").or_(page.get_by_text("Français")).first.click()
    page.get_by_text("Votre heure : dimanche 31 octobre 2027, 05:00 (America/New_York)").wait_for(
        timeout=30_000
    )
    context.close()


@pytest.mark.parametrize("path", INTERNAL_PATHS)
def test_no_internal_page_is_reachable_from_the_public_port(console, browser, path):
    context, page = _visitor(browser, "en-US", "UTC")
    page.goto(f"{console.public_url}/{path}")
    page.get_by_role("heading", name=PARIS.title).or_(
        page.get_by_text("There is no webinar open")
    ).or_(page.get_by_role("combobox", name="Webinar")).first.wait_for(timeout=60_000)
    wait_until_drawn(page)
    shown = page.locator('[data-testid="stApp"]').inner_text()
    for internal in ("Sign in", "Password", "Revenue", "Stripe fees", "Audit log", "Sign out"):
        assert internal not in shown, (path, internal)
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    context.close()
