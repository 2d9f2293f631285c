"""Setting a webinar's price: type it, see what the organizer keeps, review, confirm; and
the history of its prices."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console.domain.catalog import Webinar
from console.domain.money import SUPPORTED, MoneyError, format_money
from console.formatting import i18n
from console.formatting.i18n import _
from console.formatting.presentation import price_text
from console.services import pricing
from console.services.access import Actor, PermissionDenied
from console.services.connection import NotVerified
from console.stripe_api.gateway import StripeNotConfigured, StripeProblem
from console.ui.common import problem_text
from console.ui.tables import table, when_column

PLANNED = "planned_price"


def new_price_fields(webinar: Webinar) -> tuple[str, str, str | None]:
    """The amount as typed, the currency, and the problem already shown with the amount (if
    any); shows what a registrant pays and what the organizer keeps."""
    lang = i18n.language()
    st.subheader(_("Price"))
    left, right = st.columns([2, 1])
    amount_text = left.text_input(
        _("Amount (as you would write it: 49, 49.90, 5000 for JPY)"), key="price_amount"
    )
    currencies = sorted(SUPPORTED)
    currency = right.selectbox(
        _("Currency"),
        currencies,
        key="price_currency",
        index=currencies.index(webinar.price_currency or "eur"),
        format_func=str.upper,
    )
    if not amount_text.strip():
        return amount_text, currency, None
    try:
        preview = pricing.preview_price(amount_text, currency)
    except MoneyError as problem:
        said = problem_text(problem)
        st.error(said)
        return amount_text, currency, said
    st.caption(
        _(
            "A registrant pays {price}. With Stripe's standard card fee (about {fee}), the "
            "organizer keeps about {keeps}; cards from abroad cost more.",
            price=format_money(preview.amount, currency, lang),
            fee=format_money(preview.fee, currency, lang),
            keeps=format_money(preview.organizer_keeps, currency, lang),
        )
    )
    return amount_text, currency, None


def price_buttons(
    actor: Actor, webinar: Webinar, amount_text: str, currency: str, said: str | None
) -> None:
    """Review the new price, or make a paid webinar free: either plans a change to confirm."""
    buttons = st.columns(2)
    if buttons[0].button(_("Review the new price"), key="review_price"):
        try:
            st.session_state[PLANNED] = pricing.plan_price(
                actor, webinar.webinar_id, amount_text, currency
            )
        except (MoneyError, PermissionDenied) as problem:
            if problem_text(problem) != said:  # said once is enough
                st.error(problem_text(problem))
    if not webinar.is_free and buttons[1].button(_("Make it free"), key="make_free"):
        try:
            st.session_state[PLANNED] = pricing.plan_price(actor, webinar.webinar_id, None, None)
        except PermissionDenied as refused:
            st.error(problem_text(refused))


def price_confirmation(actor: Actor, webinar_id: str) -> None:
    """The planned change in words, to confirm or drop; saving it reruns the page."""
    planned = st.session_state.get(PLANNED)
    if planned is None or planned.webinar_id != webinar_id:
        return
    lang = i18n.language()
    with st.container(border=True):
        question = _(
            "Change the price from {old} to {new}?",
            old=price_text(planned.old_amount, planned.old_currency, lang),
            new=price_text(planned.new_amount, planned.new_currency, lang),
        )
        st.markdown(
            f"**{question}**\n\n"
            + _("It applies to new registrations only; whoever already paid keeps what they paid.")
        )
        confirm, cancel = st.columns(2)
        if confirm.button(_("Confirm the price"), key="confirm_price", type="primary"):
            try:
                pricing.save_price(actor, planned)
            except (
                NotVerified,
                MoneyError,
                PermissionDenied,
                StripeNotConfigured,
                StripeProblem,
            ) as problem:
                st.error(problem_text(problem))
            else:
                del st.session_state[PLANNED]
                st.session_state["webinar_flash"] = _("Price saved.")
                st.rerun()
        if cancel.button(_("Keep the current price"), key="cancel_price"):
            del st.session_state[PLANNED]
            st.rerun()


def price_history_table(history: pd.DataFrame) -> None:
    """Who changed the price when, from what to what; nothing before the first change."""
    if history.empty:
        return
    lang = i18n.language()
    st.caption(_("Price history"))
    history = history.astype(object)
    for shown, amount, currency in (
        ("from", "old_amount", "old_currency"),
        ("to", "new_amount", "new_currency"),
    ):
        history[shown] = [
            price_text(a, c, lang) for a, c in zip(history[amount], history[currency], strict=True)
        ]
    table(
        history[["changed_at", "changed_by", "from", "to"]],
        {
            "changed_at": when_column(_("When (UTC)")),
            "changed_by": _("Who"),
            "from": _("Old price"),
            "to": _("New price"),
        },
    )
