"""The public site's entry point (`console serve --public`): registration and payment for
participants, with no sign-in and no internal page. Only the pages listed here exist on
its port; an internal page's address leads to the registration page."""

import streamlit as st

from console.formatting.i18n import _
from console.store import db
from console.ui.registration_view import visitor_language

st.set_page_config(page_title="Webinars", page_icon=":material/event:", layout="centered")
visitor_language()

try:
    db.ensure_schema()
except db.DATABASE_PROBLEMS as problem:
    st.error(str(problem))
    st.stop()
# The internal console's server runs the background round (seat holds, open refunds).

register = st.Page(
    "pages/public/register.py",
    title=_("Register"),
    icon=":material/how_to_reg:",
    url_path="register",
    default=True,
)
st.navigation([register], position="hidden").run()
