"""Tables and their CSV downloads, the same way on every page: columns headed in the
language of the page, in the table and in the file alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from console.formatting.csv_export import to_csv_bytes
from console.formatting.i18n import N_, _

# The heading of each column the console's reports and tables have, by the column's name.
HEADINGS = {
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


def heading(column: str) -> str:
    """The column's heading in the current language; a column with none keeps its name."""
    return _(HEADINGS[column]) if column in HEADINGS else column


def headings(columns: Any = None) -> dict[str, str]:
    """Heading of each of `columns` (every known column when None), in the current language."""
    return {
        str(column): heading(str(column)) for column in (HEADINGS if columns is None else columns)
    }


def labels(*columns: str, **texts: str) -> dict[str, str]:
    """Column headings for a table: each column's own (`HEADINGS`), unless `texts` gives one
    (`amount=_("Stripe fees")`); columns only in `texts` come last."""
    return {column: texts.get(column) or heading(column) for column in columns} | {
        column: text for column, text in texts.items() if column not in columns
    }


def table(frame: Any, column_config: dict[str, Any] | None = None, **options: Any) -> Any:
    """A full-width table without the index."""
    return st.dataframe(
        frame, hide_index=True, width="stretch", column_config=column_config, **options
    )


def when_column(label: str, seconds: bool = False) -> Any:
    return st.column_config.DatetimeColumn(
        label, format="YYYY-MM-DD HH:mm:ss" if seconds else "YYYY-MM-DD HH:mm"
    )


def with_headings(data: bytes, names: Mapping[str, str]) -> bytes:
    """A CSV file whose header row is written with `names` (column -> heading); the rows
    below are left as they are, byte for byte."""
    first, newline, rest = data.partition(b"\n")
    line = first.decode("utf-8")
    ending = "\r" if line.endswith("\r") else ""
    columns = next(csv.reader([line.removesuffix("\r")]), [])
    header = io.StringIO()
    csv.writer(header, lineterminator="").writerow([names.get(c, c) for c in columns])
    return (header.getvalue() + ending).encode("utf-8") + newline + rest


def csv_download(
    data: pd.DataFrame | bytes | Callable[[], bytes],
    file_name: str,
    key: str,
    label: str | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """A CSV download button; a DataFrame is exported with formulas neutralised, and a
    function is called only on click. The header row is for people, in the page's language
    (`names` overrides or adds headings); the values stay as the report has them (amounts
    in minor units, codes as they are)."""
    # Chosen now: a function runs on click, outside this page's language.
    chosen = headings() | dict(names or {})
    if isinstance(data, pd.DataFrame):
        contents: bytes | Callable[[], bytes] = with_headings(to_csv_bytes(data), chosen)
    elif callable(data):

        def contents() -> bytes:
            return with_headings(data(), chosen)
    else:
        contents = with_headings(data, chosen)
    st.download_button(
        label or _("Download CSV"), contents, file_name=file_name, mime="text/csv", key=key
    )
