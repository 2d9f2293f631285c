"""console/stripe_local/refunds.py: limits, and refunds that are pending, succeed, fail
later (with a refund_failure balance transaction) or are canceled."""

from __future__ import annotations

import urllib.error

import pytest
import stripe

from tests.devtools.stripe_local.support import charge_of, pay, shape_problems
from tests.stripe_local_fixture import StripeLocal


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
    assert "livemode" not in partial  # a Refund has no livemode field
    assert shape_problems(partial) == []
    assert charge_of(client, intent).amount_refunded == 1000

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"charge": intent.latest_charge, "amount": 3901})
    assert excinfo.value.code == "amount_too_large"
    assert excinfo.value.user_message == (
        "Refund amount ($39.01) is greater than unrefunded amount on charge ($39.00)"
    )

    rest = client.v1.refunds.create(params={"charge": intent.latest_charge, "reason": "duplicate"})
    assert rest.amount == 3900
    charge = charge_of(client, intent)
    assert (charge.amount_refunded, charge.refunded) == (4900, True)
    expanded = client.v1.charges.retrieve(charge.id, params={"expand": ["refunds"]})
    assert [r.id for r in expanded.refunds.data] == [rest.id, partial.id]

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1})
    assert excinfo.value.code == "charge_already_refunded"
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"payment_intent": pay(client).id, "reason": "bored"})
    assert excinfo.value.param == "reason"


def test_a_pending_refund_later_succeeds(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client, 4900, "eur", "pm_card_pendingRefund")
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert (refund.status, refund.pending_reason) == ("pending", "processing")
    assert charge_of(client, intent).amount_refunded == 4900  # a pending refund counts
    done = stripe_local.config(f"refunds/{refund.id}/advance", method="POST")
    assert (done["status"], done["pending_reason"]) == ("succeeded", None)
    events = client.v1.events.list(params={"types": ["charge.refund.updated"]}).data
    mine = [e for e in events if e.data.object.id == refund.id]
    assert [e.data.object.status for e in mine] == ["succeeded"]
    assert mine[0].data.previous_attributes.status == "pending"


def test_a_refund_fails_later_and_the_money_comes_back(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client, 4900, "eur", "pm_card_refundFail")
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 2000})
    assert refund.status == "succeeded"  # docs.stripe.com/testing#refunds: then it fails
    failed = stripe_local.config(f"refunds/{refund.id}/advance", method="POST")
    assert (failed["status"], failed["failure_reason"]) == ("failed", "expired_or_canceled_card")

    refund = client.v1.refunds.retrieve(refund.id)
    failure = client.v1.balance_transactions.retrieve(refund.failure_balance_transaction)
    assert (failure.type, failure.reporting_category, failure.source) == (
        "refund_failure",
        "refund_failure",
        refund.id,
    )
    original = client.v1.balance_transactions.retrieve(refund.balance_transaction)
    assert (failure.amount, failure.fee, failure.net) == (2000, 0, 2000)
    assert original.net + failure.net == 0
    charge = charge_of(client, intent)
    assert (charge.amount_refunded, charge.refunded) == (0, False)
    types = [
        e.type
        for e in client.v1.events.list(params={"limit": 100}).auto_paging_iter()
        if e.data.object.id == refund.id
    ]
    assert types[:3] == ["refund.failed", "refund.updated", "charge.refund.updated"]

    with pytest.raises(urllib.error.HTTPError):
        stripe_local.config(f"refunds/{refund.id}/status", status="succeeded")  # failed is final


def test_the_status_control_still_moves_refunds(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client, 4900, "eur", "pm_card_fr")
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert (
        stripe_local.config(f"/_config/refunds/{refund.id}/status", status="pending")["status"]
        == "pending"
    )
    failed = stripe_local.config(f"refunds/{refund.id}/status", status="failed")
    assert failed["failure_balance_transaction"].startswith("txn_")


def test_only_a_refund_that_requires_action_can_be_canceled(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client, 4900, "eur", "pm_card_fr")
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.cancel(refund.id)  # succeeded
    stripe_local.config(f"refunds/{refund.id}/status", status="requires_action")
    canceled = client.v1.refunds.cancel(refund.id)
    assert (canceled.status, canceled.failure_reason) == ("canceled", "merchant_request")
    back = client.v1.balance_transactions.retrieve(canceled.failure_balance_transaction)
    assert back.amount == 4900
    assert charge_of(client, intent).amount_refunded == 0
