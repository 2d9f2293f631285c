"""Every page through Streamlit's AppTest, run from the entry point as a person would.

Figures on the page are checked against totals computed from the local Stripe's API.
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Registration, Webinar
from console.domain.money import format_money
from console.services import analytics, reports
from console.services.access import ADMIN, Actor
from console.store import db
from console.store.catalog import save_registrations, save_webinars
from console.stripe_api import sync
from tests import REPO
from tests.payments import all_objects, pay, refund, stripe_revenue

DAY = 86400
APP = REPO / "streamlit_app.py"


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


ADMIN_ACTOR = Actor("admin@example.org", ADMIN)


def _app(page: str | None = None, actor: Actor = ADMIN_ACTOR, **query) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.session_state["actor"] = actor
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    if page:
        app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def _metrics(app: AppTest) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for metric in app.metric:
        found.setdefault(metric.label, []).append(metric.value)
    return found


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


# --- revenue -------------------------------------------------------------------------------


def test_revenue_page_figures_equal_stripe_and_the_report(shop):
    app = _app()

    expected = stripe_revenue(shop.client())
    metrics = _metrics(app)
    # What registrants paid, per payment currency...
    for currency in ("usd", "jpy", "eur"):
        keys = [key for key in expected if key[1] == currency]
        for column, label in (("gross", "Gross"), ("refunded", "Refunded")):
            total = sum(expected[key][column] for key in keys)
            assert format_money(total, currency) in metrics[label], (currency, column)
    # ...and Stripe's fees and the net, in the one settlement currency.
    for column, label in (("fees", "Stripe fees"), ("net", "Net")):
        total = sum(row[column] for row in expected.values())
        assert metrics[label] == [format_money(total, "usd")], column
    table = app.dataframe[0].value
    report = reports.records(reports.revenue(livemode=False))
    assert list(table["webinar_id"]) == [row["webinar_id"] for row in report]
    for row, want in zip(table.to_dict("records"), report, strict=True):
        assert row["net"] == format_money(want["net"], want["settlement_currency"])
        assert row["paid_registrants"] == want["paid_registrants"]
    assert "TEST MODE" in app.warning[0].value


def test_revenue_period_filter_and_change_against_the_previous_period(shop):
    app = _app()
    app.selectbox(key="period").select("30").run()

    assert not app.exception
    usd_gross = [m for m in app.metric if m.label == "Gross" and m.value.startswith("$")][0]
    assert usd_gross.value == "$49.00"  # only the payment 10 days ago
    # The previous 30 days had no usd payment and the 1000 refund 60 days ago is outside both.
    assert "+$49.00" in usd_gross.delta


def test_revenue_webinar_organizer_and_currency_filters(shop):
    app = _app()
    app.multiselect(key="webinars").select("wb_b").run()
    assert [m.value for m in app.metric if m.label == "Gross"] == ["¥5,000"]

    app.multiselect(key="webinars").unselect("wb_b").run()
    app.selectbox(key="organizer").select("ann@example.org").run()
    assert sorted(m.value for m in app.metric if m.label == "Gross") == ["$98.00", "€29.00"]
    assert set(app.dataframe[0].value["webinar_id"]) == {"wb_a", "wb_c"}

    app.selectbox(key="organizer").select(None).run()
    app.selectbox(key="currency").select("jpy").run()
    assert [m.value for m in app.metric if m.label == "Gross"] == ["¥5,000"]
    assert not app.exception


def test_revenue_chart_grain_and_export(shop):
    app = _app()
    for grain in ("day", "week", "month"):
        app.radio(key="grain").set_value(grain).run()
        assert not app.exception
    assert app.get("plotly_chart")
    assert app.get("download_button")
    exported = analytics.revenue_by_webinar(ADMIN_ACTOR, False, analytics.RevenueFilter())
    assert list(exported["gross"]) == [
        row["gross"] for row in reports.records(reports.revenue(livemode=False))
    ]


def test_revenue_page_in_french(shop):
    app = _app()
    app.sidebar.selectbox[0].select("fr").run()

    assert not app.exception
    assert app.title[0].value == "Revenus"
    assert "29,00\xa0€" in [m.value for m in app.metric if m.label == "Brut"]


def test_revenue_page_empty_states(monkeypatch, tmp_path, fresh_stripe):
    app = _app()
    assert "No sync yet" in app.info[0].value

    monkeypatch.delenv("STRIPE_API_KEY")
    app = _app()
    assert "STRIPE_API_KEY" in app.info[0].value


def test_stale_data_gets_a_banner(shop):
    with db.connect(write=True) as con:
        con.execute("UPDATE sync_runs SET finished_at = finished_at - INTERVAL 2 DAY")
    app = _app()
    assert any("more than 6 hours old" in w.value for w in app.warning)


# --- registrants ---------------------------------------------------------------------------


def test_registrants_page_lists_payments_with_fees_and_links(shop):
    app = _app("pages/registrants.py", webinar="wb_a")

    table = app.dataframe[0].value
    assert sorted(table["email"]) == ["a@example.org", "b@example.org"]
    row = table[table["email"] == "a@example.org"].iloc[0]
    assert row["amount_paid"] == "$49.00"
    assert row["amount_refunded"] == "$10.00"
    assert row["fee"] == "$1.72"
    assert row["status"] == "Partially refunded"
    assert row["card_brand"] == "visa"
    charge = next(c for c in all_objects(shop.client(), "charges") if c.amount_refunded)
    assert row["stripe_link"] == f"https://dashboard.stripe.com/test/payments/{charge.id}"


def test_registrants_search_sort_and_export(shop):
    app = _app("pages/registrants.py", webinar="wb_a")
    app.text_input(key="registrant_search").input("bea").run()
    assert list(app.dataframe[0].value["email"]) == ["b@example.org"]

    app.text_input(key="registrant_search").input("").run()
    app.selectbox(key="registrant_sort").select("name").run()
    assert list(app.dataframe[0].value["name"]) == ["Ada Lovelace", "Bea"]
    assert app.get("download_button")


def test_registrants_export_neutralises_formulas(shop):
    rows = analytics.registrant_rows(ADMIN_ACTOR, False, "wb_c")
    exported = analytics.registrants_csv(rows).decode()
    assert "'=HYPERLINK" in exported
    assert "\n=HYPERLINK" not in exported and ",=HYPERLINK" not in exported


def test_registrants_of_a_free_webinar_appear_with_amount_zero(shop):
    app = _app("pages/registrants.py", webinar="wb_free")
    table = app.dataframe[0].value
    assert len(table) == 3
    assert set(table["amount_paid"]) == {"—"}
    assert set(table["status"]) == {"Free registration"}


def test_registrants_page_for_a_webinar_without_payments(shop):
    with db.connect(write=True) as con:
        save_webinars(
            con,
            [
                Webinar(
                    "wb_new", "Brand new", "ann@example.org", price_amount=900, price_currency="usd"
                )
            ],
        )
    app = _app("pages/registrants.py", webinar="wb_new")
    assert "No payments" in app.info[0].value


# --- fees ------------------------------------------------------------------------------------


def test_fees_page_equals_stripe_balance_transactions(shop):
    app = _app("pages/fees.py")

    table = app.dataframe[0].value
    txns = all_objects(shop.client(), "balance_transactions")
    assert set(table["settlement_currency"]) == {"usd"}  # everything settles in usd
    monthly = analytics.fees_by_month(ADMIN_ACTOR, False)
    assert int(monthly["fees"].sum()) == sum(t.fee for t in txns)
    assert list(table["fees"]) == [format_money(int(f), "usd") for f in monthly["fees"]]
    # The breakdown by kind adds up to the same total, and shows the converted payments.
    breakdown = analytics.fee_breakdown(ADMIN_ACTOR, False)
    assert int(breakdown["amount"].sum()) == int(monthly["fees"].sum())
    shown = app.dataframe[1].value
    assert set(shown["fee_type"]) == {
        "Card payments",
        "Card payments converted to the settlement currency",
        "Refunds",
    }
    converted = [t for t in txns if t.reporting_category == "charge" and t.exchange_rate]
    row = breakdown[breakdown["fee_type"] == "converted_card_payments"].iloc[0]
    assert (row["transactions"], row["amount"]) == (2, sum(t.fee for t in converted))
    assert app.get("download_button") and app.get("plotly_chart")

    app.selectbox(key="fees_currency").select("usd").run()
    assert set(app.dataframe[0].value["settlement_currency"]) == {"usd"}


# --- reconciliation and sync ---------------------------------------------------------------


def test_reconciliation_shows_a_new_refund_until_the_next_sync(shop):
    app = _app("pages/reconciliation.py")
    assert "no difference" in app.success[0].value

    intent = all_objects(shop.client(), "payment_intents")[0]
    late = refund(shop.client(), intent.id, amount=100)
    app.button(key="compare_now").click().run()
    assert not app.exception
    differences = app.dataframe[1].value
    assert late.id in set(differences["id"])
    assert "difference" in app.error[0].value

    app.button(key="reconciliation_sync").click().run()
    app.button(key="compare_now").click().run()
    assert not app.exception
    assert any("no difference" in s.value for s in app.success)


def test_sync_status_page_syncs_and_shows_failures(shop):
    app = _app("pages/sync_status.py")
    assert app.metric[1].label == "Objects"

    app.button(key="sync_page_button").click().run()
    assert any("Sync finished" in s.value for s in app.success)

    shop.config("/_config/faults", status=500, every=1, path_prefix="/v1/")
    sync.BACKOFF_SECONDS = (0.01,)
    try:
        app.button(key="sync_page_button").click().run()
    finally:
        sync.BACKOFF_SECONDS = (1, 2, 4, 8)
        shop.config("/_config/faults", method="DELETE")
    assert any("Stripe had an internal error" in e.value for e in app.error)
    assert not app.exception
