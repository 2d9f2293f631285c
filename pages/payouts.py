"""Payouts traced to webinars: each bank deposit, what it holds, and whether it adds up."""

import streamlit as st

from console.formatting.i18n import _
from console.services import payouts
from console.services.access import ADMIN, FINANCE
from console.ui.common import export_name, open_data_page
from console.ui.payouts_view import (
    payout_choice,
    payout_summary,
    payout_webinars_table,
    payouts_chart,
    payouts_table,
)
from console.ui.tables import csv_download

page = open_data_page(_("Payouts"), ADMIN, FINANCE)
actor, livemode = page.actor, page.settings.livemode
rows = payouts.list_payouts(actor, livemode)
if rows.empty:
    st.info(_("No payouts yet. Stripe pays out on the account's schedule; sync again later."))
    st.stop()

payouts_chart(rows)
payouts_table(rows)
csv_download(
    # One line per balance transaction of every payout: the accountant's file.
    lambda: payouts.ledger_csv(actor, livemode),
    export_name("payout_transactions", page.settings),
    key="payouts_csv",
    label=_("Download every payout's transactions (CSV)"),
)

st.divider()
chosen = payout_choice(rows)
payout_summary(chosen)
payout_webinars_table(
    payouts.payout_by_webinar(actor, livemode, chosen["payout_id"]), chosen["currency"]
)
csv_download(
    lambda: payouts.ledger_csv(actor, livemode, chosen["payout_id"]),
    export_name(f"payout_{chosen['payout_id']}", page.settings),
    key="payout_csv",
    label=_("Download this payout's transactions (CSV)"),
)
