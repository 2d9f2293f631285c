"""Helpers for the local Stripe's own tests: payments through the SDK, raw HTTP, private
servers with another account, and the check that served objects have the SDK's shape."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from tests.stripe_local_fixture import API_KEY, StripeLocal, start_stripe_local

NOW_HEADER = "Stripe-Local-Now"
# A Refund exactly as Stripe serves it at the pinned version (every annotated field).
SAMPLE_REFUND = {
    "id": "re_1",
    "object": "refund",
    "amount": 500,
    "balance_transaction": "txn_1",
    "charge": "ch_1",
    "created": 1_700_000_000,
    "currency": "eur",
    "customer": None,
    "customer_account": None,
    "description": None,
    "destination_details": None,
    "failure_balance_transaction": None,
    "failure_reason": None,
    "instructions_email": None,
    "metadata": {},
    "next_action": None,
    "payment_intent": "pi_1",
    "payment_method": None,
    "pending_reason": None,
    "presentment_details": None,
    "reason": "requested_by_customer",
    "receipt_number": None,
    "source_transfer_reversal": None,
    "status": "succeeded",
    "transfer_reversal": None,
}


def at(now: int | None) -> dict[str, Any] | None:
    """Request options that backdate what the request creates."""
    return {"headers": {NOW_HEADER: str(now)}} if now is not None else None


def pay(
    client: stripe.StripeClient,
    amount: int = 4900,
    currency: str = "usd",
    payment_method: str = "pm_card_visa",
    now: int | None = None,
    **params: Any,
) -> stripe.PaymentIntent:
    params = {
        "amount": amount,
        "currency": currency,
        "payment_method": payment_method,
        "confirm": True,
        **params,
    }
    return client.v1.payment_intents.create(params=params, options=at(now))


def charge_of(client: stripe.StripeClient, intent: stripe.PaymentIntent) -> stripe.Charge:
    return client.v1.charges.retrieve(intent.latest_charge)


def card_payment_method(client: stripe.StripeClient, number: str, **params: Any) -> Any:
    card = {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    return client.v1.payment_methods.create(params={"type": "card", "card": card, **params})


def raw(
    base_url: str,
    path: str,
    key: str | None = API_KEY,
    data: bytes | None = None,
    method: str | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> tuple[int, Any, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if data is not None:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def authenticate(local: StripeLocal, intent: stripe.PaymentIntent, outcome: str) -> dict:
    """The customer's answer on the 3D Secure page, as the Stripe.js stand-in sends it."""
    body = json.dumps({"client_secret": intent.client_secret, "outcome": outcome}).encode()
    status, _, answer = raw(
        local.base_url,
        f"/js.stripe.com/v3/authenticate/{intent.id}",
        key="pk_test_local",
        data=body,
        content_type="application/json",
    )
    assert status == 200, answer
    return json.loads(answer)["payment_intent"]


def own_server(**account: Any) -> Iterator[StripeLocal]:
    """A private server whose account has these fields (country, default_currency...)."""
    base_url, stop = start_stripe_local()
    local = StripeLocal(base_url)
    try:
        if account:
            local.config("/_config/account", **account)
        yield local
    finally:
        stop()


@pytest.fixture
def us_account() -> Iterator[StripeLocal]:
    yield from own_server(country="US")


@pytest.fixture
def fr_account() -> Iterator[StripeLocal]:
    yield from own_server()


def shape_problems(obj: Any) -> list[str]:
    """What contract.object_problems finds wrong with a served object ([] if no contract)."""
    try:
        from console.devtools.stripe_local import contract
    except ImportError:
        return []
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    return list(contract.object_problems(data))
