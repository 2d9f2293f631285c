"""The paid registrants page's pieces: which webinar, search and sort, the
table of payments."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console.formatting.legacy_labels import t
from console.formatting.presentation import MONEY_COLUMNS, formatted_money
from console.services import analytics
from console.ui.common import locale
from console.ui.tables import labels, table, when_column


def registrants_webinar(webinars: dict[str, str]) -> str | None:
    """The webinar whose registrants to show. Arrive with ?webinar=ID, from a row of the
    revenue table, or choose here."""
    wanted = st.query_params.get("webinar") or st.session_state.pop("registrants_webinar", None)
    if wanted in webinars:
        st.session_state["registrants_choice"] = wanted
    return st.selectbox(
        t("choose_webinar", locale()),
        list(webinars),
        key="registrants_choice",
        format_func=lambda w: f"{webinars[w]} ({w})",
    )


def registrant_search() -> tuple[str, str]:
    """What to look for, and the order."""
    lang = locale()
    left, right = st.columns([3, 1])
    search = left.text_input(t("search", lang), key="registrant_search")
    sort = right.selectbox(
        t("sort_by", lang),
        list(analytics.REGISTRANT_SORTS),
        key="registrant_sort",
        format_func=lambda s: t(s, lang),
    )
    return search, sort


def registrants_table(rows: pd.DataFrame, total: int, most: int) -> None:
    """The payments, with links to Stripe; says so when only the first `most` are shown."""
    lang = locale()
    shown = formatted_money(rows, MONEY_COLUMNS["registrants"], lang)
    shown["status"] = [t(f"status_{status}", lang) for status in rows["status"]]
    shown["refund_pending"] = [
        text if pending else ""
        for text, pending in zip(shown["refund_pending"], rows["refund_pending"], strict=True)
    ]
    shown["dispute_status"] = [
        status.replace("_", " ") if isinstance(status, str) else ""
        for status in rows["dispute_status"]
    ]
    if len(rows) == most and total > most:
        st.caption(t("first_rows", lang, shown=most, total=total))
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
        )
        | {
            "paid_at": when_column(t("paid_at", lang)),
            "stripe_link": st.column_config.LinkColumn(
                t("charge_id", lang), display_text=r"payments/(.*)$"
            ),
        },
    )
