"""Stripe's standard card pricing: the one table of it, used by the local Stripe to charge
fees and by the console to show roughly what an organizer keeps."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Stripe's standard pricing for card payments, per currency, as published 2026-11
# (https://stripe.com/pricing and the local pricing pages: stripe.com/fr/pricing,
# /gb/pricing, /jp/pricing, /ca/pricing, /au/pricing, /ch/pricing).
# currency -> (percent of the amount, fixed part in minor units); "*" is any other currency.
CARD_PRICING: dict[str, tuple[Decimal, int]] = {
    "usd": (Decimal("2.9"), 30),  # United States
    "eur": (Decimal("1.5"), 25),  # France, standard EEA cards
    "gbp": (Decimal("1.5"), 20),  # United Kingdom
    "jpy": (Decimal("3.6"), 0),  # Japan
    "cad": (Decimal("2.9"), 30),  # Canada
    "aud": (Decimal("1.7"), 30),  # Australia
    "chf": (Decimal("2.9"), 30),  # Switzerland
    "*": (Decimal("2.9"), 0),
}


def card_fee(amount: int, currency: str) -> int:
    """Stripe's processing fee for a card payment, in the currency's minor units."""
    percent, fixed = CARD_PRICING.get(currency.lower(), CARD_PRICING["*"])
    variable = (Decimal(amount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(variable) + fixed
