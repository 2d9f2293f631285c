"""Who is using the console in this browser session."""

from __future__ import annotations

import streamlit as st

from console.access import ADMIN, Actor


def current_actor() -> Actor:
    # Until sign-in lands (issue 7) the local console acts as its admin.
    actor = st.session_state.get("actor")
    if actor is None:
        actor = Actor("admin@example.org", ADMIN)
        st.session_state["actor"] = actor
    return actor
