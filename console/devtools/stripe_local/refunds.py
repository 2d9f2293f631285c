"""Refunds (https://docs.stripe.com/refunds, https://docs.stripe.com/api/refunds/object).

A refund takes its money back from the balance at once (type and reporting category
`refund`, converted to the settlement currency; Stripe keeps its fee). It can be `pending`
(with `pending_reason`), `succeeded`, `failed` (with `failure_reason` and a
`failure_balance_transaction` that gives the money back), `requires_action`, or `canceled`
(only from requires_action). Stripe's refund test cards decide the course:
4000000000007726 starts pending, 4000000000005126 succeeds then fails.
"""

from __future__ import annotations

from typing import Any

import stripe
from aiohttp import web

from . import balance, cards, disputes, events, lists, pricing, store
from .errors import StripeError, invalid, invalid_param, refused
from .params import as_int, as_str, control_body, metadata_update
from .render import reply
from .shapes import fresh, make

REASONS = ("duplicate", "fraudulent", "requested_by_customer")
STATUSES = ("pending", "requires_action", "succeeded", "failed", "canceled")
_FINAL = ("failed", "canceled")
_TAKES_MONEY = ("pending", "requires_action", "succeeded")  # failed and canceled gave it back

routes = web.RouteTableDef()


def _charge_to_refund(params: dict[str, Any]) -> dict[str, Any]:
    charge_id = as_str(params, "charge")
    intent_id = as_str(params, "payment_intent")
    if charge_id and intent_id:
        raise invalid_param(
            "payment_intent",
            "You may only specify one of these parameters: charge, payment_intent.",
        )
    data = store.data()
    if intent_id:
        intent = data.get("payment_intent", intent_id, "payment_intent")
        charge = data.find("charge", intent["latest_charge"])
        if charge is None or charge["status"] != "succeeded":
            raise refused(
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                "charge_not_refundable",
                "payment_intent",
            )
        return charge
    if not charge_id:
        raise invalid(
            "One of the following params should be provided for this request: payment_intent "
            "or charge.",
            code="parameter_missing",
        )
    return data.get("charge", charge_id, "charge")


def _refundable_amount(charge: dict[str, Any], params: dict[str, Any]) -> int:
    if disputes.blocks_refunds(charge):
        # https://docs.stripe.com/error-codes#charge-disputed
        raise refused(
            f"Charge {charge['id']} has been charged back; cannot issue a refund.",
            "charge_disputed",
        )
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise refused(
            f"Charge {charge['id']} has already been refunded.", "charge_already_refunded", "charge"
        )
    amount = as_int(params, "amount", remaining)
    assert amount is not None
    if amount <= 0:
        raise invalid_param("amount", "Invalid positive integer")
    if amount > remaining:
        currency = charge["currency"]
        raise refused(
            f"Refund amount ({pricing.money(amount, currency)}) is greater than unrefunded "
            f"amount on charge ({pricing.money(remaining, currency)})",
            "amount_too_large",
            "amount",
        )
    return amount


def _recount(charge: dict[str, Any]) -> None:
    data = store.data()
    refunds = (data.objects[refund_id] for refund_id in data.private[charge["id"]]["refunds"])
    charge["amount_refunded"] = sum(r["amount"] for r in refunds if r["status"] in _TAKES_MONEY)
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]


@routes.post("/v1/refunds")
async def create_refund(request: web.Request) -> web.Response:
    params = request["params"]
    reason = as_str(params, "reason")
    if reason is not None and reason not in REASONS:
        raise invalid_param("reason", "Invalid reason: must be one of " + ", ".join(REASONS))
    charge = _charge_to_refund(params)
    amount = _refundable_amount(charge, params)
    pending = store.data().private[charge["id"]]["number"] == cards.PENDING_REFUND
    refund = make(
        stripe.Refund,
        id=store.new_id("re"),
        object="refund",
        amount=amount,
        charge=charge["id"],
        created=store.now(),
        currency=charge["currency"],
        metadata=metadata_update({}, params),
        payment_intent=charge["payment_intent"],
        payment_method=charge["payment_method"],
        pending_reason="processing" if pending else None,
        reason=reason,
        status="pending" if pending else "succeeded",
    )
    description = charge["description"]
    txn = balance.for_refund(refund, f"REFUND FOR CHARGE ({description or 'Payment'})")
    refund["balance_transaction"] = txn["id"]
    data = store.data()
    data.add(refund)
    data.private[charge["id"]]["refunds"].append(refund["id"])
    before = fresh(charge)
    _recount(charge)
    events.emit("charge.refunded", charge, before)
    events.emit("refund.created", refund)
    store.changed()
    return reply(refund, params)


def move(refund: dict[str, Any], status: str, failure_reason: str | None = None) -> None:
    """A refund's status changes later on, as at the card network; the events follow."""
    if refund["status"] in _FINAL:
        raise invalid(f"A {refund['status']} refund is final.", param="status")
    if status == refund["status"]:
        return
    before = fresh(refund)
    refund.update(status=status, pending_reason="processing" if status == "pending" else None)
    if status in _FINAL:
        refund["failure_reason"] = failure_reason
        refund["failure_balance_transaction"] = balance.for_refund_failure(refund)["id"]
    _recount(store.data().objects[refund["charge"]])
    events.emit("charge.refund.updated", refund, before)
    events.emit("refund.updated", refund, before)
    if status == "failed":
        events.emit("refund.failed", refund, before)
    store.changed()


def _refund(request: web.Request) -> dict[str, Any]:
    return store.data().get("refund", request.match_info["id"], "refund")


routes.get("/v1/refunds/{id}")(lists.retriever("refund", "refund"))


@routes.post("/v1/refunds/{id}")
async def update_refund(request: web.Request) -> web.Response:
    refund = _refund(request)
    refund["metadata"] = metadata_update(refund["metadata"] or {}, request["params"])
    store.changed()
    return reply(refund, request["params"])


@routes.post("/v1/refunds/{id}/cancel")
async def cancel_refund(request: web.Request) -> web.Response:
    """https://docs.stripe.com/api/refunds/cancel: only a refund in requires_action."""
    refund = _refund(request)
    if refund["status"] != "requires_action":
        raise StripeError(
            400,
            f"You can't cancel this refund because it has a status of {refund['status']}. "
            "Only refunds with a status of requires_action can be canceled.",
        )
    move(refund, "canceled", "merchant_request")
    return reply(refund, request["params"])


routes.get("/v1/refunds")(lists.handler("refund", lists.by_payment()))


@routes.post("/_config/refunds/{id}/status")
async def set_status(request: web.Request) -> web.Response:
    """Test control: move a refund to pending, requires_action, succeeded or failed."""
    body = await control_body(request)
    status = body.get("status")
    if status not in ("pending", "requires_action", "succeeded", "failed"):
        raise invalid_param(
            "status", "status must be one of pending, requires_action, succeeded, failed"
        )
    failure_reason = body.get("failure_reason") or "expired_or_canceled_card"
    move(_refund(request), status, failure_reason if status == "failed" else None)
    return web.json_response(_refund(request))


@routes.post("/_config/refunds/{id}/advance")
async def advance(request: web.Request) -> web.Response:
    """Test control: what the card network does later (docs.stripe.com/testing#refunds)."""
    refund = _refund(request)
    number = store.data().private[refund["charge"]]["number"]
    if refund["status"] == "pending":
        move(refund, "succeeded")
    elif refund["status"] == "succeeded" and number == cards.FAILING_REFUND:
        move(refund, "failed", "expired_or_canceled_card")
    else:
        raise invalid(f"Refund {refund['id']} has nothing more to happen to it.")
    return web.json_response(refund)
