"""Public registration: no sign-in. Free webinars register at once; paid ones take a card.
Once registered, and whenever the person comes back by their link, the confirmation."""

import streamlit as st

from console.services import registration
from console.settings import stripe_settings
from console.ui.registration_view import (
    RETURN,
    announcement,
    card_checkout,
    confirmation,
    open_webinar_id,
    registration_form,
)

return_token = st.query_params.get(RETURN)
if return_token:
    confirmation(return_token)
    st.stop()

settings = stripe_settings()
webinar_id = open_webinar_id(registration.open_webinars())
try:
    webinar = registration.public_webinar(webinar_id)
except registration.RegistrationRefused as problem:
    st.error(str(problem))
    st.stop()

announcement(webinar, settings)
registration_form(webinar, settings)
card_checkout(webinar, settings)
