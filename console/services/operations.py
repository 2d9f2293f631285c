"""Work a person starts from the console: a sync, and what follows it."""

from __future__ import annotations

from console.formatting.i18n import _
from console.services import audit, refunds, registration
from console.services.access import ADMIN, FINANCE, Actor, require
from console.store import db
from console.stripe_api import sync
from console.stripe_api.gateway import StripeProblem


def start_sync(actor: Actor, on_progress: sync.ProgressCallback | None = None) -> sync.SyncResult:
    """A sync started by a person (admins and finance), recorded in the audit log."""
    require(actor, ADMIN, FINANCE)
    with db.connect(write=True) as con:
        audit.record(con, actor.email, "sync started")
    return sync.run_sync(on_progress=on_progress)


def settle_open_refunds() -> list[str]:
    """Refunds a crash left open, and those Stripe answered "pending", settled in the sync's
    name (after each sync, and in the background). Returns warnings (empty when all went
    well)."""
    try:
        refunds.recover(refunds.SYNC_ACTOR)
        refunds.follow_pending(refunds.SYNC_ACTOR)
    except StripeProblem as problem:
        return [_("Open refunds were not checked: {problem}", problem=problem)]
    return []


def release_expired_holds() -> list[str]:
    """Seats held by payments nobody finished in time: freed (the background round)."""
    try:
        registration.release_expired_holds()
    except StripeProblem as problem:
        return [_("Expired seat holds were not released: {problem}", problem=problem)]
    return []


def background_round() -> list[str]:
    """What the server does on its own, once a minute. Returns warnings for its log."""
    return settle_open_refunds() + release_expired_holds()


def settle_after_sync() -> list[str]:
    """Payments whose browser closed early, refunds whose answer was lost: record them.
    Returns warnings for people (empty when all went well)."""
    registration.settle_from_mirror()
    return settle_open_refunds()
