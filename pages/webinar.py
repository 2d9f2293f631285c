"""One webinar: details and edits, its price (with confirmation and history), cancellation."""

import streamlit as st

from console.domain.money import SUPPORTED, MoneyError, format_money
from console.formatting.presentation import price_text
from console.services import audit, cancellations, pricing, webinars
from console.services.access import ADMIN, ORGANIZER, PermissionDenied
from console.services.connection import NotVerified
from console.stripe_api.gateway import StripeNotConfigured, StripeProblem
from console.ui.auth import page_guard
from console.ui.common import locale
from console.ui.jobs import run_job

actor = page_guard(ADMIN, ORGANIZER)
lang = locale()
webinar_id = st.query_params.get("webinar") or st.session_state.get("webinar_page_id")
if not webinar_id:
    st.info("Choose a webinar on the Webinars page.")
    st.stop()
try:
    webinar = webinars.get_webinar(actor, webinar_id)
except (LookupError, PermissionDenied) as problem:
    st.error(str(problem))
    st.stop()
st.query_params["webinar"] = webinar_id

st.title(webinar.title)
st.markdown(
    f"[Open the public registration page ↗](/register?webinar={webinar_id}) — share this "
    "link with registrants, or use it to test the paid flow yourself."
)
if flash := st.session_state.pop("webinar_flash", None):
    st.success(flash)
price = (
    "Free" if webinar.is_free else format_money(webinar.price_amount, webinar.price_currency, lang)
)
st.caption(f"{webinar.webinar_id} · {webinar.organizer_email} · {webinar.status} · {price}")

# --- price ------------------------------------------------------------------------------
st.subheader("Price")
left, right = st.columns([2, 1])
amount_text = left.text_input(
    "Amount (as you would write it: 49, 49.90, 5000 for JPY)", key="price_amount"
)
currencies = sorted(SUPPORTED)
currency = right.selectbox(
    "Currency",
    currencies,
    key="price_currency",
    index=currencies.index(webinar.price_currency or "eur"),
    format_func=str.upper,
)
preview_problem = None
if amount_text.strip():
    try:
        preview = pricing.preview_price(amount_text, currency)
    except MoneyError as problem:
        preview_problem = str(problem)
        st.error(preview_problem)
    else:
        st.caption(
            f"A registrant pays {format_money(preview.amount, currency, lang)}. With Stripe's "
            f"standard card fee (about {format_money(preview.fee, currency, lang)}), the organizer "
            f"keeps about {format_money(preview.organizer_keeps, currency, lang)}; cards from "
            "abroad cost more."
        )

buttons = st.columns(2)
if buttons[0].button("Review the new price", key="review_price"):
    try:
        st.session_state["planned_price"] = pricing.plan_price(
            actor, webinar_id, amount_text, currency
        )
    except (MoneyError, PermissionDenied) as problem:
        if str(problem) != preview_problem:  # said once is enough
            st.error(str(problem))
if not webinar.is_free and buttons[1].button("Make it free", key="make_free"):
    st.session_state["planned_price"] = pricing.plan_price(actor, webinar_id, None, None)

planned = st.session_state.get("planned_price")
if planned is not None and planned.webinar_id == webinar_id:
    with st.container(border=True):
        st.markdown(
            f"**Change the price from {price_text(planned.old_amount, planned.old_currency, lang)} "
            f"to {price_text(planned.new_amount, planned.new_currency, lang)}?**\n\n"
            "It applies to new registrations only; whoever already paid keeps what they paid."
        )
        confirm, cancel = st.columns(2)
        if confirm.button("Confirm the price", key="confirm_price", type="primary"):
            try:
                pricing.save_price(actor, planned)
            except (
                NotVerified,
                MoneyError,
                PermissionDenied,
                StripeNotConfigured,
                StripeProblem,
            ) as problem:
                st.error(str(problem))
            else:
                del st.session_state["planned_price"]
                st.session_state["webinar_flash"] = "Price saved."
                st.rerun()
        if cancel.button("Keep the current price", key="cancel_price"):
            del st.session_state["planned_price"]
            st.rerun()

history = pricing.price_history(actor, webinar_id)
if not history.empty:
    st.caption("Price history")
    history = history.astype(object)
    for shown, amount, currency in (
        ("from", "old_amount", "old_currency"),
        ("to", "new_amount", "new_currency"),
    ):
        history[shown] = [
            price_text(a, c, lang) for a, c in zip(history[amount], history[currency], strict=True)
        ]
    st.dataframe(
        history[["changed_at", "changed_by", "from", "to"]],
        hide_index=True,
        width="stretch",
        column_config={
            "changed_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
            "changed_by": "Who",
            "from": "Old price",
            "to": "New price",
        },
    )

# --- details ----------------------------------------------------------------------------
st.subheader("Details")
sessions_text = "\n".join(
    f"{s.starts_at:%Y-%m-%d %H:%M}, {s.duration_minutes}" for s in webinar.sessions
)
with st.form("edit_webinar"):
    title = st.text_input("Title", value=webinar.title)
    organizer = st.text_input("Organizer e-mail", value=webinar.organizer_email)
    sessions = st.text_area("Sessions (UTC): YYYY-MM-DD HH:MM, minutes", value=sessions_text)
    capacity = st.text_input("Capacity", value=str(webinar.capacity or ""))
    description = st.text_area(
        "Description, with the cancellation and refund policy",
        value=webinar.description,
        height=150,
    )
    join_url = st.text_input("Join link (https://…)", value=webinar.join_url or "")
    saved = st.form_submit_button("Save changes")
if saved:
    try:
        webinars.update_webinar(
            actor,
            webinar_id,
            webinars.WebinarDraft(title, organizer, sessions, capacity, description, join_url),
        )
    except webinars.WebinarInvalid as invalid:
        st.error("Not saved:\n\n" + "\n".join(f"- {p}" for p in invalid.problems))
    except PermissionDenied as refused:
        st.error(str(refused))
    else:
        st.session_state["webinar_flash"] = "Saved."
        st.rerun()

# --- cancellation: everyone cancelled, every payment refunded, resumable ------------------
st.subheader("Cancel")
unfinished = cancellations.unfinished_job(webinar_id)
job_id = st.session_state.get("cancellation_job")
if unfinished:
    st.warning(
        "A cancellation of this webinar stopped before the end. Resuming it refunds "
        "only those not refunded yet."
    )
    if st.button("Resume the cancellation", key="resume_cancellation", type="primary"):
        job_id = unfinished
        run_job(actor, job_id)
elif webinar.status != "cancelled":
    with st.expander("Cancel this webinar, or one of its sessions"):
        sessions = {None: "The whole webinar"} | {
            number: f"Session {number}: {s.starts_at:%Y-%m-%d %H:%M} UTC"
            for number, s in enumerate(webinar.sessions, start=1)
        }
        session_no = st.selectbox(
            "What to cancel", list(sessions), format_func=sessions.get, key="cancel_what"
        )
        reason = st.text_input("Reason (sent to registrants)", key="cancel_webinar_reason")
        st.warning(
            "Everyone registered is cancelled and every paid registrant is refunded in "
            "full. Stripe keeps its fees. This cannot be undone."
        )
        sure = st.checkbox("Yes, cancel and refund everyone", key="confirm_cancel")
        if st.button("Cancel and refund", key="cancel_webinar", disabled=not sure):
            if not reason.strip():
                st.error("Give a reason: registrants read it in their e-mail.")
            else:
                job_id = cancellations.start_cancellation(actor, webinar_id, reason, session_no)
                run_job(actor, job_id)
if job_id:
    summary = cancellations.job_summary(job_id)
    st.dataframe(summary, hide_index=True, width="stretch")
    st.download_button(
        "Download the summary (CSV)",
        cancellations.job_summary_csv(job_id),
        file_name=f"cancellation_{webinar_id}.csv",
        mime="text/csv",
        key="cancellation_csv",
    )

log = audit.webinar_log(actor, webinar_id)
if not log.empty:
    st.subheader("Audit log")
    st.dataframe(log, hide_index=True, width="stretch")
