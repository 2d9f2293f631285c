"""The Stripe fees page's pieces: the settlement-currency filter, the monthly table, the
effective-rate chart and the breakdown by fee type."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console.formatting.i18n import N_, _, word_for
from console.formatting.presentation import MONEY_COLUMNS, formatted_money
from console.ui import charts
from console.ui.tables import labels, table

# Stripe's fees by what they were charged for (fees_by_type's fee_type).
FEE_TYPES = {
    "card_payments": N_("Card payments"),
    "converted_card_payments": N_("Card payments converted to the settlement currency"),
    "refunds": N_("Refunds"),
    "disputes": N_("Disputes (dispute fees)"),
}


def fee_type_text(kind: str) -> str:
    return word_for(kind, FEE_TYPES)


def settlement_currency_choice(monthly: pd.DataFrame) -> str | None:
    """One settlement currency, or None for all of them."""
    every = _("All currencies")
    return st.selectbox(
        _("Settled in"),
        [None, *sorted(monthly["settlement_currency"].unique())],
        key="fees_currency",
        format_func=lambda c: c.upper() if c else every,
    )


def settled_in(frame: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    return frame[frame["settlement_currency"] == currency] if currency else frame


def fees_by_month_table(monthly: pd.DataFrame) -> None:
    shown = formatted_money(
        monthly, MONEY_COLUMNS["fees"] | {"fee_per_registrant": "settlement_currency"}
    )
    shown["effective_rate"] = [charts.rate_text(rate) for rate in monthly["effective_rate"]]
    table(
        shown,
        labels(
            "month",
            "charges",
            "gross",
            "refunded",
            "disputed",
            "net",
            "effective_rate",
            "fee_per_registrant",
            "settlement_currency",
            "fees",
        ),
    )


def effective_rate_chart(monthly: pd.DataFrame) -> None:
    st.subheader(_("Effective fee rate over time"))
    st.plotly_chart(charts.effective_rate(monthly), width="stretch")


def fee_breakdown_table(breakdown: pd.DataFrame) -> None:
    st.subheader(_("Fees by type"))
    shown = formatted_money(breakdown, {"amount": "settlement_currency"})
    shown["fee_type"] = [fee_type_text(kind) for kind in breakdown["fee_type"]]
    table(
        shown,
        labels("settlement_currency", "fee_type", "transactions", amount=_("Stripe fees")),
    )
