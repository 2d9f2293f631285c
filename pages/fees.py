"""Stripe fees by month and settlement currency, by fee type, and the effective rate."""

import streamlit as st

from console.formatting.csv_export import to_csv_bytes
from console.formatting.i18n import t
from console.formatting.presentation import MONEY_COLUMNS, formatted_money
from console.services.access import ADMIN, FINANCE
from console.ui import charts
from console.ui.auth import page_guard
from console.ui.common import cached, data_version, export_name, locale, page_header

actor = page_guard(ADMIN, FINANCE)
settings = page_header("fees")
if settings is None:
    st.stop()
lang = locale()
version = data_version(settings.livemode)

monthly = cached("fees_by_month", version, actor, settings.livemode)
if monthly.empty:
    st.info(t("no_payments", lang))
    st.stop()

currencies = sorted(monthly["settlement_currency"].unique())
currency = st.selectbox(
    t("settled_in", lang),
    [None, *currencies],
    key="fees_currency",
    format_func=lambda c: c.upper() if c else t("all_currencies", lang),
)
if currency:
    monthly = monthly[monthly["settlement_currency"] == currency]

shown = formatted_money(
    monthly, MONEY_COLUMNS["fees"] | {"fee_per_registrant": "settlement_currency"}, lang
)
shown["effective_rate"] = [
    f"{rate:.2%}" if rate == rate else "—" for rate in monthly["effective_rate"]
]
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    column_config={
        name: t(name, lang)
        for name in (
            "month",
            "charges",
            "gross",
            "refunded",
            "disputed",
            "net",
            "effective_rate",
            "fee_per_registrant",
        )
    }
    | {"settlement_currency": t("settled_in", lang), "fees": t("stripe_fees", lang)},
)
st.download_button(
    t("download_csv", lang),
    to_csv_bytes(monthly),
    file_name=export_name("stripe_fees_by_month", settings),
    mime="text/csv",
    key="fees_csv",
)

st.subheader(t("rate_over_time", lang))
st.plotly_chart(
    charts.effective_rate(monthly, {"effective_rate": t("effective_rate", lang)}), width="stretch"
)

st.subheader(t("fee_breakdown", lang))
breakdown = cached("fee_breakdown", version, actor, settings.livemode)
if currency:
    breakdown = breakdown[breakdown["settlement_currency"] == currency]
breakdown_shown = formatted_money(breakdown, {"amount": "settlement_currency"}, lang)
breakdown_shown["fee_type"] = [t(f"fee_{kind}", lang) for kind in breakdown["fee_type"]]
st.dataframe(
    breakdown_shown,
    hide_index=True,
    width="stretch",
    column_config={
        "settlement_currency": t("settled_in", lang),
        "fee_type": t("fee_breakdown", lang),
        "transactions": t("transactions", lang),
        "amount": t("stripe_fees", lang),
    },
)
