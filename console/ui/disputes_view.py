"""The disputes page's pieces: the open disputes by deadline (those due within three days
marked), the closed ones' effect on net, in totals, by month and one by one."""

from __future__ import annotations

from typing import NoReturn

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from console.formatting.i18n import N_, _, word_for
from console.formatting.presentation import (
    MONEY_COLUMNS,
    column_heading,
    dispute_reason_text,
    dispute_status_text,
    formatted_money,
)
from console.ui import charts
from console.ui.tables import labels, table, when_column

# How pressing an open dispute is (disputes.open_disputes' flags).
URGENCIES = {
    "overdue": N_("Deadline passed"),
    "due_soon": N_("Due within 3 days"),
}
# Rows that need an answer soon, in Streamlit's own error colours.
URGENT_STYLE = "background-color: rgba(255, 43, 43, 0.09); color: rgb(125, 53, 59)"
OUTCOME_COLORS = {"won": "#16a34a", "lost": "#dc2626"}
# The dashboard's link shows the dispute's id.
DISPUTE_ID = r"disputes/(.*)$"


def urgency_text(due_soon: object, overdue: object) -> str:
    if bool(overdue):
        return word_for("overdue", URGENCIES)
    return word_for("due_soon", URGENCIES) if bool(due_soon) else ""


def stop_with_no_disputes() -> NoReturn:
    st.info(
        _(
            "No disputes. When a cardholder disputes a payment, it appears here after the "
            "next sync, with the date by which Stripe needs your evidence."
        )
    )
    st.stop()


def _in_words(rows: pd.DataFrame, money_columns: dict[str, str]) -> pd.DataFrame:
    """Money in its currency, status and reason in words, blanks for who is not known."""
    shown = formatted_money(rows, money_columns)
    for column in ("name", "email", "title"):
        shown[column] = rows[column].fillna("")
    shown["status"] = [dispute_status_text(status) for status in rows["status"]]
    shown["reason"] = [dispute_reason_text(reason) for reason in rows["reason"]]
    return shown


def open_disputes_table(rows: pd.DataFrame) -> None:
    """Open disputes, the nearest deadline first; those due within three days (or past
    their deadline) marked in words and in colour, each with its page in Stripe."""
    st.subheader(_("Open disputes"))
    if rows.empty:
        st.success(_("No dispute is open."))
        return
    rows = rows.reset_index(drop=True)  # the highlight finds each row by its position
    shown = _in_words(rows, MONEY_COLUMNS["disputes"])
    shown["urgency"] = [
        urgency_text(soon, late)
        for soon, late in zip(rows["due_soon"], rows["overdue"], strict=True)
    ]
    # What to do and where first: the deadline, then the dispute's page in Stripe.
    columns = [
        "due_by",
        "urgency",
        "dispute_link",
        "amount",
        "status",
        "reason",
        "name",
        "email",
        "title",
        "webinar_id",
        "opened_at",
    ]
    urgent = rows["due_soon"].astype(bool).tolist()
    styled = shown[columns].style.apply(
        lambda row: [URGENT_STYLE if urgent[row.name] else ""] * len(row), axis=1
    )
    table(
        styled,
        labels("urgency", *columns[3:10])
        | {
            "due_by": when_column(column_heading("due_by")),
            "opened_at": when_column(column_heading("opened_at")),
            "dispute_link": st.column_config.LinkColumn(
                column_heading("dispute_link"), display_text=DISPUTE_ID
            ),
        },
    )
    st.caption(
        _(
            "Answer a dispute in Stripe's dashboard before its deadline: after it, Stripe "
            "closes the dispute as lost."
        )
    )


def dispute_totals_table(totals: pd.DataFrame) -> None:
    """Per settlement currency: how the closed disputes ended, and what they cost."""
    st.subheader(_("Closed disputes"))
    table(
        formatted_money(totals, MONEY_COLUMNS["dispute_totals"]),
        labels(
            "settlement_currency",
            "closed_disputes",
            "won",
            "lost",
            "closed_without_chargeback",
            "fees",
            "net_effect",
        ),
    )


def net_effect_chart(by_month: pd.DataFrame) -> None:
    """Won and lost disputes' effect on net by the month they opened."""
    if by_month.empty:
        return
    st.plotly_chart(net_effect_figure(by_month), width="stretch")


def net_effect_figure(frame: pd.DataFrame) -> go.Figure:
    """A panel per settlement currency, won and lost side by side, by the month opened."""
    figure = charts.bars_per_currency(
        frame.assign(amount=frame["net_effect"]),
        x="month",
        grain="month",
        currency="settlement_currency",
        series="status",
        names={status: dispute_status_text(status) for status in OUTCOME_COLORS},
        colors=OUTCOME_COLORS,
        panel_title=_("Effect on net · {currency}", currency="{currency}"),
        x_title=_("Month opened"),
    )
    return figure.update_xaxes(type="category")


def dispute_history_table(history: pd.DataFrame) -> None:
    """Each closed dispute, the latest first: how it ended and its effect on net."""
    if history.empty:
        return
    st.subheader(_("History"))
    shown = _in_words(history, MONEY_COLUMNS["dispute_history"])
    columns = [
        "opened_at",
        "status",
        "reason",
        "amount",
        "fee",
        "net_effect",
        "name",
        "email",
        "title",
        "webinar_id",
        "dispute_link",
    ]
    table(
        shown[columns],
        labels(*columns[1:10])
        | {
            "opened_at": when_column(column_heading("opened_at")),
            "dispute_link": st.column_config.LinkColumn(
                column_heading("dispute_link"), display_text=DISPUTE_ID
            ),
        },
    )
