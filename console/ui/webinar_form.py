"""The two webinar forms: create one, and edit the details of one."""

from __future__ import annotations

import streamlit as st

from console.domain.catalog import Webinar
from console.services import webinars
from console.services.access import Actor, PermissionDenied

DESCRIPTION = "Description, with the cancellation and refund policy"
JOIN_URL = "Join link (https://…)"


def _problems(invalid: webinars.WebinarInvalid) -> str:
    return "\n".join(f"- {p}" for p in invalid.problems)


def create_webinar_form(actor: Actor) -> None:
    """A new webinar, free until someone sets a price; it becomes the one the Webinar page
    opens."""
    st.subheader("Create a webinar")
    with st.form("create_webinar", clear_on_submit=False):
        title = st.text_input("Title", key="new_title")
        organizer = st.text_input("Organizer e-mail", value=actor.email, key="new_organizer")
        sessions = st.text_area(
            "Sessions (UTC), one per line: YYYY-MM-DD HH:MM, minutes",
            placeholder="2026-12-01 16:00, 90",
            key="new_sessions",
        )
        capacity = st.text_input("Capacity (seats; empty for no limit)", key="new_capacity")
        description = st.text_area(DESCRIPTION, key="new_description")
        join_url = st.text_input(JOIN_URL, key="new_join_url")
        created = st.form_submit_button("Create webinar")
    if not created:
        return
    draft = webinars.WebinarDraft(title, organizer, sessions, capacity, description, join_url)
    try:
        webinar_id = webinars.create_webinar(actor, draft)
    except webinars.WebinarInvalid as invalid:
        st.error("The webinar was not created:\n\n" + _problems(invalid))
    except PermissionDenied as refused:
        st.error(str(refused))
    else:
        st.success(f"Created “{title.strip()}” ({webinar_id}). It is free until you set a price.")
        st.session_state["webinar_page_id"] = webinar_id


def edit_webinar_form(actor: Actor, webinar: Webinar) -> None:
    """Title, organizer, sessions, capacity, description and join link; saved together."""
    st.subheader("Details")
    sessions_text = "\n".join(
        f"{s.starts_at:%Y-%m-%d %H:%M}, {s.duration_minutes}" for s in webinar.sessions
    )
    with st.form("edit_webinar"):
        title = st.text_input("Title", value=webinar.title)
        organizer = st.text_input("Organizer e-mail", value=webinar.organizer_email)
        sessions = st.text_area("Sessions (UTC): YYYY-MM-DD HH:MM, minutes", value=sessions_text)
        capacity = st.text_input("Capacity", value=str(webinar.capacity or ""))
        description = st.text_area(DESCRIPTION, value=webinar.description, height=150)
        join_url = st.text_input(JOIN_URL, value=webinar.join_url or "")
        saved = st.form_submit_button("Save changes")
    if not saved:
        return
    try:
        webinars.update_webinar(
            actor,
            webinar.webinar_id,
            webinars.WebinarDraft(title, organizer, sessions, capacity, description, join_url),
        )
    except webinars.WebinarInvalid as invalid:
        st.error("Not saved:\n\n" + _problems(invalid))
    except PermissionDenied as refused:
        st.error(str(refused))
    else:
        st.session_state["webinar_flash"] = "Saved."
        st.rerun()
