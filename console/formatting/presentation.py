"""Turning report frames into what people read: money in the currency's own format, and the
domain's refusals in the language of the work at hand."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from console.domain.email_address import (
    MISSING,
    UNCLEAR,
    VALIDATOR_REASONS,
    EmailAddressInvalid,
)
from console.domain.money import Money, MoneyError, format_money
from console.formatting import i18n
from console.formatting.i18n import _

# Money columns per report, and the column that holds each one's currency.
MONEY_COLUMNS = {
    "revenue": {
        "gross": "currency",
        "refunded": "currency",
        "disputed": "currency",
        "fees": "settlement_currency",
        "net": "settlement_currency",
    },
    "registrants": {
        "amount_paid": "currency",
        "amount_refunded": "currency",
        "refund_pending": "currency",
        "fee": "settlement_currency",
        "net": "settlement_currency",
    },
    "fees": {
        "gross": "settlement_currency",
        "fees": "settlement_currency",
        "refunded": "settlement_currency",
        "disputed": "settlement_currency",
        "net": "settlement_currency",
    },
}


def formatted_money(
    frame: pd.DataFrame, money_columns: Mapping[str, str], locale: str | None = None
) -> pd.DataFrame:
    """A copy of `frame` whose money columns (name -> its currency column) are text such as
    “$1,234.56” or “1 234,56 €” (in `locale`, by default the current language); “—” where a
    row has no currency (a free registration)."""
    locale = locale or i18n.language()
    shown = frame.copy().astype(object)
    for column, currency_column in money_columns.items():
        shown[column] = [
            format_money(int(amount), currency, locale) if isinstance(currency, str) else "—"
            for amount, currency in zip(frame[column], frame[currency_column], strict=True)
        ]
    return shown


def with_formatted_money(
    frame: pd.DataFrame, report: str, locale: str | None = None
) -> pd.DataFrame:
    """A report's frame for people, blanks for missing values."""
    present = {
        column: currency
        for column, currency in MONEY_COLUMNS[report].items()
        if column in frame.columns  # the CLI's registrants report has no refund_pending
    }
    return formatted_money(frame, present, locale).fillna("")


def price_text(amount: object, currency: object, locale: str | None = None) -> str:
    """A price for people: “Free” when there is none."""
    if amount is None or pd.isna(amount):
        with i18n.speaking(locale or i18n.language()):
            return _("Free")
    return format_money(int(amount), str(currency), locale or i18n.language())


def amounts_text(entries: object, locale: str | None = None) -> str:
    """[{currency, net}, …] as “€1,234.00 · $56.00”; “—” when there is nothing."""
    if not isinstance(entries, list | tuple) and getattr(entries, "ndim", 0) != 1:
        return "—"
    locale = locale or i18n.language()
    return " · ".join(format_money(e["net"], e["currency"], locale) for e in entries) or "—"


def refusal_text(problem: MoneyError | EmailAddressInvalid) -> str:
    """What the domain refused and why, in the current language (the domain speaks none):
    its amounts written as the language writes money."""
    values = {
        name: format_money(value.amount, value.currency, i18n.language())
        if isinstance(value, Money)
        else value
        for name, value in problem.values.items()
    }
    if isinstance(problem, EmailAddressInvalid):
        reason = problem.reason
        known = reason == MISSING or reason in VALIDATOR_REASONS
        # email-validator speaks English only: its rarer reasons become a hint elsewhere.
        if not known and i18n.language() != i18n.DEFAULT:
            reason = UNCLEAR
        values["reason"] = _(reason)
    return _(problem.message, **values)
