"""Revenue overview: KPI cards, revenue over time, per-webinar table."""

from datetime import UTC, datetime, timedelta

import streamlit as st

from console.formatting.csv_export import to_csv_bytes
from console.formatting.i18n import t
from console.formatting.presentation import MONEY_COLUMNS, formatted_money
from console.services import analytics
from console.services.access import ADMIN, FINANCE, ORGANIZER
from console.ui import charts
from console.ui.auth import page_guard
from console.ui.common import cached, data_version, export_name, locale, money, page_header

actor = page_guard(ADMIN, ORGANIZER, FINANCE)
settings = page_header("overview")
if settings is None:
    st.stop()
lang = locale()
version = data_version(settings.livemode)
choices = analytics.filter_choices(actor, settings.livemode)

PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
PERIOD_LABELS = {
    "30": "30 days / 30 jours",
    "90": "90 days / 90 jours",
    "365": "12 months / 12 mois",
    "all": "All time / Tout",
}
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
selection = analytics.RevenueFilter(
    start=today - timedelta(days=days - 1) if days else None,
    end=today if days else None,
    webinar_ids=tuple(webinar_ids),
    organizer=organizer,
    currency=currency,
)

presented = cached("kpis", version, actor, settings.livemode, selection, "presented")
settled = cached("kpis", version, actor, settings.livemode, selection, "settled")
if presented.empty and settled.empty:
    st.info(t("no_payments", lang))
    st.stop()


def delta(row, column: str):
    previous = row[f"previous_{column}"]
    if previous is None or previous != previous:  # NA: no previous period (all time)
        return None
    change = int(row[column]) - int(previous)
    if column == "paid_registrants":
        return f"{change:+,} {t('vs_previous', lang)}"
    sign = "+" if change >= 0 else "−"
    return f"{sign}{money(abs(change), row['currency'])} {t('vs_previous', lang)}"


def kpi_cards(frame, columns: tuple[str, ...], caption_key: str) -> None:
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
                delta=delta(row, column),
                delta_color="inverse" if column in ("refunded", "disputed", "fees") else "normal",
            )


kpi_cards(presented, analytics.PRESENTED, "paid_in_payment_currency")
kpi_cards(settled, analytics.SETTLED, "settled_in_balance_currency")

st.subheader(t("over_time", lang))
grain = st.radio(
    t("grain", lang),
    analytics.GRAINS,
    index=2 if days is None else 1,
    horizontal=True,
    key="grain",
    format_func=lambda g: t("month_grain" if g == "month" else g, lang),
)
over_time = cached("revenue_over_time", version, actor, settings.livemode, selection, grain)
labels = {name: t(name, lang) for name in ("gross", "refunded", "net")}
st.plotly_chart(charts.revenue_over_time(over_time, lang, labels), width="stretch")

st.subheader(t("per_webinar", lang))
by_webinar = cached("revenue_by_webinar", version, actor, settings.livemode, selection)
shown = formatted_money(by_webinar, MONEY_COLUMNS["revenue"], lang)
picked = st.dataframe(
    shown.fillna(""),
    hide_index=True,
    width="stretch",
    height=35 * (len(shown) + 1) + 3,
    on_select="rerun",
    selection_mode="single-row",
    key="webinar_table",
    column_config={
        name: t(name if name != "fees" else "stripe_fees", lang)
        for name in (
            "webinar_id",
            "organizer",
            "currency",
            "paid_registrants",
            "gross",
            "refunded",
            "disputed",
            "fees",
            "net",
        )
    }
    | {"title": t("webinar", lang), "settlement_currency": t("settled_in", lang)},
)
if picked.selection.rows:
    st.session_state["registrants_webinar"] = by_webinar.iloc[picked.selection.rows[0]][
        "webinar_id"
    ]
    st.switch_page("pages/registrants.py")

left, right = st.columns([3, 1])
chosen = left.selectbox(
    t("choose_webinar", lang),
    list(by_webinar["webinar_id"].unique()),
    format_func=lambda w: choices.webinars.get(w, w),
    key="open_webinar",
)
if right.button(t("open_registrants", lang), key="open_registrants"):
    st.session_state["registrants_webinar"] = chosen
    st.switch_page("pages/registrants.py")
st.download_button(
    t("download_csv", lang),
    to_csv_bytes(by_webinar),
    file_name=export_name("revenue_by_webinar", settings),
    mime="text/csv",
    key="revenue_csv",
)
