"""Stripe's standard card pricing per account country, currencies and conversion.

Sourced 2026-11 from Stripe's pricing pages and support articles:
- https://stripe.com/fr/pricing (and the EEA update, support.stripe.com/questions/pricing-
  updates-for-businesses-based-in-the-european-economic-area-(eea)): standard EEA cards
  1.5% + €0.25, UK cards 2.5% + €0.25, international cards 3.25% + €0.25, +2% currency
  conversion, €20 dispute fee;
- https://stripe.com/gb/pricing (support.stripe.com/questions/pricing-updates-for-businesses-
  in-the-united-kingdom): UK cards 1.5% + 20p, EEA cards 2.5% + 20p, international cards
  3.25% + 20p, +2% conversion, £20 dispute fee;
- https://stripe.com/pricing: US cards 2.9% + 30¢, +1.5% international cards, +1% conversion,
  $15 dispute fee (support.stripe.com/questions/june-2023-pricing-and-sales-tax-updates-for-
  businesses-based-in-the-united-states);
- https://stripe.com/jp/pricing: 3.6% for all cards, +2% conversion, ¥1,500 dispute fee.
The dispute fee is not returned when a dispute is won (support.stripe.com/topics/disputes:
only the amount and the separate "dispute countered" fee come back).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# https://docs.stripe.com/currencies#zero-decimal and #three-decimal
ZERO_DECIMAL = {
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
    "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
}  # fmt: skip
THREE_DECIMAL = {"bhd", "jod", "kwd", "omr", "tnd"}

# The server's fixed reference rates: US dollars per major unit of each currency.
USD_PER_UNIT: dict[str, Decimal] = {
    code: Decimal(rate)
    for code, rate in {
        "usd": "1", "eur": "1.08", "gbp": "1.27", "jpy": "0.0067", "cad": "0.73",
        "aud": "0.66", "chf": "1.13", "sek": "0.095", "nok": "0.093", "dkk": "0.145",
        "pln": "0.25", "czk": "0.043", "huf": "0.0027", "ron": "0.217", "bgn": "0.552",
        "nzd": "0.60", "sgd": "0.74", "hkd": "0.128", "mxn": "0.055", "brl": "0.18",
        "inr": "0.012", "cny": "0.138", "krw": "0.00073", "thb": "0.028", "myr": "0.21",
        "aed": "0.2723", "zar": "0.054", "ils": "0.27", "try": "0.029", "php": "0.0175",
        "clp": "0.00105", "vnd": "0.0000395", "kwd": "3.25", "bhd": "2.65", "jod": "1.41",
        "omr": "2.60", "tnd": "0.32",
    }.items()
}  # fmt: skip
SUPPORTED_CURRENCIES = frozenset(USD_PER_UNIT)

# Minimum charge, in the settlement currency's minor units
# (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
MINIMUM_CHARGE = {
    "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50,
    "czk": 1500, "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50,
    "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200,
    "sek": 300, "sgd": 50, "thb": 1000,
}  # fmt: skip

_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥"}

EEA = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IS", "IE",
    "IT", "LV", "LI", "LT", "LU", "MT", "NL", "NO", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
}  # fmt: skip


@dataclass(frozen=True)
class Rate:
    percent: Decimal
    fixed: int  # in the settlement currency's minor units


@dataclass(frozen=True)
class CountryPricing:
    currency: str
    domestic: Rate  # cards issued in the account's own market (the EEA for EEA accounts)
    eea: Rate
    uk: Rate
    international: Rate
    conversion_percent: Decimal
    dispute_fee: int


def _pricing(row: tuple) -> CountryPricing:
    currency, *rates, conversion, dispute_fee = row
    return CountryPricing(
        currency,
        *(Rate(Decimal(percent), fixed) for percent, fixed in rates),
        Decimal(conversion),
        dispute_fee,
    )


# Per account country (sources above): currency; (percent, fixed fee) for domestic, EEA, UK
# and international cards; the conversion percent; the dispute fee.
_EUROPE = (
    #currency domestic     EEA          UK           international  conversion dispute
    "eur",    ("1.5", 25), ("1.5", 25), ("2.5", 25), ("3.25", 25),  "2",       2000,
)  # fmt: skip
_COUNTRIES = {
    **{country: _EUROPE for country in ("FR", "DE", "IE", "NL", "ES", "IT", "BE", "AT")},
    "GB": ("gbp", ("1.5", 20), ("2.5", 20), ("1.5", 20), ("3.25", 20), "2", 2000),
    "US": ("usd", ("2.9", 30), ("4.4", 30), ("4.4", 30), ("4.4", 30),  "1", 1500),
    "JP": ("jpy", ("3.6", 0),  ("3.6", 0),  ("3.6", 0),  ("3.6", 0),   "2", 1500),
}  # fmt: skip
PRICING: dict[str, CountryPricing] = {country: _pricing(row) for country, row in _COUNTRIES.items()}


def decimals(currency: str) -> int:
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2


def exchange_rate(source: str, target: str) -> Decimal:
    """Stripe's definition: an amount in `source` (major units) × rate = amount in `target`."""
    return (USD_PER_UNIT[source] / USD_PER_UNIT[target]).quantize(Decimal("0.000001"))


def convert(amount: int, source: str, target: str) -> tuple[int, float | None]:
    """`amount` (minor units of `source`) in `target`'s minor units, and the rate used."""
    if source == target:
        return amount, None
    rate = exchange_rate(source, target)
    major = Decimal(amount).scaleb(-decimals(source)) * rate
    converted = major.scaleb(decimals(target)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(converted), float(rate)


def _card_rate(pricing: CountryPricing, account_country: str, card_country: str) -> Rate:
    if card_country == account_country:
        return pricing.domestic
    if card_country == "GB":
        return pricing.uk
    if card_country in EEA:
        return pricing.domestic if account_country in EEA else pricing.eea
    return pricing.international


def processing_fee(account_country: str, card_country: str, settled: int, converted: bool) -> int:
    """Stripe's fee on a card payment of `settled` (settlement currency), conversion included."""
    pricing = PRICING[account_country]
    rate = _card_rate(pricing, account_country, card_country)
    percent = rate.percent + (pricing.conversion_percent if converted else 0)
    variable = (Decimal(settled) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(variable) + rate.fixed


def dispute_fee(account_country: str) -> int:
    return PRICING[account_country].dispute_fee


def money(amount: int, currency: str) -> str:
    """An amount as Stripe's messages write it: $0.50, €12.00, ¥50, 3.000 KWD."""
    places = decimals(currency)
    major = f"{Decimal(amount).scaleb(-places):.{places}f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{major}" if symbol else f"{major} {currency.upper()}"
