"""Pages through Streamlit's AppTest, run from the entry point as a person would."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from console import reports, sync
from console.money import format_money
from tests.payments import pay, refund

DAY = 86400
APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _app() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def test_revenue_page_shows_the_report_figures(fresh_stripe):
    client = fresh_stripe.client()
    now = int(time.time())
    first = pay(client, "wb_a", 4900, "usd", at=now - 30 * DAY, email="a@example.org")
    pay(client, "wb_a", 4900, "usd", at=now - 20 * DAY, email="b@example.org")
    pay(client, "wb_b", 5000, "jpy", at=now - 10 * DAY, email="c@example.org")
    refund(client, first.id, amount=1000)
    sync.run_sync()

    app = _app()

    shown = app.dataframe[0].value
    expected = reports.records(reports.revenue(livemode=False))
    assert len(shown) == len(expected)
    for row, want in zip(shown.to_dict("records"), expected, strict=True):
        assert row["webinar_id"] == want["webinar_id"]
        assert row["paid_registrants"] == want["paid_registrants"]
        assert row["gross"] == format_money(want["gross"], want["currency"])
        assert row["refunded"] == format_money(want["refunded"], want["currency"])
        assert row["fees"] == format_money(want["fees"], want["settlement_currency"])
        assert row["net"] == format_money(want["net"], want["settlement_currency"])
    assert "$98.00" in set(shown["gross"])
    assert "¥5,000" in set(shown["gross"])


def test_revenue_page_in_french_formats_money_the_french_way(fresh_stripe):
    pay(fresh_stripe.client(), "wb_a", 123456, "eur", email="a@example.org")
    sync.run_sync()
    app = _app()

    app.sidebar.selectbox[0].select("fr").run()

    assert not app.exception
    assert app.title[0].value == "Revenus"
    assert app.dataframe[0].value["gross"].iloc[0] == "1\u202f234,56\xa0€"


def test_revenue_page_without_a_key_says_how_to_connect(monkeypatch, tmp_path):
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "empty.duckdb"))
    app = _app()
    assert "STRIPE_API_KEY" in app.info[0].value


def test_revenue_page_before_any_sync_says_to_sync(fresh_stripe):
    app = _app()
    assert "No sync yet" in app.info[0].value
