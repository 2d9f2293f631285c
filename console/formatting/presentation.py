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
from console.formatting.i18n import N_, _, word_for

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


# Stripe's statuses of a dispute as people read them
# (https://docs.stripe.com/api/disputes/object#dispute_object-status).
DISPUTE_STATUSES = {
    "warning_needs_response": N_("warning needs response"),
    "warning_under_review": N_("warning under review"),
    "warning_closed": N_("warning closed"),
    "needs_response": N_("needs response"),
    "under_review": N_("under review"),
    "won": N_("won"),
    "lost": N_("lost"),
    "prevented": N_("prevented"),
    "open": N_("open"),
}


def dispute_status_text(status: str) -> str:
    """A dispute's status in words, in the current language."""
    return _(DISPUTE_STATUSES[status]) if status in DISPUTE_STATUSES else status.replace("_", " ")


# The heading of each column the console's reports and tables have, by the column's name.
COLUMN_HEADINGS = {
    # webinars and people
    "webinar_id": N_("Webinar id"),
    "title": N_("Webinar"),
    "organizer": N_("Organizer"),
    "organizer_email": N_("Organizer"),
    "name": N_("Name"),
    "email": N_("E-mail"),
    "status": N_("Status"),
    "first_session": N_("First session (UTC)"),
    "price": N_("Price"),
    "registrations": N_("Registrations"),
    "net_revenue": N_("Net revenue"),
    # money a registrant paid, in the payment's currency
    "currency": N_("Currency"),
    "paid_registrants": N_("Paid registrants"),
    "gross": N_("Gross"),
    "refunded": N_("Refunded"),
    "disputed": N_("Lost to disputes"),
    "amount_paid": N_("Amount paid"),
    "amount_refunded": N_("Refunded"),
    "refund_pending": N_("Refund pending"),
    "amount": N_("Amount"),
    # what reached the Stripe balance, in the settlement currency
    "settlement_currency": N_("Settled in"),
    "fees": N_("Stripe fees"),
    "fee": N_("Stripe fee"),
    "net": N_("Net"),
    "month": N_("Month"),
    "charges": N_("Payments"),
    "effective_rate": N_("Effective fee rate"),
    "fee_per_registrant": N_("Fee per paid registration"),
    "fee_type": N_("Fee type"),
    "transactions": N_("Transactions"),
    # a payment at Stripe
    "dispute_status": N_("Dispute"),
    "card_brand": N_("Card"),
    "paid_at": N_("Paid at (UTC)"),
    "charge_id": N_("Stripe charge"),
    "stripe_link": N_("Stripe charge"),
    "stripe_refund_id": N_("Stripe refund"),
    "stripe_id": N_("Stripe id"),
    # refunds and cancellations
    "requested_at": N_("Requested at (UTC)"),
    "requested_by": N_("Requested by"),
    "registrant_email": N_("Registrant"),
    "reason": N_("Reason"),
    "note": N_("Note"),
    "failure_reason": N_("Why it failed"),
    "outcome": N_("Outcome"),
    "detail": N_("Detail"),
    # reconciliation
    "console_transactions": N_("Console: transactions"),
    "stripe_transactions": N_("Stripe: transactions"),
    "console_fees": N_("Console: fees"),
    "stripe_fees": N_("Stripe: fees"),
    "console_net": N_("Console: net"),
    "stripe_net": N_("Stripe: net"),
    "stripe_balance": N_("Stripe balance"),
    "difference": N_("Difference"),
    "kind": N_("Kind"),
    "id": N_("Id"),
    "field": N_("Field"),
    "console": N_("Console"),
    "stripe": N_("Stripe"),
    # the audit log
    "logged_at": N_("When (UTC)"),
    "actor": N_("Who"),
    "action": N_("What"),
    "subject": N_("About"),
    "before": N_("Before"),
    "after": N_("After"),
    # sync runs
    "started_at": N_("Started (UTC)"),
    "finished_at": N_("Finished (UTC)"),
    "mode": N_("Mode"),
    "objects": N_("Objects"),
    "requests": N_("Requests"),
    "error": N_("Error"),
    # price history and mail
    "changed_at": N_("When (UTC)"),
    "changed_by": N_("Who"),
    "attempts": N_("Attempts"),
}


def column_heading(column: str) -> str:
    """The column's heading in the current language; a column with none keeps its name."""
    return word_for(column, COLUMN_HEADINGS)
