"""Webinars: the list with status, price, registrations and revenue; create; import."""

import streamlit as st

from console.formatting.i18n import _
from console.services import webinars
from console.services.access import ADMIN, ORGANIZER, PermissionDenied
from console.settings import stripe_settings
from console.ui.auth import page_guard
from console.ui.common import problem_text
from console.ui.webinar_form import create_webinar_form
from console.ui.webinars_view import csv_import, open_webinar_picker, webinar_table

actor = page_guard(ADMIN, ORGANIZER)
settings = stripe_settings()
st.title(_("Webinars"))
try:
    listing = webinars.list_webinars(actor, settings.livemode)
except PermissionDenied as refused:
    st.error(_("Not allowed. {reason}", reason=problem_text(refused)))
    st.stop()

if listing.empty:
    st.info(_("No webinars yet. Create one below, or import a CSV file."))
else:
    webinar_table(listing)
    open_webinar_picker(listing)
create_webinar_form(actor)
csv_import(actor)
