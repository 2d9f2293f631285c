"""Configuration: environment first, then `.streamlit/secrets.toml` (for the app).

The sync's scope sits here too, so what is mirrored is visible at a glance.
"""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from console.formatting.i18n import _

SECRETS_FILE = Path(".streamlit/secrets.toml")
STRIPE_DEFAULT_API_BASE = "https://api.stripe.com"

# Stripe lists mirrored into DuckDB (the gateway's LIST_PATHS names them): (list, table).
STREAMS = (
    ("charges", "stripe_charges"),
    ("refunds", "stripe_refunds"),
    ("balance_transactions", "stripe_balance_transactions"),
    ("payment_intents", "stripe_payment_intents"),
    ("disputes", "stripe_disputes"),
    ("payouts", "stripe_payouts"),
)

# Events are read unfiltered: the types that carry a mirrored object's new state (payments,
# refunds, disputes) are more than the 20 a `types` filter takes, and two filtered reads
# cost one request more on every run (BENCHMARKS.md, "Events: one unfiltered read").
# Objects of other types are skipped. Balance transactions have no events; they are
# immutable and read by their own cursor.
# Events whose charge's refunds are read again at the pinned API version (an event renders
# its object at the account's version, which may be older).
REFUND_CHANGE_EVENTS = ("charge.refunded", "charge.refund.updated")

# Stripe keeps events for 30 days; past that an incremental sync cannot be trusted.
EVENT_RETENTION_SECONDS = 29 * 24 * 3600
# Lists become consistent within moments of a write: re-read this much behind a cursor.
CURSOR_OVERLAP_SECONDS = 120
# Data older than this gets a banner in the console.
STALE_AFTER_SECONDS = 6 * 3600


@dataclass(frozen=True)
class StripeSettings:
    api_key: str | None = field(repr=False)  # a secret: never in a log or a traceback
    api_base: str
    publishable_key: str | None = None

    @property
    def stripe_js_url(self) -> str:
        """Stripe.js from Stripe, or from the Stripe-compatible server the API is on."""
        if self.api_base == STRIPE_DEFAULT_API_BASE:
            return "https://js.stripe.com/v3/"
        return f"{self.api_base}/js.stripe.com/v3/"

    @property
    def livemode(self) -> bool:
        return is_live_key(self.api_key or "")

    @property
    def key_hint(self) -> str:
        """What may be shown of the key: its kind and last four characters."""
        if not self.api_key:
            return _("no key")
        return f"{key_kind(self.api_key)} …{self.api_key[-4:]}"


def is_live_key(api_key: str) -> bool:
    return api_key.startswith(("sk_live_", "rk_live_"))


def key_kind(api_key: str) -> str:
    """“test secret key”, in the current language."""
    restricted = api_key.startswith("rk_")
    if is_live_key(api_key):
        return _("live restricted key") if restricted else _("live secret key")
    return _("test restricted key") if restricted else _("test secret key")


def _secrets() -> dict:
    try:
        stamp = SECRETS_FILE.stat().st_mtime_ns
    except OSError:
        return {}
    return _parsed_secrets(SECRETS_FILE, stamp)


@functools.lru_cache(maxsize=4)
def _parsed_secrets(path: Path, stamp: int) -> dict:
    """The file read once per change (`stamp`): settings are read on every connection."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def setting(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value:
        return value
    value = _secrets().get(name)
    return str(value) if value else default


def stripe_settings() -> StripeSettings:
    return StripeSettings(
        api_key=setting("STRIPE_API_KEY"),
        api_base=(setting("STRIPE_API_BASE") or STRIPE_DEFAULT_API_BASE).rstrip("/"),
        publishable_key=setting("STRIPE_PUBLISHABLE_KEY"),
    )


PUBLIC_URL_SETTING = "CONSOLE_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8502"


def public_url() -> str:
    """Where participants reach the public registration site (`console serve --public`),
    as they see it: behind a proxy, its outside address."""
    return (setting(PUBLIC_URL_SETTING) or DEFAULT_PUBLIC_URL).rstrip("/")
