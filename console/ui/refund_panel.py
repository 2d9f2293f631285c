"""The refund and cancellation controls of the registrants page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console.formatting import i18n
from console.formatting.i18n import N_, _, ngettext, word_for
from console.formatting.presentation import column_heading, price_text
from console.services import refunds
from console.services.access import Actor, PermissionDenied
from console.stripe_api import gateway
from console.ui.common import money_cell, problem_text
from console.ui.registrants_view import dispute_text
from console.ui.tables import labels, table, when_column

NO_REASON = "none"
# The reasons Stripe takes for a refund (refunds.REASONS), and none.
REASONS = {
    NO_REASON: N_("No reason given"),
    "requested_by_customer": N_("Requested by the customer"),
    "duplicate": N_("Duplicate payment"),
    "fraudulent": N_("Fraudulent payment"),
}
# A refund request's state: the console's own before Stripe answers, then Stripe's.
REFUND_STATUSES = {
    "requested": N_("requested"),
    "pending": N_("pending"),
    "requires_action": N_("waiting for an action"),
    "succeeded": N_("succeeded"),
    "failed": N_("failed"),
    "canceled": N_("canceled"),
}


def reason_text(reason: object) -> str:
    if not isinstance(reason, str):
        return ""
    return word_for(reason, REASONS)


def refund_status_text(status: object) -> str:
    if not isinstance(status, str):
        return ""
    return word_for(status, REFUND_STATUSES)


def refund_panel(actor: Actor, rows: pd.DataFrame, lang: str | None = None) -> None:
    """Choose a payment, a full or partial amount, a reason and a note; confirm; refund.
    (`lang` is the page's language; by default the current one.)"""
    paid = rows[rows["charge_id"].notna() & (rows["status"] != "refunded")]
    if paid.empty:
        return
    lang = lang or i18n.language()
    st.subheader(_("Refund a payment"))
    payments = {
        row.charge_id: " · ".join(
            (str(row.name), str(row.email), price_text(row.amount_paid, row.currency, lang))
            + (
                (_("dispute {status}", status=dispute_text(row.dispute_status)),)
                if isinstance(row.dispute_status, str)
                else ()
            )
        )
        for row in paid.itertuples()
    }
    charge_id = st.selectbox(
        _("Payment"), list(payments), format_func=payments.get, key="refund_charge"
    )
    kinds = {"full": _("Everything still refundable"), "partial": _("Part of it")}
    full = (
        st.radio(
            _("Amount"),
            list(kinds),
            horizontal=True,
            key="refund_kind",
            format_func=kinds.get,
        )
        == "full"
    )
    amount_text = None if full else st.text_input(_("Amount to refund"), key="refund_amount")
    reasons = {reason: reason_text(reason) for reason in (NO_REASON, *refunds.REASONS)}
    reason = st.selectbox(
        _("Reason (sent to Stripe)"), list(reasons), key="refund_reason", format_func=reasons.get
    )
    note = st.text_input(_("Internal note (kept in the console)"), key="refund_note")
    cancel = st.checkbox(_("Also cancel the registration"), key="refund_cancel")
    if st.button(_("Review the refund"), key="review_refund"):
        try:
            plan = refunds.plan_refund(actor, charge_id, amount_text)
        except (refunds.RefundRefused, PermissionDenied, gateway.StripeProblem) as problem:
            st.error(problem_text(problem))
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
        if confirm.button(_("Confirm the refund"), key="confirm_refund", type="primary"):
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
                st.error(problem_text(problem))
            else:
                del st.session_state["refund_plan"]
                st.session_state["refund_flash"] = _(
                    "Refund {status}: {amount} (Stripe refund {refund_id}).",
                    status=refund_status_text(outcome.status),
                    amount=price_text(outcome.amount, outcome.currency, lang),
                    refund_id=outcome.stripe_refund_id,
                )
                st.rerun()
        if back.button(_("Back"), key="cancel_refund"):
            del st.session_state["refund_plan"]
            st.rerun()


def cancel_without_refund_panel(actor: Actor, webinar_id: str, rows: pd.DataFrame) -> None:
    """Cancel a registration and tell the registrant, with no money moving."""
    with st.expander(_("Cancel a registration without a refund")):
        emails = sorted(set(rows["email"].dropna()))
        email = st.selectbox(_("Registrant"), emails, key="cancel_email")
        reason = st.text_input(_("Reason (the registrant reads it)"), key="cancel_reason")
        if st.button(_("Cancel the registration"), key="cancel_registration"):
            try:
                refunds.cancel_registration_without_refund(actor, webinar_id, email, reason)
            except (refunds.RefundRefused, PermissionDenied) as problem:
                st.error(problem_text(problem))
            else:
                st.success(_("{email} is cancelled and has been told.", email=email))


def refund_requests_table(actor: Actor, webinar_id: str) -> None:
    """The console's refunds of this webinar; pending and failed ones stand out."""
    requests = refunds.requests_of_webinar(actor, webinar_id)
    if requests.empty:
        return
    waiting = requests[requests["status"].isin([*refunds.IN_FLIGHT, refunds.OPEN])]
    failed = requests[requests["status"].isin(["failed", "canceled"])]
    if len(waiting):
        st.warning(
            ngettext(
                "{count} refund pending at Stripe: it counts as refunded once it succeeds, and "
                "is followed until then.",
                "{count} refunds pending at Stripe: they count as refunded once they succeed, "
                "and are followed until then.",
                len(waiting),
            )
        )
    if len(failed):
        st.error(
            ngettext(
                "{count} refund failed or was canceled: see the reason below.",
                "{count} refunds failed or were canceled: see the reason below.",
                len(failed),
            )
        )
    with st.expander(_("Refunds issued from the console")):
        shown = requests.copy().astype(object)
        shown["amount"] = [
            money_cell(amount, currency)
            for amount, currency in zip(requests["amount"], requests["currency"], strict=True)
        ]
        shown["status"] = [refund_status_text(status) for status in requests["status"]]
        shown["reason"] = [reason_text(reason) for reason in requests["reason"]]
        table(
            shown.fillna(""),
            labels(*shown.columns) | {"requested_at": when_column(column_heading("requested_at"))},
        )
