"""The refund and cancellation controls of the registrants page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console.formatting.presentation import price_text
from console.services import refunds
from console.services.access import Actor, PermissionDenied
from console.stripe_api import gateway

NO_REASON = "none"


def refund_panel(actor: Actor, rows: pd.DataFrame, lang: str) -> None:
    """Choose a payment, a full or partial amount, a reason and a note; confirm; refund."""
    paid = rows[rows["charge_id"].notna() & (rows["status"] != "refunded")]
    if paid.empty:
        return
    st.subheader("Refund a payment")
    labels = {
        row.charge_id: " · ".join(
            (str(row.name), str(row.email), price_text(row.amount_paid, row.currency, lang))
            + (
                (f"dispute {row.dispute_status.replace('_', ' ')}",)
                if isinstance(row.dispute_status, str)
                else ()
            )
        )
        for row in paid.itertuples()
    }
    charge_id = st.selectbox("Payment", list(labels), format_func=labels.get, key="refund_charge")
    full = (
        st.radio(
            "Amount",
            ["full", "partial"],
            horizontal=True,
            key="refund_kind",
            format_func={"full": "Everything still refundable", "partial": "Part of it"}.get,
        )
        == "full"
    )
    amount_text = None if full else st.text_input("Amount to refund", key="refund_amount")
    reason = st.selectbox(
        "Reason (sent to Stripe)", [NO_REASON, *refunds.REASONS], key="refund_reason"
    )
    note = st.text_input("Internal note (kept in the console)", key="refund_note")
    cancel = st.checkbox("Also cancel the registration", key="refund_cancel")
    if st.button("Review the refund", key="review_refund"):
        try:
            plan = refunds.plan_refund(actor, charge_id, amount_text)
        except (refunds.RefundRefused, PermissionDenied, gateway.StripeProblem) as problem:
            st.error(str(problem))
        else:
            # The request id is fixed here: a double click on Confirm sends the same request.
            st.session_state["refund_plan"] = (refunds.new_request_id(), plan)
    pending = st.session_state.get("refund_plan")
    if pending is None or pending[1].charge_id != charge_id:
        return
    request_id, plan = pending
    with st.container(border=True):
        st.markdown(f"**{plan.describe(lang)}**")
        confirm, back = st.columns(2)
        if confirm.button("Confirm the refund", key="confirm_refund", type="primary"):
            try:
                outcome = refunds.issue_refund(
                    actor,
                    request_id,
                    plan,
                    reason=None if reason == NO_REASON else reason,
                    note=note,
                    cancel_registration=cancel,
                    full=full,
                )
            except (
                refunds.RefundRefused,
                PermissionDenied,
                gateway.StripeProblem,
            ) as problem:
                st.error(str(problem))
            else:
                del st.session_state["refund_plan"]
                st.session_state["refund_flash"] = (
                    f"Refund {outcome.status}: {price_text(outcome.amount, outcome.currency, lang)}"
                    f" (Stripe refund {outcome.stripe_refund_id})."
                )
                st.rerun()
        if back.button("Back", key="cancel_refund"):
            del st.session_state["refund_plan"]
            st.rerun()


def cancel_without_refund_panel(actor: Actor, webinar_id: str, rows: pd.DataFrame) -> None:
    """Cancel a registration and tell the registrant, with no money moving."""
    with st.expander("Cancel a registration without a refund"):
        emails = sorted(set(rows["email"].dropna()))
        email = st.selectbox("Registrant", emails, key="cancel_email")
        reason = st.text_input("Reason (the registrant reads it)", key="cancel_reason")
        if st.button("Cancel the registration", key="cancel_registration"):
            try:
                refunds.cancel_registration_without_refund(actor, webinar_id, email, reason)
            except (refunds.RefundRefused, PermissionDenied) as problem:
                st.error(str(problem))
            else:
                st.success(f"{email} is cancelled and has been told.")


def refund_requests_table(actor: Actor, webinar_id: str) -> None:
    """The console's refunds of this webinar; pending and failed ones stand out."""
    requests = refunds.requests_of_webinar(actor, webinar_id)
    if requests.empty:
        return
    waiting = requests[requests["status"].isin([*refunds.IN_FLIGHT, refunds.OPEN])]
    failed = requests[requests["status"].isin(["failed", "canceled"])]
    if len(waiting):
        st.warning(
            f"{len(waiting)} refund(s) pending at Stripe: they count as refunded once they "
            "succeed, and are followed until then."
        )
    if len(failed):
        st.error(f"{len(failed)} refund(s) failed or were canceled: see the reason below.")
    with st.expander("Refunds issued from the console"):
        st.dataframe(requests, hide_index=True, width="stretch")
