"""When the last sync ran, what it brought, whether it failed; sync now."""

import streamlit as st

from console.formatting.legacy_labels import t
from console.services.access import ADMIN, FINANCE
from console.settings import stripe_settings
from console.stripe_api import sync
from console.ui.auth import page_guard
from console.ui.common import locale, mode_banner, sync_now_button
from console.ui.tables import table, when_column

actor = page_guard(ADMIN, FINANCE)
lang = locale()
st.title(t("sync", lang))
settings = stripe_settings()
if not settings.api_key:
    st.info(t("no_key", lang))
    st.stop()
mode_banner(settings)

sync_now_button(actor, "sync_page_button")
runs = sync.recent_runs(settings.livemode)
if runs.empty:
    st.info(t("no_sync", lang))
    st.stop()
last = runs.iloc[0]
cards = st.columns(3)
cards[0].metric(t("last_sync", lang), f"{last['started_at']:%d %b %H:%M} UTC")
cards[1].metric(t("objects", lang), f"{int(last['objects']):,}")
cards[2].metric(t("requests", lang), f"{int(last['requests']):,}")
if last["status"] == "failed":
    st.error(t("sync_failed", lang, reason=last["error"]))
table(
    runs,
    {
        "started_at": when_column("Started (UTC)", seconds=True),
        "finished_at": when_column("Finished (UTC)", seconds=True),
        "objects": t("objects", lang),
        "requests": t("requests", lang),
    },
)
