"""The paid registrants page's pieces: which webinar, search and sort, the
table of payments."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console.formatting.i18n import N_, _, word_for
from console.formatting.presentation import (
    MONEY_COLUMNS,
    column_heading,
    dispute_status_text,
    formatted_money,
)
from console.services import analytics
from console.ui.common import choose_from_link, keep_choice_in_address
from console.ui.tables import labels, table, when_column

# A payment's status, as analytics.registrant_rows gives it.
STATUSES = {
    "paid": N_("Paid"),
    "partially_refunded": N_("Partially refunded"),
    "refunded": N_("Refunded"),
    "free": N_("Free registration"),
}


def status_text(status: str) -> str:
    return word_for(status, STATUSES)


def dispute_text(status: object) -> str:
    """Stripe's status of a dispute in words; blank when there is none."""
    if not isinstance(status, str):
        return ""
    return dispute_status_text(status)


def registrants_webinar(webinars: dict[str, str]) -> str | None:
    """The webinar whose registrants to show. Arrive with ?webinar=ID, from a row of the
    revenue table, or choose here."""
    from_revenue = st.session_state.pop("registrants_webinar", None)
    choose_from_link("webinar", "registrants_choice", webinars, from_revenue)
    chosen = st.selectbox(
        _("Webinar"),
        list(webinars),
        key="registrants_choice",
        format_func=lambda w: f"{webinars[w]} ({w})",
    )
    if chosen is not None:
        keep_choice_in_address("webinar", "registrants_choice", chosen)
    return chosen


def registrant_search() -> tuple[str, str]:
    """What to look for, and the order."""
    left, right = st.columns([3, 1])
    search = left.text_input(_("Search name, e-mail or charge"), key="registrant_search")
    sorts = {sort: column_heading(sort) for sort in analytics.REGISTRANT_SORTS}
    sort = right.selectbox(_("Sort by"), list(sorts), key="registrant_sort", format_func=sorts.get)
    return search, sort


def registrants_table(rows: pd.DataFrame, total: int, most: int) -> None:
    """The payments, with links to Stripe; says so when only the first `most` are shown."""
    shown = formatted_money(rows, MONEY_COLUMNS["registrants"])
    shown["status"] = [status_text(status) for status in rows["status"]]
    shown["refund_pending"] = [
        text if pending else ""
        for text, pending in zip(shown["refund_pending"], rows["refund_pending"], strict=True)
    ]
    shown["dispute_status"] = [dispute_text(status) for status in rows["dispute_status"]]
    if len(rows) == most and total > most:
        st.caption(
            _(
                "Showing the first {shown} of {total}: search to narrow, or download the CSV "
                "for all.",
                shown=most,
                total=total,
            )
        )
    table(
        shown.drop(columns=["currency", "settlement_currency", "charge_id"]).fillna(""),
        labels(
            "name",
            "email",
            "amount_paid",
            "amount_refunded",
            "refund_pending",
            "fee",
            "net",
            "status",
            "dispute_status",
            "card_brand",
            "payout_id",
        )
        | {
            "paid_at": when_column(column_heading("paid_at")),
            "stripe_link": st.column_config.LinkColumn(
                column_heading("stripe_link"), display_text=r"payments/(.*)$"
            ),
        },
    )
