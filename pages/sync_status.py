"""When the last sync ran, what it brought, whether it failed; sync now."""

import streamlit as st

from console.formatting import i18n
from console.formatting.i18n import N_, _, word_for
from console.formatting.presentation import column_heading
from console.services.access import ADMIN, FINANCE
from console.settings import stripe_settings
from console.stripe_api import sync
from console.ui.auth import page_guard
from console.ui.common import (
    NO_KEY,
    NO_SYNC,
    DataPage,
    dispute_deadline_banner,
    mode_banner,
    number,
    sync_mode,
    sync_now_button,
)
from console.ui.tables import labels, table, when_column

# A sync run's state (sync_runs.status; "interrupted" when nobody runs it any more).
RUN_STATUSES = {
    "running": N_("Running"),
    "succeeded": N_("Succeeded"),
    "failed": N_("Failed"),
    "interrupted": N_("Interrupted"),
}

actor = page_guard(ADMIN, FINANCE)
st.title(_("Sync status"))
settings = stripe_settings()
if not settings.api_key:
    st.info(_(NO_KEY))
    st.stop()
mode_banner(settings)
dispute_deadline_banner(DataPage(actor, settings, i18n.language()))

sync_now_button(actor, "sync_page_button")
runs = sync.recent_runs(settings.livemode)
if runs.empty:
    st.info(_(NO_SYNC))
    st.stop()
last = runs.iloc[0]
cards = st.columns(3)
cards[0].metric(_("Last sync"), f"{last['started_at']:%Y-%m-%d %H:%M} UTC")
cards[1].metric(column_heading("objects"), number(last["objects"]))
cards[2].metric(column_heading("requests"), number(last["requests"]))
if last["status"] == "failed":
    st.error(_("Sync failed: {reason}", reason=last["error"]))
shown = runs.copy()
shown["mode"] = [sync_mode(mode) for mode in runs["mode"]]
shown["status"] = [word_for(s, RUN_STATUSES) for s in runs["status"]]
table(
    shown,
    labels(*shown.columns)
    | {
        "started_at": when_column(column_heading("started_at"), seconds=True),
        "finished_at": when_column(column_heading("finished_at"), seconds=True),
    },
)
