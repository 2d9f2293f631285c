"""The Stripe connection page's pieces: the key in use, the account check, how to connect,
and the e-mails that could not be sent."""

from __future__ import annotations

import streamlit as st

from console.services import connection
from console.services.access import Actor, PermissionDenied
from console.stripe_api.gateway import StripeNotConfigured, StripeProblem
from console.ui.tables import table

HOW_TO_CONNECT = (
    "1. In the Stripe dashboard, open **Developers → API keys → Create restricted key**.\n"
    "2. Give it the permissions below, and nothing more.\n"
    '3. Put it in `.streamlit/secrets.toml` as `STRIPE_API_KEY = "rk_live_…"`, or in the '
    "environment as `STRIPE_API_KEY`, then restart the console.\n\n"
    "A **restricted key** is better than the secret key: if it ever leaks, it can do only "
    "what the console does, and you can revoke it without touching other integrations."
)


def key_status(status: connection.ConnectionStatus) -> None:
    """Which key is configured, in which mode, and when the last sync ran."""
    if status.configured:
        mode = "live" if status.livemode else "test"
        st.success(f"A {mode}-mode key is configured: {status.key_hint}.")
        if not status.livemode:
            st.warning("TEST MODE: payments are test payments.", icon=":material/science:")
    else:
        st.warning("No Stripe key is configured yet. Follow “How to connect” below.")
    st.caption(
        "Last sync: " + (f"{status.last_sync:%Y-%m-%d %H:%M} UTC" if status.last_sync else "never")
    )
    st.info(
        "Connecting a Stripe account lets every organizer in the organization charge for "
        "their webinars, with payments going to this account.",
        icon=":material/groups:",
    )


def _account_cards(account: connection.Account) -> None:
    st.subheader(account.name)
    cards = st.columns(4)
    cards[0].metric("Account", account.account_id)
    cards[1].metric("Country", account.country or "—")
    cards[2].metric("Default currency", (account.default_currency or "—").upper())
    cards[3].metric("Verification", "Verified" if account.verified else "Not verified")
    if account.verified:
        st.success("The account can charge: organizers can set prices.")
    else:
        st.error(
            "The account is not verified: no webinar can charge until it is. "
            "Stripe still needs: " + (", ".join(account.currently_due) or "details") + ". "
            "Finish verification in the Stripe dashboard, then check again."
        )


def check_connection_button(actor: Actor) -> None:
    """Ask Stripe about the account on request: who it is, and whether it may charge."""
    if st.button("Check the connection now", key="check_connection", type="primary"):
        try:
            account = connection.check_connection(actor)
        except (StripeNotConfigured, StripeProblem, PermissionDenied) as problem:
            st.error(str(problem))
        else:
            _account_cards(account)


def how_to_connect(expanded: bool) -> None:
    """The steps, and the restricted key's permissions with the reason for each."""
    with st.expander("How to connect", expanded=expanded):
        st.markdown(HOW_TO_CONNECT)
        permissions = connection.RESTRICTED_KEY_PERMISSIONS
        st.table(
            {
                "Permission": [p for p, _, _ in permissions],
                "Access": [a for _, a, _ in permissions],
                "Why": [w for _, _, w in permissions],
            }
        )


def failed_mail_table(failed_mail: list[tuple]) -> None:
    """E-mails that failed after retries, if any, and where to look."""
    if not failed_mail:
        return
    st.subheader("E-mails that could not be sent")
    st.error(
        f"{len(failed_mail)} e-mail(s) failed after retries. Check the SMTP settings "
        "(SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD); copies wait in "
        "data/outbox/failed/. Payments and refunds they describe stand."
    )
    table(
        {
            "to": [m[1] for m in failed_mail],
            "subject": [m[2] for m in failed_mail],
            "attempts": [m[3] for m in failed_mail],
            "error": [m[4] for m in failed_mail],
        }
    )
