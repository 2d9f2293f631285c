"""console/stripe_local/lists.py: Stripe's pagination, `created` filters and per-list filters."""

from __future__ import annotations

import time

import pytest
import stripe

from tests.devtools.stripe_local.support import at, pay
from tests.stripe_local_fixture import StripeLocal


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

    expanded = client.v1.charges.list(
        params={**window, "limit": 1, "expand": ["data.balance_transaction"]}
    )
    assert expanded.data[0].balance_transaction.object == "balance_transaction"

    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.charges.list(params={"colour": "blue"})
    assert excinfo.value.param == "colour"
