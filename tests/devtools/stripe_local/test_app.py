"""console/stripe_local/app.py: keys and modes, errors, idempotency, backdating, faults and
request counts, the store, recording, the Stripe.js stand-in, and seeding speed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import stripe

from tests.devtools.stripe_local.support import at, charge_of, pay, raw
from tests.stripe_local_fixture import StripeLocal, start_stripe_local


def test_live_keys_are_served_in_live_mode_apart_from_test_data(stripe_local: StripeLocal) -> None:
    test = stripe_local.client()
    live = stripe.StripeClient("sk_live_console", base_addresses={"api": stripe_local.base_url})
    restricted = stripe.StripeClient(
        "rk_live_console", base_addresses={"api": stripe_local.base_url}
    )
    paid = pay(live, 4900, "eur", "pm_card_fr")
    assert paid.livemode is True
    assert charge_of(live, paid).livemode is True
    assert [e.livemode for e in live.v1.events.list().data] == [True] * 3
    assert restricted.v1.payment_intents.retrieve(paid.id).id == paid.id
    with pytest.raises(stripe.InvalidRequestError):
        test.v1.payment_intents.retrieve(paid.id)  # test and live data are disjoint
    assert paid.id not in {p.id for p in test.v1.payment_intents.list(params={"limit": 100})}
    assert live.v1.balance.retrieve().livemode is True
    assert live.v1.balance.retrieve().available[0].amount == 4900 - 99


def test_bad_keys_are_refused(stripe_local: StripeLocal) -> None:
    assert (
        stripe.StripeClient("rk_test_console", base_addresses={"api": stripe_local.base_url})
        .v1.accounts.retrieve_current()
        .object
        == "account"
    )
    for key in ("sk_test_", "nonsense", "pk_test_abcdefgh"):
        client = stripe.StripeClient(key, base_addresses={"api": stripe_local.base_url})
        with pytest.raises(stripe.AuthenticationError):
            client.v1.charges.list()
    status, _, body = raw(stripe_local.base_url, "/v1/charges", key=None)
    assert status == 401
    assert json.loads(body)["error"]["type"] == "invalid_request_error"


def test_errors_have_stripe_shape(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.charges.retrieve("ch_doesnotexist")
    assert (excinfo.value.code, excinfo.value.http_status) == ("resource_missing", 404)
    status, headers, body = raw(stripe_local.base_url, "/v1/no_such_thing")
    assert status == 404
    assert json.loads(body)["error"]["message"].startswith("Unrecognized request URL")
    assert headers["Request-Id"].startswith("req_")
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"charge": "ch_x", "colour": "blue"})
    assert (excinfo.value.code, excinfo.value.param) == ("parameter_unknown", "colour")


def test_stripe_js_stand_in_is_served(stripe_local: StripeLocal) -> None:
    status, headers, body = raw(stripe_local.base_url, "/js.stripe.com/v3/", key=None)
    assert status == 200
    assert headers["Content-Type"].startswith("application/javascript")
    assert b"window.Stripe = function" in body and b"confirmCardPayment" in body
    assert b"threeds-complete" in body and b"threeds-fail" in body


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


def test_idempotency_replays_a_decline_but_not_a_validation_error(
    stripe_local: StripeLocal,
) -> None:
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

    # https://docs.stripe.com/api/idempotent_requests: failed validation is not saved.
    small = {"amount": 10, "currency": "eur"}
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.create(params=small, options={"idempotency_key": "too-small"})
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.payment_intents.create(params=small, options={"idempotency_key": "too-small"})
    assert "Idempotent-Replayed" not in (excinfo.value.headers or {})


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
        path = "/v1/charges/" + intent.latest_charge
        status, headers, body = raw(stripe_local.base_url, path)
        if status == 200:  # every 2nd request faults: make sure we see one
            status, headers, body = raw(stripe_local.base_url, path)
        assert status == 429
        assert (headers["Retry-After"], headers["Stripe-Should-Retry"]) == ("0", "true")
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


def test_instances_do_not_share_a_store_and_keep_it_across_restarts(tmp_path: Path) -> None:
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
        local = StripeLocal(url)
        client = local.client()
        assert client.v1.payment_intents.retrieve(intent.id).status == "succeeded"
        assert client.v1.accounts.retrieve_current().id == account_id
        again = client.v1.refunds.create(params={"payment_intent": intent.id}, options=options)
        assert again.id == refund.id
        assert again.last_response.headers["Idempotent-Replayed"] == "true"
        assert [c.id for c in client.v1.charges.list().data] == [intent.latest_charge]
        local.config("/_config/data", method="DELETE")
        assert client.v1.charges.list().data == []
    finally:
        stop()


def test_requests_are_recorded_when_asked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STRIPE_LOCAL_RECORD", str(tmp_path))
    base_url, stop = start_stripe_local()
    try:
        client = StripeLocal(base_url).client()
        pay(client, 4900, "eur", "pm_card_fr", metadata={"webinar_id": "w-1"})
        StripeLocal(base_url).config("stats")  # a control: not recorded
    finally:
        stop()
    lines = [json.loads(line) for f in tmp_path.glob("*.jsonl") for line in f.open()]
    [created] = [line for line in lines if line["path"] == "/v1/payment_intents"]
    assert (created["method"], created["status"]) == ("POST", 200)
    assert created["params"]["metadata"] == {"webinar_id": "w-1"}
    assert created["body"]["object"] == "payment_intent"
    assert all(line["path"].startswith("/v1/") for line in lines)


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
