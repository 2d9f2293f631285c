"""Balance transactions and the balance (https://docs.stripe.com/api/balance_transactions).

Money moves only through balance transactions, always in the settlement currency: a charge in
another currency settles converted, with `exchange_rate` (amount in the charge's currency ×
rate = amount settled; docs.stripe.com/currencies/conversions), and so do its refunds and
disputes. `reporting_category` classifies them as Stripe documents
(https://docs.stripe.com/reports/reporting-categories).
"""

from __future__ import annotations

from typing import Any

import stripe
from aiohttp import web

from . import account, lists, pricing, store
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
    created = store.now()
    txn = make(
        stripe.BalanceTransaction,
        id=store.new_id("txn"),
        object="balance_transaction",
        amount=settled,
        available_on=created,
        balance_type="payments",
        created=created,
        currency=settlement,
        description=description,
        exchange_rate=rate,
        fee=fee,
        fee_details=[_fee_detail(fee, settlement, fee_description)] if fee else [],
        net=settled - fee,
        reporting_category=category,
        source=source,
        status="available",
        type=kind,
    )
    data = store.data()
    data.balance[settlement] += txn["net"]
    return data.add(txn)


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
    "payout": lists.equals("payout"),  # no payouts yet: matches nothing
}


routes.get("/v1/balance_transactions")(lists.handler("balance_transaction", _FILTERS))
routes.get("/v1/balance/history")(lists.handler("balance_transaction", _FILTERS))


routes.get("/v1/balance_transactions/{id}")(lists.retriever("balance_transaction"))
routes.get("/v1/balance/history/{id}")(lists.retriever("balance_transaction"))
