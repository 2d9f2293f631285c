"""Disputes (https://docs.stripe.com/disputes, https://docs.stripe.com/api/disputes).

Stripe's dispute test cards (docs.stripe.com/testing#disputes) are disputed as soon as the
charge succeeds. A chargeback withdraws the amount and the dispute fee at once
(docs.stripe.com/disputes/how-disputes-work); an inquiry withdraws nothing. Evidence with
uncategorized_text `winning_evidence` wins the dispute (the amount comes back, the fee does
not), `losing_evidence` loses it; closing a dispute accepts it as lost.
"""

from __future__ import annotations

from typing import Any

import stripe
from aiohttp import web

from . import balance, cards, events, lists, store
from .errors import invalid, refused
from .params import as_bool, as_hash, control_body, metadata_update
from .render import reply
from .shapes import fresh, make

EVIDENCE_DAYS = 7  # test-mode disputes are due about a week after they open
# Visa's reason codes for the test cards' reasons (docs.stripe.com/disputes/categories).
NETWORK_REASON_CODES = {"fraudulent": "10.4", "product_not_received": "13.1"}
_CLOSED = ("won", "lost", "warning_closed", "prevented")

routes = web.RouteTableDef()


def after_charge(charge: dict[str, Any]) -> None:
    """A dispute test card: the cardholder disputes the charge right after it succeeds."""
    dispute = cards.DISPUTES.get(store.data().private[charge["id"]]["number"])
    if dispute is not None:
        reason, inquiry = dispute
        open_dispute(charge, reason, inquiry, by_request=False)


def open_dispute(
    charge: dict[str, Any], reason: str, inquiry: bool, by_request: bool
) -> dict[str, Any]:
    created = store.now()
    details = stripe.Dispute.PaymentMethodDetails
    network_reason = NETWORK_REASON_CODES.get(reason)
    brand = charge["payment_method_details"]["card"]["brand"]
    dispute = make(
        stripe.Dispute,
        id=store.new_id("dp"),
        object="dispute",
        amount=charge["amount"] - charge["amount_refunded"],
        charge=charge["id"],
        created=created,
        currency=charge["currency"],
        evidence_details=make(
            stripe.Dispute.EvidenceDetails,
            due_by=created + EVIDENCE_DAYS * 86400,
            submission_method="not_submitted",
        ),
        # An inquiry can still be settled by refunding; a chargeback already took the money.
        is_charge_refundable=inquiry,
        livemode=store.data().livemode,
        metadata={},
        network_reason_code=network_reason,
        payment_intent=charge["payment_intent"],
        payment_method_details=make(
            details,
            type="card",
            card=make(
                details.Card,
                brand=brand,
                case_type="inquiry" if inquiry else "chargeback",
                network=brand,
                network_reason_code=network_reason,
            ),
        ),
        reason=reason,
        status="warning_needs_response" if inquiry else "needs_response",
    )
    store.data().add(dispute)
    store.data().private[charge["id"]]["disputes"].append(dispute["id"])
    charge["disputed"] = True
    store.changed()
    events.emit("charge.dispute.created", dispute, by_request=by_request)
    if not inquiry:
        _withdraw(dispute, by_request)
    return dispute


def _withdraw(dispute: dict[str, Any], by_request: bool) -> None:
    before = fresh(dispute)
    dispute["balance_transactions"].append(fresh(balance.for_dispute(dispute)))
    dispute["is_charge_refundable"] = False
    events.emit("charge.dispute.funds_withdrawn", dispute, before, by_request=by_request)


def blocks_refunds(charge: dict[str, Any]) -> bool:
    """A charge with a dispute can be refunded only if the dispute says it is refundable."""
    data = store.data()
    return any(
        not data.objects[dispute_id]["is_charge_refundable"]
        for dispute_id in data.private[charge["id"]]["disputes"]
    )


def _dispute(request: web.Request) -> dict[str, Any]:
    dispute = store.data().get("dispute", request.match_info["id"], "dispute")
    if dispute["status"] in _CLOSED:
        # Stripe has no error code for this (none among the API's codes).
        raise refused(f"This dispute is already closed (status {dispute['status']}).", None)
    return dispute


def _decide(dispute: dict[str, Any], text: str | None) -> None:
    """Stripe's test evidence (docs.stripe.com/testing#evidence) settles the dispute."""
    inquiry = dispute["status"].startswith("warning_")
    if text == "winning_evidence":
        _close(dispute, "warning_closed" if inquiry else "won")
    elif text == "losing_evidence" and inquiry:
        before = fresh(dispute)
        dispute["status"] = "needs_response"  # the inquiry escalates to a chargeback
        events.emit("charge.dispute.updated", dispute, before)
        _withdraw(dispute, by_request=True)
    elif text == "losing_evidence":
        _close(dispute, "lost")


def _close(dispute: dict[str, Any], status: str) -> None:
    before = fresh(dispute)
    dispute["status"] = status
    if status == "won":
        dispute["balance_transactions"].append(fresh(balance.for_dispute_reversal(dispute)))
        events.emit("charge.dispute.funds_reinstated", dispute, before)
    events.emit("charge.dispute.closed", dispute, before)


@routes.post("/v1/disputes/{id}")
async def update_dispute(request: web.Request) -> web.Response:
    params = request["params"]
    dispute = _dispute(request)
    before = fresh(dispute)
    evidence = as_hash(params, "evidence") or {}
    for field, value in evidence.items():
        if field not in dispute["evidence"] or isinstance(dispute["evidence"][field], dict):
            raise invalid(f"Received unknown parameter: evidence[{field}]", f"evidence[{field}]")
        dispute["evidence"][field] = value or None
    dispute["metadata"] = metadata_update(dispute["metadata"], params)
    details = dispute["evidence_details"]
    details["has_evidence"] = details["has_evidence"] or bool(evidence)
    submit = as_bool(params, "submit", default=True)  # Stripe submits unless told to stage
    if submit:
        details["submission_count"] += 1
        details["submission_method"] = "manual"
        inquiry = dispute["status"].startswith("warning_")
        dispute["status"] = "warning_under_review" if inquiry else "under_review"
    events.emit("charge.dispute.updated", dispute, before)
    if submit:
        _decide(dispute, dispute["evidence"]["uncategorized_text"])
    store.changed()
    return reply(dispute, params)


@routes.post("/v1/disputes/{id}/close")
async def close_dispute(request: web.Request) -> web.Response:
    """Accepting the dispute: it is lost (an inquiry just closes)."""
    dispute = _dispute(request)
    _close(dispute, "warning_closed" if dispute["status"].startswith("warning_") else "lost")
    store.changed()
    return reply(dispute, request["params"])


routes.get("/v1/disputes/{id}")(lists.retriever("dispute", "dispute"))


routes.get("/v1/disputes")(lists.handler("dispute", lists.by_payment()))


@routes.post("/_config/charges/{id}/dispute")
async def dispute_charge(request: web.Request) -> web.Response:
    """Test control: the cardholder disputes an existing charge (as the test cards do)."""
    body = await control_body(request)
    charge = store.data().get("charge", request.match_info["id"], "charge")
    if charge["status"] != "succeeded":
        raise invalid(f"Charge {charge['id']} has not succeeded: there is nothing to dispute.")
    open_dispute(
        charge, str(body.get("reason", "fraudulent")), bool(body.get("inquiry")), by_request=False
    )
    return web.json_response(charge)
