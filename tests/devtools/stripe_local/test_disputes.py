"""console/stripe_local/disputes.py: Stripe's dispute test cards, the withdrawal and the
dispute fee, won and lost outcomes, and the charge.dispute.* events."""

from __future__ import annotations

import pytest
import stripe

from tests.devtools.stripe_local.support import (
    charge_of,
    fr_account,
    pay,
    shape_problems,
    us_account,
)
from tests.stripe_local_fixture import StripeLocal

__all__ = ["fr_account", "us_account"]


def _dispute_of(client: stripe.StripeClient, intent: stripe.PaymentIntent) -> stripe.Dispute:
    [dispute] = client.v1.disputes.list(params={"payment_intent": intent.id}).data
    return dispute


def _ledger(client: stripe.StripeClient, intent: stripe.PaymentIntent) -> list:
    """The payment's balance transactions: its charge's, refunds' and disputes' (DESIGN.md)."""
    charge = charge_of(client, intent)
    sources = {charge.id}
    sources |= {d.id for d in client.v1.disputes.list(params={"charge": charge.id}).data}
    sources |= {r.id for r in client.v1.refunds.list(params={"charge": charge.id}).data}
    return [
        t
        for t in client.v1.balance_transactions.list(params={"limit": 100}).auto_paging_iter()
        if t.source in sources
    ]


def test_a_fraudulent_dispute_withdraws_the_amount_and_the_fee(fr_account: StripeLocal) -> None:
    client = fr_account.client()
    intent = pay(client, 4900, "eur", "pm_card_createDispute")
    assert intent.status == "succeeded"
    dispute = _dispute_of(client, intent)
    assert (dispute.status, dispute.reason, dispute.amount, dispute.currency) == (
        "needs_response",
        "fraudulent",
        4900,
        "eur",
    )
    assert dispute.id.startswith("dp_") and dispute.charge == intent.latest_charge
    assert dispute.is_charge_refundable is False
    assert dispute.evidence_details.due_by > dispute.created
    assert charge_of(client, intent).disputed is True
    [withdrawal] = dispute.balance_transactions
    assert (withdrawal.type, withdrawal.reporting_category, withdrawal.source) == (
        "adjustment",
        "dispute",
        dispute.id,
    )
    assert (withdrawal.amount, withdrawal.fee, withdrawal.net) == (-4900, 2000, -6900)  # €20
    assert withdrawal.fee_details[0].description == "Dispute fee"
    assert shape_problems(dispute) == []

    types = [
        e.type
        for e in client.v1.events.list(params={"type": "charge.dispute.*"}).data
        if e.data.object.id == dispute.id
    ]
    assert types == ["charge.dispute.funds_withdrawn", "charge.dispute.created"]

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"payment_intent": intent.id})
    assert excinfo.value.code == "charge_disputed"


def test_winning_evidence_wins_the_amount_back_but_not_the_fee(us_account: StripeLocal) -> None:
    client = us_account.client()
    intent = pay(client, 4900, "eur", "pm_card_createDisputeProductNotReceived")
    dispute = _dispute_of(client, intent)
    won = client.v1.disputes.update(
        dispute.id, params={"evidence": {"uncategorized_text": "winning_evidence"}}
    )
    assert (won.status, won.evidence_details.submission_count) == ("won", 1)
    withdrawal, reversal = won.balance_transactions
    assert (reversal.type, reversal.reporting_category) == ("adjustment", "dispute_reversal")
    # €49 × 1.08 = $52.92 out and back; the $15 dispute fee stays with Stripe.
    assert (withdrawal.amount, withdrawal.fee, reversal.amount, reversal.fee) == (
        -5292,
        1500,
        5292,
        0,
    )
    ledger = _ledger(client, intent)
    charge_txn = next(t for t in ledger if t.type == "charge")
    assert sum(t.net for t in ledger) == charge_txn.net - 1500
    closed = [
        e.type
        for e in client.v1.events.list(params={"type": "charge.dispute.*"}).data
        if e.data.object.id == dispute.id
    ]
    assert closed[:3] == [
        "charge.dispute.closed",
        "charge.dispute.funds_reinstated",
        "charge.dispute.updated",
    ]


@pytest.mark.parametrize("how", ["losing_evidence", "close"])
def test_a_lost_dispute_keeps_the_money_out(fr_account: StripeLocal, how: str) -> None:
    client = fr_account.client()
    intent = pay(client, 4900, "usd", "pm_card_createDispute")
    dispute = _dispute_of(client, intent)
    if how == "close":
        lost = client.v1.disputes.close(dispute.id)
    else:
        lost = client.v1.disputes.update(
            dispute.id, params={"evidence": {"uncategorized_text": "losing_evidence"}}
        )
    assert lost.status == "lost"
    [withdrawal] = lost.balance_transactions
    assert (withdrawal.amount, withdrawal.fee) == (-4537, 2000)  # converted, as the charge
    ledger = _ledger(client, intent)
    assert sum(t.amount for t in ledger) == 0  # the whole payment went back
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.disputes.close(dispute.id)  # closed already


def test_an_inquiry_withdraws_nothing_and_allows_a_refund(fr_account: StripeLocal) -> None:
    client = fr_account.client()
    intent = pay(client, 4900, "eur", "pm_card_createDisputeInquiry")
    dispute = _dispute_of(client, intent)
    assert (dispute.status, dispute.is_charge_refundable, dispute.balance_transactions) == (
        "warning_needs_response",
        True,
        [],
    )
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert refund.status == "succeeded"


def test_the_dispute_control_disputes_an_existing_charge(fr_account: StripeLocal) -> None:
    client = fr_account.client()
    intent = pay(client, 4900, "eur", "pm_card_fr")
    charge = fr_account.config(f"/_config/charges/{intent.latest_charge}/dispute", method="POST")
    assert charge["disputed"] is True
    dispute = _dispute_of(client, intent)
    assert (dispute.status, len(dispute.balance_transactions)) == ("needs_response", 1)
    assert client.v1.disputes.retrieve(dispute.id).id == dispute.id
