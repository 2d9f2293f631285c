"""Revenue per webinar and currency."""

import streamlit as st

from console.overview import revenue_overview
from console.presentation import with_formatted_money

locale = st.session_state.get("locale", "en")
st.title("Revenue" if locale == "en" else "Revenus")

overview = revenue_overview()
if not overview.connected:
    st.info("No Stripe key yet. Set STRIPE_API_KEY (see the README), then run a sync.")
    st.stop()
if not overview.synced:
    st.info("No sync yet. Run `console sync` (or `make run` for the demo) to pull from Stripe.")
    st.stop()

mode = "live" if overview.settings.livemode else "test"
st.caption(f"Stripe {mode} mode · last sync {overview.last_sync:%Y-%m-%d %H:%M} UTC")

table = with_formatted_money(overview.revenue, "revenue", locale)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "webinar_id": "Webinar id",
        "title": "Webinar",
        "currency": "Currency",
        "paid_registrants": st.column_config.NumberColumn("Paid registrants"),
        "gross": "Gross",
        "refunded": "Refunded",
        "settlement_currency": "Settled in",
        "fees": "Stripe fees",
        "net": "Net",
    },
)
