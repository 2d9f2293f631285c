import pytest

from console.domain.money import (
    MAXIMUM_CHARGE,
    Money,
    MoneyError,
    check_chargeable,
    exponent,
    format_money,
    parse_amount,
    to_major,
)


@pytest.mark.parametrize(
    ("currency", "digits"),
    [("usd", 2), ("eur", 2), ("gbp", 2), ("jpy", 0), ("krw", 0), ("bhd", 3), ("kwd", 3)],
)
def test_minor_unit_exponent_follows_stripe(currency, digits):
    assert exponent(currency) == digits
    assert exponent(currency.upper()) == digits


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [
        ("49", "usd", 4900),
        ("49.90", "usd", 4990),
        ("49,9", "eur", 4990),
        ("1 234,56", "eur", 123456),
        ("30", "gbp", 3000),
        ("5000", "jpy", 5000),
        ("5000.0", "jpy", 5000),
        ("15000", "krw", 15000),
        ("1.230", "bhd", 1230),
        ("2.5", "kwd", 2500),
    ],
)
def test_parse_amount_to_minor_units(typed, currency, minor):
    amount = parse_amount(typed, currency)
    assert amount == minor
    assert isinstance(amount, int)


@pytest.mark.parametrize(
    ("currency", "minimum"),
    [("usd", 50), ("eur", 50), ("gbp", 30), ("jpy", 50), ("krw", 700), ("bhd", 190), ("kwd", 160)],
)
def test_minimum_charge_per_currency(currency, minimum):
    check_chargeable(minimum, currency)
    below = minimum - (10 if exponent(currency) == 3 else 1)
    with pytest.raises(MoneyError, match="minimum"):
        check_chargeable(below, currency)


@pytest.mark.parametrize(
    ("typed", "currency", "message"),
    [
        ("5000.5", "jpy", "no decimals"),
        ("100.5", "krw", "no decimals"),
        ("49.999", "usd", "at most 2 decimals"),
        ("1.2345", "bhd", "at most 3 decimals"),
        ("1.235", "kwd", "last of the three decimals to be 0"),
        ("0.49", "usd", "minimum"),
        ("0.29", "gbp", "minimum"),
        ("49", "jpy", "minimum"),
        ("-5", "usd", "negative"),
        ("forty", "usd", "not an amount"),
        ("", "usd", "not an amount"),
        ("nan", "usd", "not an amount"),
        ("1000000", "usd", "maximum"),
        ("10", "xyz", "not a currency"),
    ],
)
def test_parse_amount_refuses_with_a_reason(typed, currency, message):
    with pytest.raises(MoneyError, match=message):
        parse_amount(typed, currency)


def test_maximum_is_eight_digits():
    check_chargeable(MAXIMUM_CHARGE, "usd")
    with pytest.raises(MoneyError):
        check_chargeable(MAXIMUM_CHARGE + 1, "usd")


def test_to_major_is_exact():
    assert str(to_major(4990, "usd")) == "49.90"
    assert str(to_major(5000, "jpy")) == "5000"
    assert str(to_major(1230, "bhd")) == "1.230"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        (4900, "usd", "en", "$49.00"),
        (123456, "usd", "en", "$1,234.56"),
        (123456, "eur", "fr", "1\u202f234,56\xa0€"),
        (123456, "eur", "en", "€1,234.56"),
        (3000, "gbp", "en", "£30.00"),
        (5000, "jpy", "en", "¥5,000"),
        (15000, "krw", "en", "₩15,000"),
        (1230, "bhd", "en", "BHD1.230"),
        (2500, "kwd", "fr", "2,500\xa0KWD"),
        (-4900, "usd", "en", "-$49.00"),
    ],
)
def test_format_money(amount, currency, locale, shown):
    assert format_money(amount, currency, locale) == shown


def test_a_refusal_keeps_its_english_message_and_values_for_the_layers_that_translate():
    """The domain speaks no language: its message is the catalog's key, its amounts are
    written where the message is read (presentation.refusal_text)."""
    with pytest.raises(MoneyError) as refused:
        check_chargeable(49, "usd")
    assert refused.value.message == (
        "Stripe's minimum charge in {currency} is {minimum}. "
        "Set at least that, or make the webinar free."
    )
    assert refused.value.values == {"currency": "USD", "minimum": Money(50, "usd")}
    assert str(refused.value) == (
        "Stripe's minimum charge in USD is $0.50. Set at least that, or make the webinar free."
    )


def test_a_refusal_said_already_is_kept_as_it_is():
    assert str(MoneyError("Déjà dit : {rien}")) == "Déjà dit : {rien}"
