"""The reconciliation page's pieces: compare with Stripe now, and show what differs."""

from __future__ import annotations

import streamlit as st

from console.formatting.i18n import _, ngettext
from console.formatting.presentation import formatted_money
from console.services import reconciliation
from console.services.access import Actor
from console.settings import StripeSettings
from console.stripe_api.gateway import StripeProblem
from console.ui.common import problem_text
from console.ui.tables import labels, table

MONEY = ("console_fees", "stripe_fees", "console_net", "stripe_net", "stripe_balance", "difference")


def comparison_with_stripe(actor: Actor, settings: StripeSettings) -> reconciliation.Reconciliation:
    """The last comparison of this session; a new one on the first visit and on request,
    with a progress bar while Stripe's objects are read. Stops the page if Stripe fails."""
    if (
        st.button(_("Compare with Stripe now"), key="compare_now")
        or "reconciliation" not in st.session_state
    ):
        bar = st.progress(0.0)
        seen = {"objects": 0}

        def advance(objects: int) -> None:
            seen["objects"] += objects
            bar.progress(
                min(0.99, seen["objects"] / (seen["objects"] + 500)),
                text=ngettext(
                    "{count} Stripe object read", "{count} Stripe objects read", seen["objects"]
                ),
            )

        try:
            st.session_state["reconciliation"] = reconciliation.reconcile(
                actor, settings, on_page=advance
            )
        except StripeProblem as problem:
            bar.empty()
            st.error(problem_text(problem))
            st.stop()
        bar.empty()
    return st.session_state["reconciliation"]


def reconciliation_report(result: reconciliation.Reconciliation) -> None:
    """In agreement or not, the totals side by side, then every difference."""
    if result.in_agreement:
        st.success(_("The console agrees with Stripe: no difference."))
    else:
        st.error(
            ngettext(
                "{count} difference with Stripe. A sync usually resolves it.",
                "{count} differences with Stripe. A sync usually resolves them.",
                len(result.differences),
            )
        )
    totals = formatted_money(result.totals, dict.fromkeys(MONEY, "settlement_currency"))
    table(totals, labels(*totals.columns))
    if not result.in_agreement:
        table(result.differences, labels(*result.differences.columns))
