"""console/devtools/stripe_local/payouts.py: automatic payouts on the account's schedule, what
each pays out (`?payout=`), pending then paid, failed payouts and their money coming back,
the events, and the schedule running only on the real clock."""

from __future__ import annotations

import json
import pickle
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import stripe

from console.devtools.stripe_local import store
from tests.devtools.stripe_local.support import NOW_HEADER, at, fr_account, pay, shape_problems
from tests.stripe_local_fixture import StripeLocal

__all__ = ["fr_account"]

DAY = 86400
NET = 4900 - 99  # €49 on a French card: 1.5% + €0.25


def _midnight(moment: int) -> int:
    return moment - moment % DAY


def _payouts(client: stripe.StripeClient, **params: Any) -> list[stripe.Payout]:
    return list(client.v1.payouts.list(params={"limit": 100, **params}).auto_paging_iter())


def _paid_out(client: stripe.StripeClient, payout: stripe.Payout) -> list:
    listed = client.v1.balance_transactions.list(params={"payout": payout.id, "limit": 100})
    return list(listed.auto_paging_iter())


def _contents(client: stripe.StripeClient, payout: stripe.Payout) -> list:
    """What the payout paid out, less its own balance transaction (which it lists too)."""
    listed = _paid_out(client, payout)
    [own] = [t for t in listed if t.id == payout.balance_transaction]
    assert (own.type, own.reporting_category, own.source) == ("payout", "payout", payout.id)
    assert (own.amount, own.fee, own.net, own.description) == (
        -payout.amount,
        0,
        -payout.amount,
        "STRIPE PAYOUT",
    )
    contents = [t for t in listed if t.id != own.id]
    assert sum(t.net for t in contents) == payout.amount
    return contents


def _event_types(client: stripe.StripeClient, object_id: str) -> list[str]:
    events = client.v1.events.list(params={"type": "payout.*", "limit": 100}).auto_paging_iter()
    return [e.type for e in events if e.data.object.id == object_id]


def _balance_is_the_sum_of_nets(client: stripe.StripeClient) -> int:
    txns = client.v1.balance_transactions.list(params={"limit": 100}).auto_paging_iter()
    total = sum(t.net for t in txns)
    assert {b.currency: b.amount for b in client.v1.balance.retrieve().available} == {"eur": total}
    return total


def _control(local: StripeLocal, path: str, now: int | None = None, **payload: Any) -> Any:
    """A /_config control, backdated with Stripe-Local-Now when `now` is given."""
    headers = {"Content-Type": "application/json"}
    if now is not None:
        headers[NOW_HEADER] = str(now)
    request = urllib.request.Request(
        local.base_url + path, data=json.dumps(payload).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_the_account_is_paid_out_daily_two_days_after(fr_account: StripeLocal) -> None:
    account = fr_account.client().v1.accounts.retrieve_current()
    schedule = account.settings.payouts.schedule
    assert (schedule.interval, schedule.delay_days, schedule.weekly_anchor) == ("daily", 2, None)
    assert shape_problems(account) == []
    weekly = {"interval": "weekly", "weekly_anchor": "friday"}
    fr_account.config("/_config/account", settings={"payouts": {"schedule": weekly}})
    schedule = fr_account.client().v1.accounts.retrieve_current().settings.payouts.schedule
    assert (schedule.interval, schedule.weekly_anchor, schedule.delay_days) == (
        "weekly",
        "friday",
        2,
    )
    with pytest.raises(urllib.error.HTTPError):
        fr_account.config(
            "/_config/account", settings={"payouts": {"schedule": {"interval": "hourly"}}}
        )


def test_a_daily_payout_holds_what_is_older_than_the_delay(fr_account: StripeLocal) -> None:
    client = fr_account.client()
    now = int(time.time())
    old = pay(client, 4900, "eur", "pm_card_fr", now=now - 5 * DAY)
    today = pay(client, 4900, "eur", "pm_card_fr")

    [payout] = _payouts(client, expand=["data.destination"])
    assert payout.id.startswith("po_")
    assert (payout.amount, payout.currency, payout.automatic, payout.status) == (
        NET,
        "eur",
        True,
        "paid",
    )
    # Made at 00:00 UTC of the first day whose cutoff (two days before) passed the charge.
    assert payout.created == _midnight(now - 5 * DAY) + 3 * DAY
    assert payout.arrival_date == payout.created + DAY
    assert (payout.method, payout.type, payout.source_type) == ("standard", "bank_account", "card")
    assert (payout.reconciliation_status, payout.description) == ("completed", "STRIPE PAYOUT")
    assert payout.failure_code is None and payout.failure_balance_transaction is None
    bank = payout.destination
    assert (bank.object, bank.last4, bank.bank_name) == ("bank_account", "6789", "STRIPE TEST BANK")
    assert (bank.country, bank.currency, bank.status) == ("FR", "eur", "new")
    assert shape_problems(payout) == []

    [charge_txn] = _contents(client, payout)
    old_charge = client.v1.charges.retrieve(old.latest_charge)
    assert charge_txn.id == old_charge.balance_transaction
    today_txn = client.v1.charges.retrieve(today.latest_charge).balance_transaction
    assert today_txn not in {t.id for t in _paid_out(client, payout)}
    assert all(shape_problems(t) == [] for t in _paid_out(client, payout))
    assert _balance_is_the_sum_of_nets(client) == NET  # today's charge is still in the balance

    retrieved = client.v1.payouts.retrieve(payout.id, params={"expand": ["destination"]})
    assert retrieved.destination.last4 == "6789"
    # Reconciled once paid: what it holds can be listed in full from then on.
    assert _event_types(client, payout.id) == [
        "payout.reconciliation_completed",
        "payout.paid",
        "payout.updated",
        "payout.created",
    ]


def test_a_weekly_schedule_pays_out_on_its_anchor_only(fr_account: StripeLocal) -> None:
    weekly = {"interval": "weekly", "weekly_anchor": "monday"}
    fr_account.config("/_config/account", settings={"payouts": {"schedule": weekly}})
    client = fr_account.client()
    now = int(time.time())
    for days_ago in range(1, 22):
        pay(client, 4900, "eur", "pm_card_fr", now=now - days_ago * DAY)

    payouts = _payouts(client)
    assert len(payouts) >= 2
    assert all(time.gmtime(p.created).tm_wday == 0 for p in payouts)  # Mondays
    assert all(p.created % DAY == 0 for p in payouts)
    paid_out = [t for p in payouts for t in _contents(client, p)]
    assert len(paid_out) == len({t.id for t in paid_out})  # each paid out once
    last_cutoff = payouts[0].created - 2 * DAY
    assert all(t.created < last_cutoff for t in paid_out)
    later = [
        t for t in client.v1.balance_transactions.list(params={"type": "charge", "limit": 100})
    ]
    assert {t.id for t in paid_out} == {t.id for t in later if t.created < last_cutoff}


def test_a_payout_is_pending_until_it_arrives(fr_account: StripeLocal) -> None:
    client = fr_account.client()
    now = int(time.time())
    pay(client, 4900, "eur", "pm_card_fr", now=now - 3 * DAY)
    [payout] = _payouts(client)
    assert (payout.status, payout.created) == ("pending", _midnight(now))
    assert payout.reconciliation_status == "in_progress"
    assert _event_types(client, payout.id) == ["payout.created"]

    ran = fr_account.config("/_config/payouts/run", until=payout.arrival_date)
    assert [p["id"] for p in ran["payouts"]] == [payout.id]
    paid = client.v1.payouts.retrieve(payout.id)
    assert (paid.status, paid.trace_id.status) == ("paid", "unsupported")
    assert paid.reconciliation_status == "completed"
    events = [
        e
        for e in client.v1.events.list(params={"type": "payout.*"}).data
        if e.data.object.id == payout.id
    ]
    assert [e.type for e in events[:3]] == [
        "payout.reconciliation_completed",
        "payout.paid",
        "payout.updated",
    ]
    assert all(e.created == payout.arrival_date and e.request.id is None for e in events[:3])
    assert events[2].data.previous_attributes.status == "pending"
    assert events[2].data.previous_attributes.reconciliation_status == "in_progress"


def test_a_paid_payout_fails_and_its_money_goes_into_the_next(fr_account: StripeLocal) -> None:
    client = fr_account.client()
    now = int(time.time())
    pay(client, 4900, "eur", "pm_card_fr", now=now - 6 * DAY)
    [payout] = _payouts(client)
    assert payout.status == "paid"
    assert _balance_is_the_sum_of_nets(client) == 0

    failed_at = payout.arrival_date + DAY  # a paid payout can fail days later
    failed = _control(fr_account, f"/_config/payouts/{payout.id}/fail", now=failed_at)
    assert (failed["status"], failed["failure_code"]) == ("failed", "account_closed")
    assert failed["failure_message"] == "The bank account has been closed."
    back = client.v1.balance_transactions.retrieve(failed["failure_balance_transaction"])
    assert (back.type, back.reporting_category, back.source) == (
        "payout_failure",
        "payout_reversal",
        payout.id,
    )
    assert (back.amount, back.net, back.created) == (payout.amount, payout.amount, failed_at)
    assert (
        shape_problems(back) == [] and shape_problems(client.v1.payouts.retrieve(payout.id)) == []
    )
    assert _event_types(client, payout.id)[:2] == ["payout.failed", "payout.updated"]
    assert _balance_is_the_sum_of_nets(client) == payout.amount
    with pytest.raises(urllib.error.HTTPError):
        _control(fr_account, f"/_config/payouts/{payout.id}/fail")  # failed already

    fr_account.config("/_config/payouts/run", until=_midnight(failed_at) + 3 * DAY)
    newest = _payouts(client)[0]
    assert newest.id != payout.id and newest.amount == payout.amount
    assert [t.id for t in _contents(client, newest)] == [back.id]
    assert _balance_is_the_sum_of_nets(client) == 0
    assert [p.status for p in _payouts(client, status="failed")] == ["failed"]


def test_a_transaction_dated_before_the_last_payout_goes_into_the_next(
    fr_account: StripeLocal,
) -> None:
    client = fr_account.client()
    now = int(time.time())
    pay(client, 4900, "eur", "pm_card_fr", now=now - 6 * DAY)
    [first] = _payouts(client)
    late = pay(client, 2500, "eur", "pm_card_fr", now=now - 10 * DAY)  # history written later
    fr_account.config("/_config/payouts/run", until=_midnight(now) + DAY)
    second = _payouts(client)[0]
    assert second.id != first.id
    [straggler] = _contents(client, second)
    assert straggler.source == late.latest_charge


def test_what_nets_to_nothing_waits_for_the_next_payout(fr_account: StripeLocal) -> None:
    client = fr_account.client()
    now = int(time.time())
    refunded = pay(client, 4900, "eur", "pm_card_fr", now=now - 8 * DAY)
    client.v1.refunds.create(params={"payment_intent": refunded.id}, options=at(now - 8 * DAY))
    assert _payouts(client) == []  # the fee kept: -€0.99 is no payout
    pay(client, 4900, "eur", "pm_card_fr", now=now - DAY)
    fr_account.config("/_config/payouts/run", until=_midnight(now) + 2 * DAY)
    [payout] = _payouts(client)
    assert payout.amount == NET - 99
    assert sorted(t.type for t in _contents(client, payout)) == ["charge", "charge", "refund"]
    assert _balance_is_the_sum_of_nets(client) == 0


def test_a_manual_schedule_pays_nothing_until_it_is_automatic_again(
    fr_account: StripeLocal,
) -> None:
    manual = {"payouts": {"schedule": {"interval": "manual"}}}
    fr_account.config("/_config/account", settings=manual)
    client = fr_account.client()
    now = int(time.time())
    for days_ago in (9, 6, 4):
        pay(client, 4900, "eur", "pm_card_fr", now=now - days_ago * DAY)
    assert _payouts(client) == []
    fr_account.config("/_config/account", method="POST")  # daily again
    fr_account.config("/_config/payouts/run", until=_midnight(now) + DAY)
    [payout] = _payouts(client)
    assert (payout.created, payout.amount) == (_midnight(now) + DAY, 3 * NET)


def test_the_next_payout_can_be_told_to_fail(fr_account: StripeLocal) -> None:
    fr_account.config("/_config/payouts/fail_next", failure_code="no_account")
    client = fr_account.client()
    now = int(time.time())
    pay(client, 4900, "eur", "pm_card_fr", now=now - 3 * DAY)
    [payout] = _payouts(client)
    assert payout.status == "pending"
    fr_account.config("/_config/payouts/run", until=payout.arrival_date)
    failed = client.v1.payouts.retrieve(payout.id)
    assert (failed.status, failed.failure_code) == ("failed", "no_account")
    assert failed.failure_balance_transaction is not None
    assert _balance_is_the_sum_of_nets(client) == payout.amount


def test_a_backdated_request_does_not_run_the_schedule(fr_account: StripeLocal) -> None:
    client = fr_account.client()
    now = int(time.time())
    pay(client, 4900, "eur", "pm_card_fr", now=now - 5 * DAY)
    history = client.v1.payouts.list(options=at(now - DAY))
    assert history.data == []
    assert client.v1.events.list(params={"type": "payout.*"}, options=at(now)).data == []
    assert len(_payouts(client)) == 1  # the real clock runs it


def test_live_and_test_payouts_are_kept_apart(fr_account: StripeLocal) -> None:
    test = fr_account.client()
    live = StripeLocal(fr_account.base_url, api_key="sk_live_local_console").client()
    now = int(time.time())
    pay(test, 4900, "eur", "pm_card_fr", now=now - 5 * DAY)
    pay(live, 2500, "eur", "pm_card_fr", now=now - 5 * DAY)

    [live_payout] = _payouts(live, expand=["data.destination"])
    assert (live_payout.livemode, live_payout.amount) == (True, 2500 - 63)  # 1.5% + €0.25
    assert test.v1.payouts.list(options=at(now)).data == []  # test mode's schedule has not run
    [test_payout] = _payouts(test, expand=["data.destination"])
    assert (test_payout.livemode, test_payout.amount) == (False, NET)
    assert live_payout.destination.id != test_payout.destination.id
    with pytest.raises(stripe.InvalidRequestError):
        live.v1.balance_transactions.list(params={"payout": test_payout.id})


def test_payout_lists_filter_as_stripe_documents(fr_account: StripeLocal) -> None:
    client = fr_account.client()
    now = int(time.time())
    for days_ago in (8, 7, 6):
        pay(client, 4900, "eur", "pm_card_fr", now=now - days_ago * DAY)
    payouts = _payouts(client)
    assert len(payouts) == 3
    second = payouts[1]
    assert [p.id for p in _payouts(client, arrival_date=second.arrival_date)] == [second.id]
    later = _payouts(client, arrival_date={"gte": second.arrival_date})
    assert [p.id for p in later] == [p.id for p in payouts[:2]]
    assert len(_payouts(client, destination=second.destination)) == 3
    assert _payouts(client, status="pending") == []
    assert [p.id for p in client.v1.payouts.list(params={"limit": 1}).data] == [payouts[0].id]
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.balance_transactions.list(params={"payout": "po_missing"})
    assert excinfo.value.http_status == 404
    updated = client.v1.payouts.update(second.id, params={"metadata": {"booked": "yes"}})
    assert updated.metadata["booked"] == "yes"


def test_a_store_saved_before_payouts_loads(tmp_path: Path) -> None:
    new_fields = (
        "payout_day",
        "payout_swept",
        "payout_waiting",
        "payout_arrivals",
        "bank_account",
        "fail_next_payout",
    )
    modes = {}
    for livemode in (False, True):
        mode = store.ModeData(livemode=livemode)
        mode.add({"id": "txn_1", "object": "balance_transaction", "created": 100})
        for name in new_fields:
            del mode.__dict__[name]  # as a ModeData pickled before they existed
        modes[livemode] = mode
    path = tmp_path / "old.pickle"
    path.write_bytes(
        pickle.dumps({"account_id": "acct_localold", "account_overrides": {}, "modes": modes})
    )

    loaded = store.Store(path).modes[False]
    assert set(loaded.objects) == {"txn_1"}
    assert (loaded.payout_day, loaded.payout_swept, loaded.bank_account) == (None, None, None)
    assert (loaded.payout_waiting, loaded.payout_arrivals) == ([], [])
    assert loaded.fail_next_payout is None
