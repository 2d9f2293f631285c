"""Money in minor units, following Stripe's currency rules.

Amounts are integers in the currency's smallest unit, exactly as Stripe sends them.
Parsing what a person typed and formatting for a person happen here, at the edge.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from babel.numbers import format_currency

# Stripe's zero-decimal currencies: the amount is the whole unit (5000 jpy is ¥5,000).
# Source: https://docs.stripe.com/currencies#zero-decimal (as published 2026-11).
ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
# Three-decimal currencies; Stripe requires the last digit to be 0 for card payments.
THREE_DECIMAL = frozenset("bhd jod kwd omr tnd".split())

# Currencies this console accepts for prices: those Stripe presents on cards in the
# countries our organizers sell to. Extend with care: each needs a minimum below.
SUPPORTED = frozenset(
    "usd eur gbp jpy cad aud chf sek nok dkk pln czk huf ron bgn nzd sgd hkd mxn brl inr"
    " krw bhd kwd jod omr aed thb myr".split()
)

# Minimum charge per currency, in minor units.
# Source: https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts
# (as published 2026-11). Currencies absent from Stripe's table (krw, bhd, kwd, jod,
# omr) must reach USD 0.50 after conversion; those are USD 0.50 rounded up at
# 2026-11 rates, and a multiple of 10 for three-decimal currencies.
MINIMUM_CHARGE = {
    "usd": 50,
    "eur": 50,
    "gbp": 30,
    "jpy": 50,
    "cad": 50,
    "aud": 50,
    "chf": 50,
    "sek": 300,
    "nok": 300,
    "dkk": 250,
    "pln": 200,
    "czk": 1500,
    "huf": 17500,
    "ron": 200,
    "bgn": 100,
    "nzd": 50,
    "sgd": 50,
    "hkd": 400,
    "mxn": 1000,
    "brl": 50,
    "inr": 50,
    "aed": 200,
    "thb": 1000,
    "myr": 200,
    "krw": 700,
    "bhd": 190,
    "kwd": 160,
    "jod": 360,
    "omr": 200,
}
# Stripe accepts at most eight digits in `amount` (99,999,999 minor units).
MAXIMUM_CHARGE = 99_999_999


def N_(message: str) -> str:
    """Marks `message` for the catalog: the domain speaks no language, the layers above
    translate its words (formatting/presentation.py, `refusal_text`)."""
    return message


class Money(NamedTuple):
    """An amount in a message, written where the message is read, as its language does."""

    amount: int  # minor units
    currency: str

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


class MoneyError(ValueError):
    """An amount a person typed that Stripe would refuse; the message says what works.

    `message` is its English text with {placeholders} and `values` fill them (amounts as
    Money): the layers that speak to people say it in their language
    (presentation.refusal_text)."""

    def __init__(self, message: str, **values: object):
        self.message = message
        self.values = values
        shown = {name: str(value) for name, value in values.items()}
        super().__init__(message.format(**shown) if shown else message)


NOT_AN_AMOUNT = N_("“{text}” is not an amount. Type a number such as 49 or 49.90.")


def exponent(currency: str) -> int:
    """Digits after the decimal point in Stripe's minor unit for `currency`."""
    code = currency.lower()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def to_major(amount: int, currency: str) -> Decimal:
    """Minor units to an exact Decimal in the major unit (4900 usd -> 49.00)."""
    return Decimal(amount).scaleb(-exponent(currency))


def convert(amount: int, currency: str, rate: Decimal, to_currency: str) -> int:
    """Minor units of `currency` in `to_currency`, at a Stripe `exchange_rate` (which is per
    major unit), rounded half up."""
    major = to_major(amount, currency) * rate
    return int(major.scaleb(exponent(to_currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check_currency(currency: str) -> str:
    code = (currency or "").strip().lower()
    if code not in SUPPORTED:
        known = ", ".join(sorted(SUPPORTED))
        raise MoneyError(
            N_("“{currency}” is not a currency this console can charge in. Use one of: {known}."),
            currency=currency,
            known=known,
        )
    return code


def parse_amount(text: str, currency: str) -> int:
    """What a person typed (`49`, `49.90`, `49,90`, `5000` jpy) to minor units.

    Refuses text, negatives, too many decimals, and amounts Stripe would refuse.
    """
    minor = parse_minor_units(text, currency)
    check_chargeable(minor, currency)
    return minor


def parse_minor_units(text: str, currency: str) -> int:
    """Like `parse_amount`, without Stripe's charge limits (a refund has no minimum)."""
    code = check_currency(currency)
    cleaned = (text or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # French decimal comma
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(NOT_AN_AMOUNT, text=text) from None
    if not value.is_finite():
        raise MoneyError(NOT_AN_AMOUNT, text=text)
    if value < 0:
        raise MoneyError(N_("An amount cannot be negative. To make a webinar free, choose “Free”."))
    digits = exponent(code)
    if -value.as_tuple().exponent > digits and value != value.quantize(Decimal(1).scaleb(-digits)):
        if digits == 0:
            raise MoneyError(
                N_("{currency} has no decimals: type a whole number such as 5000."),
                currency=code.upper(),
            )
        raise MoneyError(
            N_("{currency} takes at most {digits} decimals."), currency=code.upper(), digits=digits
        )
    return int(value.scaleb(digits))


def check_chargeable(amount: int, currency: str) -> None:
    """Refuse an amount in minor units that Stripe would not charge."""
    code = check_currency(currency)
    if code in THREE_DECIMAL and amount % 10:
        lower = amount - amount % 10
        raise MoneyError(
            N_(
                "For {currency} card payments Stripe needs the last of the three decimals "
                "to be 0: try {lower} or {higher}."
            ),
            currency=code.upper(),
            lower=Money(lower, code),
            higher=Money(lower + 10, code),
        )
    minimum = MINIMUM_CHARGE[code]
    if amount < minimum:
        raise MoneyError(
            N_(
                "Stripe's minimum charge in {currency} is {minimum}. "
                "Set at least that, or make the webinar free."
            ),
            currency=code.upper(),
            minimum=Money(minimum, code),
        )
    if amount > MAXIMUM_CHARGE:
        raise MoneyError(
            N_("Stripe's maximum charge in {currency} is {maximum}."),
            currency=code.upper(),
            maximum=Money(MAXIMUM_CHARGE, code),
        )


def format_money(amount: int, currency: str, locale: str = "en") -> str:
    """4900 usd -> $49.00 (en) or 49,00 $US (fr); 5000 jpy -> ¥5,000. The domain knows no
    language: callers pass theirs (formatting's and services' callers read i18n's)."""
    code = currency.upper()
    digits = exponent(currency)
    pattern = None
    if digits != 2:
        # Babel's own precision can differ from Stripe's minor unit (e.g. ISK): force it.
        decimals = "." + "0" * digits if digits else ""
        pattern = f"¤#,##0{decimals}"
        if locale.startswith("fr"):
            pattern = f"#,##0{decimals}\u00a0¤"
    return format_currency(
        to_major(amount, currency),
        code,
        format=pattern,
        locale=locale,
        currency_digits=pattern is None,
    )
