"""Cancelling a webinar or one session: everyone cancelled, every payment refunded, and a
job that can be resumed where it stopped."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console.domain.catalog import Webinar
from console.formatting.i18n import N_, _, word_for
from console.services import cancellations
from console.services.access import Actor, PermissionDenied
from console.ui.common import money_cell, problem_text
from console.ui.jobs import run_job
from console.ui.tables import csv_download, labels, table

# What happened to each registrant in a cancellation (cancellation_items' outcome).
OUTCOMES = {
    "refunded": N_("refunded in full"),
    "pending": N_("refund pending at Stripe"),
    "requires_action": N_("refund waiting for an action at Stripe"),
    "skipped_already_refunded": N_("skipped, already refunded"),
    "cancelled": N_("cancelled without payment"),
    "failed": N_("failed"),
}


def outcome_text(outcome: str) -> str:
    return word_for(outcome, OUTCOMES)


def summary_table(summary: pd.DataFrame) -> None:
    """Who was refunded, skipped or failed, in words; amounts in their currency."""
    shown = summary.copy().astype(object)
    shown["amount_refunded"] = [
        money_cell(amount, currency)
        for amount, currency in zip(summary["amount_refunded"], summary["currency"], strict=True)
    ]
    shown["outcome"] = [outcome_text(outcome) for outcome in summary["outcome"]]
    table(shown.fillna(""), labels(*shown.columns))


def _resume_button(actor: Actor, unfinished: str) -> str | None:
    offer = st.empty()  # gone once the job runs: it is no longer unfinished
    with offer.container():
        st.warning(
            _(
                "A cancellation of this webinar stopped before the end. Resuming it refunds "
                "only those not refunded yet."
            )
        )
        resume = st.button(_("Resume the cancellation"), key="resume_cancellation", type="primary")
    if resume:
        offer.empty()
        run_job(actor, unfinished)
        return unfinished
    return None


def _cancel_form(actor: Actor, webinar: Webinar) -> str | None:
    with st.expander(_("Cancel this webinar, or one of its sessions")):
        sessions = {None: _("The whole webinar")} | {
            number: _(
                "Session {number}: {when} UTC",
                number=number,
                when=s.starts_at.strftime("%Y-%m-%d %H:%M"),
            )
            for number, s in enumerate(webinar.sessions, start=1)
        }
        session_no = st.selectbox(
            _("What to cancel"), list(sessions), format_func=sessions.get, key="cancel_what"
        )
        reason = st.text_input(_("Reason (sent to registrants)"), key="cancel_webinar_reason")
        st.warning(
            _(
                "Everyone registered is cancelled and every paid registrant is refunded in "
                "full. Stripe keeps its fees. This cannot be undone."
            )
        )
        sure = st.checkbox(_("Yes, cancel and refund everyone"), key="confirm_cancel")
        if not st.button(_("Cancel and refund"), key="cancel_webinar", disabled=not sure):
            return None
        if not reason.strip():
            st.error(_("Give a reason: registrants read it in their e-mail."))
            return None
        try:
            job_id = cancellations.start_cancellation(actor, webinar.webinar_id, reason, session_no)
        except PermissionDenied as refused:
            st.error(problem_text(refused))
            return None
        run_job(actor, job_id)
        return job_id


def cancellation_panel(actor: Actor, webinar: Webinar) -> None:
    """Resume an unfinished cancellation, or start one; then the summary of the last one
    run in this session, with its CSV."""
    st.subheader(_("Cancel"))
    job_id = st.session_state.get("cancellation_job")
    try:
        unfinished = cancellations.unfinished_job(actor, webinar.webinar_id)
    except PermissionDenied as refused:
        st.error(problem_text(refused))
        return
    if unfinished:
        job_id = _resume_button(actor, unfinished) or job_id
    elif webinar.status != "cancelled":
        job_id = _cancel_form(actor, webinar) or job_id
    if not job_id:
        return
    summary_table(cancellations.job_summary(actor, job_id))
    csv_download(
        cancellations.job_summary_csv(actor, job_id),
        f"cancellation_{webinar.webinar_id}.csv",
        key="cancellation_csv",
        label=_("Download the summary (CSV)"),
    )
