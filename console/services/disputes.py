"""Disputes, from the Stripe mirror: the open ones with their evidence deadline, the closed
ones with what they did to net, and the ones whose deadline is near.

A dispute's amount is in the payment's (presentment) currency; its fee and its effect on
net are the sums of the balance transactions whose source is the dispute, in the settlement
currency (DESIGN.md, "Ledger"): a lost chargeback is -amount - fee, a won one -fee, an
inquiry 0. Organizers see the disputes of their own webinars only.
"""

from __future__ import annotations

import pandas as pd

from console.services.access import (
    ADMIN,
    FINANCE,
    ORGANIZER,
    Actor,
    in_scope,
    organizer_scope,
    require,
)
from console.services.analytics import DASHBOARD
from console.store import db

# Stripe's statuses (https://docs.stripe.com/api/disputes/object#dispute_object-status).
NEEDS_RESPONSE = ("warning_needs_response", "needs_response", "appeal_needs_response")
UNDER_REVIEW = ("warning_under_review", "under_review", "appeal_under_review")
OPEN = NEEDS_RESPONSE + UNDER_REVIEW
CLOSED = ("won", "lost", "warning_closed", "prevented")
# Who may read disputes (organizers: of their own webinars).
READERS = (ADMIN, FINANCE, ORGANIZER)
# A dispute needing a response within this long of its deadline is flagged (inclusive).
DUE_SOON_SECONDS = 3 * 86400


def _dashboard(livemode: bool) -> str:
    """The dashboard's page of a dispute, in the key's mode."""
    return f"{DASHBOARD}/{'' if livemode else 'test/'}disputes/"


# The disputes of $livemode in $statuses that the actor ($scope) may see, with the
# payment's registrant and webinar: the WITH clause of every query here.
_VISIBLE = f"""
    SELECT d.id AS dispute_id, d.status, d.reason, d.amount, d.currency, d.created,
           d.due_by, d.charge AS charge_id,
           coalesce(c.webinar_id, 'unattributed') AS webinar_id, w.title, c.name, c.email,
           c.settlement_currency AS charge_settlement_currency
    FROM stripe_disputes d
    LEFT JOIN charge_facts c ON c.charge_id = d.charge AND c.livemode = d.livemode
    LEFT JOIN webinars w ON w.webinar_id = c.webinar_id
    WHERE d.livemode = $livemode AND list_contains($statuses, d.status)
      AND {in_scope("w.organizer_email")}
"""  # noqa: S608 - fixed text; values are parameters


def _params(actor: Actor, livemode: bool, statuses: tuple[str, ...], **more: object) -> dict:
    """The query's parameters, once the actor may read disputes at all."""
    require(actor, *READERS)
    scope = organizer_scope(actor)
    return {"livemode": livemode, "scope": scope, "statuses": list(statuses), **more}


def open_disputes(actor: Actor, livemode: bool, now: int) -> pd.DataFrame:
    """Disputes still open at Stripe, the nearest evidence deadline first: reason, amount
    (presentment), registrant, webinar, deadline (UTC), whether it is due within three days
    of `now` (unix seconds) or past, and the dispute's page in Stripe's dashboard."""
    sql = f"""
    WITH disputes AS ({_VISIBLE})
    SELECT dispute_id, status, reason, amount, currency, name, email, webinar_id, title,
           epoch_ms(created * 1000) AS opened_at, epoch_ms(due_by * 1000) AS due_by,
           coalesce(list_contains($needs_response, status)
                    AND due_by - $now <= $window, false) AS due_soon,
           coalesce(list_contains($needs_response, status) AND due_by < $now, false)
               AS overdue,
           charge_id, $dashboard || dispute_id AS dispute_link
    FROM disputes
    ORDER BY disputes.due_by NULLS LAST, created, dispute_id
    """  # noqa: S608 - fixed text; values are parameters
    return db.query_frame(
        sql,
        _params(
            actor,
            livemode,
            OPEN,
            now=now,
            window=DUE_SOON_SECONDS,
            needs_response=list(NEEDS_RESPONSE),
            dashboard=_dashboard(livemode),
        ),
    )


def due_soon(actor: Actor, livemode: bool, now: int) -> pd.DataFrame:
    """Disputes that need a response by three days after `now` (unix seconds), those past
    their deadline included, the nearest first: id, deadline (unix seconds), overdue. Small
    and cheap: every page of figures asks it for its banner."""
    sql = f"""
    WITH disputes AS ({_VISIBLE})
    SELECT dispute_id, due_by, due_by < $now AS overdue
    FROM disputes
    WHERE due_by - $now <= $window
    ORDER BY due_by, dispute_id
    """  # noqa: S608 - fixed text; values are parameters
    return db.query_frame(
        sql, _params(actor, livemode, NEEDS_RESPONSE, now=now, window=DUE_SOON_SECONDS)
    )


# Each closed dispute's balance transactions: its withdrawal and, if won, its reinstatement.
_HISTORY = f"""
WITH disputes AS ({_VISIBLE}),
ledger AS (
    SELECT b.source, sum(b.fee)::BIGINT AS fee, sum(b.net)::BIGINT AS net,
           any_value(b.currency) AS currency
    FROM stripe_balance_transactions b JOIN disputes d ON d.dispute_id = b.source
    GROUP BY b.source
),
history AS (
    SELECT d.*, coalesce(l.currency, d.charge_settlement_currency, d.currency)
               AS settlement_currency,
           coalesce(l.fee, 0)::BIGINT AS fee, coalesce(l.net, 0)::BIGINT AS net_effect
    FROM disputes d LEFT JOIN ledger l ON l.source = d.dispute_id
)
"""  # noqa: S608 - fixed text; values are parameters


def dispute_history(actor: Actor, livemode: bool) -> pd.DataFrame:
    """Closed disputes, the latest opened first: won, lost, inquiries closed, with the
    dispute fee and the effect on net in the settlement currency."""
    sql = f"""
    {_HISTORY}
    SELECT dispute_id, status, reason, amount, currency, name, email, webinar_id, title,
           epoch_ms(created * 1000) AS opened_at, settlement_currency, fee, net_effect,
           charge_id, $dashboard || dispute_id AS dispute_link
    FROM history
    ORDER BY created DESC, dispute_id
    """  # noqa: S608 - fixed text; values are parameters
    return db.query_frame(sql, _params(actor, livemode, CLOSED, dashboard=_dashboard(livemode)))


def history_totals(actor: Actor, livemode: bool) -> pd.DataFrame:
    """Per settlement currency: closed disputes won, lost and closed without a chargeback,
    their fees and their effect on net."""
    sql = f"""
    {_HISTORY}
    SELECT settlement_currency, count(*) AS closed_disputes,
           count(*) FILTER (WHERE status = 'won') AS won,
           count(*) FILTER (WHERE status = 'lost') AS lost,
           count(*) FILTER (WHERE status IN ('warning_closed', 'prevented'))
               AS closed_without_chargeback,
           sum(fee)::BIGINT AS fees, sum(net_effect)::BIGINT AS net_effect
    FROM history
    GROUP BY settlement_currency
    ORDER BY settlement_currency
    """  # noqa: S608 - fixed text; values are parameters
    return db.query_frame(sql, _params(actor, livemode, CLOSED))


def net_effect_by_month(actor: Actor, livemode: bool) -> pd.DataFrame:
    """Won and lost disputes' effect on net by the month they opened (YYYY-MM, UTC) and
    settlement currency: one row per (month, settlement currency, status)."""
    sql = f"""
    {_HISTORY}
    SELECT strftime(epoch_ms(created * 1000), '%Y-%m') AS month, settlement_currency,
           status, count(*) AS disputes, sum(net_effect)::BIGINT AS net_effect
    FROM history
    WHERE status IN ('won', 'lost')
    GROUP BY ALL
    ORDER BY month, settlement_currency, status
    """  # noqa: S608 - fixed text; values are parameters
    return db.query_frame(sql, _params(actor, livemode, CLOSED))
