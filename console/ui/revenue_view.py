"""The revenue page's pieces: the filters, the KPI cards, the chart over time and the
per-webinar table that leads to the paid registrants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from console.formatting.i18n import N_, _
from console.formatting.presentation import MONEY_COLUMNS, column_heading, formatted_money
from console.services import analytics
from console.ui import charts
from console.ui.common import money, number
from console.ui.tables import labels, table

PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
PERIOD_LABELS = {
    "30": N_("30 days"),
    "90": N_("90 days"),
    "365": N_("12 months"),
    "all": N_("All time"),
}
REGISTRANTS_PAGE = "pages/registrants.py"


def revenue_filters(choices: analytics.FilterChoices) -> analytics.RevenueFilter:
    """Period, webinars, organizer and currency, side by side."""
    columns = st.columns([1.2, 2, 1.5, 1])
    # Words chosen now: a widget may call its format_func outside this page's language.
    periods = {period: _(text) for period, text in PERIOD_LABELS.items()}
    period = columns[0].selectbox(
        _("Period"), list(PERIODS), index=3, format_func=periods.get, key="period"
    )
    webinar_ids = columns[1].multiselect(
        _("Webinars"),
        list(choices.webinars),
        format_func=choices.webinars.get,
        placeholder=_("All webinars"),
        key="webinars",
    )
    all_organizers, all_currencies = _("All organizers"), _("All currencies")
    organizer = columns[2].selectbox(
        _("Organizer"),
        [None, *choices.organizers],
        format_func=lambda o: o or all_organizers,
        key="organizer",
    )
    currency = columns[3].selectbox(
        _("Currency"),
        [None, *choices.currencies],
        format_func=lambda c: c.upper() if c else all_currencies,
        key="currency",
    )
    days = PERIODS[period]
    today = datetime.now(UTC).date()
    return analytics.RevenueFilter(
        start=today - timedelta(days=days - 1) if days else None,
        end=today if days else None,
        webinar_ids=tuple(webinar_ids),
        organizer=organizer,
        currency=currency,
    )


def _delta(row: dict, column: str) -> str | None:
    """The change against the previous period of the same length, if there is one."""
    previous = row[f"previous_{column}"]
    if previous is None or previous != previous:  # NA: no previous period (all time)
        return None
    change = int(row[column]) - int(previous)
    sign = "+" if change >= 0 else "-"  # ASCII: st.metric reads a drop from it
    size = (
        number(abs(change)) if column == "paid_registrants" else money(abs(change), row["currency"])
    )
    return _("{change} vs previous period", change=sign + size)


def kpi_cards(frame: pd.DataFrame, columns: tuple[str, ...], caption: str) -> None:
    """One row of metric cards per currency, under `caption` (in the page's language)."""
    st.caption(caption)
    for row in frame.to_dict("records"):
        cards = st.columns(len(columns) + 1)
        cards[0].markdown(f"### {row['currency'].upper()}")
        for card, column in zip(cards[1:], columns, strict=True):
            shown = (
                number(row[column])
                if column == "paid_registrants"
                else money(row[column], row["currency"])
            )
            card.metric(
                column_heading(column),
                shown,
                delta=_delta(row, column),
                delta_color="inverse" if column in ("refunded", "disputed", "fees") else "normal",
            )


def grain_choice(all_time: bool) -> str:
    """Day, week or month; months by default over all time, weeks otherwise."""
    st.subheader(_("Revenue over time"))
    grains = {grain: _(charts.GRAINS[grain]) for grain in analytics.GRAINS}
    return st.radio(
        _("Group by"),
        analytics.GRAINS,
        index=2 if all_time else 1,
        horizontal=True,
        key="grain",
        format_func=grains.get,
    )


def revenue_chart(over_time: pd.DataFrame, grain: str = "month") -> None:
    st.plotly_chart(charts.revenue_over_time(over_time, grain), width="stretch")


def _open_registrants(webinar_id: str) -> None:
    st.session_state["registrants_webinar"] = webinar_id
    st.switch_page(REGISTRANTS_PAGE)


def per_webinar_table(by_webinar: pd.DataFrame) -> None:
    """Revenue per webinar; picking a row opens its paid registrants."""
    st.subheader(_("Per webinar"))
    shown = formatted_money(by_webinar, MONEY_COLUMNS["revenue"])
    picked = table(
        shown.fillna(""),
        labels(
            "webinar_id",
            "organizer",
            "currency",
            "paid_registrants",
            "gross",
            "refunded",
            "disputed",
            "fees",
            "net",
            "title",
            "settlement_currency",
        ),
        height=35 * (len(shown) + 1) + 3,
        on_select="rerun",
        selection_mode="single-row",
        key="webinar_table",
    )
    if picked.selection.rows:
        _open_registrants(by_webinar.iloc[picked.selection.rows[0]]["webinar_id"])


def open_registrants_picker(by_webinar: pd.DataFrame, titles: dict[str, str]) -> None:
    """Choose a webinar of the table and open its paid registrants."""
    left, right = st.columns([3, 1])
    chosen = left.selectbox(
        _("Webinar"),
        list(by_webinar["webinar_id"].unique()),
        format_func=lambda w: titles.get(w, w),
        key="open_webinar",
    )
    if right.button(_("View paid registrants"), key="open_registrants"):
        _open_registrants(chosen)
