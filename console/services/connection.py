"""The Stripe connection: which key, which account, whether it can charge."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from console.formatting import i18n
from console.formatting.i18n import N_, _
from console.mail import mailer
from console.services import audit
from console.services.access import ADMIN, ORGANIZER, Actor, require
from console.settings import StripeSettings, stripe_settings
from console.store import db
from console.stripe_api import gateway, sync

# What a restricted key needs, as named in the Stripe dashboard, and why (said with `_()`).
RESTRICTED_KEY_PERMISSIONS = (
    ("Charges and Refunds", "Write", N_("read payments; issue refunds from the console")),
    ("PaymentIntents", "Write", N_("take registration payments")),
    ("Balance", "Read", N_("reconciliation against the balance")),
    ("Balance transaction sources / Balance transactions", "Read", N_("fees and net")),
    ("Events", "Read", N_("incremental sync")),
    ("Account", "Read", N_("verification state on this page")),
)


class NotVerified(RuntimeError):
    """The account cannot charge yet; the message says what Stripe still needs."""


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    country: str | None
    default_currency: str | None
    charges_enabled: bool
    details_submitted: bool
    currently_due: tuple[str, ...] = field(default_factory=tuple)

    @property
    def verified(self) -> bool:
        return self.charges_enabled and self.details_submitted


@dataclass(frozen=True)
class ConnectionStatus:
    configured: bool
    key_hint: str  # kind and last four characters, never more
    livemode: bool
    last_sync: datetime | None


def connection_status(actor: Actor, settings: StripeSettings | None = None) -> ConnectionStatus:
    require(actor, ADMIN)
    settings = settings or stripe_settings()
    return ConnectionStatus(
        configured=bool(settings.api_key),
        key_hint=settings.key_hint,
        livemode=settings.livemode,
        last_sync=sync.last_success_at(settings.livemode) if settings.api_key else None,
    )


def _account(settings: StripeSettings) -> Account:
    data = gateway.retrieve_account(gateway.client(settings))
    profile = data.get("business_profile") or {}
    dashboard = (data.get("settings") or {}).get("dashboard") or {}
    return Account(
        account_id=data["id"],
        name=profile.get("name") or dashboard.get("display_name") or data["id"],
        country=data.get("country"),
        default_currency=data.get("default_currency"),
        charges_enabled=bool(data.get("charges_enabled")),
        details_submitted=bool(data.get("details_submitted")),
        currently_due=tuple((data.get("requirements") or {}).get("currently_due") or ()),
    )


def check_connection(actor: Actor, settings: StripeSettings | None = None) -> Account:
    """Ask Stripe about the key's account now. Raises StripeNotConfigured or StripeProblem."""
    require(actor, ADMIN)
    settings = settings or stripe_settings()
    with i18n.speaking(i18n.DEFAULT):  # the audit log is kept in one language
        outcome: dict = {"key": settings.key_hint}
    try:
        account = _account(settings)
        outcome |= {"account": account.account_id, "verified": account.verified}
        return account
    except (gateway.StripeNotConfigured, gateway.StripeProblem) as problem:
        outcome["error"] = str(problem)
        raise
    finally:
        with db.connect(write=True) as con:
            audit.record(con, actor.email, "connection check", after=outcome)


def require_verified_account(actor: Actor, settings: StripeSettings | None = None) -> Account:
    """Before anything can charge: the account must be connected and verified."""
    require(actor, ADMIN, ORGANIZER)
    try:
        account = _account(settings or stripe_settings())
    except gateway.StripeNotConfigured:
        raise NotVerified(
            _(
                "No Stripe account is connected, so no webinar can charge yet. An admin "
                "connects one on the Stripe connection page; until then webinars stay free."
            )
        ) from None
    if account.verified:
        return account
    if not account.currently_due:
        raise NotVerified(
            _(
                "The Stripe account {name} is not verified yet, so it cannot charge. Stripe "
                "still needs: details in the Stripe dashboard. Finish verification in the "
                "Stripe dashboard.",
                name=account.name,
            )
        )
    raise NotVerified(
        _(
            "The Stripe account {name} is not verified yet, so it cannot charge. Stripe still "
            "needs: {missing}. Finish verification in the Stripe dashboard.",
            name=account.name,
            # Stripe's names of what is due (external_account, …): as Stripe writes them.
            missing=", ".join(account.currently_due),
        )
    )


def failed_mail(actor: Actor) -> list[tuple]:
    """E-mails that failed after their retries (admins: they fix the SMTP settings)."""
    require(actor, ADMIN)
    return mailer.failed_messages()
