"""Entry point: page config, language, sign-in, then navigation over the pages one may open."""

import streamlit as st

from console.formatting.i18n import LOCALES
from console.formatting.legacy_labels import t
from console.services.access import ADMIN, FINANCE, ORGANIZER
from console.store import db
from console.ui.auth import current_actor, keep_signed_in, sign_in_form, sign_out
from console.ui.background import start_background_work

st.set_page_config(
    page_title="Webinar payments console", page_icon=":material/credit_card:", layout="wide"
)

try:
    db.ensure_schema()
except db.DATABASE_PROBLEMS as problem:
    st.error(str(problem))
    st.stop()
start_background_work()

with st.sidebar:
    st.selectbox("Language / Langue", options=list(LOCALES), format_func=LOCALES.get, key="locale")
lang = st.session_state.get("locale", "en")
EVERYONE = (ADMIN, ORGANIZER, FINANCE)

# (script, title, icon, url path, roles that see it in the menu); each page checks again.
PAGES = (
    ("pages/revenue.py", t("overview", lang), "monitoring", "revenue", EVERYONE),
    ("pages/registrants.py", t("registrants", lang), "receipt_long", "registrants", EVERYONE),
    ("pages/fees.py", t("fees", lang), "payments", "fees", (ADMIN, FINANCE)),
    (
        "pages/reconciliation.py",
        t("reconciliation", lang),
        "balance",
        "reconciliation",
        (ADMIN, FINANCE),
    ),
    ("pages/sync_status.py", t("sync", lang), "sync", "sync", (ADMIN, FINANCE)),
    ("pages/webinars.py", "Webinars", "event", "webinars", (ADMIN, ORGANIZER)),
    ("pages/webinar.py", "Webinar", "edit_calendar", "webinar", (ADMIN, ORGANIZER)),
    ("pages/connection.py", "Stripe connection", "link", "connection", (ADMIN,)),
    ("pages/audit.py", "Audit log", "history", "audit", (ADMIN,)),
)

actor = current_actor()
register = st.Page(
    "pages/register.py", title="Register", icon=":material/how_to_reg:", url_path="register"
)
if actor is None:
    pages = [
        st.Page(
            sign_in_form, title="Sign in", icon=":material/login:", url_path="sign-in", default=True
        )
    ]
else:
    pages = [
        st.Page(script, title=title, icon=f":material/{icon}:", url_path=path, default=index == 0)
        for index, (script, title, icon, path, _) in enumerate(PAGES)
    ]
pages.append(register)
navigation = st.navigation(pages, position="hidden")

with st.sidebar:
    if actor is not None:
        for page, (_, _, _, _, roles) in zip(pages, PAGES, strict=False):
            if actor.role in roles:
                st.page_link(page)
        st.page_link(register)
        keep_signed_in()
        st.caption(f"Signed in as {actor.email} ({actor.role or 'no role'})")
        if st.button("Sign out", key="sign_out"):
            sign_out()
            st.rerun()
    else:
        st.page_link(register)
navigation.run()
