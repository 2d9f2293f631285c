"""The only module that talks to Stripe: one `StripeClient` per key and base URL, and one
typed function per call the console makes, so Stripe's paths, parameters and the payment
metadata keys are written here and nowhere else.

Errors from Stripe become `StripeProblem`, whose message says what to do; the key
itself never appears in one. Answers are plain JSON dicts (no per-object SDK wrappers: the
sync is hot).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import stripe

from console.settings import StripeSettings, stripe_settings

# The SDK retries connection errors, 409s, 5xx and 429s that Stripe marks retryable.
MAX_NETWORK_RETRIES = 3


class StripeNotConfigured(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "No Stripe key is configured. Set STRIPE_API_KEY in the environment or in "
            ".streamlit/secrets.toml (see the README, “Connect a real Stripe account”)."
        )


class StripeProblem(RuntimeError):
    """A Stripe error, in a sentence a person can act on."""

    def __init__(self, message: str, *, retryable: bool = False, code: str | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.code = code


@functools.lru_cache(maxsize=8)
def _client_for(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        max_network_retries=MAX_NETWORK_RETRIES,
    )


def client(
    settings: StripeSettings | None = None, http_client: stripe.HTTPClient | None = None
) -> stripe.StripeClient:
    """The client for the configured key; with `http_client`, a new one of its own (the
    sync paces its requests through one)."""
    settings = settings or stripe_settings()
    if not settings.api_key:
        raise StripeNotConfigured()
    if http_client is not None:
        return stripe.StripeClient(
            settings.api_key,
            base_addresses={"api": settings.api_base},
            max_network_retries=MAX_NETWORK_RETRIES,
            http_client=http_client,
        )
    return _client_for(settings.api_key, settings.api_base)


def explain(error: stripe.StripeError) -> StripeProblem:
    """Map an SDK error to a sentence that says what to do."""
    detail = error.user_message or ""
    if isinstance(error, stripe.AuthenticationError):
        return StripeProblem(
            "Stripe refused the API key: it is wrong, revoked, or for another account. "
            "Copy a current key from the Stripe dashboard (Developers → API keys)."
        )
    if isinstance(error, stripe.PermissionError):
        return StripeProblem(
            "The Stripe key lacks a permission the console needs. Give the restricted key "
            f"the permissions listed in the README. Stripe said: {detail}"
        )
    if isinstance(error, stripe.RateLimitError):
        return StripeProblem(
            "Stripe is rate-limiting requests. Wait a minute and try again.", retryable=True
        )
    if isinstance(error, stripe.APIConnectionError):
        return StripeProblem(
            "Could not reach Stripe. Check the network (or that the local Stripe is running) "
            "and try again.",
            retryable=True,
        )
    if isinstance(error, stripe.CardError):
        return StripeProblem(detail or "The card was declined. Try another card.", code=error.code)
    if isinstance(error, stripe.APIError):
        return StripeProblem(
            "Stripe had an internal error. Try again in a few minutes.", retryable=True
        )
    return StripeProblem(
        f"Stripe refused the request: {detail or error.__class__.__name__}.",
        code=getattr(error, "code", None),
    )


# The lists the sync and reconciliation read, by the name the console gives them.
LIST_PATHS = {
    "charges": "/v1/charges",
    "refunds": "/v1/refunds",
    "balance_transactions": "/v1/balance_transactions",
    "payment_intents": "/v1/payment_intents",
    "disputes": "/v1/disputes",
    "payouts": "/v1/payouts",
    "events": "/v1/events",
}
# Read with every page of a list: a payout's bank account, for its last four digits.
LIST_EXPANSIONS = {"payouts": ["data.destination"]}


@dataclass(frozen=True)
class PaymentMetadata:
    """How a payment is tied to a webinar (DESIGN.md): its PaymentIntent's metadata."""

    webinar_id: str
    registrant_email: str
    registrant_name: str
    registrant_id: str | None = None

    def to_stripe(self) -> dict[str, str]:
        keys = {
            "webinar_id": self.webinar_id,
            "registrant_email": self.registrant_email,
            "registrant_name": self.registrant_name,
            "registrant_id": self.registrant_id,
        }
        return {key: value for key, value in keys.items() if value is not None}

    @staticmethod
    def registrant_id_of(intent: dict) -> str | None:
        return (intent.get("metadata") or {}).get("registrant_id")


@dataclass(frozen=True)
class RefundMetadata:
    """Which console refund request a refund answers: how recovery finds a refund whose
    answer was lost."""

    request_id: str
    requested_by: str

    def to_stripe(self) -> dict[str, str]:
        return {"console_request_id": self.request_id, "requested_by": self.requested_by}

    @staticmethod
    def request_id_of(refund: dict) -> str | None:
        return (refund.get("metadata") or {}).get("console_request_id")


def request(
    stripe_client: stripe.StripeClient,
    method: str,
    path: str,
    params: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict:
    """One API call; the typed functions below are what the rest of the console calls."""
    options: dict[str, Any] = dict(params or {})
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    if headers:
        options["headers"] = dict(headers)
    try:
        response = stripe_client.raw_request(method, path, **options)
    except stripe.StripeError as error:
        raise explain(error) from None
    return response.data


def list_page(stripe_client: stripe.StripeClient, resource: str, params: Mapping[str, Any]) -> dict:
    """One page of a Stripe list (a key of LIST_PATHS): {"data": [...], "has_more": bool}."""
    expansions = LIST_EXPANSIONS.get(resource)
    if expansions and "expand" not in params:
        params = {**params, "expand": expansions}
    return request(stripe_client, "get", LIST_PATHS[resource], params)


def retrieve_account(stripe_client: stripe.StripeClient) -> dict:
    return request(stripe_client, "get", "/v1/account")


def retrieve_balance(stripe_client: stripe.StripeClient) -> dict:
    return request(stripe_client, "get", "/v1/balance")


def retrieve_charge(stripe_client: stripe.StripeClient, charge_id: str) -> dict:
    return request(stripe_client, "get", f"/v1/charges/{charge_id}")


def create_payment_intent(
    stripe_client: stripe.StripeClient,
    amount: int,
    currency: str,
    metadata: PaymentMetadata,
    *,
    description: str,
    idempotency_key: str,
    payment_method: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict:
    """A card payment for a registration; with `payment_method`, confirmed at once."""
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency,
        # Since 2026-09-30.endive this replaces payment_method_types (Stripe's changelog).
        "allowed_payment_method_types": ["card"],
        # No receipt_email: in live mode Stripe would e-mail its own receipt as well; the
        # console's confirmation is the receipt (one message per event).
        "description": description,
        "metadata": metadata.to_stripe(),
    }
    if payment_method:
        params |= {"payment_method": payment_method, "confirm": True}
    return request(
        stripe_client, "post", "/v1/payment_intents", params, idempotency_key, headers=headers
    )


def retrieve_payment_intent(stripe_client: stripe.StripeClient, intent_id: str) -> dict:
    return request(stripe_client, "get", f"/v1/payment_intents/{intent_id}")


def cancel_payment_intent(stripe_client: stripe.StripeClient, intent_id: str) -> dict:
    """Cancel a payment nobody finished in time (`abandoned`): Stripe refuses to charge
    it afterwards."""
    return request(
        stripe_client,
        "post",
        f"/v1/payment_intents/{intent_id}/cancel",
        {"cancellation_reason": "abandoned"},
    )


def create_refund(
    stripe_client: stripe.StripeClient,
    *,
    charge_id: str | None = None,
    payment_intent_id: str | None = None,
    amount: int | None = None,
    reason: str | None = None,
    metadata: RefundMetadata | Mapping[str, str] | None = None,
    idempotency_key: str,
    headers: Mapping[str, str] | None = None,
) -> dict:
    """A refund of a charge (or of a PaymentIntent's charge); everything left if no amount."""
    if isinstance(metadata, RefundMetadata):
        metadata = metadata.to_stripe()
    params: dict[str, Any] = {"metadata": dict(metadata or {})}
    if charge_id:
        params["charge"] = charge_id
    if payment_intent_id:
        params["payment_intent"] = payment_intent_id
    if amount is not None:
        params["amount"] = amount
    if reason:
        params["reason"] = reason
    return request(stripe_client, "post", "/v1/refunds", params, idempotency_key, headers=headers)


def retrieve_refund(stripe_client: stripe.StripeClient, refund_id: str) -> dict:
    return request(stripe_client, "get", f"/v1/refunds/{refund_id}")


def every_object(
    stripe_client: stripe.StripeClient,
    resource: str,
    params: Mapping[str, Any] | None = None,
    on_page: Callable[[int], None] | None = None,
    fetch: Callable[[str, dict], dict] | None = None,
) -> Iterator[dict]:
    """Every object of a list (a key of LIST_PATHS), newest first, page by page; `fetch`
    reads a page instead of `list_page` (the sync's, which paces and backs off)."""
    params = {**(params or {}), "limit": 100}
    while True:
        page = (fetch or functools.partial(list_page, stripe_client))(resource, params)
        if on_page:
            on_page(len(page["data"]))
        yield from page["data"]
        if not page.get("has_more") or not page["data"]:
            return
        params["starting_after"] = page["data"][-1]["id"]


def retrieve_payout(stripe_client: stripe.StripeClient, payout_id: str) -> dict:
    """A payout with its bank account (or card) expanded, for its last four digits."""
    return request(stripe_client, "get", f"/v1/payouts/{payout_id}", {"expand": ["destination"]})


def payout_transactions(
    stripe_client: stripe.StripeClient,
    payout_id: str,
    fetch: Callable[[str, dict], dict] | None = None,
) -> Iterator[dict]:
    """What an automatic payout paid out, its own balance transaction included (Stripe lists
    nothing for a manual payout: docs.stripe.com/payouts/reconciliation)."""
    return every_object(stripe_client, "balance_transactions", {"payout": payout_id}, fetch=fetch)


def latest_dispute(stripe_client: stripe.StripeClient, charge_id: str) -> dict | None:
    page = list_page(stripe_client, "disputes", {"charge": charge_id, "limit": 1})
    return (page.get("data") or [None])[0]


def submit_dispute_evidence(
    stripe_client: stripe.StripeClient,
    dispute_id: str,
    text: str,
    headers: Mapping[str, str] | None = None,
) -> dict:
    params = {"evidence": {"uncategorized_text": text}, "submit": True}
    return request(stripe_client, "post", f"/v1/disputes/{dispute_id}", params, headers=headers)


def accept_dispute(
    stripe_client: stripe.StripeClient, dispute_id: str, headers: Mapping[str, str] | None = None
) -> dict:
    """Close a dispute: accept it as lost."""
    return request(stripe_client, "post", f"/v1/disputes/{dispute_id}/close", headers=headers)
