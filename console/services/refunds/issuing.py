"""Refunds issued from the console, planned then made exactly once.

How a refund happens at most once:
1. The request, with its idempotency key, and a lock on the charge are written to DuckDB
   in one transaction before Stripe is called. A second request on the same charge while
   one is in flight is refused ("in progress"); a double click re-submits the same request.
2. Stripe is asked with that key; any retry (ours, the SDK's, a recovery after a crash)
   sends the same key, so Stripe answers with the same refund instead of a new one.
3. The answer is recorded, the lock released, the audit entry written: one transaction.
If the process dies between 2 and 3, `recovery.recover` finds the open request, looks for
its refund at Stripe (by the request id in the refund's metadata) and records it.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pandas as pd

from console.domain.catalog import Webinar
from console.domain.money import MoneyError, convert, format_money, parse_minor_units
from console.formatting import i18n
from console.formatting.i18n import _
from console.formatting.presentation import dispute_status_text, refusal_text
from console.mail import mailer, notifications
from console.services import audit
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, require, require_webinar_owner
from console.settings import StripeSettings, stripe_settings
from console.store import catalog, db, refund_requests, rollups
from console.stripe_api import gateway, mirror

REASONS = ("requested_by_customer", "duplicate", "fraudulent")
# One thread of this process at a time asks Stripe for a request's refund and records the
# answer: a page's job and the background round may reach the same open request together.
_answering = threading.RLock()


class RefundRefused(ValueError):
    """A refund that cannot be made; the message says why and what would work."""


class RefundInProgress(RefundRefused):
    pass


class AlreadyRefunded(RefundRefused):
    """Nothing is left to refund on this payment."""


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

    def describe(self, locale: str | None = None) -> str:
        """The plan in words, in `locale` (by default the current language)."""
        with i18n.speaking(locale or i18n.language()) as language:
            values = {
                "amount": format_money(self.amount, self.currency, language),
                "charged": format_money(self.charged, self.currency, language),
                "who": self.name or self.email,
                "fee": format_money(self.fee, self.settlement_currency, language),
                "net": format_money(self.net_after, self.settlement_currency, language),
            }
            if not self.converted:
                return _(
                    "Refund {amount} of {charged} to {who}. Stripe keeps its fee of {fee}: it "
                    "is not returned. The organizer's net on this payment becomes {net}.",
                    **values,
                )
            return _(
                "Refund {amount} of {charged} to {who}. Stripe keeps its fee of {fee}: it is "
                "not returned. The organizer's net on this payment becomes about {net}. (The "
                "refund is converted to {currency} at Stripe's rate of the day.)",
                currency=self.settlement_currency.upper(),
                **values,
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
        raise RefundRefused(
            _(
                "There is no payment {charge_id} in the console. Sync, then retry.",
                charge_id=charge_id,
            )
        )
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
            _(
                "There is no paid payment {charge_id} in the console. Sync, then retry.",
                charge_id=charge_id,
            )
        )
    currency, fee, net, rate = row
    return _Settled(currency, int(fee), int(net), None if rate is None else Decimal(rate))


@dataclass(frozen=True)
class KnownCharge:
    """What a caller has read already about a paid charge of a webinar, so that refunding
    it does not read it again (a bulk job reads all of its webinar's charges at once)."""

    webinar: Webinar
    name: str | None
    email: str | None
    registrant_id: str | None
    settled: _Settled

    @property
    def owner(self) -> dict:
        return {
            "webinar_id": self.webinar.webinar_id,
            "name": self.name,
            "email": self.email,
            "organizer_email": self.webinar.organizer_email,
        }

    @classmethod
    def of(cls, webinar: Webinar, charge: dict) -> KnownCharge:
        """From a row of the webinar's paid charges, as cancellation_jobs.work_left reads
        them."""
        rate = charge["exchange_rate"]
        settled = _Settled(
            charge["settlement_currency"],
            int(charge["fee"]),
            int(charge["net"]),
            None if rate is None else Decimal(rate),
        )
        return cls(webinar, charge["name"], charge["email"], charge["registrant_id"], settled)


def _refuse_if_disputed(settings: StripeSettings, charge: dict) -> None:
    """Stripe refunds a disputed charge only while its dispute says so (an inquiry, say)."""
    if not charge.get("disputed"):
        return
    dispute = gateway.latest_dispute(gateway.client(settings), charge["id"])
    if dispute and dispute.get("is_charge_refundable"):
        return
    status = dispute["status"] if dispute else "open"
    raise RefundRefused(
        _(
            "This payment is disputed (dispute {status}), and Stripe does not refund it while "
            "the dispute stands. Answer the dispute in the Stripe dashboard instead.",
            status=dispute_status_text(status),
        )
    )


def plan_refund(
    actor: Actor,
    charge_id: str,
    amount_text: str | None,
    settings: StripeSettings | None = None,
    known: KnownCharge | None = None,
) -> RefundPlan:
    """Check a refund against Stripe now; `amount_text` None means everything refundable.
    `known`: what the caller read already about the charge in the console."""
    settings = settings or stripe_settings()
    owner = known.owner if known else _charge_owner(charge_id, settings.livemode)
    _check_actor(actor, owner)
    charge = _stripe_charge(settings, charge_id)
    currency = charge["currency"]
    if charge["status"] != "succeeded":
        raise RefundRefused(_("This payment did not succeed, so there is nothing to refund."))
    _refuse_if_disputed(settings, charge)
    refunded = int(charge.get("amount_refunded") or 0)
    refundable = charge["amount"] - refunded
    if refundable <= 0:
        raise AlreadyRefunded(_("This payment is already fully refunded."))
    if amount_text is None:
        amount = refundable
    else:
        amount = _parse_refund_amount(amount_text, currency)
        if amount > refundable:
            language = i18n.language()
            raise RefundRefused(
                _(
                    "At most {refundable} can still be refunded ({refunded} of {charged} was "
                    "refunded already). Lower the amount.",
                    refundable=format_money(refundable, currency, language),
                    refunded=format_money(refunded, currency, language),
                    charged=format_money(charge["amount"], currency, language),
                )
            )
    settled = known.settled if known else _settled(charge_id)
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
        raise RefundRefused(refusal_text(problem)) from None
    if amount <= 0:
        raise RefundRefused(_("A refund must be more than zero."))
    return amount


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
    known: KnownCharge | None = None,
) -> RefundOutcome:
    """Refund as planned, once. `request_id` comes from the form that asked (a double
    submit sends the same id and gets the same answer). A bulk job passes
    refresh_totals=False and refreshes the page totals once at its end, and `known`, what
    it read about the charge when it planned the refund a moment ago."""
    settings = settings or stripe_settings()
    _check_actor(actor, known.owner if known else _charge_owner(plan.charge_id, settings.livemode))
    if reason is not None and reason not in REASONS:
        raise RefundRefused(
            _("The reason must be one of {reasons}, or none.", reasons=", ".join(REASONS))
        )
    request = refund_requests.load(request_id)
    if request is None:
        new = refund_requests.NewRequest(
            request_id,
            settings.livemode,
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
        )
        try:
            with db.connect(write=True) as con:
                request = refund_requests.open_request(con, new)
        except duckdb.ConstraintException:
            raise RefundInProgress(
                _(
                    "Another refund of this payment is in progress. Look again in a moment: it "
                    "will show here when Stripe has answered."
                )
            ) from None
        except duckdb.TransactionException:
            raise RefundInProgress(
                _("Someone else is refunding this payment right now. Look again in a moment.")
            ) from None
    outcome = _drive(actor, request, settings, known)
    if refresh_totals:
        rollups.refresh()
    return outcome


def drive(actor: Actor, request_id: str, settings: StripeSettings) -> RefundOutcome:
    """Ask Stripe for the request's refund (same key every time) and record the answer."""
    return _drive(actor, refund_requests.load(request_id), settings, None)


def _drive(
    actor: Actor, request: dict, settings: StripeSettings, known: KnownCharge | None
) -> RefundOutcome:
    with _answering:
        request = refund_requests.load(request["request_id"])  # another thread may have
        if request["status"] != refund_requests.OPEN:  # settled it a moment ago
            return _outcome(request)
        return _ask_stripe(actor, request, settings, known)


def _ask_stripe(
    actor: Actor, request: dict, settings: StripeSettings, known: KnownCharge | None
) -> RefundOutcome:
    client = gateway.client(settings)
    try:
        refund = gateway.create_refund(
            client,
            charge_id=request["charge_id"],
            amount=None if request["amount"] is None else int(request["amount"]),
            reason=request["reason"],
            metadata=gateway.RefundMetadata(request["request_id"], request["requested_by"]),
            idempotency_key=request["idempotency_key"],
        )
    except gateway.StripeProblem as problem:
        if problem.retryable:
            raise  # stays open: the next look retries with the same key
        _record_failure(actor, request, str(problem))
        raise RefundRefused(_("Stripe refused the refund: {problem}", problem=problem)) from None
    return record(request, refund, known)


def record(request: dict, refund: dict, known: KnownCharge | None = None) -> RefundOutcome:
    """Stripe's answer to a request, its audit entry and the cancellation it asked for;
    once, however many threads or processes heard the answer."""
    with _answering:
        first = _record_once(request, refund, known)
    if first:
        _mail_refund(request, refund, known)
    return RefundOutcome(
        request["request_id"], refund["status"], refund["id"], refund["amount"], refund["currency"]
    )


def _record_once(request: dict, refund: dict, known: KnownCharge | None) -> bool:
    with db.connect(write=True) as con:
        mirror.save(con, refund, request["livemode"])
        if not refund_requests.record_answer(con, request["request_id"], refund):
            return False  # recorded already, by whoever heard first
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
            _cancel_registration(con, request, known)
    return True


def _cancel_registration(
    con: duckdb.DuckDBPyConnection, request: dict, known: KnownCharge | None
) -> None:
    if known is None:
        catalog.cancel_registration_of_charge(con, request["charge_id"])
    else:
        catalog.cancel_registration_of_payer(
            con, known.registrant_id, known.webinar.webinar_id, known.email
        )


def _record_failure(actor: Actor, request: dict, reason: str) -> None:
    with db.connect(write=True) as con:
        refund_requests.record_refusal(con, request["request_id"], reason)
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


def _mail_refund(request: dict, refund: dict, known: KnownCharge | None) -> None:
    if refund["status"] in ("failed", "canceled") or not request["registrant_email"]:
        return
    if known is not None:
        webinar, owner_name = known.webinar, known.name
    else:
        webinar, owner_name = _webinar_and_name(request)
    if webinar is None:
        return
    mailer.send_once(
        f"refund-{request['request_id']}",
        notifications.refund_message(
            request["registrant_email"],
            owner_name,
            webinar,
            refund["amount"],
            refund["currency"],
            cancelled=bool(request["cancel_registration"]),
            language=catalog.language_of(webinar.webinar_id, request["registrant_email"]),
        ),
    )


def _webinar_and_name(request: dict) -> tuple[Webinar | None, str | None]:
    """The request's webinar, and the name on its payment."""
    webinar = catalog.load_webinar(request["webinar_id"]) if request["webinar_id"] else None
    if webinar is None:
        return None, None
    with db.connect() as con:
        row = con.execute(
            "SELECT registrant_name FROM charge_attribution WHERE id = ?", [request["charge_id"]]
        ).fetchone()
    return webinar, row[0] if row else None


def new_request_id() -> str:
    return uuid.uuid4().hex


def requests_of_webinar(actor: Actor, webinar_id: str) -> pd.DataFrame:
    """The console's refund requests for a webinar, with their state at Stripe."""
    require(actor, ADMIN, ORGANIZER, FINANCE)
    if actor.role == ORGANIZER:  # an organizer reads the requests of their own webinars
        webinar = catalog.load_webinar(webinar_id)
        require_webinar_owner(actor, webinar.organizer_email if webinar else "")
    return refund_requests.of_webinar(webinar_id)
