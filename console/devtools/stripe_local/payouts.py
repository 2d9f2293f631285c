"""Payouts (https://docs.stripe.com/payouts, https://docs.stripe.com/api/payouts).

Automatic payouts on the account's schedule (account.py's settings.payouts.schedule: daily,
two days after, as for a test account; weekly or monthly on an anchor; none when manual).
The payout made at 00:00 UTC of a payout day D pays out, per currency, every balance
transaction not yet paid out that was created before D minus `delay_days`, when their net
adds up to more than zero (otherwise they wait for the next payout). It goes to the
account's bank account (one test account per mode, ending 6789), arrives at 00:00 of D + 1
and is then paid. Balance transactions show their funds available at once (balance.py):
the delay is the schedule's. `?payout=` on balance transactions lists what it paid out.

The schedule runs lazily: before each API request that is not backdated (app.py), the
payouts due since it last ran are made, each dated when it was due, with its events.
Backdated requests (Stripe-Local-Now) never run it; a transaction dated before a payout
already made goes into the next one. When nothing is due this costs one comparison;
otherwise it is linear in the balance transactions since the last payout.

Test-only controls (Stripe has none):

- `POST /_config/payouts/run` {"until"?: unix seconds}: runs the schedule up to `until`
  (the request's clock by default); answers {"payouts": [the mode's payouts, newest first]};
- `POST /_config/payouts/{id}/fail` {"failure_code"?}: the bank returns a pending or paid
  payout (a paid one can still fail within a few business days); a `payout_failure`
  balance transaction gives the money back, and the next payout pays it out again;
- `POST /_config/payouts/fail_next` {"failure_code"?}: the next payout to arrive fails
  instead of being paid (as payouts to Stripe's failing test bank accounts do).
"""

from __future__ import annotations

import bisect
import calendar
import dataclasses
import secrets
import time
from typing import Any

import stripe
from aiohttp import web

from . import account, balance, events, lists, store
from .errors import invalid, invalid_param
from .params import as_int, control_body, metadata_update
from .render import reply
from .shapes import fresh, make

DAY = 86400
BANK_NAME = "STRIPE TEST BANK"
BANK_LAST4 = "6789"
DEFAULT_FAILURE = "account_closed"
# Stripe's failure codes and their messages (docs.stripe.com/api/payouts/failures;
# support.stripe.com/questions/payout-failure-codes-in-brazil-and-how-to-resolve).
FAILURES = {
    "account_closed": "The bank account has been closed.",
    "account_frozen": "The bank account has been frozen.",
    "bank_account_restricted": (
        "The bank account has restrictions on either the type or the number of payouts "
        "allowed. This normally indicates that the bank account is a savings or other "
        "non-checking account."
    ),
    "bank_ownership_changed": (
        "The destination bank account is no longer valid because its branch has changed ownership."
    ),
    "could_not_process": "The bank could not process this payout.",
    "debit_not_authorized": (
        "Debit transactions are not approved on the bank account. (Stripe requires bank "
        "accounts to be set up for both credit and debit payouts.)"
    ),
    "declined": "The bank has declined this transfer. Please contact the bank before retrying.",
    "incorrect_account_holder_name": (
        "Your bank notified us that the bank account holder name on file is incorrect."
    ),
    "insufficient_funds": "Your Stripe account has insufficient funds to cover the payout.",
    "invalid_account_number": (
        "The routing number seems correct, but the account number is invalid."
    ),
    "invalid_currency": (
        "The bank was unable to process this payout because of its currency. This is "
        "probably because the bank account cannot accept payments in that currency."
    ),
    "no_account": (
        "The bank account details on file are probably incorrect. No bank account could be "
        "located with those details."
    ),
}
_FAILABLE = ("pending", "in_transit", "paid")

routes = web.RouteTableDef()


def _midnight(moment: int) -> int:
    return moment - moment % DAY


def _pays_on(day: int, schedule: dict[str, Any]) -> bool:
    """Whether the schedule pays out at 00:00 UTC of `day`."""
    interval = schedule["interval"]
    if interval == "daily":
        return True
    moment = time.gmtime(day)
    if interval == "weekly":
        weekdays = schedule["weekly_payout_days"] or [schedule["weekly_anchor"] or "monday"]
        return account.WEEKDAYS[moment.tm_wday] in weekdays
    if interval == "monthly":
        # An anchor past the month's end pays on its last day.
        last = calendar.monthrange(moment.tm_year, moment.tm_mon)[1]
        anchors = schedule["monthly_payout_days"] or [schedule["monthly_anchor"] or 1]
        return any(min(anchor, last) == moment.tm_mday for anchor in anchors)
    return False  # manual


def catch_up(until: int) -> None:
    """Makes the payouts of the request's mode that were due up to `until`, each at its time."""
    data = store.data()
    if data.payout_day is None:
        keys = data.timeline("balance_transaction").keys
        if not keys:
            return  # the schedule starts with the first balance transaction
        data.payout_day = _midnight(keys[0][0]) - DAY
        store.changed()
    if data.payout_day + DAY > until:
        return
    schedule = account.payout_schedule()
    request = store.context()
    while data.payout_day + DAY <= until:
        day = data.payout_day + DAY
        token = store.enter(dataclasses.replace(request, now=day))
        try:
            _arrive(day)
            if _pays_on(day, schedule):
                _pay_out(day, schedule["delay_days"])
        finally:
            store.leave(token)
        data.payout_day = day
    store.changed()


def _arrive(day: int) -> None:
    """Payouts that reach the bank by `day` are paid (or fail, if told to)."""
    data = store.data()
    while data.payout_arrivals and data.payout_arrivals[0][0] <= day:
        _, payout_id = data.payout_arrivals.pop(0)
        payout = data.objects[payout_id]
        if payout["status"] != "pending":
            continue  # failed before it arrived
        if data.fail_next_payout is not None:
            fail(payout, data.fail_next_payout)
            data.fail_next_payout = None
            continue
        before = fresh(payout)
        payout.update(status="paid", trace_id=_trace("unsupported"))
        _reconciled(payout)
        events.emit("payout.updated", payout, before, by_request=False)
        events.emit("payout.paid", payout, by_request=False)
        events.emit("payout.reconciliation_completed", payout, by_request=False)


def _reconciled(payout: dict[str, Any]) -> bool:
    """Stripe says what an automatic payout holds once it is settled: its list of balance
    transactions is complete from then on (docs.stripe.com/payouts/reconciliation)."""
    if payout["reconciliation_status"] == "completed":
        return False
    payout["reconciliation_status"] = "completed"
    return True


def _pay_out(day: int, delay_days: int) -> None:
    """The payout of `day`: what was created before `day - delay_days` and is not paid out."""
    data = store.data()
    cutoff = day - delay_days * DAY
    timeline = data.timeline("balance_transaction")
    swept = data.payout_swept
    start = 0 if swept is None else bisect.bisect_left(timeline.keys, (swept, -1))
    end = bisect.bisect_left(timeline.keys, (cutoff, -1))
    due = [data.objects[txn_id] for txn_id in data.payout_waiting] + timeline.objects[start:end]
    data.payout_swept = cutoff if swept is None else max(swept, cutoff)
    by_currency: dict[str, list[dict[str, Any]]] = {}
    for txn in due:
        if "payout" not in data.private[txn["id"]]:  # a payout's own is paid out already
            by_currency.setdefault(txn["currency"], []).append(txn)
    data.payout_waiting = []
    for currency, txns in sorted(by_currency.items()):
        amount = sum(txn["net"] for txn in txns)
        if amount > 0:
            _create(amount, currency, txns)
        else:
            data.payout_waiting += [txn["id"] for txn in txns]  # nothing to pay out yet


def _trace(status: str) -> dict[str, Any]:
    # Test bank accounts give no trace id (docs.stripe.com/payouts/trace-id).
    return make(stripe.Payout.TraceId, status=status, value=None)


def _create(amount: int, currency: str, paid_out: list[dict[str, Any]]) -> dict[str, Any]:
    data = store.data()
    created = store.now()
    payout_id = store.new_id("po")
    arrival = created + DAY
    txn = balance.for_payout(payout_id, amount, currency, arrival)
    payout = make(
        stripe.Payout,
        id=payout_id,
        object="payout",
        amount=amount,
        arrival_date=arrival,
        automatic=True,
        balance_transaction=txn["id"],
        created=created,
        currency=currency,
        description="STRIPE PAYOUT",
        destination=bank_account()["id"],
        livemode=data.livemode,
        metadata={},
        method="standard",
        reconciliation_status="in_progress",
        source_type="card",
        status="pending",
        trace_id=_trace("pending"),
        type="bank_account",
    )
    transactions = [t["id"] for t in paid_out] + [txn["id"]]
    data.add(payout, transactions=transactions)
    for txn_id in transactions:
        data.private[txn_id]["payout"] = payout_id
    data.payout_arrivals.append((arrival, payout_id))
    events.emit("payout.created", payout, by_request=False)
    return payout


def bank_account() -> dict[str, Any]:
    """The mode's bank account, where payouts go (made with the first payout)."""
    data = store.data()
    if data.bank_account is None:
        bank = make(
            stripe.BankAccount,
            id=store.new_id("ba"),
            object="bank_account",
            account=store.context().store.account_id,
            account_holder_name=account.ACCOUNT_NAME,
            account_holder_type="company",
            available_payout_methods=["standard"],
            bank_name=BANK_NAME,
            country=account.country(),
            currency=account.settlement_currency(),
            default_for_currency=True,
            fingerprint=secrets.token_hex(8),
            last4=BANK_LAST4,
            metadata={},
            status="new",
        )
        # A BankAccount has no `created`: it is in no timeline, but ids expand to it.
        data.objects[bank["id"]] = bank
        data.private[bank["id"]] = {}
        data.bank_account = bank["id"]
    return data.objects[data.bank_account]


def fail(payout: dict[str, Any], failure_code: str) -> None:
    """The bank returns the payout: its money comes back to the balance."""
    if payout["status"] not in _FAILABLE:
        raise invalid(f"Payout {payout['id']} is {payout['status']}: it cannot fail.")
    before = fresh(payout)
    txn = balance.for_payout_failure(payout)
    payout.update(
        status="failed",
        failure_balance_transaction=txn["id"],
        failure_code=failure_code,
        failure_message=FAILURES[failure_code],
        trace_id=_trace("unsupported"),
    )
    reconciled = _reconciled(payout)  # failed before it arrived: what it held is settled
    # The bank's doing, not a request's: the events name no request.
    events.emit("payout.updated", payout, before, by_request=False)
    events.emit("payout.failed", payout, by_request=False)
    if reconciled:
        events.emit("payout.reconciliation_completed", payout, by_request=False)
    store.changed()


_FILTERS: dict[str, lists.Filter] = {
    "arrival_date": lists.between("arrival_date"),
    "destination": lists.equals("destination"),
    "status": lists.equals("status"),
}

routes.get("/v1/payouts")(lists.handler("payout", _FILTERS))
routes.get("/v1/payouts/{id}")(lists.retriever("payout", "payout"))


@routes.post("/v1/payouts/{id}")
async def update_payout(request: web.Request) -> web.Response:
    """Only the metadata of a payout can change (docs.stripe.com/api/payouts/update)."""
    params = request["params"]
    payout = store.data().get("payout", request.match_info["id"], "payout")
    before = fresh(payout)
    payout["metadata"] = metadata_update(payout["metadata"] or {}, params)
    events.emit("payout.updated", payout, before)
    store.changed()
    return reply(payout, params)


def _failure_code(body: dict[str, Any]) -> str:
    code = body.get("failure_code") or DEFAULT_FAILURE
    if code not in FAILURES:
        raise invalid_param("failure_code", f"failure_code must be one of {', '.join(FAILURES)}")
    return code


@routes.post("/_config/payouts/run")
async def run(request: web.Request) -> web.Response:
    """Test control: the schedule up to `until`; every payout of the mode, newest first."""
    until = as_int(await control_body(request), "until", store.now())
    assert until is not None
    catch_up(until)
    payouts = store.data().timeline("payout").objects
    return web.json_response({"payouts": payouts[::-1]})


@routes.post("/_config/payouts/fail_next")
async def fail_next(request: web.Request) -> web.Response:
    """Test control: the next payout to arrive fails with `failure_code`."""
    code = _failure_code(await control_body(request))
    store.data().fail_next_payout = code
    store.changed()
    return web.json_response({"failure_code": code})


@routes.post("/_config/payouts/{id}/fail")
async def fail_payout(request: web.Request) -> web.Response:
    """Test control: the bank returns the payout, at the request's time."""
    code = _failure_code(await control_body(request))
    if store.context().now is None:
        catch_up(store.now())  # what was due before the failure happens first
    payout = store.data().get("payout", request.match_info["id"], "payout")
    if store.now() < payout["created"]:
        raise invalid(
            f"Payout {payout['id']} was made at {payout['created']}: it cannot fail before, "
            f"at {store.now()}."
        )
    fail(payout, code)
    return web.json_response(payout)
