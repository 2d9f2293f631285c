"""The console's totals against Stripe's API, now; every difference listed."""

import streamlit as st

from console.formatting.i18n import t
from console.formatting.presentation import formatted_money
from console.services import reconciliation
from console.services.access import ADMIN, FINANCE
from console.stripe_api.gateway import StripeProblem
from console.ui.auth import page_guard
from console.ui.common import locale, page_header, sync_now_button

actor = page_guard(ADMIN, FINANCE)
settings = page_header("reconciliation")
if settings is None:
    st.stop()
lang = locale()

sync_now_button(actor, "reconciliation_sync")
if st.button(t("compare_now", lang), key="compare_now") or "reconciliation" not in st.session_state:
    bar = st.progress(0.0)
    seen = {"objects": 0}

    def advance(objects: int) -> None:
        seen["objects"] += objects
        bar.progress(
            min(0.99, seen["objects"] / (seen["objects"] + 500)),
            text=f"{seen['objects']:,} Stripe objects read",
        )

    try:
        st.session_state["reconciliation"] = reconciliation.reconcile(
            actor, settings, on_page=advance
        )
    except StripeProblem as problem:
        bar.empty()
        st.error(str(problem))
        st.stop()
    bar.empty()

result = st.session_state["reconciliation"]
if result.in_agreement:
    st.success(t("in_agreement", lang))
else:
    st.error(t("differences_found", lang, count=len(result.differences)))

totals = formatted_money(
    result.totals,
    {
        column: "settlement_currency"
        for column in (
            "console_fees",
            "stripe_fees",
            "console_net",
            "stripe_net",
            "stripe_balance",
            "difference",
        )
    },
    lang,
)
st.dataframe(
    totals,
    hide_index=True,
    width="stretch",
    column_config={
        column: t("stripe_fees_now" if column == "stripe_fees" else column, lang)
        for column in totals.columns
        if column != "settlement_currency"
    }
    | {"settlement_currency": t("settled_in", lang)},
)
if not result.in_agreement:
    st.dataframe(result.differences, hide_index=True, width="stretch")
