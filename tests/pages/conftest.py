"""Fixtures of the page tests: Streamlit's caches emptied around each test, and the shops
(payments in the local Stripe, synced) the pages show."""

from __future__ import annotations

import time

import pytest

from console.domain.catalog import Registration, Webinar
from console.store import db
from console.store.catalog import save_registrations, save_webinars
from console.stripe_api import sync
from tests.payments import pay, refund
from tests.services.refunds.support import priced_webinar

DAY = 86400


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def shop(fresh_stripe):
    """On a US account: payments over three months in usd, jpy and eur (the last two
    converted to usd), refunds, a free webinar's registrants."""
    fresh_stripe.config("account", country="US", default_currency="usd")
    client = fresh_stripe.client()
    now = int(time.time())
    first = pay(client, "wb_a", 4900, "usd", at=now - 70 * DAY, email="a@example.org")
    pay(client, "wb_a", 4900, "usd", at=now - 10 * DAY, email="b@example.org", name="Bea")
    pay(client, "wb_b", 5000, "jpy", at=now - 5 * DAY, email="c@example.org")
    pay(
        client,
        "wb_c",
        2900,
        "eur",
        card="pm_card_amex",
        at=now - 3 * DAY,
        email="d@example.org",
        name='=HYPERLINK("http://x","y")',
    )
    refund(client, first.id, amount=1000, at=now - 60 * DAY)
    with db.connect(write=True) as con:
        save_webinars(
            con,
            [
                Webinar(
                    "wb_a", "Fees 101", "ann@example.org", price_amount=4900, price_currency="usd"
                ),
                Webinar(
                    "wb_b", "Tokyo", "bob@example.org", price_amount=5000, price_currency="jpy"
                ),
                Webinar(
                    "wb_c", "Atelier", "ann@example.org", price_amount=2900, price_currency="eur"
                ),
                Webinar("wb_free", "Open hour", "bob@example.org"),
            ],
        )
        save_registrations(
            con,
            [
                Registration(
                    f"reg_{n}",
                    "wb_free",
                    f"Guest {n}",
                    f"g{n}@example.org",
                    "registered",
                    None,
                    __import__("datetime").datetime(2026, 11, 1),
                )
                for n in range(3)
            ],
        )
    sync.run_sync()
    return fresh_stripe


@pytest.fixture
def refund_shop(fresh_stripe, smtp_server):
    """The webinar wb_r at $49.00 and two people who paid it, synced; (Stripe client, inbox)."""
    priced_webinar()
    # A US account: these USD payments settle as they are, so the figures below are exact.
    fresh_stripe.config("account", country="US", default_currency="usd")
    client = fresh_stripe.client()
    for number in range(2):
        pay(
            client,
            "wb_r",
            4900,
            "usd",
            email=f"person{number}@example.org",
            name=f"Person {number}",
        )
    sync.run_sync()
    return client, smtp_server
