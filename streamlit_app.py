"""Entry point: page config, language, sign-in, then navigation over the pages one may open.
(The public registration site has its own entry point, public_app.py, on its own port.)"""

import streamlit as st

from console.formatting import i18n
from console.formatting.i18n import _
from console.services.access import ADMIN, FINANCE, ORGANIZER, role_name
from console.store import db
from console.ui.auth import current_actor, keep_signed_in, sign_in_form, sign_out
from console.ui.background import start_background_work

st.set_page_config(
    page_title="Webinar payments console", page_icon=":material/credit_card:", layout="wide"
)

# The browser's language until the person picks one in the sidebar.
if "locale" not in st.session_state:
    st.session_state["locale"] = i18n.browser_language(st.context.locale)
with st.sidebar:
    st.selectbox(
        "Language / Langue", options=list(i18n.LOCALES), format_func=i18n.LOCALES.get, key="locale"
    )
i18n.use(st.session_state["locale"])

try:
    db.ensure_schema()
except db.DATABASE_PROBLEMS as problem:
    st.error(str(problem))
    st.stop()
start_background_work()

EVERYONE = (ADMIN, ORGANIZER, FINANCE)

# (script, title, icon, url path, roles that see it in the menu); each page checks again.
PAGES = (
    ("pages/revenue.py", _("Revenue"), "monitoring", "revenue", EVERYONE),
    ("pages/registrants.py", _("Paid registrants"), "receipt_long", "registrants", EVERYONE),
    ("pages/fees.py", _("Stripe fees"), "payments", "fees", (ADMIN, FINANCE)),
    ("pages/disputes.py", _("Disputes"), "gavel", "disputes", EVERYONE),
    ("pages/reconciliation.py", _("Reconciliation"), "balance", "reconciliation", (ADMIN, FINANCE)),
    ("pages/payouts.py", _("Payouts"), "account_balance", "payouts", (ADMIN, FINANCE)),
    ("pages/sync_status.py", _("Sync status"), "sync", "sync", (ADMIN, FINANCE)),
    ("pages/webinars.py", _("Webinars"), "event", "webinars", (ADMIN, ORGANIZER)),
    ("pages/webinar.py", _("Webinar"), "edit_calendar", "webinar", (ADMIN, ORGANIZER)),
    ("pages/connection.py", _("Stripe connection"), "link", "connection", (ADMIN,)),
    ("pages/audit.py", _("Audit log"), "history", "audit", (ADMIN,)),
)

actor = current_actor()
if actor is None:
    pages = [
        st.Page(
            sign_in_form,
            title=_("Sign in"),
            icon=":material/login:",
            url_path="sign-in",
            default=True,
        )
    ]
else:
    pages = [
        st.Page(script, title=title, icon=f":material/{icon}:", url_path=path, default=index == 0)
        for index, (script, title, icon, path, _roles) in enumerate(PAGES)
    ]
navigation = st.navigation(pages, position="hidden")

with st.sidebar:
    if actor is not None:
        for page, (_script, _title, _icon, _path, roles) in zip(pages, PAGES, strict=False):
            if actor.role in roles:
                st.page_link(page)
        keep_signed_in()
        st.caption(
            _(
                "Signed in as {email} ({role})",
                email=actor.email,
                role=role_name(actor.role) if actor.role else _("no role"),
            )
        )
        if st.button(_("Sign out"), key="sign_out"):
            sign_out()
            st.rerun()
navigation.run()
