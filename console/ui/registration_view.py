"""The public site's pieces: the visitor's language, which webinar, its announcement in the
visitor's and the webinar's time zones, the form, the card payment (Stripe's test cards in
test mode), and the confirmation that replaces them once registered."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from console.domain.catalog import Webinar
from console.domain.money import format_money
from console.formatting import i18n
from console.formatting.dates import when
from console.formatting.i18n import _, ngettext
from console.mail.notifications import calendar_file, receipt_lines
from console.services import registration
from console.settings import StripeSettings
from console.stripe_api.gateway import StripeNotConfigured, StripeProblem
from console.ui.card_payment import card_payment

RETURN = "registration"  # the query parameter of a registrant's link back to their page


def visitor_language() -> str:
    """The visitor's language: the browser's (st.context.locale) until they switch, with the
    switch at the top of the page. Sets it for the rest of the run."""
    if "locale" not in st.session_state:
        st.session_state["locale"] = i18n.browser_language(st.context.locale)

    def switch() -> None:
        if st.session_state.get("language_switch"):  # None: the chosen one clicked again
            st.session_state["locale"] = st.session_state["language_switch"]

    st.segmented_control(
        "Language / Langue",
        options=list(i18n.LOCALES),
        format_func=i18n.LOCALES.get,
        default=st.session_state["locale"],
        key="language_switch",
        on_change=switch,
        label_visibility="collapsed",
    )
    return i18n.use(st.session_state["locale"])


def visitor_zone() -> str:
    """The visitor's time zone as their browser gives it; UTC when it gives none."""
    zone = st.context.timezone
    try:
        ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return zone or "UTC"


def open_webinar_id(open_webinars: dict[str, str]) -> str:
    """The webinar of the link (?webinar=ID), or one chosen among those open; stops the page
    when none is open."""
    webinar_id = st.query_params.get("webinar")
    if webinar_id is not None:
        return webinar_id
    if not open_webinars:
        st.info(_("There is no webinar open for registration right now."))
        st.stop()
    return st.selectbox(
        _("Webinar"), list(open_webinars), format_func=open_webinars.get, key="register_choice"
    )


def sessions(webinar: Webinar) -> None:
    """Each session in the webinar's time zone, and in the visitor's when it differs."""
    lang = i18n.language()
    mine = visitor_zone()
    total = len(webinar.sessions)
    for number, session in enumerate(webinar.sessions, start=1):
        line = _(
            "**Session {number} of {total}:** {when}, {minutes} minutes",
            number=number,
            total=total,
            when=when(session.starts_at, webinar.time_zone, lang),
            minutes=session.duration_minutes,
        )
        if mine != webinar.time_zone:
            line += "  \n" + _("Your time: {when}", when=when(session.starts_at, mine, lang))
        st.markdown(line)


def announcement(webinar: Webinar, settings: StripeSettings) -> None:
    """Title, test-mode warning, sessions, description, price."""
    st.title(webinar.title)
    if settings.api_key and not settings.livemode:
        st.warning(
            _("TEST MODE: no real money moves. Use one of Stripe's test cards below."),
            icon=":material/science:",
        )
    sessions(webinar)
    st.markdown(webinar.description.replace("\n", "  \n"))
    price = (
        _("Free")
        if webinar.is_free
        else format_money(webinar.price_amount, webinar.price_currency, i18n.language())
    )
    st.subheader(_("Price: {price}", price=price))


def _show_confirmation(return_token: str) -> None:
    st.query_params[RETURN] = return_token
    st.session_state.pop("checkout", None)
    st.rerun()


def registration_form(webinar: Webinar, settings: StripeSettings) -> None:
    """Name and e-mail. A free webinar registers at once; a paid one opens the checkout."""
    with st.form("register"):
        name = st.text_input(_("Your name"), key="register_name", autocomplete="name")
        email = st.text_input(_("Your e-mail"), key="register_email", autocomplete="email")
        go = st.form_submit_button(
            _("Register") if webinar.is_free else _("Continue to payment"), type="primary"
        )
    if not go:
        return
    try:
        if webinar.is_free:
            registrant_id = registration.register_free(webinar.webinar_id, name, email)
            _show_confirmation(registration.return_token_of(registrant_id))
        else:
            st.session_state["checkout"] = (
                registration.start_paid_registration(webinar.webinar_id, name, email, settings),
                name.strip(),
                email.strip().lower(),
            )
    except registration.RegistrationRefused as problem:
        st.error(str(problem))
    except (StripeNotConfigured, StripeProblem) as problem:
        st.error(_("Payment is not available right now: {problem}", problem=problem))


def card_checkout(webinar: Webinar, settings: StripeSettings) -> None:
    """The card form of a started paid registration, and what came of the payment."""
    checkout = st.session_state.get("checkout")
    if not (checkout and checkout[0].payment_intent_id and not webinar.is_free):
        return
    pending, payer, payer_email = checkout
    if not settings.publishable_key:
        st.error(_("Card payment is not set up: an admin sets STRIPE_PUBLISHABLE_KEY."))
        st.stop()
    lang = i18n.language()
    st.subheader(_("Pay by card"))
    st.markdown(
        _(
            "Visa, Mastercard, American Express and Discover. Your card details go to "
            "Stripe directly; this site never sees them."
        )
    )
    outcome = card_payment(
        pending,
        name=payer,
        email=payer_email,
        label=_("Pay {money}", money=format_money(pending.amount, pending.currency, lang)),
        publishable_key=settings.publishable_key,
        stripe_js_url=settings.stripe_js_url,
        locale=lang,
    )
    if outcome and outcome.get("payment_intent"):
        if registration.complete_paid_registration(
            pending.registrant_id, outcome["payment_intent"], settings
        ):
            _show_confirmation(pending.return_token)
        st.warning(
            _(
                "Stripe has not confirmed the payment yet. You will get an e-mail as soon "
                "as it does."
            )
        )
    elif outcome and outcome.get("code") == "payment_intent_unexpected_state":
        # The seat hold ran out and the payment was cancelled: nothing was charged.
        st.session_state.pop("checkout", None)
        st.error(
            _(
                "Your seat was held for {minutes} minutes and the time ran out, so nothing "
                "was charged. Continue to payment again to pay now.",
                minutes=registration.SEAT_HOLD.seconds // 60,
            )
        )
    elif outcome and outcome.get("error"):
        st.error(_("{problem} Try another card.", problem=outcome["error"]))
    if not settings.livemode:
        test_cards_table()


def test_cards_table() -> None:
    st.table(
        {
            _("Card"): [card for card, _number, _result in registration.TEST_CARDS],
            _("Number (any future date, any CVC)"): [
                number for _card, number, _result in registration.TEST_CARDS
            ],
            _("Result"): [_(result) for _card, _number, result in registration.TEST_CARDS],
        }
    )


def confirmation(return_token: str) -> None:
    """What a registrant sees after registering, and each time they come back by their
    link: never the form again, so never a second payment."""
    try:
        registered = registration.confirmation(return_token)
    except registration.RegistrationRefused as problem:
        st.error(str(problem))
        st.stop()
    except (StripeNotConfigured, StripeProblem) as problem:
        st.error(_("Your registration cannot be shown right now: {problem}", problem=problem))
        st.stop()
    webinar = registered.webinar
    st.title(webinar.title)
    if registered.status != registration.RegistrationStatus.REGISTERED:
        st.warning(
            _(
                "This registration is not confirmed: {status}. If you paid, Stripe has not "
                "confirmed it yet; reload this page in a minute.",
                status=registration.status_text(registered.status),
            )
        )
        return
    st.success(
        _(
            "You are registered, {name}. The confirmation was sent to {email}.",
            name=registered.name,
            email=registered.email,
        ),
        icon=":material/check_circle:",
    )
    sessions(webinar)
    if registered.receipt is not None:
        st.subheader(_("Your receipt"))
        st.markdown("  \n".join(receipt_lines(registered.receipt, i18n.language())))
    else:
        st.markdown(_("This webinar is free: nothing was charged."))
    st.download_button(
        _("Add to calendar (.ics)"),
        data=calendar_file(webinar),
        file_name=f"{webinar.webinar_id}.ics",
        mime="text/calendar",
        icon=":material/calendar_add_on:",
        key="calendar",
    )
    st.subheader(_("To cancel"))
    st.markdown(
        ngettext(
            "Write to the organizer, {organizer}, before the session. The webinar's "
            "cancellation and refund policy:",
            "Write to the organizer, {organizer}, before the first session. The webinar's "
            "cancellation and refund policy:",
            len(webinar.sessions),
            organizer=webinar.organizer_email,
        )
    )
    st.markdown(webinar.description.replace("\n", "  \n"))
    # Plain text, not a caption: captions' grey is below WCAG AA contrast (axe-core).
    st.markdown(_("Keep this page's address: it brings you back here."))
