"""The audit log: who did what, when, with the values before and after. Append-only."""

from __future__ import annotations

import duckdb
import pandas as pd

from console.services.access import ADMIN, ORGANIZER, Actor, require, require_webinar_owner
from console.store import audit_log, catalog


def record(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    *,
    webinar_id: str | None = None,
    subject: str | None = None,
    amount: int | None = None,
    currency: str | None = None,
    reason: str | None = None,
    stripe_id: str | None = None,
    before: object = None,
    after: object = None,
) -> None:
    """Add an entry in the caller's transaction, so it stands or falls with the change."""
    audit_log.append(
        con,
        actor,
        action,
        webinar_id=webinar_id,
        subject=subject,
        amount=amount,
        currency=currency,
        reason=reason,
        stripe_id=stripe_id,
        before=before,
        after=after,
    )


def webinar_log(actor: Actor, webinar_id: str) -> pd.DataFrame:
    """The entries about one webinar, newest first (its organizer's, or an admin's)."""
    require(actor, ADMIN, ORGANIZER)
    if actor.role == ORGANIZER:
        webinar = catalog.load_webinar(webinar_id)
        require_webinar_owner(actor, webinar.organizer_email if webinar else "")
    return audit_log.of_webinar(webinar_id)


def actions(actor: Actor) -> list[str]:
    require(actor, ADMIN)
    return audit_log.actions()


def search(
    actor: Actor, who: str = "", action: str | None = None, webinar_id: str = ""
) -> pd.DataFrame:
    """Entries matching the filters, newest first (admins only)."""
    require(actor, ADMIN)
    return audit_log.search(who.strip(), action, webinar_id.strip())
