"""The audit log (admins): who did what and when, with filters and a CSV export."""

import streamlit as st

from console.formatting.i18n import _, ngettext
from console.formatting.presentation import column_heading
from console.services import audit
from console.services.access import ADMIN
from console.ui.auth import page_guard
from console.ui.tables import csv_download, labels, table, when_column

actor = page_guard(ADMIN)
st.title(_("Audit log"))
columns = st.columns(3)
who = columns[0].text_input(_("Who (e-mail contains)"), key="audit_who")
every_action = _("Every action")
action = columns[1].selectbox(
    _("What"),
    [None, *audit.actions(actor)],
    key="audit_action",
    # The log's actions are kept as recorded, in one language.
    format_func=lambda a: a or every_action,
)
webinar = columns[2].text_input(_("Webinar id"), key="audit_webinar")
entries = audit.search(actor, who=who, action=action, webinar_id=webinar)
st.caption(
    ngettext(
        "{count} entry. Entries cannot be edited or deleted.",
        "{count} entries. Entries cannot be edited or deleted.",
        len(entries),
    )
)
table(entries, labels(*entries.columns) | {"logged_at": when_column(column_heading("logged_at"))})
csv_download(entries, "audit_log.csv", key="audit_csv")
