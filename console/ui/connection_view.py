"""The Stripe connection page's pieces: the key in use, the account check, how to connect,
and the e-mails that could not be sent."""

from __future__ import annotations

import streamlit as st

from console.formatting.i18n import N_, _, ngettext, word_for
from console.services import connection
from console.services.access import Actor, PermissionDenied
from console.stripe_api.gateway import StripeNotConfigured, StripeProblem
from console.ui.common import problem_text
from console.ui.tables import labels, table

HOW_TO_CONNECT = N_(
    "1. In the Stripe dashboard, open **Developers → API keys → Create restricted key**.\n"
    "2. Give it the permissions below, and nothing more.\n"
    '3. Put it in `.streamlit/secrets.toml` as `STRIPE_API_KEY = "rk_live_…"`, or in the '
    "environment as `STRIPE_API_KEY`, then restart the console.\n\n"
    "A **restricted key** is better than the secret key: if it ever leaks, it can do only "
    "what the console does, and you can revoke it without touching other integrations."
)
# The access levels of a restricted key's permission, as the Stripe dashboard names them.
ACCESS = {"Read": N_("Read"), "Write": N_("Write")}


def key_status(status: connection.ConnectionStatus) -> None:
    """Which key is configured, in which mode, and when the last sync ran."""
    if status.configured:
        if status.livemode:
            st.success(_("A live-mode key is configured: {key}.", key=status.key_hint))
        else:
            st.success(_("A test-mode key is configured: {key}.", key=status.key_hint))
            st.warning(_("TEST MODE: payments are test payments."), icon=":material/science:")
    else:
        st.warning(_("No Stripe key is configured yet. Follow “How to connect” below."))
    st.caption(
        _(
            "Last sync: {when}",
            when=status.last_sync.strftime("%Y-%m-%d %H:%M UTC")
            if status.last_sync
            else _("never"),
        )
    )
    st.info(
        _(
            "Connecting a Stripe account lets every organizer in the organization charge for "
            "their webinars, with payments going to this account."
        ),
        icon=":material/groups:",
    )


def _account_cards(account: connection.Account) -> None:
    st.subheader(account.name)
    cards = st.columns(4)
    cards[0].metric(_("Account"), account.account_id)
    cards[1].metric(_("Country"), account.country or "—")
    cards[2].metric(_("Default currency"), (account.default_currency or "—").upper())
    cards[3].metric(_("Verification"), _("Verified") if account.verified else _("Not verified"))
    if account.verified:
        st.success(_("The account can charge: organizers can set prices."))
    elif account.currently_due:
        st.error(
            _(
                "The account is not verified: no webinar can charge until it is. Stripe still "
                "needs: {missing}. Finish verification in the Stripe dashboard, then check "
                "again.",
                # Stripe's names of what is due (external_account, …), as Stripe writes them.
                missing=", ".join(account.currently_due),
            )
        )
    else:
        st.error(
            _(
                "The account is not verified: no webinar can charge until it is. Stripe still "
                "needs details. Finish verification in the Stripe dashboard, then check again."
            )
        )


def check_connection_button(actor: Actor) -> None:
    """Ask Stripe about the account on request: who it is, and whether it may charge."""
    if st.button(_("Check the connection now"), key="check_connection", type="primary"):
        try:
            account = connection.check_connection(actor)
        except (StripeNotConfigured, StripeProblem, PermissionDenied) as problem:
            st.error(problem_text(problem))
        else:
            _account_cards(account)


def how_to_connect(expanded: bool) -> None:
    """The steps, and the restricted key's permissions with the reason for each."""
    with st.expander(_("How to connect"), expanded=expanded):
        st.markdown(_(HOW_TO_CONNECT))
        permissions = connection.RESTRICTED_KEY_PERMISSIONS
        st.table(
            {
                # Stripe's names of its permissions, as its dashboard writes them.
                _("Permission"): [p for p, _a, _w in permissions],
                _("Access"): [word_for(a, ACCESS) for _p, a, _w in permissions],
                _("Why"): [_(w) for _p, _a, w in permissions],
            }
        )


def failed_mail_table(failed_mail: list[tuple]) -> None:
    """E-mails that failed after retries, if any, and where to look."""
    if not failed_mail:
        return
    st.subheader(_("E-mails that could not be sent"))
    st.error(
        ngettext(
            "{count} e-mail failed after retries. Check the SMTP settings (SMTP_HOST, "
            "SMTP_PORT, SMTP_USER, SMTP_PASSWORD); a copy waits in data/outbox/failed/. "
            "Payments and refunds it describes stand.",
            "{count} e-mails failed after retries. Check the SMTP settings (SMTP_HOST, "
            "SMTP_PORT, SMTP_USER, SMTP_PASSWORD); copies wait in data/outbox/failed/. "
            "Payments and refunds they describe stand.",
            len(failed_mail),
        )
    )
    table(
        {
            "to": [m[1] for m in failed_mail],
            "subject": [m[2] for m in failed_mail],
            "attempts": [m[3] for m in failed_mail],
            "error": [m[4] for m in failed_mail],
        },
        labels("to", "subject", "attempts", "error", to=_("To"), subject=_("Subject")),
    )
