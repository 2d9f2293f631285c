"""One webinar: its sessions, details and edits, its price (with confirmation and history),
cancellation."""

import streamlit as st

from console.formatting.i18n import _
from console.services import audit, pricing, webinars
from console.services.access import ADMIN, ORGANIZER, PermissionDenied
from console.ui.auth import page_guard
from console.ui.cancellation_panel import cancellation_panel
from console.ui.price_editor import (
    new_price_fields,
    price_buttons,
    price_confirmation,
    price_history_table,
)
from console.ui.public_link import public_link
from console.ui.tables import table
from console.ui.webinar_form import edit_webinar_form
from console.ui.webinar_view import chosen_webinar_id, webinar_heading, webinar_sessions

actor = page_guard(ADMIN, ORGANIZER)
webinar_id = chosen_webinar_id()
try:
    webinar = webinars.get_webinar(actor, webinar_id)
except (LookupError, PermissionDenied) as problem:
    st.error(str(problem))
    st.stop()
st.query_params["webinar"] = webinar_id
webinar_heading(webinar)
webinar_sessions(webinar)
public_link(webinar_id)

amount_text, currency, said = new_price_fields(webinar)
price_buttons(actor, webinar, amount_text, currency, said)
price_confirmation(actor, webinar_id)
price_history_table(pricing.price_history(actor, webinar_id))

edit_webinar_form(actor, webinar)
cancellation_panel(actor, webinar)

log = audit.webinar_log(actor, webinar_id)
if not log.empty:
    st.subheader(_("Audit log"))
    table(log)
