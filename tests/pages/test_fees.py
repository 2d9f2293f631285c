"""pages/fees.py through AppTest: Stripe's fees, checked against the local Stripe's balance
transactions."""

from __future__ import annotations

import json

from console.domain.money import format_money
from console.services import analytics
from tests.pages.support import ADMIN_ACTOR, open_app
from tests.payments import all_objects


def test_fees_page_equals_stripe_balance_transactions(shop):
    app = open_app("pages/fees.py")

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


def test_fees_page_in_french(shop):
    app = open_app("pages/fees.py", locale="fr")
    assert app.title[0].value == "Frais Stripe"
    assert app.selectbox(key="fees_currency").label == "Réglé en"
    headings = json.loads(app.dataframe[0].proto.columns)
    assert (headings["fees"]["label"], headings["charges"]["label"]) == (
        "Frais Stripe",
        "Paiements",
    )
    assert all(fee.endswith("\xa0$US") for fee in app.dataframe[0].value["fees"])
    assert "Paiements par carte" in set(app.dataframe[1].value["fee_type"])
    assert [s.value for s in app.subheader] == ["Taux effectif dans le temps", "Frais par type"]
    assert app.get("download_button")[0].proto.label == "Télécharger le CSV"
