"""Refunds issued from the console, exactly once, and registration cancellations.

How a refund happens at most once:
1. The request, with its idempotency key, and a lock on the charge are written to DuckDB
   in one transaction before Stripe is called. A second request on the same charge while
   one is in flight is refused ("in progress"); a double click re-submits the same request.
2. Stripe is asked with that key; any retry (ours, the SDK's, a recovery after a crash)
   sends the same key, so Stripe answers with the same refund instead of a new one.
3. The answer is recorded, the lock released, the audit entry written: one transaction.
If the process dies between 2 and 3, `recover` finds the open request, looks for its
refund at Stripe (by the request id in the refund's metadata) and records it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pandas as pd

from console.domain.money import MoneyError, convert, format_money, parse_minor_units
from console.mail import mailer, notifications
from console.services import audit
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, require, require_webinar_owner
from console.settings import StripeSettings, stripe_settings
from console.store import catalog, db, mirror, rollups
from console.stripe_api import gateway

REASONS = ("requested_by_customer", "duplicate", "fraudulent")
OPEN = "requested"  # written, Stripe's answer not recorded yet


class RefundRefused(ValueError):
    """A refund that cannot be made; the message says why and what would work."""


class RefundInProgress(RefundRefused):
    pass


@dataclass(frozen=True)
class RefundPlan:
    """What a refund would do, for the confirmation step. Nothing is written.

    The refund is in the payment's currency; what Stripe keeps and what the organizer is
    left with are in the settlement currency (a converted payment's differ)."""

    charge_id: str
    webinar_id: str | None
    name: str | None
    email: str | None
    currency: str
    amount: int  # what would be refunded now
    charged: int
    already_refunded: int
    settlement_currency: str
    fee: int  # Stripe's fees on this payment: not returned by a refund
    net_after: int  # what the organizer keeps of this payment afterwards
    converted: bool = False  # net_after is an estimate at the payment's exchange rate

    def describe(self, locale: str = "en") -> str:
        about = "about " if self.converted else ""
        return (
            f"Refund {format_money(self.amount, self.currency, locale)} of "
            f"{format_money(self.charged, self.currency, locale)} to {self.name or self.email}. "
            f"Stripe keeps its fee of "
            f"{format_money(self.fee, self.settlement_currency, locale)}: it is not returned. "
            f"The organizer's net on this payment becomes {about}"
            f"{format_money(self.net_after, self.settlement_currency, locale)}."
            + (
                f" (The refund is converted to {self.settlement_currency.upper()} at Stripe's "
                "rate of the day.)"
                if self.converted
                else ""
            )
        )


@dataclass(frozen=True)
class RefundOutcome:
    request_id: str
    status: str  # Stripe's: succeeded, pending, requires_action, failed, canceled
    stripe_refund_id: str | None
    amount: int
    currency: str


def _charge_owner(charge_id: str, livemode: bool) -> dict:
    with db.connect() as con:
        row = con.execute(
            "SELECT c.webinar_id, c.registrant_name, c.registrant_email, c.registrant_id, "
            "w.organizer_email FROM charge_attribution c "
            "LEFT JOIN webinars w USING (webinar_id) WHERE c.id = ? AND c.livemode = ?",
            [charge_id, livemode],
        ).fetchone()
    if row is None:
        raise RefundRefused(f"There is no payment {charge_id} in the console. Sync, then retry.")
    keys = ("webinar_id", "name", "email", "registrant_id", "organizer_email")
    return dict(zip(keys, row, strict=True))


def _check_actor(actor: Actor, owner: dict) -> None:
    require(actor, ADMIN, ORGANIZER, FINANCE)
    if actor.role == ORGANIZER:
        require_webinar_owner(actor, owner["organizer_email"] or "")


def _stripe_charge(settings: StripeSettings, charge_id: str) -> dict:
    """The charge as Stripe has it now: refunds made elsewhere count too."""
    return gateway.retrieve_charge(gateway.client(settings), charge_id)


@dataclass(frozen=True)
class _Settled:
    """A payment's money in the settlement currency, from its balance transactions."""

    currency: str
    fee: int
    net: int
    exchange_rate: Decimal | None


def _settled(charge_id: str) -> _Settled:
    with db.connect() as con:
        row = con.execute(
            "SELECT p.settlement_currency, p.fee, p.net, b.exchange_rate FROM paid_charges p "
            "JOIN stripe_charges c ON c.id = p.charge_id "
            "LEFT JOIN stripe_balance_transactions b ON b.id = c.balance_transaction "
            "WHERE p.charge_id = ?",
            [charge_id],
        ).fetchone()
    if row is None:
        raise RefundRefused(
            f"There is no paid payment {charge_id} in the console. Sync, then retry."
        )
    currency, fee, net, rate = row
    return _Settled(currency, int(fee), int(net), None if rate is None else Decimal(rate))


def _refuse_if_disputed(settings: StripeSettings, charge: dict) -> None:
    """Stripe refunds a disputed charge only while its dispute says so (an inquiry, say)."""
    if not charge.get("disputed"):
        return
    dispute = gateway.latest_dispute(gateway.client(settings), charge["id"])
    if dispute and dispute.get("is_charge_refundable"):
        return
    status = dispute["status"].replace("_", " ") if dispute else "open"
    raise RefundRefused(
        f"This payment is disputed (dispute {status}), and Stripe does not refund it while "
        "the dispute stands. Answer the dispute in the Stripe dashboard instead."
    )


def plan_refund(
    actor: Actor, charge_id: str, amount_text: str | None, settings: StripeSettings | None = None
) -> RefundPlan:
    """Check a refund against Stripe now; `amount_text` None means everything refundable."""
    settings = settings or stripe_settings()
    owner = _charge_owner(charge_id, settings.livemode)
    _check_actor(actor, owner)
    charge = _stripe_charge(settings, charge_id)
    currency = charge["currency"]
    if charge["status"] != "succeeded":
        raise RefundRefused("This payment did not succeed, so there is nothing to refund.")
    _refuse_if_disputed(settings, charge)
    refunded = int(charge.get("amount_refunded") or 0)
    refundable = charge["amount"] - refunded
    if refundable <= 0:
        raise RefundRefused("This payment is already fully refunded.")
    if amount_text is None:
        amount = refundable
    else:
        amount = _parse_refund_amount(amount_text, currency)
        if amount > refundable:
            raise RefundRefused(
                f"At most {format_money(refundable, currency)} can still be refunded "
                f"({format_money(refunded, currency)} of {format_money(charge['amount'], currency)}"
                " was refunded already). Lower the amount."
            )
    settled = _settled(charge_id)
    converted = settled.currency != currency and settled.exchange_rate is not None
    refund_settled = (
        convert(amount, currency, settled.exchange_rate, settled.currency) if converted else amount
    )
    return RefundPlan(
        charge_id,
        owner["webinar_id"],
        owner["name"],
        owner["email"],
        currency,
        amount,
        charge["amount"],
        refunded,
        settled.currency,
        settled.fee,
        settled.net - refund_settled,
        converted,
    )


def _parse_refund_amount(text: str, currency: str) -> int:
    try:
        amount = parse_minor_units(text, currency)
    except MoneyError as problem:
        raise RefundRefused(str(problem)) from None
    if amount <= 0:
        raise RefundRefused("A refund must be more than zero.")
    return amount


def _open_request(
    con: duckdb.DuckDBPyConnection,
    request_id: str,
    plan: RefundPlan,
    actor: Actor,
    livemode: bool,
    reason: str | None,
    note: str,
    cancel_registration: bool,
    job_id: str | None,
    full: bool,
) -> None:
    con.execute(
        "INSERT INTO refund_requests (request_id, idempotency_key, livemode, charge_id, "
        "webinar_id, registrant_email, amount, currency, reason, note, cancel_registration, "
        "job_id, requested_by, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            request_id,
            f"console-refund-{request_id}",
            livemode,
            plan.charge_id,
            plan.webinar_id,
            plan.email,
            None if full else plan.amount,
            plan.currency,
            reason,
            note,
            cancel_registration,
            job_id,
            actor.email,
            OPEN,
        ],
    )
    con.execute(
        "INSERT INTO charge_locks (charge_id, request_id) VALUES (?, ?)",
        [plan.charge_id, request_id],
    )


def _existing_request(request_id: str) -> dict | None:
    frame = db.query_frame("SELECT * FROM refund_requests WHERE request_id = ?", [request_id])
    return None if frame.empty else frame.astype(object).iloc[0].to_dict()


def issue_refund(
    actor: Actor,
    request_id: str,
    plan: RefundPlan,
    *,
    reason: str | None = None,
    note: str = "",
    cancel_registration: bool = False,
    job_id: str | None = None,
    full: bool = False,
    settings: StripeSettings | None = None,
    refresh_totals: bool = True,
) -> RefundOutcome:
    """Refund as planned, once. `request_id` comes from the form that asked (a double
    submit sends the same id and gets the same answer). A bulk job passes
    refresh_totals=False and refreshes the page totals once at its end."""
    settings = settings or stripe_settings()
    _check_actor(actor, _charge_owner(plan.charge_id, settings.livemode))
    if reason is not None and reason not in REASONS:
        raise RefundRefused(f"The reason must be one of {', '.join(REASONS)}, or none.")
    if _existing_request(request_id) is None:
        try:
            with db.connect(write=True) as con:
                _open_request(
                    con,
                    request_id,
                    plan,
                    actor,
                    settings.livemode,
                    reason,
                    note,
                    cancel_registration,
                    job_id,
                    full,
                )
        except duckdb.ConstraintException:
            raise RefundInProgress(
                "Another refund of this payment is in progress. Look again in a moment: it "
                "will show here when Stripe has answered."
            ) from None
        except duckdb.TransactionException:
            raise RefundInProgress(
                "Someone else is refunding this payment right now. Look again in a moment."
            ) from None
    outcome = _drive(actor, request_id, settings)
    if refresh_totals:
        rollups.refresh()
    return outcome


def _drive(actor: Actor, request_id: str, settings: StripeSettings) -> RefundOutcome:
    """Ask Stripe for the request's refund (same key every time) and record the answer."""
    request = _existing_request(request_id)
    if request["status"] != OPEN:
        return _outcome(request)
    client = gateway.client(settings)
    try:
        refund = gateway.create_refund(
            client,
            charge_id=request["charge_id"],
            amount=None if request["amount"] is None else int(request["amount"]),
            reason=request["reason"],
            metadata={"console_request_id": request_id, "requested_by": request["requested_by"]},
            idempotency_key=request["idempotency_key"],
        )
    except gateway.StripeProblem as problem:
        if problem.retryable:
            raise  # stays open: the next look retries with the same key
        _record_failure(actor, request, str(problem))
        raise RefundRefused(f"Stripe refused the refund: {problem}") from None
    return _record(request, refund)


def _record(request: dict, refund: dict) -> RefundOutcome:
    with db.connect(write=True) as con:
        mirror.save(con, refund, request["livemode"])
        con.execute(
            "UPDATE refund_requests SET status = ?, stripe_refund_id = ?, amount = ?, "
            "failure_reason = ?, updated_at = now() WHERE request_id = ?",
            [
                refund["status"],
                refund["id"],
                refund["amount"],
                refund.get("failure_reason"),
                request["request_id"],
            ],
        )
        con.execute("DELETE FROM charge_locks WHERE request_id = ?", [request["request_id"]])
        audit.record(
            con,
            request["requested_by"],
            "refund",
            webinar_id=request["webinar_id"],
            subject=f"{request['registrant_email']} · {request['charge_id']}",
            amount=refund["amount"],
            currency=refund["currency"],
            reason=request["reason"] or request["note"] or None,
            stripe_id=refund["id"],
            after={"status": refund["status"], "note": request["note"]},
        )
        if request["cancel_registration"]:
            catalog.cancel_registration_of_charge(con, request["charge_id"])
    _mail_refund(request, refund)
    return RefundOutcome(
        request["request_id"], refund["status"], refund["id"], refund["amount"], refund["currency"]
    )


def _record_failure(actor: Actor, request: dict, reason: str) -> None:
    with db.connect(write=True) as con:
        con.execute(
            "UPDATE refund_requests SET status = 'failed', failure_reason = ?, updated_at = now() "
            "WHERE request_id = ?",
            [reason, request["request_id"]],
        )
        con.execute("DELETE FROM charge_locks WHERE request_id = ?", [request["request_id"]])
        audit.record(
            con,
            actor.email,
            "refund refused by Stripe",
            webinar_id=request["webinar_id"],
            subject=request["charge_id"],
            amount=request["amount"],
            currency=request["currency"],
            reason=reason,
        )


def _outcome(request: dict) -> RefundOutcome:
    return RefundOutcome(
        request["request_id"],
        request["status"],
        request["stripe_refund_id"],
        int(request["amount"] or 0),
        request["currency"],
    )


def _mail_refund(request: dict, refund: dict) -> None:
    if refund["status"] in ("failed", "canceled") or not request["registrant_email"]:
        return
    webinar = catalog.load_webinar(request["webinar_id"]) if request["webinar_id"] else None
    if webinar is None:
        return
    owner_name = None
    with db.connect() as con:
        row = con.execute(
            "SELECT registrant_name FROM charge_attribution WHERE id = ?", [request["charge_id"]]
        ).fetchone()
        owner_name = row[0] if row else None
    mailer.send_once(
        f"refund-{request['request_id']}",
        notifications.refund_message(
            request["registrant_email"],
            owner_name,
            webinar,
            refund["amount"],
            refund["currency"],
            cancelled=bool(request["cancel_registration"]),
        ),
    )


# Who settles open requests after a sync: the audit still names the person who asked.
SYNC_ACTOR = Actor("sync@console", ADMIN)


def recover(actor: Actor, settings: StripeSettings | None = None) -> int:
    """Finish requests left open by a crash or a timeout. Returns how many were settled."""
    require(actor, ADMIN, ORGANIZER, FINANCE)
    settings = settings or stripe_settings()
    with db.connect() as con:
        open_ids = [
            row[0]
            for row in con.execute(
                "SELECT request_id FROM refund_requests WHERE status = ? AND livemode = ? "
                "ORDER BY requested_at",
                [OPEN, settings.livemode],
            ).fetchall()
        ]
    settled = 0
    for request_id in open_ids:
        request = _existing_request(request_id)
        found = _find_at_stripe(settings, request)
        if found is not None:
            _record(request, found)
        else:
            try:
                _drive(actor, request_id, settings)
            except (RefundRefused, gateway.StripeProblem):
                continue
        settled += 1
    return settled


def _find_at_stripe(settings: StripeSettings, request: dict) -> dict | None:
    """The refund Stripe made for this request, if any (Stripe keeps keys only 24 hours)."""
    refunds = gateway.every_object(
        gateway.client(settings), "refunds", {"charge": request["charge_id"]}
    )
    for refund in refunds:
        if (refund.get("metadata") or {}).get("console_request_id") == request["request_id"]:
            return refund
    return None


# Refunds Stripe has not finished: they count as refunded only once they succeed.
IN_FLIGHT = ("pending", "requires_action")


def follow_pending(actor: Actor, settings: StripeSettings | None = None) -> int:
    """Ask Stripe about refunds still in flight; record those that have moved on."""
    require(actor, ADMIN, ORGANIZER, FINANCE)
    settings = settings or stripe_settings()
    with db.connect() as con:
        pending = con.execute(
            "SELECT request_id, stripe_refund_id FROM refund_requests "
            "WHERE list_contains(?, status) AND livemode = ?",
            [list(IN_FLIGHT), settings.livemode],
        ).fetchall()
    moved = 0
    client = gateway.client(settings)
    for request_id, refund_id in pending:
        refund = gateway.retrieve_refund(client, refund_id)
        if refund["status"] in IN_FLIGHT:
            continue
        with db.connect(write=True) as con:
            mirror.save(con, refund, settings.livemode)
            con.execute(
                "UPDATE refund_requests SET status = ?, failure_reason = ?, "
                "updated_at = now() WHERE request_id = ?",
                [refund["status"], refund.get("failure_reason"), request_id],
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
    return moved


def refund_requests(actor: Actor, webinar_id: str) -> pd.DataFrame:
    """The console's refund requests for a webinar, with their state at Stripe."""
    require(actor, ADMIN, ORGANIZER, FINANCE)
    return db.query_frame(
        "SELECT requested_at, requested_by, registrant_email, charge_id, amount, currency, "
        "reason, note, status, stripe_refund_id, failure_reason FROM refund_requests "
        "WHERE webinar_id = ? ORDER BY requested_at DESC",
        [webinar_id],
    )


def new_request_id() -> str:
    return uuid.uuid4().hex


def cancel_registration_without_refund(
    actor: Actor, webinar_id: str, email: str, reason: str
) -> None:
    """Cancel one registration and tell the registrant; no money moves."""
    webinar = catalog.load_webinar(webinar_id)
    if webinar is None:
        raise RefundRefused(f"There is no webinar {webinar_id}.")
    require_webinar_owner(actor, webinar.organizer_email)
    if not reason.strip():
        raise RefundRefused("Give the reason for the cancellation: the registrant reads it.")
    with db.connect(write=True) as con:
        rows = catalog.cancel_registrations_by_email(con, webinar_id, email)
        if not rows:
            raise RefundRefused(f"{email} has no active registration for this webinar.")
        audit.record(
            con,
            actor.email,
            "cancel registration",
            webinar_id=webinar_id,
            subject=email,
            reason=reason,
            before={"status": "registered"},
            after={"status": "cancelled", "refund": None},
        )
    mailer.send_once(
        f"cancel-{webinar_id}-{rows[0][0]}",
        notifications.cancellation_message(
            email, rows[0][1], webinar, reason, paid=not webinar.is_free
        ),
    )
