"""Refunds the console asked for but never saw settled: answers lost to a crash or a
timeout, and refunds Stripe left pending. Run after each sync, as the sync's actor."""

from __future__ import annotations

from console.services import audit
from console.services.access import ADMIN, FINANCE, Actor, require
from console.services.refunds import issuing
from console.settings import StripeSettings, stripe_settings
from console.store import db, refund_requests, rollups
from console.stripe_api import gateway, mirror

# Who settles open requests after a sync: the audit still names the person who asked.
SYNC_ACTOR = Actor("sync@console", ADMIN)


def recover(actor: Actor, settings: StripeSettings | None = None) -> int:
    """Finish requests left open by a crash or a timeout. Returns how many were settled.
    It acts on every webinar's refunds: admins and finance (and the sync, an admin)."""
    require(actor, ADMIN, FINANCE)
    settings = settings or stripe_settings()
    settled = 0
    for request_id in refund_requests.open_request_ids(settings.livemode):
        request = refund_requests.load(request_id)
        found = _find_at_stripe(settings, request)
        if found is not None:
            issuing.record(request, found)
        else:
            try:
                issuing.drive(actor, request_id, settings)
            except (issuing.RefundRefused, gateway.StripeProblem):
                continue
        settled += 1
    if settled:
        rollups.refresh()  # the pages and reports count what was settled
    return settled


def _find_at_stripe(settings: StripeSettings, request: dict) -> dict | None:
    """The refund Stripe made for this request, if any (Stripe keeps keys only 24 hours)."""
    refunds = gateway.every_object(
        gateway.client(settings), "refunds", {"charge": request["charge_id"]}
    )
    for refund in refunds:
        if gateway.RefundMetadata.request_id_of(refund) == request["request_id"]:
            return refund
    return None


def follow_pending(actor: Actor, settings: StripeSettings | None = None) -> int:
    """Ask Stripe about refunds still in flight; record those that have moved on (every
    webinar's: admins and finance, and the sync)."""
    require(actor, ADMIN, FINANCE)
    settings = settings or stripe_settings()
    in_flight = refund_requests.in_flight(settings.livemode)
    if not in_flight:
        return 0  # nothing to ask: no Stripe key needed either
    moved = 0
    client = gateway.client(settings)
    for request_id, refund_id in in_flight:
        refund = gateway.retrieve_refund(client, refund_id)
        if refund["status"] in refund_requests.IN_FLIGHT:
            continue
        with db.connect(write=True) as con:
            mirror.save(con, refund, settings.livemode)
            refund_requests.record_status(
                con, request_id, refund["status"], refund.get("failure_reason")
            )
            audit.record(
                con,
                actor.email,
                f"refund {refund['status']}",
                subject=refund["charge"],
                amount=refund["amount"],
                currency=refund["currency"],
                stripe_id=refund["id"],
            )
        moved += 1
    if moved:
        rollups.refresh()
    return moved
