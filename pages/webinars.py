"""Webinars: the list with status, price, registrations and revenue; create; import."""

import streamlit as st

from console.formatting.presentation import amounts_text, price_text
from console.services import webinars
from console.services.access import ADMIN, ORGANIZER, PermissionDenied
from console.settings import stripe_settings
from console.ui.auth import page_guard
from console.ui.common import locale

actor = page_guard(ADMIN, ORGANIZER)
lang = locale()
settings = stripe_settings()
st.title("Webinars")

try:
    listing = webinars.list_webinars(actor, settings.livemode)
except PermissionDenied as refused:
    st.error(f"Not allowed. {refused}")
    st.stop()

if listing.empty:
    st.info("No webinars yet. Create one below, or import a CSV file.")
else:
    shown = listing.copy().astype(object)
    shown["price"] = [
        price_text(amount, currency, lang)
        for amount, currency in zip(listing["price_amount"], listing["price_currency"], strict=True)
    ]
    shown["net_revenue"] = [amounts_text(e, lang) for e in listing["net_revenue"]]
    st.dataframe(
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
        hide_index=True,
        width="stretch",
        column_config={
            "title": "Webinar",
            "organizer_email": "Organizer",
            "status": "Status",
            "first_session": st.column_config.DatetimeColumn(
                "First session (UTC)", format="YYYY-MM-DD HH:mm"
            ),
            "price": "Price",
            "registrations": "Registrations",
            "net_revenue": "Net revenue",
            "webinar_id": "Id",
        },
    )
    left, right = st.columns([3, 1])
    titles = dict(zip(listing["webinar_id"], listing["title"], strict=True))
    chosen = left.selectbox(
        "Open a webinar", list(titles), format_func=titles.get, key="open_webinar_choice"
    )
    if right.button("Open the webinar", key="open_webinar"):
        st.session_state["webinar_page_id"] = chosen
        st.switch_page("pages/webinar.py")

st.subheader("Create a webinar")
with st.form("create_webinar", clear_on_submit=False):
    title = st.text_input("Title", key="new_title")
    organizer = st.text_input("Organizer e-mail", value=actor.email, key="new_organizer")
    sessions = st.text_area(
        "Sessions (UTC), one per line: YYYY-MM-DD HH:MM, minutes",
        placeholder="2026-12-01 16:00, 90",
        key="new_sessions",
    )
    capacity = st.text_input("Capacity (seats; empty for no limit)", key="new_capacity")
    description = st.text_area(
        "Description, with the cancellation and refund policy", key="new_description"
    )
    join_url = st.text_input("Join link (https://…)", key="new_join_url")
    created = st.form_submit_button("Create webinar")
if created:
    draft = webinars.WebinarDraft(title, organizer, sessions, capacity, description, join_url)
    try:
        webinar_id = webinars.create_webinar(actor, draft)
    except webinars.WebinarInvalid as invalid:
        st.error("The webinar was not created:\n\n" + "\n".join(f"- {p}" for p in invalid.problems))
    except PermissionDenied as refused:
        st.error(str(refused))
    else:
        st.success(f"Created “{title.strip()}” ({webinar_id}). It is free until you set a price.")
        st.session_state["webinar_page_id"] = webinar_id

st.subheader("Import webinars from CSV")
st.caption(
    "Columns: " + ", ".join(webinars.CSV_COLUMNS) + ". Sessions: “YYYY-MM-DD HH:MM, "
    "minutes”, several separated by “;”. A file with any bad row changes nothing."
)
upload = st.file_uploader("CSV file", type=["csv"], key="import_csv")
if upload is not None and st.button("Import", key="import_button"):
    result = webinars.import_webinars_csv(actor, upload.getvalue())
    if result.problems:
        st.error(
            "Nothing was imported. Fix these rows and import the file again:\n\n"
            + "\n".join(f"- {p}" for p in result.problems)
        )
    else:
        st.success(f"Imported {len(result.created)} webinars.")
