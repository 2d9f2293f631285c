"""console/stripe_local/pricing.py: Stripe's exchange-rate definition and fee arithmetic."""

from __future__ import annotations

from console.devtools.stripe_local import pricing


def test_exchange_rate_is_per_major_unit_as_stripe_defines_it() -> None:
    # docs: 10.00 EUR converting to 12.34 USD has exchange_rate 1.234 (amount × rate).
    amount, rate = pricing.convert(1000, "eur", "usd")
    assert (amount, rate) == (1080, 1.08)
    assert pricing.convert(5000, "jpy", "eur") == (3102, 0.006204)  # zero-decimal source
    assert pricing.convert(4900, "usd", "jpy") == (7313, 149.253731)  # zero-decimal target
    assert pricing.convert(1000, "kwd", "usd") == (325, 3.25)  # three decimals: 1.000 KWD
    assert pricing.convert(4900, "eur", "eur") == (4900, None)


def test_fees_per_card_origin() -> None:
    assert pricing.processing_fee("FR", "FR", 4900, converted=False) == 99
    assert pricing.processing_fee("FR", "DE", 4900, converted=False) == 99
    assert pricing.processing_fee("FR", "GB", 4900, converted=False) == 148
    assert pricing.processing_fee("FR", "US", 4900, converted=False) == 184
    assert pricing.processing_fee("GB", "FR", 3000, converted=False) == 95
    assert pricing.processing_fee("US", "US", 4900, converted=True) == 221  # 3.9% + 30¢
    assert pricing.processing_fee("JP", "US", 5000, converted=False) == 180
    assert [pricing.dispute_fee(c) for c in ("FR", "GB", "US", "JP")] == [2000, 2000, 1500, 1500]


def test_money_is_written_as_stripe_writes_it() -> None:
    assert pricing.money(50, "eur") == "€0.50"
    assert pricing.money(50, "jpy") == "¥50"
    assert pricing.money(3000, "kwd") == "3.000 KWD"
