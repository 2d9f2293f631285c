"""console/stripe_local/events.py: the events each flow sends, with snapshots of their
objects at the pinned API version, and the `type` / `types` filters."""

from __future__ import annotations

import pytest
import stripe

from tests.devtools.stripe_local.support import at, pay, shape_problems
from tests.stripe_local_fixture import StripeLocal


def test_payment_and_refund_events(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    now = 1_720_000_000
    intent = pay(client, now=now)
    refund = client.v1.refunds.create(
        params={"payment_intent": intent.id},
        options={"headers": {"Stripe-Local-Now": str(now)}, "idempotency_key": "evt-refund"},
    )
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
        assert event.api_version == "2026-10-28.endive"
        assert event.request.id.startswith("req_")
        assert shape_problems(event) == []

    by_type = {e.type: e.data for e in events}
    assert by_type["payment_intent.created"].object.status == "requires_confirmation"
    assert by_type["payment_intent.succeeded"].object.status == "succeeded"
    assert by_type["charge.succeeded"].object.amount_refunded == 0  # a snapshot
    assert by_type["charge.refunded"].object.amount_refunded == 4900
    assert by_type["charge.refunded"].previous_attributes.amount_refunded == 0
    assert by_type["refund.created"].object.status == "succeeded"
    assert by_type["charge.failed"].object.failure_code == "card_declined"
    refund_events = [e for e in events if e.type in ("charge.refunded", "refund.created")]
    assert {e.request.idempotency_key for e in refund_events} == {"evt-refund"}

    updated = client.v1.events.list(
        params={"types": ["refund.updated", "charge.refund.updated"], "limit": 100}
    ).data
    mine = [e for e in updated if e.data.object.id == refund.id]
    assert sorted(e.type for e in mine) == ["charge.refund.updated", "refund.updated"]
    assert all(e.data.object.status == "pending" for e in mine)
    only_refunds = client.v1.events.list(params={"type": "refund.*", "created": now}).data
    assert [e.type for e in only_refunds] == ["refund.created"]
    assert client.v1.events.retrieve(only_refunds[0].id).id == only_refunds[0].id


def test_types_takes_at_most_twenty_event_types(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    twenty = [f"charge.type_{n}" for n in range(20)]
    assert client.v1.events.list(params={"types": twenty}).data == []
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.events.list(params={"types": [*twenty, "refund.created"]})
    assert (excinfo.value.http_status, excinfo.value.param) == (400, "types")
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.events.list(params={"type": "charge.*", "types": ["refund.created"]})


def test_events_are_dated_by_the_request_that_caused_them(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = client.v1.payment_intents.create(
        params={"amount": 700, "currency": "eur"}, options=at(1_721_000_000)
    )
    [created] = client.v1.events.list(params={"created": 1_721_000_000}).data
    assert (created.type, created.data.object.id) == ("payment_intent.created", intent.id)
