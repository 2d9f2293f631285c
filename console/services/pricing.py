"""Webinar prices: free until someone sets an amount and a currency; every change recorded."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from console.domain.card_pricing import card_fee
from console.domain.money import MoneyError, check_chargeable, check_currency, parse_amount
from console.formatting.presentation import refusal_text
from console.services import audit
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, require, require_webinar_owner
from console.services.connection import require_verified_account
from console.services.webinars import get_webinar
from console.settings import StripeSettings
from console.store import catalog, db, price_changes


@dataclass(frozen=True)
class PricePreview:
    amount: int  # what a registrant pays, minor units
    currency: str
    fee: int  # Stripe's standard card fee, roughly: cards from abroad cost more
    organizer_keeps: int


@dataclass(frozen=True)
class PriceChange:
    webinar_id: str
    old_amount: int | None
    old_currency: str | None
    new_amount: int | None
    new_currency: str | None


def preview_price(amount_text: str, currency: str) -> PricePreview:
    """What a registrant pays and roughly what the organizer keeps. Raises MoneyError, in
    the language of the work at hand."""
    try:
        code = check_currency(currency)
        amount = parse_amount(amount_text, code)
    except MoneyError as problem:
        raise MoneyError(refusal_text(problem)) from None
    fee = card_fee(amount, code)
    return PricePreview(amount, code, fee, amount - fee)


def plan_price(
    actor: Actor, webinar_id: str, amount_text: str | None, currency: str | None
) -> PriceChange:
    """The change a save would make, checked but not written (for the confirmation)."""
    webinar = get_webinar(actor, webinar_id)
    require_webinar_owner(actor, webinar.organizer_email)
    if amount_text is None:
        return PriceChange(webinar_id, webinar.price_amount, webinar.price_currency, None, None)
    preview = preview_price(amount_text, currency or "")
    return PriceChange(
        webinar_id, webinar.price_amount, webinar.price_currency, preview.amount, preview.currency
    )


def save_price(actor: Actor, change: PriceChange, settings: StripeSettings | None = None) -> None:
    """Write a planned change and its history line together. New registrations only: who
    already paid keeps what they paid (their PaymentIntent holds the amount)."""
    webinar = get_webinar(actor, change.webinar_id)
    require_webinar_owner(actor, webinar.organizer_email)
    if change.new_amount is not None:
        require_verified_account(actor, settings)
        # Re-check the rules, in case the change was built elsewhere.
        try:
            check_chargeable(change.new_amount, change.new_currency or "")
        except MoneyError as problem:
            raise MoneyError(refusal_text(problem)) from None
    with db.connect(write=True) as con:
        catalog.set_price(con, change.webinar_id, change.new_amount, change.new_currency)
        price_changes.record_change(
            con,
            change.webinar_id,
            actor.email,
            old=(webinar.price_amount, webinar.price_currency),
            new=(change.new_amount, change.new_currency),
        )
        audit.record(
            con,
            actor.email,
            "price change",
            webinar_id=change.webinar_id,
            amount=change.new_amount,
            currency=change.new_currency,
            before={"amount": webinar.price_amount, "currency": webinar.price_currency},
            after={"amount": change.new_amount, "currency": change.new_currency},
        )


def price_history(actor: Actor, webinar_id: str) -> pd.DataFrame:
    require(actor, ADMIN, ORGANIZER, FINANCE)
    get_webinar(actor, webinar_id)  # scope check
    return price_changes.of_webinar(webinar_id)
