"""console/stripe_local/payments.py: payment methods, PaymentIntents, charges, test cards and
3D Secure, seen through the official SDK as the console sees them."""

from __future__ import annotations

import urllib.parse

import pytest
import stripe

from tests.devtools.stripe_local.support import (
    authenticate,
    card_payment_method,
    charge_of,
    pay,
    raw,
    shape_problems,
)
from tests.stripe_local_fixture import StripeLocal


def test_charge_gets_intent_metadata_once_at_confirmation(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    pm = card_payment_method(
        client,
        "5555555555554444",
        billing_details={"name": "Ada Lovelace", "email": "ada@example.com"},
    )
    metadata = {"webinar_id": "w-42", "registrant_email": "ada@example.com"}
    intent = client.v1.payment_intents.create(
        params={
            "amount": 4900,
            "currency": "eur",
            "payment_method": pm.id,
            "metadata": metadata,
            "receipt_email": "receipts@example.com",
            "description": "Webinar w-42",
            "allowed_payment_method_types": ["card"],
        }
    )
    assert intent.status == "requires_confirmation"
    assert (intent.allowed_payment_method_types, intent.payment_method_types) == (
        ["card"],
        ["card"],
    )
    intent = client.v1.payment_intents.confirm(intent.id)
    assert intent.status == "succeeded"
    assert isinstance(intent.latest_charge, str)  # an id unless expanded, as at Stripe

    charge = charge_of(client, intent)
    assert charge.metadata.to_dict() == metadata
    assert (charge.receipt_email, charge.description) == ("receipts@example.com", "Webinar w-42")
    assert (charge.billing_details.name, charge.billing_details.email) == (
        "Ada Lovelace",
        "ada@example.com",
    )
    assert charge.billing_details.address is None
    card = charge.payment_method_details.card
    assert (charge.payment_method_details.type, card.brand, card.last4) == (
        "card",
        "mastercard",
        "4444",
    )
    assert (charge.status, charge.paid, charge.captured, charge.disputed) == (
        "succeeded",
        True,
        True,
        False,
    )
    assert (charge.amount_captured, charge.amount_refunded, charge.refunded) == (4900, 0, False)
    assert (charge.livemode, charge.currency, charge.outcome.type) == (False, "eur", "authorized")
    assert charge.refunds is None  # expandable only, since API version 2022-11-15

    client.v1.payment_intents.update(intent.id, params={"metadata": {"webinar_id": "w-99"}})
    assert client.v1.payment_intents.retrieve(intent.id).metadata["webinar_id"] == "w-99"
    assert charge_of(client, intent).metadata.to_dict() == metadata

    expanded = client.v1.payment_intents.retrieve(intent.id, params={"expand": ["latest_charge"]})
    assert expanded.latest_charge.id == charge.id
    for obj in (intent, charge, pm, expanded):
        assert shape_problems(obj) == []


def test_charge_without_billing_details_still_has_them(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    charge = charge_of(client, pay(client))
    assert charge.billing_details.to_dict() == {
        "address": None,
        "email": None,
        "name": None,
        "phone": None,
        "tax_id": None,
    }
    assert charge.receipt_email is None


def test_payment_method_types_is_refused_at_this_api_version(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.payment_intents.create(
            params={"amount": 4900, "currency": "eur", "payment_method_types": ["card"]}
        )
    assert (excinfo.value.http_status, excinfo.value.param) == (400, "payment_method_types")
    assert excinfo.value.error.type == "invalid_request_error"


def test_amounts_below_stripes_minimum_are_refused(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.payment_intents.create(params={"amount": 49, "currency": "eur"})
    assert (excinfo.value.code, excinfo.value.param) == ("amount_too_small", "amount")
    assert excinfo.value.user_message == "Amount must be at least €0.50 eur"
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.payment_intents.create(params={"amount": 60, "currency": "jpy"})  # €0.37
    assert excinfo.value.code == "amount_too_small"
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.payment_intents.create(params={"amount": 5000, "currency": "xyz"})
    assert excinfo.value.param == "currency"


@pytest.mark.parametrize(
    ("payment_method", "brand", "last4", "funding", "country"),
    [
        ("pm_card_visa", "visa", "4242", "credit", "US"),
        ("pm_card_visa_debit", "visa", "5556", "debit", "US"),
        ("pm_card_mastercard", "mastercard", "4444", "credit", "US"),
        ("pm_card_amex", "amex", "0005", "credit", "US"),
        ("pm_card_discover", "discover", "1117", "credit", "US"),
        ("pm_card_refundFail", "visa", "5126", "credit", "US"),
        ("pm_card_fr", "visa", "0003", "credit", "FR"),
        ("pm_card_gb_debit", "visa", "0005", "debit", "GB"),
        ("pm_card_jp", "visa", "0003", "credit", "JP"),
    ],
)
def test_test_payment_methods(
    stripe_local: StripeLocal,
    payment_method: str,
    brand: str,
    last4: str,
    funding: str,
    country: str,
) -> None:
    client = stripe_local.client()
    card = charge_of(client, pay(client, payment_method=payment_method)).payment_method_details.card
    assert (card.brand, card.last4, card.funding, card.country) == (brand, last4, funding, country)
    assert card.exp_month and card.exp_year


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("371449635398431", "amex"),
        ("6011111111111117", "discover"),
        ("3566002020360505", "jcb"),
    ],
)
def test_card_numbers_give_their_brand(stripe_local: StripeLocal, number: str, brand: str) -> None:
    client = stripe_local.client()
    pm = card_payment_method(client, number)
    assert (pm.card.brand, pm.card.last4) == (brand, number[-4:])
    charge = charge_of(client, pay(client, payment_method=pm.id))
    assert charge.payment_method_details.card.brand == brand


def test_amex_takes_a_four_digit_cvc_and_bad_cards_fail(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    card = {"number": "378282246310005", "exp_month": 1, "exp_year": 2031, "cvc": "1234"}
    pm = client.v1.payment_methods.create(params={"type": "card", "card": card})
    assert pm.card.brand == "amex"
    with pytest.raises(stripe.CardError) as excinfo:
        card_payment_method(client, "4242424242424241")  # fails the Luhn check
    assert excinfo.value.code == "incorrect_number"
    with pytest.raises(stripe.CardError) as excinfo:  # docs.stripe.com/testing#invalid-data
        client.v1.payment_methods.create(
            params={"type": "card", "card": {**card, "number": "4242424242424242", "exp_month": 13}}
        )
    assert excinfo.value.code == "invalid_expiry_month"


@pytest.mark.parametrize(
    ("payment_method", "number", "decline_code", "message"),
    [
        ("pm_card_chargeDeclined", None, "generic_decline", "Your card was declined."),
        ("pm_card_visa_chargeDeclined", None, "generic_decline", "Your card was declined."),
        ("pm_card_chargeCustomerFail", None, "generic_decline", "Your card was declined."),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            None,
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        (None, "4000000000000002", "generic_decline", "Your card was declined."),
        (None, "4000000000000341", "generic_decline", "Your card was declined."),
        (None, "4000000000009995", "insufficient_funds", "Your card has insufficient funds."),
    ],
)
def test_declines_at_confirmation(
    stripe_local: StripeLocal,
    payment_method: str | None,
    number: str | None,
    decline_code: str,
    message: str,
) -> None:
    client = stripe_local.client()
    if number is not None:
        payment_method = card_payment_method(client, number).id
    intent = client.v1.payment_intents.create(
        params={"amount": 4900, "currency": "usd", "payment_method": payment_method}
    )
    with pytest.raises(stripe.CardError) as excinfo:
        client.v1.payment_intents.confirm(intent.id)
    error = excinfo.value
    assert (error.http_status, error.code, error.user_message) == (402, "card_declined", message)
    assert (error.error.type, error.error.decline_code) == ("card_error", decline_code)
    assert shape_problems(error.error.payment_intent) == []

    intent = client.v1.payment_intents.retrieve(intent.id)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "card_declined"
    assert intent.last_payment_error.decline_code == decline_code
    [failed] = client.v1.charges.list(params={"payment_intent": intent.id}).data
    assert (failed.status, failed.failure_code, failed.failure_message) == (
        "failed",
        "card_declined",
        message,
    )
    assert failed.outcome.reason == decline_code
    assert failed.balance_transaction is None

    # A new payment method is a new attempt, as at Stripe.
    retried = client.v1.payment_intents.confirm(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert retried.status == "succeeded"
    statuses = [c.status for c in client.v1.charges.list(params={"payment_intent": intent.id})]
    assert statuses == ["succeeded", "failed"]


@pytest.mark.parametrize("card", ["pm_card_authenticationRequired", "4000002500003155"])
def test_3d_secure_then_complete(stripe_local: StripeLocal, card: str) -> None:
    client = stripe_local.client()
    if card.isdigit():
        card = card_payment_method(client, card).id
    intent = pay(client, 4900, "eur", card)
    assert intent.status == "requires_action"
    assert intent.next_action.type == "use_stripe_sdk"
    assert intent.latest_charge is None
    assert shape_problems(intent) == []

    done = authenticate(stripe_local, intent, "complete")
    assert done["status"] == "succeeded"
    charge = client.v1.charges.retrieve(done["latest_charge"])
    assert charge.payment_method_details.card.three_d_secure.result == "authenticated"
    assert charge.balance_transaction is not None
    types = [e.type for e in client.v1.events.list(params={"limit": 100}).data]
    assert "payment_intent.requires_action" in types


def test_3d_secure_failure_asks_for_another_payment_method(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client, 4900, "eur", "pm_card_authenticationRequired")
    failed = authenticate(stripe_local, intent, "fail")
    assert failed["status"] == "requires_payment_method"
    error = failed["last_payment_error"]
    assert (error["code"], error["type"]) == (
        "payment_intent_authentication_failure",
        "invalid_request_error",
    )
    assert failed["latest_charge"] is None  # no charge without authentication
    again = client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})
    assert again.status == "succeeded"


def test_3d_secure_then_insufficient_funds(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(
        client, 4900, "eur", "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds"
    )
    assert intent.status == "requires_action"
    after = authenticate(stripe_local, intent, "complete")
    assert after["status"] == "requires_payment_method"
    assert after["last_payment_error"]["decline_code"] == "insufficient_funds"


def test_a_publishable_key_does_only_what_stripe_js_does(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = client.v1.payment_intents.create(params={"amount": 4900, "currency": "eur"})
    browser = stripe.StripeClient("pk_test_local", base_addresses={"api": stripe_local.base_url})
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    pm = browser.v1.payment_methods.create(params={"type": "card", "card": card})
    with pytest.raises(stripe.AuthenticationError):
        browser.v1.charges.list()

    def confirm(secret: str) -> tuple[int, dict]:
        body = urllib.parse.urlencode({"payment_method": pm.id, "client_secret": secret})
        status, _, answer = raw(
            stripe_local.base_url,
            f"/v1/payment_intents/{intent.id}/confirm",
            key="pk_test_local",
            data=body.encode(),
        )
        import json

        return status, json.loads(answer)

    assert confirm(intent.client_secret[:-2] + "xx")[0] == 400
    status, confirmed = confirm(intent.client_secret)
    assert (status, confirmed["status"]) == (200, "succeeded")


def test_cancel_and_manual_capture(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = client.v1.payment_intents.create(params={"amount": 4900, "currency": "eur"})
    canceled = client.v1.payment_intents.cancel(intent.id)
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", None)
    held = pay(client, 4900, "eur", "pm_card_fr", capture_method="manual")
    assert (held.status, held.amount_capturable) == ("requires_capture", 4900)
    assert charge_of(client, held).balance_transaction is None
    captured = client.v1.payment_intents.capture(held.id)
    assert (captured.status, captured.amount_received) == ("succeeded", 4900)
    assert charge_of(client, held).balance_transaction is not None
