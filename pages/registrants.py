"""Paid registrants of one webinar: search, sort, CSV export, links to Stripe."""

import streamlit as st

from console.formatting.i18n import t
from console.formatting.presentation import MONEY_COLUMNS, formatted_money
from console.services import analytics, refunds
from console.services.access import ADMIN, FINANCE, ORGANIZER
from console.stripe_api.gateway import StripeProblem
from console.ui.auth import page_guard
from console.ui.common import cached, data_version, export_name, locale, page_header
from console.ui.refund_panel import cancel_without_refund_panel, refund_panel, refund_requests_table

actor = page_guard(ADMIN, ORGANIZER, FINANCE)
settings = page_header("registrants")
if settings is None:
    st.stop()
lang = locale()
version = data_version(settings.livemode)
webinars = analytics.filter_choices(actor, settings.livemode).webinars

# Arrive with ?webinar=ID, from a row of the revenue table, or choose here.
wanted = st.query_params.get("webinar") or st.session_state.pop("registrants_webinar", None)
if wanted in webinars:
    st.session_state["registrants_choice"] = wanted
webinar_id = st.selectbox(
    t("choose_webinar", lang),
    list(webinars),
    key="registrants_choice",
    format_func=lambda w: f"{webinars[w]} ({w})",
)
if webinar_id is None:
    st.info(t("no_payments", lang))
    st.stop()
st.query_params["webinar"] = webinar_id
if flash := st.session_state.pop("refund_flash", None):
    st.success(flash)
try:
    # Settle refunds left open by a crash, and follow those Stripe answered "pending".
    refunds.recover(actor, settings)
    refunds.follow_pending(actor, settings)
except StripeProblem as problem:
    st.warning(f"Could not check open refunds with Stripe: {problem}")

left, right = st.columns([3, 1])
search = left.text_input(t("search", lang), key="registrant_search")
sort = right.selectbox(
    t("sort_by", lang),
    list(analytics.REGISTRANT_SORTS),
    key="registrant_sort",
    format_func=lambda s: t(s, lang),
)
SHOWN_ROWS = 1000  # more is for the CSV: a table of 25,000 rows helps nobody
rows = cached(
    "registrant_rows", version, actor, settings.livemode, webinar_id, search, sort, SHOWN_ROWS
)
if rows.empty:
    st.info(t("no_payments", lang))
    st.stop()

shown = formatted_money(rows, MONEY_COLUMNS["registrants"], lang)
shown["status"] = [t(f"status_{status}", lang) for status in rows["status"]]
shown["refund_pending"] = [
    text if pending else ""
    for text, pending in zip(shown["refund_pending"], rows["refund_pending"], strict=True)
]
shown["dispute_status"] = [
    status.replace("_", " ") if isinstance(status, str) else "" for status in rows["dispute_status"]
]
total = analytics.registrant_count(actor, settings.livemode, webinar_id)
if len(rows) == SHOWN_ROWS and total > SHOWN_ROWS:
    st.caption(t("first_rows", lang, shown=SHOWN_ROWS, total=total))
st.dataframe(
    shown.drop(columns=["currency", "settlement_currency", "charge_id"]).fillna(""),
    hide_index=True,
    width="stretch",
    column_config={
        "name": t("name", lang),
        "email": t("email", lang),
        "amount_paid": t("amount_paid", lang),
        "amount_refunded": t("amount_refunded", lang),
        "refund_pending": t("refund_pending", lang),
        "fee": t("fee", lang),
        "net": t("net", lang),
        "status": t("status", lang),
        "dispute_status": t("dispute_status", lang),
        "card_brand": t("card_brand", lang),
        "paid_at": st.column_config.DatetimeColumn(t("paid_at", lang), format="YYYY-MM-DD HH:mm"),
        "stripe_link": st.column_config.LinkColumn(
            t("charge_id", lang), display_text=r"payments/(.*)$"
        ),
    },
)
st.download_button(
    t("download_csv", lang),
    # Built on click, with every row, not only those shown.
    lambda: analytics.registrants_csv(
        analytics.registrant_rows(actor, settings.livemode, webinar_id, search, sort)
    ),
    file_name=export_name(f"registrants_{webinar_id}", settings),
    mime="text/csv",
    key="registrants_csv",
)

refund_requests_table(actor, webinar_id)
refund_panel(actor, rows, lang)
if actor.role in (ADMIN, ORGANIZER):  # finance refunds, but does not cancel registrations
    cancel_without_refund_panel(actor, webinar_id, rows)
