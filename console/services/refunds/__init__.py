"""Refunds: `issuing` plans a refund and makes it exactly once, `recovery` settles the ones
whose answer was lost or that Stripe left pending, `cancellation` cancels a registration
without a refund. Pages and jobs use the names below."""

from console.services.refunds.cancellation import cancel_registration_without_refund
from console.services.refunds.issuing import (
    REASONS,
    AlreadyRefunded,
    KnownCharge,
    RefundInProgress,
    RefundOutcome,
    RefundPlan,
    RefundRefused,
    drive,
    issue_refund,
    new_request_id,
    plan_refund,
    requests_of_webinar,
)
from console.services.refunds.recovery import SYNC_ACTOR, follow_pending, recover
from console.store.refund_requests import IN_FLIGHT, OPEN

__all__ = [
    "IN_FLIGHT",
    "OPEN",
    "REASONS",
    "SYNC_ACTOR",
    "AlreadyRefunded",
    "KnownCharge",
    "RefundInProgress",
    "RefundOutcome",
    "RefundPlan",
    "RefundRefused",
    "cancel_registration_without_refund",
    "drive",
    "follow_pending",
    "issue_refund",
    "new_request_id",
    "plan_refund",
    "recover",
    "requests_of_webinar",
]
