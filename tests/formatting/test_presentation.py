"""console/formatting/presentation.py: report frames for people, money in each currency's own
format (zero-decimal JPY, three-decimal KWD/BHD, EUR in English and French), presentment and
settlement amounts each under their own currency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from console.domain.email_address import EmailAddressInvalid, normalized_email
from console.domain.money import MoneyError, check_chargeable, parse_amount
from console.formatting import i18n
from console.formatting.presentation import (
    MONEY_COLUMNS,
    amounts_text,
    formatted_money,
    price_text,
    refusal_text,
    with_formatted_money,
)

NBSP, NNBSP = "\xa0", "\u202f"  # Babel's French spaces: before the symbol, between thousands


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "text"),
    [
        (4900, "eur", "en", "€49.00"),
        (4900, "eur", "fr", f"49,00{NBSP}€"),
        (123456, "eur", "en", "€1,234.56"),
        (123456, "eur", "fr", f"1{NNBSP}234,56{NBSP}€"),
        (5, "eur", "en", "€0.05"),
        (0, "eur", "fr", f"0,00{NBSP}€"),
        (-4900, "eur", "en", "-€49.00"),
        (4900, "usd", "en", "$49.00"),
        (500000, "jpy", "en", "¥500,000"),  # zero-decimal: 500000 is ¥500,000, not ¥5,000.00
        (500000, "jpy", "fr", f"500{NNBSP}000{NBSP}JPY"),
        (0, "jpy", "en", "¥0"),
        (15000, "krw", "en", "₩15,000"),
        (1230, "kwd", "en", "KWD1.230"),  # three decimals: 1230 is 1.230 dinars
        (1230, "kwd", "fr", f"1,230{NBSP}KWD"),
        (1234567, "bhd", "en", "BHD1,234.567"),
        (1234567, "bhd", "fr", f"1{NNBSP}234,567{NBSP}BHD"),
    ],
)
def test_price_text_formats_money_in_the_currencys_minor_unit(amount, currency, locale, text):
    assert price_text(amount, currency, locale) == text


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, np.nan])
def test_no_price_is_free(missing):
    assert price_text(missing, "eur") == "Free"
    assert price_text(missing, None, "fr") == "Gratuit"


def test_price_text_takes_numpy_integers_and_upper_case_codes():
    assert price_text(np.int64(4900), "EUR") == "€49.00"


def _revenue() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "webinar_id": ["wb_jp", "wb_kw", "wb_free"],
            "title": ["Tokyo", None, "Free one"],
            "currency": ["jpy", "kwd", None],
            "paid_registrants": [2, 1, 0],
            "gross": [10000, 1230, 0],
            "refunded": [0, 0, 0],
            "disputed": [0, 0, 0],
            "settlement_currency": ["eur", "eur", None],
            "fees": [180, 5, 0],
            "net": [6000, 360, 0],
        }
    )


def test_presentment_and_settlement_amounts_each_show_their_own_currency():
    shown = formatted_money(_revenue(), MONEY_COLUMNS["revenue"], "en")
    assert shown.loc[0, ["gross", "fees", "net"]].tolist() == ["¥10,000", "€1.80", "€60.00"]
    assert shown.loc[1, ["gross", "fees", "net"]].tolist() == ["KWD1.230", "€0.05", "€3.60"]


def test_formatted_money_in_french():
    shown = formatted_money(_revenue(), MONEY_COLUMNS["revenue"], "fr")
    assert shown.loc[0, "gross"] == f"10{NNBSP}000{NBSP}JPY"
    assert shown.loc[0, "net"] == f"60,00{NBSP}€"


def test_a_row_without_a_currency_shows_a_dash():
    shown = formatted_money(_revenue(), MONEY_COLUMNS["revenue"])
    assert shown.loc[2, ["gross", "refunded", "fees", "net"]].tolist() == ["—"] * 4


def test_other_columns_and_the_given_frame_are_left_alone():
    frame = _revenue()
    shown = formatted_money(frame, MONEY_COLUMNS["revenue"])
    assert shown["paid_registrants"].tolist() == [2, 1, 0]
    assert shown["webinar_id"].tolist() == ["wb_jp", "wb_kw", "wb_free"]
    assert frame["gross"].tolist() == [10000, 1230, 0]
    assert frame["gross"].dtype == "int64"


def test_with_formatted_money_blanks_missing_values():
    shown = with_formatted_money(_revenue(), "revenue")
    assert shown.loc[1, "title"] == ""
    assert shown.loc[0, "gross"] == "¥10,000"
    assert shown.loc[2, "currency"] == ""


def test_the_money_columns_follow_design_md():
    """Paid, refunded and disputed are presentment amounts; fees and net are settled."""
    assert MONEY_COLUMNS["revenue"] == {
        "gross": "currency",
        "refunded": "currency",
        "disputed": "currency",
        "fees": "settlement_currency",
        "net": "settlement_currency",
    }
    registrants = MONEY_COLUMNS["registrants"]
    assert {registrants[c] for c in ("amount_paid", "amount_refunded")} == {"currency"}
    assert {registrants[c] for c in ("fee", "net")} == {"settlement_currency"}
    assert set(MONEY_COLUMNS["fees"].values()) == {"settlement_currency"}


def test_amounts_text_joins_one_amount_per_currency():
    entries = [{"currency": "eur", "net": 123400}, {"currency": "usd", "net": 5600}]
    assert amounts_text(entries) == "€1,234.00 · $56.00"
    assert amounts_text(entries, "fr") == f"1{NNBSP}234,00{NBSP}€ · 56,00{NBSP}$US"
    assert amounts_text(({"currency": "jpy", "net": 5000},)) == "¥5,000"


def test_amounts_text_reads_an_array_as_a_list_column_gives_it():
    entries = np.array([{"currency": "bhd", "net": 1500}], dtype=object)
    assert amounts_text(entries) == "BHD1.500"


@pytest.mark.parametrize("nothing", [[], None, float("nan"), "€1", {"currency": "eur", "net": 1}])
def test_amounts_text_without_amounts_is_a_dash(nothing):
    assert amounts_text(nothing) == "—"


# --- in the language of the work at hand ---------------------------------------------------


def test_without_a_locale_money_and_words_follow_the_current_language():
    with i18n.speaking("fr"):
        assert price_text(None, None) == "Gratuit"
        assert price_text(4900, "eur") == f"49,00{NBSP}€"
        assert amounts_text([{"currency": "eur", "net": 5600}]) == f"56,00{NBSP}€"
        shown = with_formatted_money(_revenue(), "revenue")
        assert shown.loc[0, "net"] == f"60,00{NBSP}€"
        assert price_text(None, None, "en") == "Free"  # a locale given still wins
    assert price_text(None, None) == "Free"
    assert with_formatted_money(_revenue(), "revenue").loc[0, "net"] == "€60.00"


def _refused(check, *args) -> MoneyError | EmailAddressInvalid:
    with pytest.raises((MoneyError, EmailAddressInvalid)) as refused:
        check(*args)
    return refused.value


def test_a_money_refusal_is_said_in_english_with_english_money():
    problem = _refused(check_chargeable, 49, "usd")
    assert (
        refusal_text(problem)
        == str(problem)
        == ("Stripe's minimum charge in USD is $0.50. Set at least that, or make the webinar free.")
    )


def test_a_money_refusal_is_said_in_french_with_french_money():
    problem = _refused(check_chargeable, 1235, "kwd")
    with i18n.speaking("fr"):
        said = refusal_text(problem)
    assert said == (
        "Pour les paiements par carte en KWD, Stripe exige que la dernière des trois "
        f"décimales soit 0 : essayez 1,230{NBSP}KWD ou 1,240{NBSP}KWD."
    )
    assert "try KWD1.230 or KWD1.240" in str(problem)  # the error itself stays English


@pytest.mark.parametrize(
    ("typed", "currency", "french"),
    [
        ("ten", "eur", "« ten » n'est pas un montant."),
        ("-5", "eur", "choisissez « Gratuit »"),
        ("1.5", "jpy", "Les montants en JPY n'ont pas de décimales"),
        ("1.234", "eur", "Les montants en EUR ont au plus 2 décimales."),
        ("0.10", "eur", f"Le paiement minimum de Stripe en EUR est de 0,50{NBSP}€."),
        ("10", "xyz", "« xyz » n'est pas une devise"),
    ],
)
def test_every_money_refusal_has_its_french(typed, currency, french):
    problem = _refused(parse_amount, typed, currency)
    with i18n.speaking("fr"):
        assert french in refusal_text(problem)


def test_an_address_refusal_is_said_in_french():
    with i18n.speaking("fr"):
        assert refusal_text(_refused(normalized_email, " ")) == (
            "Il manque une adresse e-mail. Saisissez-en une, comme nom@example.org."
        )
        assert refusal_text(_refused(normalized_email, "nobody")) == (
            "« nobody » n'est pas une adresse e-mail. Une adresse e-mail doit contenir un @."
        )
        # email-validator's rarer reasons are English only: a French hint instead.
        assert refusal_text(_refused(normalized_email, "zoe martin@example.org")) == (
            "« zoe martin@example.org » n'est pas une adresse e-mail. "
            "Vérifiez-la : une adresse ressemble à nom@example.org."
        )
    english = _refused(normalized_email, "zoe martin@example.org")
    assert refusal_text(english) == str(english)  # English keeps the validator's reason
    assert "invalid characters before the @-sign" in refusal_text(english)
