"""The public registration page's pieces: which webinar, its announcement, the form, and
the card payment with Stripe's test cards in test mode."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import streamlit as st

from console.domain.catalog import Webinar
from console.domain.money import format_money
from console.services import registration
from console.settings import StripeSettings
from console.stripe_api.gateway import StripeNotConfigured, StripeProblem
from console.ui.card_payment import card_payment


def open_webinar_id(open_webinars: dict[str, str]) -> str:
    """The webinar of the link (?webinar=ID), or one chosen among those open; stops the page
    when none is open."""
    webinar_id = st.query_params.get("webinar")
    if webinar_id is not None:
        return webinar_id
    if not open_webinars:
        st.info("There is no webinar open for registration right now.")
        st.stop()
    return st.selectbox(
        "Webinar", list(open_webinars), format_func=open_webinars.get, key="register_choice"
    )


def announcement(webinar: Webinar, settings: StripeSettings) -> None:
    """Title, test-mode warning, sessions in the visitor's time zone, description, price."""
    st.title(webinar.title)
    if settings.api_key and not settings.livemode:
        st.warning(
            "TEST MODE: no real money moves. Use one of Stripe's test cards below.",
            icon=":material/science:",
        )
    zone = ZoneInfo(st.context.timezone or "UTC")
    for number, session in enumerate(webinar.sessions, start=1):
        st.markdown(
            f"**Session {number}:** {session.starts_at.astimezone(zone):%A %d %B %Y, %H:%M} "
            f"({zone.key}), {session.duration_minutes} minutes"
        )
    st.markdown(webinar.description.replace("\n", "  \n"))
    price = (
        "Free" if webinar.is_free else format_money(webinar.price_amount, webinar.price_currency)
    )
    st.subheader(f"Price: {price}")


def registration_form(webinar: Webinar, settings: StripeSettings) -> None:
    """Name and e-mail. A free webinar registers at once; a paid one opens the checkout."""
    with st.form("register"):
        name = st.text_input("Your name", key="register_name")
        email = st.text_input("Your e-mail", key="register_email")
        go = st.form_submit_button("Register" if webinar.is_free else "Continue to payment")
    if not go:
        return
    try:
        if webinar.is_free:
            registration.register_free(webinar.webinar_id, name, email)
            st.session_state.pop("checkout", None)
            st.success(f"You are registered. A confirmation is on its way to {email.strip()}.")
        else:
            st.session_state["checkout"] = (
                registration.start_paid_registration(webinar.webinar_id, name, email, settings),
                name.strip(),
                email.strip().lower(),
            )
    except registration.RegistrationRefused as problem:
        st.error(str(problem))
    except (StripeNotConfigured, StripeProblem) as problem:
        st.error(f"Payment is not available right now: {problem}")


def card_checkout(webinar: Webinar, settings: StripeSettings) -> None:
    """The card form of a started paid registration, and what came of the payment."""
    checkout = st.session_state.get("checkout")
    if not (checkout and checkout[0].payment_intent_id and not webinar.is_free):
        return
    pending, payer, payer_email = checkout
    if not settings.publishable_key:
        st.error("Card payment is not set up: an admin sets STRIPE_PUBLISHABLE_KEY.")
        st.stop()
    st.subheader("Pay by card")
    st.caption(
        "Visa, Mastercard, American Express and Discover. Your card details go to "
        "Stripe directly; this site never sees them."
    )
    outcome = card_payment(
        pending,
        name=payer,
        email=payer_email,
        label=f"Pay {format_money(pending.amount, pending.currency)}",
        publishable_key=settings.publishable_key,
        stripe_js_url=settings.stripe_js_url,
    )
    if outcome and outcome.get("payment_intent"):
        if registration.complete_paid_registration(
            pending.registrant_id, outcome["payment_intent"], settings
        ):
            st.session_state.pop("checkout", None)
            st.success(
                f"Payment received: you are registered. A confirmation is on its way "
                f"to {payer_email}."
            )
            st.balloons()
        else:
            st.warning(
                "Stripe has not confirmed the payment yet. You will get an e-mail as "
                "soon as it does."
            )
    elif outcome and outcome.get("code") == "payment_intent_unexpected_state":
        # The seat hold ran out and the payment was cancelled: nothing was charged.
        st.session_state.pop("checkout", None)
        st.error(
            f"Your seat was held for {registration.SEAT_HOLD.seconds // 60} minutes and the "
            "time ran out, so nothing was charged. Continue to payment again to pay now."
        )
    elif outcome and outcome.get("error"):
        st.error(f"{outcome['error']} Try another card.")
    if not settings.livemode:
        test_cards_table()


def test_cards_table() -> None:
    st.table(
        {
            "Card": [c for c, _, _ in registration.TEST_CARDS],
            "Number (any future date, any CVC)": [n for _, n, _ in registration.TEST_CARDS],
            "Result": [r for _, _, r in registration.TEST_CARDS],
        }
    )
