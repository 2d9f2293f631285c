"""The Webinars page's pieces: the list, opening one, and importing many from CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console.formatting import i18n
from console.formatting.i18n import N_, _, ngettext, word_for
from console.formatting.presentation import amounts_text, column_heading, price_text
from console.services import webinars
from console.services.access import Actor, PermissionDenied
from console.ui.common import problem_text
from console.ui.tables import table, when_column

WEBINAR_PAGE = "pages/webinar.py"
# A webinar's status in the list (webinars.list_webinars).
STATUSES = {"upcoming": N_("Upcoming"), "past": N_("Past"), "cancelled": N_("Cancelled")}


def status_text(status: object) -> str:
    if not isinstance(status, str):
        return ""
    return word_for(status, STATUSES)


def webinar_table(listing: pd.DataFrame) -> None:
    """Every webinar with its status, price, registrations and net revenue."""
    lang = i18n.language()
    shown = listing.copy().astype(object)
    shown["status"] = [status_text(status) for status in listing["status"]]
    shown["price"] = [
        price_text(amount, currency, lang)
        for amount, currency in zip(listing["price_amount"], listing["price_currency"], strict=True)
    ]
    shown["net_revenue"] = [amounts_text(e, lang) for e in listing["net_revenue"]]
    table(
        shown[
            [
                "title",
                "organizer_email",
                "status",
                "first_session",
                "price",
                "registrations",
                "net_revenue",
                "webinar_id",
            ]
        ],
        {
            "title": column_heading("title"),
            "organizer_email": column_heading("organizer_email"),
            "status": column_heading("status"),
            "first_session": when_column(column_heading("first_session")),
            "price": column_heading("price"),
            "registrations": column_heading("registrations"),
            "net_revenue": column_heading("net_revenue"),
            "webinar_id": column_heading("id"),
        },
    )


def open_webinar_picker(listing: pd.DataFrame) -> None:
    """Choose a webinar of the list and open it on the Webinar page."""
    left, right = st.columns([3, 1])
    titles = dict(zip(listing["webinar_id"], listing["title"], strict=True))
    chosen = left.selectbox(
        _("Open a webinar"), list(titles), format_func=titles.get, key="open_webinar_choice"
    )
    if right.button(_("Open the webinar"), key="open_webinar"):
        st.session_state["webinar_page_id"] = chosen
        st.switch_page(WEBINAR_PAGE)


def csv_import(actor: Actor) -> None:
    """Upload a CSV file of webinars; every row is imported, or none."""
    st.subheader(_("Import webinars from CSV"))
    st.caption(
        _(
            "Columns: {columns}; optionally {time_zone}. Sessions: “YYYY-MM-DD HH:MM, minutes”, "
            "several separated by “;”, on the clocks of the row's {time_zone} (a name such as "
            "Europe/Paris; UTC when empty). A file with any bad row changes nothing.",
            # The file's own column names: a CSV file is written with them, in any language.
            columns=", ".join(webinars.CSV_COLUMNS),
            time_zone="time_zone",
        )
    )
    upload = st.file_uploader(_("CSV file"), type=["csv"], key="import_csv")
    if upload is None or not st.button(_("Import"), key="import_button"):
        return
    try:
        result = webinars.import_webinars_csv(actor, upload.getvalue())
    except PermissionDenied as refused:
        st.error(problem_text(refused))
        return
    if result.problems:
        st.error(
            _("Nothing was imported. Fix these rows and import the file again:")
            + "\n\n"
            + "\n".join(f"- {p}" for p in result.problems)
        )
    else:
        count = len(result.created)
        st.success(ngettext("Imported {count} webinar.", "Imported {count} webinars.", count))
