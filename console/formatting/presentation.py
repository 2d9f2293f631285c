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
    # A payout's figures are all in its own currency (the balance's it was paid from).
    "payouts": {
        column: "currency"
        for column in (
            "amount",
            "charges",
            "refunds",
            "disputes",
            "fees",
            "net",
            "other",
            "difference",
        )
    },
    # A dispute's amount is what the registrant paid; its fee and effect on net settled.
    "disputes": {"amount": "currency"},
    "dispute_history": {
        "amount": "currency",
        "fee": "settlement_currency",
        "net_effect": "settlement_currency",
    },
    "dispute_totals": {"fees": "settlement_currency", "net_effect": "settlement_currency"},
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
    "appeal_needs_response": N_("appeal needs response"),
    "appeal_under_review": N_("appeal under review"),
    "won": N_("won"),
    "lost": N_("lost"),
    "prevented": N_("prevented"),
    "open": N_("open"),
}


def dispute_status_text(status: str) -> str:
    """A dispute's status in words, in the current language."""
    return _(DISPUTE_STATUSES[status]) if status in DISPUTE_STATUSES else status.replace("_", " ")


# Stripe's payout statuses (docs.stripe.com/api/payouts/object#payout_object-status).
PAYOUT_STATUSES = {
    "paid": N_("Paid"),
    "pending": N_("Pending"),
    "in_transit": N_("In transit"),
    "canceled": N_("Canceled"),
    "failed": N_("Failed"),
}


def payout_status_text(status: str) -> str:
    """A payout's status in words, in the current language."""
    return word_for(status, PAYOUT_STATUSES)


# Why the cardholder disputed, as Stripe names it
# (https://docs.stripe.com/api/disputes/object#dispute_object-reason).
DISPUTE_REASONS = {
    "bank_cannot_process": N_("bank cannot process"),
    "check_returned": N_("check returned"),
    "credit_not_processed": N_("credit not processed"),
    "customer_initiated": N_("customer initiated"),
    "debit_not_authorized": N_("debit not authorized"),
    "duplicate": N_("duplicate"),
    "fraudulent": N_("fraudulent"),
    "general": N_("general"),
    "incorrect_account_details": N_("incorrect account details"),
    "insufficient_funds": N_("insufficient funds"),
    "noncompliant": N_("noncompliant"),
    "product_not_received": N_("product not received"),
    "product_unacceptable": N_("product unacceptable"),
    "subscription_canceled": N_("subscription canceled"),
    "unrecognized": N_("unrecognized"),
}


def dispute_reason_text(reason: object) -> str:
    """Why a dispute was opened, in words in the current language; blank when unknown."""
    if not isinstance(reason, str):
        return ""
    return _(DISPUTE_REASONS[reason]) if reason in DISPUTE_REASONS else reason.replace("_", " ")


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
    # disputes
    "dispute_id": N_("Stripe dispute"),
    "dispute_link": N_("Stripe dispute"),
    "opened_at": N_("Opened (UTC)"),
    "due_by": N_("Evidence due (UTC)"),
    "urgency": N_("Urgency"),
    "due_soon": N_("Due within 3 days"),
    "overdue": N_("Overdue"),
    "net_effect": N_("Effect on net"),
    "closed_disputes": N_("Closed disputes"),
    "won": N_("Won"),
    "lost": N_("Lost"),
    "closed_without_chargeback": N_("Closed without a chargeback"),
    "outcome": N_("Outcome"),
    "detail": N_("Detail"),
    # payouts
    "payout_id": N_("Payout"),
    "arrival_date": N_("Arrival date"),
    "destination_last4": N_("Bank account"),
    "refunds": N_("Refunds"),
    "disputes": N_("Disputes"),
    "other": N_("Other"),
    "check": N_("Adds up"),
    "payment_count": N_("Number of payments"),
    "balance_transaction_id": N_("Stripe balance transaction"),
    "reporting_category": N_("Reporting category"),
    "payout_status": N_("Payout status"),
    "source": N_("Source"),
    "type": N_("Type"),
    "created": N_("Created (UTC)"),
    "registrant_name": N_("Registrant's name"),
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
