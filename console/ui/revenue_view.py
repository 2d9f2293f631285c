"""The revenue page's pieces: the filters, the KPI cards, the chart over time and the
per-webinar table that leads to the paid registrants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from console.formatting.legacy_labels import t
from console.formatting.presentation import MONEY_COLUMNS, formatted_money
from console.services import analytics
from console.ui import charts
from console.ui.common import locale, money
from console.ui.tables import labels, table

PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
PERIOD_LABELS = {
    "30": "30 days / 30 jours",
    "90": "90 days / 90 jours",
    "365": "12 months / 12 mois",
    "all": "All time / Tout",
}
REGISTRANTS_PAGE = "pages/registrants.py"


def revenue_filters(choices: analytics.FilterChoices) -> analytics.RevenueFilter:
    """Period, webinars, organizer and currency, side by side."""
    lang = locale()
    columns = st.columns([1.2, 2, 1.5, 1])
    period = columns[0].selectbox(
        t("period", lang), list(PERIODS), index=3, format_func=PERIOD_LABELS.get, key="period"
    )
    webinar_ids = columns[1].multiselect(
        t("all_webinars", lang),
        list(choices.webinars),
        format_func=choices.webinars.get,
        key="webinars",
    )
    organizer = columns[2].selectbox(
        t("organizer", lang),
        [None, *choices.organizers],
        format_func=lambda o: o or t("all_organizers", lang),
        key="organizer",
    )
    currency = columns[3].selectbox(
        t("currency", lang),
        [None, *choices.currencies],
        format_func=lambda c: c.upper() if c else t("all_currencies", lang),
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
    vs_previous = t("vs_previous", locale())
    if column == "paid_registrants":
        return f"{change:+,} {vs_previous}"
    sign = "+" if change >= 0 else "-"  # ASCII: st.metric reads a drop from it
    return f"{sign}{money(abs(change), row['currency'])} {vs_previous}"


def kpi_cards(frame: pd.DataFrame, columns: tuple[str, ...], caption_key: str) -> None:
    """One row of metric cards per currency."""
    lang = locale()
    st.caption(t(caption_key, lang))
    for row in frame.to_dict("records"):
        cards = st.columns(len(columns) + 1)
        cards[0].markdown(f"### {row['currency'].upper()}")
        for card, column in zip(cards[1:], columns, strict=True):
            shown = (
                f"{int(row[column]):,}"
                if column == "paid_registrants"
                else money(row[column], row["currency"])
            )
            card.metric(
                t("stripe_fees" if column == "fees" else column, lang),
                shown,
                delta=_delta(row, column),
                delta_color="inverse" if column in ("refunded", "disputed", "fees") else "normal",
            )


def grain_choice(all_time: bool) -> str:
    """Day, week or month; months by default over all time, weeks otherwise."""
    lang = locale()
    st.subheader(t("over_time", lang))
    return st.radio(
        t("grain", lang),
        analytics.GRAINS,
        index=2 if all_time else 1,
        horizontal=True,
        key="grain",
        format_func=lambda g: t("month_grain" if g == "month" else g, lang),
    )


def revenue_chart(over_time: pd.DataFrame) -> None:
    lang = locale()
    chart_labels = {name: t(name, lang) for name in ("gross", "refunded", "net")}
    st.plotly_chart(charts.revenue_over_time(over_time, lang, chart_labels), width="stretch")


def _open_registrants(webinar_id: str) -> None:
    st.session_state["registrants_webinar"] = webinar_id
    st.switch_page(REGISTRANTS_PAGE)


def per_webinar_table(by_webinar: pd.DataFrame) -> None:
    """Revenue per webinar; picking a row opens its paid registrants."""
    lang = locale()
    st.subheader(t("per_webinar", lang))
    shown = formatted_money(by_webinar, MONEY_COLUMNS["revenue"], lang)
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
            fees="stripe_fees",
            title="webinar",
            settlement_currency="settled_in",
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
    lang = locale()
    left, right = st.columns([3, 1])
    chosen = left.selectbox(
        t("choose_webinar", lang),
        list(by_webinar["webinar_id"].unique()),
        format_func=lambda w: titles.get(w, w),
        key="open_webinar",
    )
    if right.button(t("open_registrants", lang), key="open_registrants"):
        _open_registrants(chosen)
