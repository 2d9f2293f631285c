"""Stripe connection (admins): key, account, verification, and how to connect."""

import streamlit as st

from console.services import connection
from console.services.access import ADMIN, PermissionDenied
from console.ui.auth import page_guard
from console.ui.connection_view import (
    check_connection_button,
    failed_mail_table,
    how_to_connect,
    key_status,
)

actor = page_guard(ADMIN)
st.title("Stripe connection")
try:
    status = connection.connection_status(actor)
except PermissionDenied as refused:
    st.error(f"Not allowed. {refused}")
    st.stop()

key_status(status)
check_connection_button(actor)
how_to_connect(expanded=not status.configured)
failed_mail_table(connection.failed_mail(actor))
