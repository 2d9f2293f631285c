"""The audit log: who did what, when, with the values before and after. Append-only."""

from __future__ import annotations

import pandas as pd

from console.services.access import ADMIN, ORGANIZER, Actor, require, require_webinar_owner
from console.store import audit_log, catalog

# Services write their entry in the transaction of the change it records (store/audit_log).
record = audit_log.append


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
