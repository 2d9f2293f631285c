"""Revenue per webinar and currency."""

import streamlit as st

from console.money import format_money
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

for total in overview.totals_by_currency().itertuples():
    st.subheader(total.currency.upper())
    cards = st.columns(5)
    cards[0].metric("Gross", format_money(total.gross, total.currency, locale))
    cards[1].metric("Refunded", format_money(total.refunded, total.currency, locale))
    cards[2].metric("Stripe fees", format_money(total.fees, total.currency, locale))
    cards[3].metric("Net", format_money(total.net, total.currency, locale))
    cards[4].metric("Paid registrants", f"{total.paid_registrants:,}")

st.subheader("Per webinar" if locale == "en" else "Par webinaire")
st.dataframe(
    with_formatted_money(overview.revenue, "revenue", locale),
    hide_index=True,
    width="stretch",
    height=36 * (len(overview.revenue) + 1) + 2,  # every webinar, no inner scrolling
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
