"""The refund and cancellation controls through AppTest, against the local Stripe."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.money import format_money
from console.services.access import ADMIN, Actor
from console.store import db
from console.stripe_api import sync
from tests import REPO
from tests.payments import all_objects, pay
from tests.services.refunds.support import priced_webinar, snapshot

APP = REPO / "streamlit_app.py"


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    import streamlit as st

    st.cache_data.clear()


@pytest.fixture
def shop(fresh_stripe, smtp_server):
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


def _registrants_page() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.session_state["actor"] = Actor("admin@example.org", ADMIN)
    app.query_params["webinar"] = "wb_r"
    app.run()
    app.switch_page("pages/registrants.py").run()
    assert not app.exception, app.exception
    return app


def test_partial_refund_with_confirmation(shop):
    client, inbox = shop
    app = _registrants_page()
    app.radio(key="refund_kind").set_value("partial").run()
    app.text_input(key="refund_amount").input("10")
    app.selectbox(key="refund_reason").select("requested_by_customer")
    app.text_input(key="refund_note").input("came late")
    app.button(key="review_refund").click().run()

    confirmation = app.markdown[-1].value
    assert "Refund $10.00 of $49.00" in confirmation
    assert "Stripe keeps its fee of $1.72: it is not returned" in confirmation
    assert "becomes $37.28" in confirmation
    assert all_objects(client, "refunds") == []  # nothing before confirmation

    app.button(key="confirm_refund").click().run()

    assert not app.exception
    [refund] = all_objects(client, "refunds")
    assert refund.amount == 1000 and refund.reason == "requested_by_customer"
    assert any("Refund succeeded: $10.00" in s.value for s in app.success)
    table = app.dataframe[0].value
    assert "$10.00" in set(table["amount_refunded"])  # shown at once, before any sync
    assert len(inbox.messages) == 1


def test_a_jpy_payments_fee_shows_in_the_settlement_currency(fresh_stripe, smtp_server):
    priced_webinar(price=5000, currency="jpy")  # a French account (the default) settles in EUR
    client = fresh_stripe.client()
    pay(client, "wb_r", 5000, "jpy", card="pm_card_jp", email="ken@example.org", name="Ken")
    sync.run_sync()
    with db.connect() as con:
        fee, net, rate = con.execute(
            "SELECT fee, net, exchange_rate FROM stripe_balance_transactions "
            "WHERE reporting_category = 'charge'"
        ).fetchone()
    assert rate is not None and fee > 0

    app = _registrants_page()

    table = app.dataframe[0].value
    assert list(table["amount_paid"]) == ["¥5,000"]
    assert list(table["fee"]) == [format_money(fee, "eur")]
    assert list(table["net"]) == [format_money(net, "eur")]
    app.radio(key="refund_kind").set_value("partial").run()
    app.text_input(key="refund_amount").input("1000")
    app.button(key="review_refund").click().run()
    confirmation = app.markdown[-1].value
    assert "Refund ¥1,000 of ¥5,000" in confirmation
    assert f"Stripe keeps its fee of {format_money(fee, 'eur')}" in confirmation
    assert "becomes about €" in confirmation and "¥" not in confirmation.split("becomes")[1]


def test_refund_above_what_remains_is_refused_and_writes_nothing(shop):
    client, _inbox = shop
    before = snapshot()
    app = _registrants_page()
    app.radio(key="refund_kind").set_value("partial").run()
    app.text_input(key="refund_amount").input("60")
    app.button(key="review_refund").click().run()

    assert "At most $49.00 can still be refunded" in app.error[0].value
    assert "confirm_refund" not in [b.key for b in app.button]
    assert snapshot() == before
    assert all_objects(client, "refunds") == []


def test_going_back_from_the_confirmation_refunds_nothing(shop):
    client, _inbox = shop
    app = _registrants_page()
    app.button(key="review_refund").click().run()
    app.button(key="cancel_refund").click().run()
    assert "confirm_refund" not in [b.key for b in app.button]
    assert all_objects(client, "refunds") == []


def test_cancel_the_webinar_refunds_everyone_and_offers_the_summary(shop):
    client, inbox = shop
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.session_state["actor"] = Actor("admin@example.org", ADMIN)
    app.query_params["webinar"] = "wb_r"
    app.run()
    app.switch_page("pages/webinar.py").run()
    app.text_input(key="cancel_webinar_reason").input("speaker ill")
    app.checkbox(key="confirm_cancel").check().run()
    app.button(key="cancel_webinar").click().run()

    assert not app.exception
    assert len(all_objects(client, "refunds")) == 2
    assert any("Refunded **2**" in m.value for m in app.markdown)
    assert app.get("download_button")
    log = app.dataframe[-1].value
    assert {"cancel webinar", "refund"} <= set(log["action"])
    assert len(inbox.messages) == 2
    with db.connect() as con:
        assert con.execute("SELECT status FROM webinars").fetchone() == ("cancelled",)
