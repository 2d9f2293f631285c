"""The only module that talks to Stripe: one `StripeClient` per key and base URL.

Errors from Stripe become `StripeProblem`, whose message says what to do; the key
itself never appears in one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
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


def request(
    stripe_client: stripe.StripeClient,
    method: str,
    path: str,
    params: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict:
    """One API call, answered as plain JSON (no per-object SDK wrappers: the sync is hot)."""
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


def list_page(stripe_client: stripe.StripeClient, path: str, params: Mapping[str, Any]) -> dict:
    """One page of a Stripe list: {"data": [...], "has_more": bool}."""
    return request(stripe_client, "get", path, params)


def retrieve_account(stripe_client: stripe.StripeClient) -> dict:
    return request(stripe_client, "get", "/v1/account")
