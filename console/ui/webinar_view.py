"""The Webinar page's own pieces: which webinar, and its heading."""

from __future__ import annotations

import streamlit as st

from console.domain.catalog import Webinar
from console.domain.money import format_money
from console.ui.common import flash, locale


def chosen_webinar_id() -> str:
    """The webinar of the link (?webinar=ID) or the one opened last; stops the page, with a
    pointer to the Webinars page, when there is none."""
    webinar_id = st.query_params.get("webinar") or st.session_state.get("webinar_page_id")
    if not webinar_id:
        st.info("Choose a webinar on the Webinars page.")
        st.stop()
    return webinar_id


def webinar_heading(webinar: Webinar) -> None:
    """Title, the public registration link, what the last action did, and the essentials."""
    st.title(webinar.title)
    st.markdown(
        f"[Open the public registration page ↗](/register?webinar={webinar.webinar_id}) — "
        "share this link with registrants, or use it to test the paid flow yourself."
    )
    flash("webinar_flash")
    price = (
        "Free"
        if webinar.is_free
        else format_money(webinar.price_amount, webinar.price_currency, locale())
    )
    st.caption(f"{webinar.webinar_id} · {webinar.organizer_email} · {webinar.status} · {price}")
