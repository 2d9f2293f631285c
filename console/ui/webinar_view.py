"""The Webinar page's own pieces: which webinar, its heading, and its sessions on the clocks
of its time zone (and of the viewer's)."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from console.domain import time_zones
from console.domain.catalog import Webinar
from console.domain.money import format_money
from console.formatting import dates
from console.formatting.i18n import N_, _, language, ngettext
from console.ui.common import flash

# The webinar's status words (a webinar is masculine in French: not the registrants' words).
STATUS = {"scheduled": N_("Scheduled"), "cancelled": N_("Cancelled")}


def chosen_webinar_id() -> str:
    """The webinar of the link (?webinar=ID) or the one opened last; stops the page, with a
    pointer to the Webinars page, when there is none."""
    webinar_id = st.query_params.get("webinar") or st.session_state.get("webinar_page_id")
    if not webinar_id:
        st.info(_("Choose a webinar on the Webinars page."))
        st.stop()
    return webinar_id


def browser_time_zone() -> str | None:
    """The time zone the browser says it is in, when it says one the console knows."""
    zone = st.context.timezone
    return time_zones.checked_zone(zone) if time_zones.is_zone(zone) else None


def session_when(starts_at: datetime, zone: str) -> str:
    """A session's start on the clocks of `zone`, named, in the current language:
    "Sunday, October 25, 2026, 10:00 (Europe/Paris)"."""
    return dates.when(starts_at, zone, language())


def webinar_heading(webinar: Webinar) -> None:
    """Title, what the last action did, and the essentials."""
    st.title(webinar.title)
    flash("webinar_flash")
    price = (
        _("Free")
        if webinar.is_free
        else format_money(webinar.price_amount, webinar.price_currency, language())
    )
    status = _(STATUS[webinar.status]) if webinar.status in STATUS else webinar.status
    st.caption(f"{webinar.webinar_id} · {webinar.organizer_email} · {status} · {price}")


def webinar_sessions(webinar: Webinar) -> None:
    """Each session on the clocks of the webinar's time zone, and on the viewer's own when
    the browser is in another zone."""
    if not webinar.sessions:
        st.info(_("No sessions are planned."))
        return
    viewer = browser_time_zone()
    lines = []
    for session in webinar.sessions:
        line = ngettext(
            "{when}, {count} minute",
            "{when}, {count} minutes",
            session.duration_minutes,
            when=session_when(session.starts_at, webinar.time_zone),
        )
        if viewer and viewer != webinar.time_zone:
            line = _(
                "{session} — for you: {local}",
                session=line,
                local=session_when(session.starts_at, viewer),
            )
        lines.append(f"- {line}")
    heading = ngettext("{count} session", "{count} sessions", len(webinar.sessions))
    st.markdown(f"**{heading}**\n\n" + "\n".join(lines))
