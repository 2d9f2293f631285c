"""Stripe connection (admins): key, account, verification, and how to connect."""

import streamlit as st

from console.formatting.i18n import _
from console.services import connection
from console.services.access import ADMIN, PermissionDenied
from console.ui.auth import page_guard
from console.ui.common import problem_text
from console.ui.connection_view import (
    check_connection_button,
    failed_mail_table,
    how_to_connect,
    key_status,
)

actor = page_guard(ADMIN)
st.title(_("Stripe connection"))
try:
    status = connection.connection_status(actor)
except PermissionDenied as refused:
    st.error(_("Not allowed. {reason}", reason=problem_text(refused)))
    st.stop()

key_status(status)
check_connection_button(actor)
how_to_connect(expanded=not status.configured)
failed_mail_table(connection.failed_mail(actor))
