"""pages/revenue.py (the entry point's first page) through AppTest, run from the entry point
as a person would. Figures on the page are checked against totals computed from the local
Stripe's API."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from console.domain.money import format_money
from console.services import analytics, reports
from console.store import db
from tests.pages.support import ADMIN_ACTOR, open_app
from tests.payments import stripe_revenue


def _metrics(app: AppTest) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for metric in app.metric:
        found.setdefault(metric.label, []).append(metric.value)
    return found


def test_revenue_page_figures_equal_stripe_and_the_report(shop):
    app = open_app()

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
    app = open_app()
    app.selectbox(key="period").select("30").run()

    assert not app.exception
    usd_gross = [m for m in app.metric if m.label == "Gross" and m.value.startswith("$")][0]
    assert usd_gross.value == "$49.00"  # only the payment 10 days ago
    # The previous 30 days had no usd payment and the 1000 refund 60 days ago is outside both.
    assert "+$49.00" in usd_gross.delta


def test_revenue_webinar_organizer_and_currency_filters(shop):
    app = open_app()
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
    app = open_app()
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
    app = open_app()
    app.sidebar.selectbox[0].select("fr").run()

    assert not app.exception
    assert app.title[0].value == "Revenus"
    assert "29,00\xa0€" in [m.value for m in app.metric if m.label == "Brut"]


def test_revenue_page_empty_states(monkeypatch, tmp_path, fresh_stripe):
    app = open_app()
    assert "No sync yet" in app.info[0].value

    monkeypatch.delenv("STRIPE_API_KEY")
    app = open_app()
    assert "STRIPE_API_KEY" in app.info[0].value


def test_stale_data_gets_a_banner(shop):
    with db.connect(write=True) as con:
        con.execute("UPDATE sync_runs SET finished_at = finished_at - INTERVAL 2 DAY")
    app = open_app()
    assert any("more than 6 hours old" in w.value for w in app.warning)
