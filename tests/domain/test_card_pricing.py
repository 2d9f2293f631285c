"""console/domain/card_pricing.py: Stripe's standard card fee per currency, in minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from console.devtools.stripe_local import pricing as local_pricing
from console.domain.card_pricing import CARD_PRICING, card_fee


@pytest.mark.parametrize(
    ("amount", "currency", "fee"),
    [
        (4900, "usd", 172),  # 2.9% + 30¢: 142.1 -> 142, + 30 (DESIGN.md's example)
        (4900, "eur", 99),  # 1.5% + €0.25: 73.5 -> 74, + 25
        (3000, "gbp", 65),  # 1.5% + 20p
        (5000, "jpy", 180),  # 3.6%, no fixed part; yen have no minor unit
        (10000, "cad", 320),
        (10000, "aud", 200),
        (10000, "chf", 320),
    ],
)
def test_fee_per_currency(amount, currency, fee):
    assert card_fee(amount, currency) == fee


def test_any_other_currency_pays_the_default_rate_without_a_fixed_part():
    assert CARD_PRICING["*"] == (Decimal("2.9"), 0)
    assert card_fee(10000, "sek") == 290
    assert card_fee(1230, "kwd") == 36  # 35.67 -> 36 (three-decimal minor units)


def test_the_currency_code_is_read_in_any_case():
    assert card_fee(4900, "USD") == card_fee(4900, "usd") == 172
    assert card_fee(4900, "Eur") == 99


def test_the_percentage_rounds_half_up():
    # 1.5% of 300 is 4.5 (-> 5, where banker's rounding would give 4); of 100, 1.5 (-> 2).
    assert card_fee(300, "eur") == 5 + 25
    assert card_fee(100, "eur") == 2 + 25
    # 2.9% of 50 is 1.45 (-> 1).
    assert card_fee(50, "usd") == 1 + 30


def test_a_zero_amount_pays_only_the_fixed_part():
    assert card_fee(0, "usd") == 30
    assert card_fee(0, "jpy") == 0


def test_fees_are_integers_and_the_table_holds_no_float():
    assert all(isinstance(card_fee(a, c), int) for a in (1, 999, 123457) for c in CARD_PRICING)
    for percent, fixed in CARD_PRICING.values():
        assert isinstance(percent, Decimal)
        assert isinstance(fixed, int)


@pytest.mark.parametrize(
    ("country", "currency"), [("US", "usd"), ("FR", "eur"), ("GB", "gbp"), ("JP", "jpy")]
)
@pytest.mark.parametrize("amount", [50, 300, 4900, 12345, 99_999_999])
def test_the_estimate_is_what_the_local_stripe_charges_for_a_domestic_card(
    country, currency, amount
):
    """The organizer's preview and the fee the local Stripe takes come from two tables: they
    agree for a card issued in the account's own country, settled unconverted."""
    charged = local_pricing.processing_fee(country, country, amount, converted=False)
    assert card_fee(amount, currency) == charged
