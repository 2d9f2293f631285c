"""Balance transactions and the balance (https://docs.stripe.com/api/balance_transactions).

Money moves only through balance transactions, always in the settlement currency: a charge in
another currency settles converted, with `exchange_rate` (amount in the charge's currency ×
rate = amount settled; docs.stripe.com/currencies/conversions), and so do its refunds and
disputes. `reporting_category` classifies them as Stripe documents
(https://docs.stripe.com/reports/reporting-categories).

Funds are available at once (`available_on` is `created`): the delay before money is paid
out is the payout schedule's (payouts.py). `?payout=po_…` lists what an automatic payout
paid out, its own balance transaction included (docs.stripe.com/payouts/reconciliation).
"""

from __future__ import annotations

from typing import Any

import stripe
from aiohttp import web

from . import account, lists, pricing, store
from .errors import invalid_param
from .render import reply
from .shapes import make

routes = web.RouteTableDef()


def _fee_detail(amount: int, currency: str, description: str) -> dict[str, Any]:
    return make(
        stripe.BalanceTransaction.FeeDetail,
        amount=amount,
        application=None,
        currency=currency,
        description=description,
        type="stripe_fee",
    )


def _record(
    kind: str,
    category: str,
    source: str,
    amount: int,
    currency: str,
    description: str | None,
    fee: int = 0,
    fee_description: str = "",
) -> dict[str, Any]:
    """A balance transaction for `amount` (presentment currency), settled and stored."""
    settlement = account.settlement_currency()
    settled, rate = pricing.convert(amount, currency, settlement)
    return _store(
        kind, category, source, settled, settlement, rate, description, fee, fee_description
    )


def _store(
    kind: str,
    category: str,
    source: str,
    amount: int,
    currency: str,
    rate: float | None,
    description: str | None,
    fee: int = 0,
    fee_description: str = "",
    available_on: int | None = None,
) -> dict[str, Any]:
    """A balance transaction for `amount` in the balance's `currency`, stored."""
    created = store.now()
    txn = make(
        stripe.BalanceTransaction,
        id=store.new_id("txn"),
        object="balance_transaction",
        amount=amount,
        available_on=created if available_on is None else available_on,
        balance_type="payments",
        created=created,
        currency=currency,
        description=description,
        exchange_rate=rate,
        fee=fee,
        fee_details=[_fee_detail(fee, currency, fee_description)] if fee else [],
        net=amount - fee,
        reporting_category=category,
        source=source,
        status="available",
        type=kind,
    )
    data = store.data()
    data.balance[currency] += txn["net"]
    data.add(txn)
    if data.payout_swept is not None and created < data.payout_swept:
        data.payout_waiting.append(txn["id"])  # dated before the last payout: in the next one
    return txn


def for_charge(charge: dict[str, Any], card_country: str) -> dict[str, Any]:
    """The charge's settlement, less Stripe's processing fee for the account's country."""
    settlement = account.settlement_currency()
    settled, _ = pricing.convert(charge["amount"], charge["currency"], settlement)
    fee = pricing.processing_fee(
        account.country(), card_country, settled, converted=charge["currency"] != settlement
    )
    return _record(
        "charge",
        "charge",
        charge["id"],
        charge["amount"],
        charge["currency"],
        charge["description"],
        fee,
        "Stripe processing fees",
    )


def for_refund(refund: dict[str, Any], description: str | None) -> dict[str, Any]:
    # Stripe keeps its processing fee when a payment is refunded (stripe.com/pricing).
    return _record(
        "refund", "refund", refund["id"], -refund["amount"], refund["currency"], description
    )


def for_refund_failure(refund: dict[str, Any]) -> dict[str, Any]:
    """A failed or canceled refund gives the money back (docs.stripe.com/refunds#failed-refunds)."""
    return _record(
        "refund_failure",
        "refund_failure",
        refund["id"],
        refund["amount"],
        refund["currency"],
        "REFUND FAILURE",
    )


def for_dispute(dispute: dict[str, Any]) -> dict[str, Any]:
    """The chargeback: the disputed amount and the dispute fee leave the balance."""
    return _record(
        "adjustment",
        "dispute",
        dispute["id"],
        -dispute["amount"],
        dispute["currency"],
        f"Chargeback withdrawal for {dispute['charge']}",
        pricing.dispute_fee(account.country()),
        "Dispute fee",
    )


def for_dispute_reversal(dispute: dict[str, Any]) -> dict[str, Any]:
    """A won dispute reinstates the amount; the dispute fee is not returned (see pricing)."""
    return _record(
        "adjustment",
        "dispute_reversal",
        dispute["id"],
        dispute["amount"],
        dispute["currency"],
        f"Chargeback reversal for {dispute['charge']}",
    )


def for_payout(payout_id: str, amount: int, currency: str, arrival_date: int) -> dict[str, Any]:
    """The money a payout takes out of the balance (in the payout's currency)."""
    return _store(
        "payout", "payout", payout_id, -amount, currency, None, "STRIPE PAYOUT",
        available_on=arrival_date,
    )  # fmt: skip


def for_payout_failure(payout: dict[str, Any]) -> dict[str, Any]:
    """A failed payout gives its money back to the balance (docs.stripe.com/payouts#failed)."""
    return _store(
        "payout_failure",
        "payout_reversal",
        payout["id"],
        payout["amount"],
        payout["currency"],
        None,
        f"REFUND FOR PAYOUT ({payout['description']})",
    )


def _balance_amount(cls: type, amount: int, currency: str) -> dict[str, Any]:
    return make(
        cls,
        amount=amount,
        currency=currency,
        source_types=make(cls.SourceTypes, card=amount),
    )


@routes.get("/v1/balance")
async def retrieve_balance(request: web.Request) -> web.Response:
    """Every transaction is available at once here, so the pending balance is zero."""
    data = store.data()
    totals = dict(data.balance)
    totals.setdefault(account.settlement_currency(), 0)
    currencies = sorted(totals)
    balance = make(
        stripe.Balance,
        object="balance",
        available=[_balance_amount(stripe.Balance.Available, totals[c], c) for c in currencies],
        pending=[_balance_amount(stripe.Balance.Pending, 0, c) for c in currencies],
        livemode=data.livemode,
    )
    return reply(balance, request["params"])


_FILTERS: dict[str, lists.Filter] = {
    "currency": lists.equals("currency"),
    "source": lists.equals("source"),
    "type": lists.equals("type"),
}


def _paid_out(payout_id: Any) -> store.Timeline:
    """The balance transactions an automatic payout paid out, its own among them."""
    if not isinstance(payout_id, str):
        raise invalid_param("payout", f"Invalid string: {payout_id}")
    data = store.data()
    data.get("payout", payout_id, "payout")
    everything = data.timeline("balance_transaction")
    return store.Timeline.of(
        (everything.key_of[txn_id], data.objects[txn_id])
        for txn_id in data.private[payout_id].get("transactions", ())
    )


@routes.get("/v1/balance_transactions")
@routes.get("/v1/balance/history")
async def list_balance_transactions(request: web.Request) -> web.Response:
    params = dict(request["params"])
    timeline = _paid_out(params.pop("payout")) if "payout" in params else None
    body = lists.page("balance_transaction", request.path, params, _FILTERS, timeline)
    return web.json_response(body)


routes.get("/v1/balance_transactions/{id}")(lists.retriever("balance_transaction"))
routes.get("/v1/balance/history/{id}")(lists.retriever("balance_transaction"))
