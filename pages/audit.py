"""The audit log (admins): who did what and when, with filters and a CSV export."""

import streamlit as st

from console.services import audit
from console.services.access import ADMIN
from console.ui.auth import page_guard
from console.ui.tables import csv_download, table

actor = page_guard(ADMIN)
st.title("Audit log")
columns = st.columns(3)
who = columns[0].text_input("Who (e-mail contains)", key="audit_who")
action = columns[1].selectbox(
    "What",
    [None, *audit.actions(actor)],
    key="audit_action",
    format_func=lambda a: a or "Every action",
)
webinar = columns[2].text_input("Webinar id", key="audit_webinar")
entries = audit.search(actor, who=who, action=action, webinar_id=webinar)
st.caption(f"{len(entries):,} entries. Entries cannot be edited or deleted.")
table(entries)
csv_download(entries, "audit_log.csv", key="audit_csv", label="Download CSV")
