"""The local Stripe server, seen through the official SDK as the console sees it."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import stripe

from tests.stripe_local_fixture import API_KEY, StripeLocal, start_stripe_local

NOW_HEADER = "Stripe-Local-Now"


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


def raw_get(base_url: str, path: str, key: str | None = API_KEY) -> tuple[int, Any, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    request = urllib.request.Request(base_url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


# --- fees -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "amount", "fee"),
    [
        ("usd", 4900, 172),  # 2.9% + 30
        ("eur", 4900, 99),  # 1.5% + 25, 73.5 rounds half up
        ("gbp", 3000, 65),  # 1.5% + 20
        ("jpy", 5000, 180),  # 3.6%
        ("cad", 10000, 320),  # 2.9% + 30
        ("aud", 10000, 200),  # 1.7% + 30
        ("chf", 10000, 320),  # 2.9% + 30
        ("sek", 10000, 290),  # any other currency: 2.9%
    ],
)
def test_charge_balance_transaction_carries_stripe_fee(
    stripe_local: StripeLocal, currency: str, amount: int, fee: int
) -> None:
    client = stripe_local.client()
    charge = charge_of(client, pay(client, amount, currency))
    txn = client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert (txn.type, txn.reporting_category, txn.source) == ("charge", "charge", charge.id)
    assert (txn.amount, txn.fee, txn.net) == (amount, fee, amount - fee)
    assert txn.currency == currency
    assert txn.exchange_rate is None
    assert [d.to_dict() for d in txn.fee_details] == [
        {
            "amount": fee,
            "application": None,
            "currency": currency,
            "description": "Stripe processing fees",
            "type": "stripe_fee",
        }
    ]


def test_refund_balance_transaction_has_no_fee(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 900})
    txn = client.v1.balance_transactions.retrieve(refund.balance_transaction)
    assert (txn.type, txn.amount, txn.fee, txn.net, txn.fee_details) == (
        "refund",
        -900,
        0,
        -900,
        [],
    )


# --- account and auth -----------------------------------------------------------------


def test_account_is_a_verified_test_account(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    account = client.v1.accounts.retrieve_current()
    assert account.id.startswith("acct_local")
    assert account.business_profile.name == "Webinar Demo Org"
    assert account.settings.dashboard.display_name == "Webinar Demo Org"
    assert account.charges_enabled and account.payouts_enabled and account.details_submitted
    assert (account.country, account.default_currency, account.type) == ("FR", "eur", "standard")
    assert account.requirements.currently_due == []
    assert account.requirements.disabled_reason is None
    assert account.livemode is False
    assert client.v1.accounts.retrieve(account.id).id == account.id
    assert client.v1.accounts.retrieve_current().id == account.id  # stable
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.accounts.retrieve("acct_someoneelse")


def test_keys_must_be_test_mode(stripe_local: StripeLocal) -> None:
    restricted = stripe.StripeClient(
        "rk_test_console", base_addresses={"api": stripe_local.base_url}
    )
    assert restricted.v1.accounts.retrieve_current().object == "account"
    for key in ("sk_live_abcdefgh", "rk_live_abcdefgh", "pk_test_abcdefgh", "nonsense"):
        client = stripe.StripeClient(key, base_addresses={"api": stripe_local.base_url})
        with pytest.raises(stripe.AuthenticationError) as excinfo:
            client.v1.charges.list()
        if "live" in key:
            assert "test-mode only" in excinfo.value.user_message
    status, _, body = raw_get(stripe_local.base_url, "/v1/charges", key=None)
    assert status == 401
    assert json.loads(body)["error"]["type"] == "invalid_request_error"


def test_errors_have_stripe_shape(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.charges.retrieve("ch_doesnotexist")
    assert excinfo.value.code == "resource_missing"
    assert excinfo.value.http_status == 404
    status, _, body = raw_get(stripe_local.base_url, "/v1/no_such_thing")
    assert status == 404
    assert json.loads(body)["error"]["message"].startswith("Unrecognized request URL")


def test_stripe_js_stand_in_is_served(stripe_local: StripeLocal) -> None:
    status, headers, body = raw_get(stripe_local.base_url, "/js.stripe.com/v3/", key=None)
    assert status == 200
    assert headers["Content-Type"].startswith("application/javascript")
    # The console's stand-in: a card Element and confirmCardPayment, as Stripe.js offers.
    assert b"window.Stripe = function" in body and b"confirmCardPayment" in body


# --- idempotency ----------------------------------------------------------------------


def test_idempotency_key_replays_the_first_answer(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client)
    params = {"payment_intent": intent.id, "amount": 1000}
    options = {"idempotency_key": "refund-once-" + intent.id}
    first = client.v1.refunds.create(params=params, options=options)
    again = client.v1.refunds.create(params=params, options=options)
    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    refunds = client.v1.refunds.list(params={"payment_intent": intent.id})
    assert [r.id for r in refunds.data] == [first.id]

    with pytest.raises(stripe.IdempotencyError) as excinfo:
        client.v1.refunds.create(params={**params, "amount": 999}, options=options)
    assert excinfo.value.http_status == 400
    assert excinfo.value.user_message == (
        "Keys for idempotent requests can only be used with the same parameters they were "
        f"first used with. Try using a key other than '{options['idempotency_key']}' if you "
        "meant to execute a different request."
    )

    # Keys belong to an API key: another key's identical request is a new request.
    other = stripe.StripeClient("rk_test_other", base_addresses={"api": stripe_local.base_url})
    assert other.v1.refunds.create(params=params, options=options).id != first.id


def test_idempotency_replays_a_decline(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    params = {
        "amount": 4900,
        "currency": "usd",
        "payment_method": "pm_card_chargeDeclined",
        "confirm": True,
    }
    options = {"idempotency_key": "declined-once"}
    errors = []
    for _ in range(2):
        with pytest.raises(stripe.CardError) as excinfo:
            client.v1.payment_intents.create(params=params, options=options)
        errors.append(excinfo.value)
    assert errors[0].json_body == errors[1].json_body
    assert errors[1].headers["Idempotent-Replayed"] == "true"


# --- lists ----------------------------------------------------------------------------


def test_lists_are_newest_first_with_stripe_pagination(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    t0 = 1_700_000_000  # a window no other test writes to
    intents = [pay(client, 1000 + i, now=t0 + i // 3) for i in range(130)]  # 3 per second
    newest_first = [i.latest_charge for i in reversed(intents)]
    window = {"created": {"gte": t0, "lt": t0 + 1000}}

    started = time.perf_counter()
    listed = [c.id for c in client.v1.charges.list(params=window).auto_paging_iter()]
    print(f"listed 130 charges in {time.perf_counter() - started:.2f}s")
    assert listed == newest_first

    first = client.v1.charges.list(params={**window, "limit": 100})
    assert [c.id for c in first.data] == newest_first[:100]
    assert first.has_more is True
    second = client.v1.charges.list(
        params={**window, "limit": 100, "starting_after": first.data[-1].id}
    )
    assert [c.id for c in second.data] == newest_first[100:]
    assert second.has_more is False
    assert len(client.v1.charges.list(params=window).data) == 10  # default limit

    # ending_before: the page just newer than the cursor, still newest first.
    before = client.v1.charges.list(
        params={**window, "limit": 10, "ending_before": second.data[0].id}
    )
    assert [c.id for c in before.data] == newest_first[90:100]
    assert before.has_more is True
    top = client.v1.charges.list(params={**window, "ending_before": newest_first[4]})
    assert [c.id for c in top.data] == newest_first[:4]
    assert top.has_more is False

    # created: exact, and gt/gte/lt/lte combined.
    exact = client.v1.charges.list(params={"created": t0 + 10})
    assert [c.id for c in exact.data] == newest_first[-33:-30]
    between = client.v1.charges.list(
        params={"created": {"gt": t0 + 10, "lte": t0 + 12}, "limit": 100}
    )
    assert [c.id for c in between.data] == newest_first[-39:-33]

    for bad_limit in (0, 101):
        with pytest.raises(stripe.InvalidRequestError) as excinfo:
            client.v1.charges.list(params={"limit": bad_limit})
        assert excinfo.value.param == "limit"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.charges.list(params={"starting_after": "ch_unknown"})


def test_list_filters(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    t0 = 1_710_000_000
    customer = client.v1.customers.create(params={"email": "filter@example.com"})
    intents = [pay(client, now=t0 + i) for i in range(3)]
    own = client.v1.payment_intents.create(
        params={"amount": 700, "currency": "usd", "customer": customer.id},
        options=at(t0 + 5),
    )
    window = {"created": {"gte": t0, "lte": t0 + 5}}

    assert [p.id for p in client.v1.payment_intents.list(params=window).data] == [
        own.id,
        *(i.id for i in reversed(intents)),
    ]
    assert [p.id for p in client.v1.payment_intents.list(params={"customer": customer.id})] == [
        own.id
    ]
    by_intent = client.v1.charges.list(params={"payment_intent": intents[1].id})
    assert [c.id for c in by_intent.data] == [intents[1].latest_charge]

    refund = client.v1.refunds.create(params={"charge": intents[2].latest_charge}, options=at(t0))
    assert [r.id for r in client.v1.refunds.list(params={"charge": refund.charge})] == [refund.id]
    assert [r.id for r in client.v1.refunds.list(params={"payment_intent": intents[2].id})] == [
        refund.id
    ]

    txns = client.v1.balance_transactions.list(params={**window, "type": "charge"})
    assert {t.source for t in txns.data} == {i.latest_charge for i in intents}
    refunds_only = client.v1.balance_transactions.list(params={**window, "type": "refund"})
    assert [t.source for t in refunds_only.data] == [refund.id]
    by_source = client.v1.balance_transactions.list(params={"source": intents[0].latest_charge})
    assert len(by_source.data) == 1

    # expand[] works on lists as it does in localstripe.
    expanded = client.v1.charges.list(
        params={**window, "limit": 1, "expand": ["data.balance_transaction"]}
    )
    assert expanded.data[0].balance_transaction.object == "balance_transaction"

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.charges.list(params={"colour": "blue"})
    assert excinfo.value.param == "colour"


# --- events ---------------------------------------------------------------------------


def test_payment_and_refund_events(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    now = 1_720_000_000
    intent = pay(client, now=now)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id}, options=at(now))
    stripe_local.config(f"refunds/{refund.id}/status", status="pending")
    with pytest.raises(stripe.CardError):
        pay(client, payment_method="pm_card_chargeDeclined", now=now)

    events = client.v1.events.list(params={"created": now, "limit": 100}).data
    assert [e.type for e in reversed(events)] == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "charge.refunded",
        "refund.created",
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
    ]  # the status change has no Stripe-Local-Now header, so it is not in this second
    for event in events:
        assert (event.object, event.livemode, event.created) == ("event", False, now)
        assert event.api_version

    by_type = {e.type: e.data.object for e in events}
    assert by_type["payment_intent.created"].status == "requires_confirmation"
    assert by_type["payment_intent.succeeded"].status == "succeeded"
    assert by_type["charge.succeeded"].amount_refunded == 0  # a snapshot, not the charge now
    assert by_type["charge.refunded"].amount_refunded == 4900
    assert by_type["refund.created"].status == "succeeded"
    assert by_type["charge.failed"].failure_code == "card_declined"

    updated = client.v1.events.list(
        params={"types": ["refund.updated", "charge.refund.updated"], "limit": 100}
    ).data
    mine = [e for e in updated if e.data.object.id == refund.id]
    assert sorted(e.type for e in mine) == ["charge.refund.updated", "refund.updated"]
    assert all(e.data.object.status == "pending" for e in mine)
    only_refunds = client.v1.events.list(params={"type": "refund.*", "created": now}).data
    assert [e.type for e in only_refunds] == ["refund.created"]


# --- PaymentIntent -> charge -----------------------------------------------------------


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
        }
    )
    assert intent.status == "requires_confirmation"
    intent = client.v1.payment_intents.confirm(intent.id)
    assert intent.status == "succeeded"
    assert isinstance(intent.latest_charge, str)  # an id unless expanded, as at Stripe

    charge = charge_of(client, intent)
    assert charge.metadata.to_dict() == metadata
    assert (charge.receipt_email, charge.description) == ("receipts@example.com", "Webinar w-42")
    assert charge.billing_details.name == "Ada Lovelace"
    assert charge.billing_details.email == "ada@example.com"
    assert charge.billing_details.address is None
    assert charge.payment_method_details.type == "card"
    assert charge.payment_method_details.card.brand == "mastercard"
    assert charge.payment_method_details.card.last4 == "4444"
    assert (charge.status, charge.paid, charge.captured, charge.disputed) == (
        "succeeded",
        True,
        True,
        False,
    )
    assert (charge.amount_captured, charge.amount_refunded, charge.refunded) == (4900, 0, False)
    assert (charge.livemode, charge.currency) == (False, "eur")
    assert charge.outcome.type == "authorized"

    client.v1.payment_intents.update(intent.id, params={"metadata": {"webinar_id": "w-99"}})
    assert client.v1.payment_intents.retrieve(intent.id).metadata["webinar_id"] == "w-99"
    assert charge_of(client, intent).metadata.to_dict() == metadata

    expanded = client.v1.payment_intents.retrieve(intent.id, params={"expand": ["latest_charge"]})
    assert expanded.latest_charge.id == charge.id


def test_charge_without_billing_details_still_has_them(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    charge = charge_of(client, pay(client))
    assert charge.billing_details.to_dict() == {
        "address": None,
        "email": None,
        "name": None,
        "phone": None,
    }
    assert charge.receipt_email is None


# --- cards ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payment_method", "brand", "last4", "funding"),
    [
        ("pm_card_visa", "visa", "4242", "credit"),
        ("pm_card_visa_debit", "visa", "5556", "debit"),
        ("pm_card_mastercard", "mastercard", "4444", "credit"),
        ("pm_card_amex", "amex", "0005", "credit"),
        ("pm_card_discover", "discover", "1117", "credit"),
        ("pm_card_refundFail", "visa", "5126", "credit"),
    ],
)
def test_test_payment_methods(
    stripe_local: StripeLocal, payment_method: str, brand: str, last4: str, funding: str
) -> None:
    client = stripe_local.client()
    card = charge_of(client, pay(client, payment_method=payment_method)).payment_method_details.card
    assert (card.brand, card.last4, card.funding) == (brand, last4, funding)
    assert card.country == "US"
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
    ],
)
def test_card_numbers_give_their_brand(stripe_local: StripeLocal, number: str, brand: str) -> None:
    client = stripe_local.client()
    pm = card_payment_method(client, number)
    assert (pm.card.brand, pm.card.last4) == (brand, number[-4:])
    charge = charge_of(client, pay(client, payment_method=pm.id))
    assert charge.payment_method_details.card.brand == brand


def test_amex_takes_a_four_digit_cvc_and_bad_numbers_fail(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    card = {"number": "378282246310005", "exp_month": 1, "exp_year": 2031, "cvc": "1234"}
    pm = client.v1.payment_methods.create(params={"type": "card", "card": card})
    assert pm.card.brand == "amex"
    with pytest.raises(stripe.CardError) as excinfo:
        card_payment_method(client, "4242424242424241")  # fails the Luhn check
    assert excinfo.value.code == "incorrect_number"


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
    assert error.error.type == "card_error"
    assert error.error.decline_code == decline_code

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


# --- refunds --------------------------------------------------------------------------


def test_refunds_cannot_exceed_what_remains(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client)
    partial = client.v1.refunds.create(
        params={
            "payment_intent": intent.id,
            "amount": 1000,
            "reason": "requested_by_customer",
            "metadata": {"ticket": "T-1"},
        }
    )
    assert (partial.status, partial.reason, partial.metadata["ticket"]) == (
        "succeeded",
        "requested_by_customer",
        "T-1",
    )
    assert (partial.charge, partial.payment_intent) == (intent.latest_charge, intent.id)
    assert partial.failure_reason is None and partial.failure_balance_transaction is None
    assert charge_of(client, intent).amount_refunded == 1000

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"charge": intent.latest_charge, "amount": 3901})
    assert excinfo.value.code == "amount_too_large"

    rest = client.v1.refunds.create(params={"charge": intent.latest_charge, "reason": "duplicate"})
    assert rest.amount == 3900
    charge = charge_of(client, intent)
    assert (charge.amount_refunded, charge.refunded) == (4900, True)

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1})
    assert excinfo.value.code == "charge_already_refunded"
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"payment_intent": pay(client).id, "reason": "bored"})
    assert excinfo.value.param == "reason"


def test_refund_status_control_and_refund_failure(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client, payment_method="pm_card_refundFail")
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 2000})

    pending = stripe_local.config(f"refunds/{refund.id}/status", status="pending")
    assert pending["status"] == "pending"
    assert charge_of(client, intent).amount_refunded == 2000  # pending refunds count

    failed = stripe_local.config(f"/_config/refunds/{refund.id}/status", status="failed")
    assert (failed["status"], failed["failure_reason"]) == ("failed", "expired_or_canceled_card")
    refund = client.v1.refunds.retrieve(refund.id)
    assert refund.status == "failed"
    failure = client.v1.balance_transactions.retrieve(refund.failure_balance_transaction)
    assert (failure.type, failure.amount, failure.fee, failure.net, failure.source) == (
        "refund_failure",
        2000,
        0,
        2000,
        refund.id,
    )
    charge = charge_of(client, intent)
    assert (charge.amount_refunded, charge.refunded) == (0, False)

    events = client.v1.events.list(params={"types": ["refund.updated", "charge.refund.updated"]})
    mine = [e for e in events.auto_paging_iter() if e.data.object.id == refund.id]
    assert [e.data.object.status for e in mine] == ["failed"] * 2 + ["pending"] * 2

    with pytest.raises(urllib.error.HTTPError):
        stripe_local.config(f"refunds/{refund.id}/status", status="succeeded")  # failed is final


# --- balance --------------------------------------------------------------------------


def test_balance_is_the_sum_of_balance_transactions() -> None:
    base_url, stop = start_stripe_local()
    try:
        client = StripeLocal(base_url).client()
        assert client.v1.balance.retrieve().available[0].amount == 0
        pay(client, 4900, "usd")
        pay(client, 4900, "usd")
        eur = pay(client, 4900, "eur")
        client.v1.refunds.create(params={"payment_intent": eur.id, "amount": 1000})

        balance = client.v1.balance.retrieve()
        assert (balance.object, balance.livemode) == ("balance", False)
        available = {b.currency: b.amount for b in balance.available}
        assert available == {"usd": 2 * (4900 - 172), "eur": 4900 - 99 - 1000}
        txns = client.v1.balance_transactions.list(params={"limit": 100}).data
        assert sum(t.net for t in txns) == sum(available.values())
        assert balance.available[0].source_types.card == balance.available[0].amount
        assert {b.currency: b.amount for b in balance.pending} == {"usd": 0, "eur": 0}
    finally:
        stop()


# --- backdating -----------------------------------------------------------------------


def test_stripe_local_now_backdates_everything_a_request_creates(
    stripe_local: StripeLocal,
) -> None:
    client = stripe_local.client()
    then = 1_730_000_000
    intent = pay(client, now=then)
    charge = charge_of(client, intent)
    txn = client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert intent.created == charge.created == txn.created == txn.available_on == then
    refund = client.v1.refunds.create(params={"charge": charge.id}, options=at(then + 60))
    refund_txn = client.v1.balance_transactions.retrieve(refund.balance_transaction)
    assert refund.created == refund_txn.created == then + 60
    events = client.v1.events.list(params={"created": {"gte": then, "lte": then + 60}}).data
    assert events and {e.created for e in events} == {then, then + 60}

    later = pay(client)  # no header: real time
    assert abs(later.created - time.time()) < 60


# --- faults and stats -----------------------------------------------------------------


def test_injected_faults_are_retried_by_the_sdk(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client)
    stripe_local.config("stats/reset", method="POST")
    try:
        stripe_local.config("faults", status=500, every=2, path_prefix="/v1/")
        for _ in range(3):
            client.v1.charges.retrieve(intent.latest_charge)
        refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 100})
        assert refund.amount == 100
        stats = stripe_local.config("stats")
        assert stats["requests"] == 4 + stats["faults_injected"]
        assert stats["faults_injected"] >= 2
        assert stats["by_path"]["/v1/refunds"] >= 1

        stripe_local.config("faults", status=429, every=2, path_prefix="/v1/charges")
        for _ in range(2):
            client.v1.charges.retrieve(intent.latest_charge)
        status, headers, body = raw_get(
            stripe_local.base_url, "/v1/charges/" + intent.latest_charge
        )
        if status == 200:  # every 2nd request faults: make sure we see one
            status, headers, body = raw_get(
                stripe_local.base_url, "/v1/charges/" + intent.latest_charge
            )
        assert status == 429
        assert headers["Retry-After"] == "0"
        assert headers["Stripe-Should-Retry"] == "true"
        assert json.loads(body)["error"]["type"] == "rate_limit_error"

        # A fault answers before the request has any effect.
        stripe_local.config("faults", status=503, every=1)
        no_retries = stripe_local.client(max_network_retries=0)
        with pytest.raises(stripe.APIError):
            no_retries.v1.refunds.create(params={"payment_intent": intent.id, "amount": 200})
    finally:
        stripe_local.config("faults", method="DELETE")
    refunds = client.v1.refunds.list(params={"payment_intent": intent.id}).data
    assert [r.amount for r in refunds] == [100]
    assert stripe_local.config("stats/reset", method="POST")["requests"] == 0


# --- instances and store --------------------------------------------------------------


def test_instances_do_not_share_a_store(tmp_path: Path) -> None:
    legacy_pickle = Path("/tmp/localstripe.pickle")
    legacy_before = legacy_pickle.stat().st_mtime if legacy_pickle.exists() else None
    store = tmp_path / "stripe.pickle"
    first_url, stop_first = start_stripe_local(store)
    second_url, stop_second = start_stripe_local()
    try:
        first = StripeLocal(first_url).client()
        second = StripeLocal(second_url).client()
        intent = pay(first)
        account_id = first.v1.accounts.retrieve_current().id
        assert second.v1.accounts.retrieve_current().id != account_id
        with pytest.raises(stripe.InvalidRequestError):
            second.v1.payment_intents.retrieve(intent.id)
        options = {"idempotency_key": "survives-restart"}
        refund = first.v1.refunds.create(params={"payment_intent": intent.id}, options=options)
    finally:
        stop_first()
        stop_second()

    assert store.exists()
    url, stop = start_stripe_local(store)
    try:
        client = StripeLocal(url).client()
        assert client.v1.payment_intents.retrieve(intent.id).status == "succeeded"
        assert client.v1.accounts.retrieve_current().id == account_id
        again = client.v1.refunds.create(params={"payment_intent": intent.id}, options=options)
        assert again.id == refund.id
        assert again.last_response.headers["Idempotent-Replayed"] == "true"
        assert [c.id for c in client.v1.charges.list().data] == [intent.latest_charge]
    finally:
        stop()
    legacy_after = legacy_pickle.stat().st_mtime if legacy_pickle.exists() else None
    assert legacy_after == legacy_before


def test_seeding_many_payments_is_fast(tmp_path: Path) -> None:
    base_url, stop = start_stripe_local(tmp_path / "seed.pickle")
    try:
        client = StripeLocal(base_url).client()
        started = time.perf_counter()
        for i in range(1100):
            pay(client, 1000 + i, ("usd", "eur", "gbp", "jpy")[i % 4], metadata={"n": str(i)})
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        charges = list(client.v1.charges.list(params={"limit": 100}).auto_paging_iter())
        listed = time.perf_counter() - started
        print(f"1100 PaymentIntent confirmations: {seeded:.1f}s; listing them: {listed:.2f}s")
        assert len(charges) == 1100
    finally:
        stop()


def test_account_can_be_presented_unverified(stripe_local):
    unverified = {
        "charges_enabled": False,
        "details_submitted": False,
        "requirements": {
            "currently_due": ["external_account", "individual.id_number"],
            "eventually_due": [],
            "past_due": [],
            "disabled_reason": None,
        },
    }
    try:
        stripe_local.config("/_config/account", **unverified)
        account = stripe_local.client().v1.accounts.retrieve_current()
        assert account.charges_enabled is False
        assert account.requirements.currently_due == ["external_account", "individual.id_number"]
    finally:
        stripe_local.config("/_config/account", method="POST")
    assert stripe_local.client().v1.accounts.retrieve_current().charges_enabled is True
