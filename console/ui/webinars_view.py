"""The Webinars page's pieces: the list, opening one, and importing many from CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console.formatting.presentation import amounts_text, price_text
from console.services import webinars
from console.services.access import Actor, PermissionDenied
from console.ui.common import locale
from console.ui.tables import table, when_column

WEBINAR_PAGE = "pages/webinar.py"


def webinar_table(listing: pd.DataFrame) -> None:
    """Every webinar with its status, price, registrations and net revenue."""
    lang = locale()
    shown = listing.copy().astype(object)
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
            "title": "Webinar",
            "organizer_email": "Organizer",
            "status": "Status",
            "first_session": when_column("First session (UTC)"),
            "price": "Price",
            "registrations": "Registrations",
            "net_revenue": "Net revenue",
            "webinar_id": "Id",
        },
    )


def open_webinar_picker(listing: pd.DataFrame) -> None:
    """Choose a webinar of the list and open it on the Webinar page."""
    left, right = st.columns([3, 1])
    titles = dict(zip(listing["webinar_id"], listing["title"], strict=True))
    chosen = left.selectbox(
        "Open a webinar", list(titles), format_func=titles.get, key="open_webinar_choice"
    )
    if right.button("Open the webinar", key="open_webinar"):
        st.session_state["webinar_page_id"] = chosen
        st.switch_page(WEBINAR_PAGE)


def csv_import(actor: Actor) -> None:
    """Upload a CSV file of webinars; every row is imported, or none."""
    st.subheader("Import webinars from CSV")
    st.caption(
        "Columns: " + ", ".join(webinars.CSV_COLUMNS) + ". Sessions: “YYYY-MM-DD HH:MM, "
        "minutes”, several separated by “;”. A file with any bad row changes nothing."
    )
    upload = st.file_uploader("CSV file", type=["csv"], key="import_csv")
    if upload is None or not st.button("Import", key="import_button"):
        return
    try:
        result = webinars.import_webinars_csv(actor, upload.getvalue())
    except PermissionDenied as refused:
        st.error(str(refused))
        return
    if result.problems:
        st.error(
            "Nothing was imported. Fix these rows and import the file again:\n\n"
            + "\n".join(f"- {p}" for p in result.problems)
        )
    else:
        st.success(f"Imported {len(result.created)} webinars.")
