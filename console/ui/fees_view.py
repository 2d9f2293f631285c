"""The Stripe fees page's pieces: the settlement-currency filter, the monthly table, the
effective-rate chart and the breakdown by fee type."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console.formatting.legacy_labels import t
from console.formatting.presentation import MONEY_COLUMNS, formatted_money
from console.ui import charts
from console.ui.common import locale
from console.ui.tables import labels, table


def settlement_currency_choice(monthly: pd.DataFrame) -> str | None:
    """One settlement currency, or None for all of them."""
    lang = locale()
    return st.selectbox(
        t("settled_in", lang),
        [None, *sorted(monthly["settlement_currency"].unique())],
        key="fees_currency",
        format_func=lambda c: c.upper() if c else t("all_currencies", lang),
    )


def settled_in(frame: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    return frame[frame["settlement_currency"] == currency] if currency else frame


def fees_by_month_table(monthly: pd.DataFrame) -> None:
    lang = locale()
    shown = formatted_money(
        monthly, MONEY_COLUMNS["fees"] | {"fee_per_registrant": "settlement_currency"}, lang
    )
    shown["effective_rate"] = [
        f"{rate:.2%}" if rate == rate else "—" for rate in monthly["effective_rate"]
    ]
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
            settlement_currency="settled_in",
            fees="stripe_fees",
        ),
    )


def effective_rate_chart(monthly: pd.DataFrame) -> None:
    lang = locale()
    st.subheader(t("rate_over_time", lang))
    st.plotly_chart(
        charts.effective_rate(monthly, {"effective_rate": t("effective_rate", lang)}),
        width="stretch",
    )


def fee_breakdown_table(breakdown: pd.DataFrame) -> None:
    lang = locale()
    st.subheader(t("fee_breakdown", lang))
    shown = formatted_money(breakdown, {"amount": "settlement_currency"}, lang)
    shown["fee_type"] = [t(f"fee_{kind}", lang) for kind in breakdown["fee_type"]]
    table(
        shown,
        labels(
            settlement_currency="settled_in",
            fee_type="fee_breakdown",
            transactions="transactions",
            amount="stripe_fees",
        ),
    )
