"""Entry point: page config, language, then navigation over pages/."""

import streamlit as st

from console.i18n import LOCALES, t

st.set_page_config(
    page_title="Webinar payments console", page_icon=":material/credit_card:", layout="wide"
)

with st.sidebar:
    st.selectbox("Language / Langue", options=list(LOCALES), format_func=LOCALES.get, key="locale")
lang = st.session_state.get("locale", "en")

pages = [
    st.Page(
        "pages/revenue.py",
        title=t("overview", lang),
        icon=":material/monitoring:",
        url_path="revenue",
        default=True,
    ),
    st.Page(
        "pages/registrants.py",
        title=t("registrants", lang),
        icon=":material/receipt_long:",
        url_path="registrants",
    ),
    st.Page("pages/fees.py", title=t("fees", lang), icon=":material/payments:", url_path="fees"),
    st.Page(
        "pages/reconciliation.py",
        title=t("reconciliation", lang),
        icon=":material/balance:",
        url_path="reconciliation",
    ),
    st.Page("pages/sync_status.py", title=t("sync", lang), icon=":material/sync:", url_path="sync"),
    st.Page("pages/webinars.py", title="Webinars", icon=":material/event:", url_path="webinars"),
    st.Page(
        "pages/webinar.py", title="Webinar", icon=":material/edit_calendar:", url_path="webinar"
    ),
    st.Page(
        "pages/register.py", title="Register", icon=":material/how_to_reg:", url_path="register"
    ),
    st.Page(
        "pages/connection.py",
        title="Stripe connection",
        icon=":material/link:",
        url_path="connection",
    ),
]
st.navigation(pages).run()
