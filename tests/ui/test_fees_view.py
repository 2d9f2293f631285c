"""console/ui/fees_view.py through AppTest, on one synced local Stripe: the settlement
currency filter, the monthly table (money in its settlement currency, the effective rate),
the rate chart and the fees by type, in English and French."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.money import format_money
from console.services import analytics
from console.services.access import FINANCE, Actor
from console.stripe_api import sync
from tests.payments import pay, refund
from tests.ui.support import run_piece
from tests.worlds import module_world

FIN = Actor("fin@example.org", FINANCE)
DAY = 86400


@pytest.fixture(scope="module")
def ledger(fresh_servers, tmp_path_factory):
    """On the French account (settles in EUR), 100 days ago: a EUR payment and a USD one
    (converted); 60 days ago the EUR payment refunded in full, in a month of its own. Then
    on a US account (settles in USD), 5 days ago: a USD payment."""
    with module_world(fresh_servers, tmp_path_factory.mktemp("fees")) as local:
        client = local.client()
        now = int(time.time())
        paid = pay(client, "wb_a", 4900, "eur", card="pm_card_fr", at=now - 100 * DAY)
        pay(client, "wb_b", 2900, "usd", card="pm_card_visa", at=now - 100 * DAY)
        refund(client, paid.id, at=now - 60 * DAY)
        local.config("account", country="US", default_currency="usd")
        pay(client, "wb_c", 4900, "usd", card="pm_card_visa", at=now - 5 * DAY)
        sync.run_sync()
        yield local


def fees_page(actor) -> None:
    """The Fees page past its opening."""
    from console.services import analytics
    from console.ui.fees_view import (
        effective_rate_chart,
        fee_breakdown_table,
        fees_by_month_table,
        settled_in,
        settlement_currency_choice,
    )

    monthly = analytics.fees_by_month(actor, False)
    currency = settlement_currency_choice(monthly)
    monthly = settled_in(monthly, currency)
    fees_by_month_table(monthly)
    effective_rate_chart(monthly)
    fee_breakdown_table(settled_in(analytics.fee_breakdown(actor, False), currency))


def _page(**state) -> AppTest:
    return run_piece(fees_page, FIN, **state)


def _labels(app: AppTest, index: int) -> dict[str, str]:
    headings = json.loads(app.dataframe[index].proto.columns)
    return {column: h["label"] for column, h in headings.items() if "label" in h}


def test_the_filter_offers_every_settlement_currency(ledger):
    choice = _page().selectbox(key="fees_currency")
    assert choice.label == "Settled in"
    assert choice.options == ["All currencies", "EUR", "USD"]
    assert choice.value is None


def test_the_monthly_table_shows_money_in_its_settlement_currency(ledger):
    app = _page()
    monthly = analytics.fees_by_month(FIN, False)
    shown = app.dataframe[0].value
    assert list(shown["settlement_currency"]) == ["eur", "eur", "usd"]
    assert list(shown["charges"]) == [2, 0, 1]
    for column in ("gross", "fees", "refunded", "disputed", "net", "fee_per_registrant"):
        assert list(shown[column]) == [
            format_money(int(amount), currency)
            for amount, currency in zip(
                monthly[column], monthly["settlement_currency"], strict=True
            )
        ], column
    assert list(shown["effective_rate"])[0] == f"{monthly['fees'][0] / monthly['gross'][0]:.2%}"
    # A US card in USD on a US account: 2.9% + 30¢ of $49.00 is $1.72, 3.51% of it.
    assert shown.iloc[2][["gross", "fees", "effective_rate", "fee_per_registrant"]].tolist() == [
        "$49.00",
        "$1.72",
        "3.51%",
        "$1.72",
    ]


def test_a_month_with_only_a_refund_has_no_rate(ledger):
    refunded_month = _page().dataframe[0].value.iloc[1]
    assert refunded_month[["charges", "gross", "refunded", "effective_rate"]].tolist() == [
        0,
        "€0.00",
        "€49.00",
        "—",
    ]


def test_the_table_has_readable_headings(ledger):
    assert _labels(_page(), 0) == {
        "month": "Month",
        "charges": "Payments",
        "gross": "Gross",
        "refunded": "Refunded",
        "disputed": "Lost to disputes",
        "net": "Net",
        "effective_rate": "Effective fee rate",
        "fee_per_registrant": "Fee per paid registration",
        "settlement_currency": "Settled in",
        "fees": "Stripe fees",
    }


def test_the_rate_chart_follows_the_table(ledger):
    app = _page()
    assert "Effective fee rate over time" in [s.value for s in app.subheader]
    assert len(app.get("plotly_chart")) == 1


def test_fees_by_type_are_named_and_add_up_to_the_monthly_fees(ledger):
    app = _page()
    assert [s.value for s in app.subheader] == ["Effective fee rate over time", "Fees by type"]
    breakdown = app.dataframe[1].value
    assert breakdown[["settlement_currency", "fee_type", "transactions"]].values.tolist() == [
        ["eur", "Card payments", 1],
        ["eur", "Card payments converted to the settlement currency", 1],
        ["eur", "Refunds", 1],
        ["usd", "Card payments", 1],
    ]
    raw = analytics.fee_breakdown(FIN, False)
    monthly = analytics.fees_by_month(FIN, False)
    for currency in ("eur", "usd"):
        assert raw[raw["settlement_currency"] == currency]["amount"].sum() == (
            monthly[monthly["settlement_currency"] == currency]["fees"].sum()
        )
    assert list(breakdown["amount"]) == [
        format_money(int(a), c)
        for a, c in zip(raw["amount"], raw["settlement_currency"], strict=True)
    ]
    assert _labels(app, 1) == {
        "settlement_currency": "Settled in",
        "fee_type": "Fee type",
        "transactions": "Transactions",
        "amount": "Stripe fees",
    }


def test_choosing_a_currency_narrows_the_table_and_the_breakdown(ledger):
    app = _page()
    app.selectbox(key="fees_currency").set_value("usd").run()
    assert not app.exception, app.exception
    assert set(app.dataframe[0].value["settlement_currency"]) == {"usd"}
    assert list(app.dataframe[1].value["fee_type"]) == ["Card payments"]
    app.selectbox(key="fees_currency").set_value("eur").run()
    assert list(app.dataframe[0].value["charges"]) == [2, 0]


def test_the_page_reads_in_french(ledger):
    app = _page(locale="fr")
    choice = app.selectbox(key="fees_currency")
    assert choice.label == "Réglé en" and choice.options[0] == "Toutes les devises"
    shown = app.dataframe[0].value
    assert shown.iloc[1]["refunded"] == "49,00\xa0€"
    assert shown.iloc[2]["gross"] == "49,00\xa0$US"
    assert shown.iloc[2]["effective_rate"] == "3,51\xa0%"
    assert shown.iloc[1]["effective_rate"] == "—"
    assert _labels(app, 0)["fees"] == "Frais Stripe"
    assert _labels(app, 0)["effective_rate"] == "Taux effectif"
    assert _labels(app, 1)["fee_type"] == "Type de frais"
    chart = json.loads(app.get("plotly_chart")[0].proto.spec)["layout"]
    assert (chart["yaxis"]["title"]["text"], chart["xaxis"]["title"]["text"]) == (
        "Taux effectif",
        "Mois",
    )
    assert [s.value for s in app.subheader] == ["Taux effectif dans le temps", "Frais par type"]
    assert list(app.dataframe[1].value["fee_type"])[:2] == [
        "Paiements par carte",
        "Paiements par carte convertis dans la devise de règlement",
    ]
