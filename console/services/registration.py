"""Public registration: free at once, paid through a PaymentIntent confirmed by Stripe.js.

Card details go from the browser to Stripe; this module only creates the PaymentIntent
(with the metadata contract and an idempotency key per registrant, price and seat hold,
so a reload or a double submit reuses it) and counts a registration as paid only when
Stripe says the PaymentIntent succeeded: checked right after confirmation, and again
after each sync for the browser that closed too early.

A paid registration holds its seat from the PaymentIntent's creation for SEAT_HOLD; then
the background round cancels the PaymentIntent and frees the seat. So two people racing
for the last seat: one pays, the other is told the webinar is full before paying.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from console.domain.catalog import Receipt, Registration, RegistrationStatus, Webinar
from console.domain.email_address import EmailAddressInvalid, normalized_email
from console.formatting import i18n
from console.formatting.i18n import N_, _, word_for
from console.formatting.presentation import refusal_text
from console.mail import mailer, notifications
from console.settings import StripeSettings, public_url, stripe_settings
from console.store import catalog, db
from console.stripe_api import gateway
from console.stripe_api.mirror import object_id

# Stripe's test cards, listed on the registration page in test mode.
TEST_CARDS = (
    ("Visa", "4242 4242 4242 4242", N_("succeeds")),
    ("Mastercard", "5555 5555 5555 4444", N_("succeeds")),
    ("American Express", "3782 822463 10005", N_("succeeds")),
    ("Discover", "6011 1111 1111 1117", N_("succeeds")),
    ("Visa", "4000 0000 0000 0002", N_("is declined")),
)


# A card payment holds its seat this long; past it the PaymentIntent is cancelled.
SEAT_HOLD = timedelta(minutes=15)
FULL = N_("This webinar is full. Ask the organizer about a later date.")
# One seat count-and-write at a time in this process. Other processes cannot interleave:
# DuckDB lets one process at a time have the database file (console/store/db.py).
_seats = threading.Lock()


class RegistrationRefused(ValueError):
    """Why this person cannot register, in a sentence that says what to do."""


@dataclass(frozen=True)
class Checkout:
    registrant_id: str
    payment_intent_id: str
    client_secret: str
    amount: int
    currency: str
    return_token: str


@dataclass(frozen=True)
class Confirmation:
    """What the person who registered sees when they come back by their link."""

    webinar: Webinar
    name: str
    email: str
    status: RegistrationStatus
    receipt: Receipt | None  # None: free, or not paid (yet)


def registration_link(webinar_id: str) -> str:
    """The public address where people register for the webinar."""
    return f"{public_url()}/?{urlencode({'webinar': webinar_id})}"


def return_link(return_token: str) -> str:
    """The public address that brings a registrant back to their confirmation."""
    return f"{public_url()}/?{urlencode({'registration': return_token})}"


def _new_return_token() -> str:
    return secrets.token_urlsafe(16)


def return_token_of(registrant_id: str) -> str:
    with db.connect() as con:
        return catalog.return_token(con, registrant_id)


_STATUS_TEXT = {
    RegistrationStatus.REGISTERED: N_("registered"),
    RegistrationStatus.PENDING_PAYMENT: N_("the payment is under way"),
    RegistrationStatus.PAYMENT_FAILED: N_("the payment failed"),
    RegistrationStatus.CANCELLED: N_("cancelled"),
}


def status_text(status: RegistrationStatus) -> str:
    """Where a registration stands, for the person who registered."""
    return word_for(status, _STATUS_TEXT)


def registrant_id_for(webinar_id: str, email: str) -> str:
    digest = hashlib.sha256(f"{webinar_id}|{email.lower()}".encode()).hexdigest()[:16]
    return f"reg_{digest}"


def open_webinars() -> dict[str, str]:
    """Webinars one can register for now: id -> title."""
    with db.connect() as con:
        rows = con.execute(
            """
            SELECT w.webinar_id, w.title FROM webinars w JOIN webinar_sessions s USING (webinar_id)
            WHERE w.status <> 'cancelled' GROUP BY ALL
            HAVING max(s.starts_at) > now() ORDER BY min(s.starts_at)
            """
        ).fetchall()
    return dict(rows)


def public_webinar(webinar_id: str) -> Webinar:
    webinar = catalog.load_webinar(webinar_id)
    if webinar is None:
        raise RegistrationRefused(_("This webinar does not exist. Check the link you were sent."))
    return webinar


def _existing(webinar_id: str, email: str) -> tuple[str, str | None] | None:
    with db.connect() as con:
        return con.execute(
            "SELECT status, payment_intent FROM registrants WHERE webinar_id = ? "
            "AND lower(email) = lower(?) AND status <> ? ORDER BY registered_at DESC LIMIT 1",
            [webinar_id, email, RegistrationStatus.CANCELLED],
        ).fetchone()


def check_registration(webinar: Webinar, name: str, email: str) -> tuple[str, str]:
    """The cleaned name and e-mail, or RegistrationRefused saying why not."""
    name = name.strip()
    if not name:
        raise RegistrationRefused(_("Please give your name."))
    try:
        email = normalized_email(email)
    except EmailAddressInvalid as invalid:
        raise RegistrationRefused(refusal_text(invalid)) from None
    if webinar.status == "cancelled":
        raise RegistrationRefused(_("This webinar is cancelled: registration is closed."))
    last_end = max(
        (s.starts_at + timedelta(minutes=s.duration_minutes) for s in webinar.sessions),
        default=None,
    )
    if last_end is not None and last_end.astimezone(UTC) < datetime.now(UTC):
        raise RegistrationRefused(_("This webinar has already taken place."))
    existing = _existing(webinar.webinar_id, email)
    if existing and existing[0] == RegistrationStatus.REGISTERED:
        raise RegistrationRefused(
            _(
                "{email} is already registered for this webinar. Look for the confirmation "
                "e-mail, or register with another address.",
                email=email,
            )
        )
    return name, email


def _take_seat(webinar: Webinar, registration: Registration) -> None:
    """Save the registration if the webinar has a seat for it, else refuse: counted and
    written in one step, so two people never get the last seat."""
    with _seats, db.connect(write=True) as con:
        taken = catalog.seats_taken(con, webinar.webinar_id, registration.registrant_id)
        if webinar.capacity is not None and taken >= webinar.capacity:
            raise RegistrationRefused(_(FULL))
        catalog.save_registrations(con, [registration])


def register_free(webinar_id: str, name: str, email: str, language: str | None = None) -> str:
    """Register at once; returns the registrant's id. Their e-mail is in `language` (the
    language of the work at hand when not given)."""
    webinar = public_webinar(webinar_id)
    if not webinar.is_free:
        raise RegistrationRefused(_("This webinar is not free: pay by card to register."))
    name, email = check_registration(webinar, name, email)
    registrant_id = registrant_id_for(webinar_id, email)
    registration = Registration(
        registrant_id,
        webinar_id,
        name,
        email,
        RegistrationStatus.REGISTERED,
        language=i18n.supported(language or i18n.language()),
        return_token=_new_return_token(),
    )
    _take_seat(webinar, registration)
    send_confirmation(webinar, registrant_id, None)
    return registrant_id


def start_paid_registration(
    webinar_id: str,
    name: str,
    email: str,
    settings: StripeSettings | None = None,
    language: str | None = None,
) -> Checkout:
    """Hold a seat, then create the PaymentIntent the browser confirms with the card. A
    reload or a second click while the hold lasts gets the same PaymentIntent back."""
    settings = settings or stripe_settings()
    webinar = public_webinar(webinar_id)
    if webinar.is_free:
        raise RegistrationRefused(_("This webinar is free: no payment is needed."))
    name, email = check_registration(webinar, name, email)
    registrant_id = registrant_id_for(webinar_id, email)
    with db.connect() as con:
        held_until = catalog.live_hold(con, registrant_id) or datetime.now(UTC) + SEAT_HOLD
    holding = Registration(
        registrant_id,
        webinar_id,
        name,
        email,
        RegistrationStatus.PENDING_PAYMENT,
        seat_held_until=held_until,
        language=i18n.supported(language or i18n.language()),
        return_token=_new_return_token(),  # kept: a registration has one link for good
    )
    _take_seat(webinar, holding)
    # One PaymentIntent per hold: a new hold (the last one ran out) gets a new one.
    key = (
        f"register-{registrant_id}-{webinar.price_amount}-{webinar.price_currency}-"
        f"{int(held_until.timestamp())}"
    )
    try:
        intent = gateway.create_payment_intent(
            gateway.client(settings),
            webinar.price_amount,
            webinar.price_currency,
            gateway.PaymentMetadata(webinar_id, email, name, registrant_id),
            description=webinar.title,
            idempotency_key=key,
        )
    except BaseException:
        with db.connect(write=True) as con:  # no payment can happen: nobody keeps the seat
            catalog.forget_hold(con, registrant_id)
        raise
    with db.connect(write=True) as con:
        catalog.save_registrations(con, [replace(holding, payment_intent=intent["id"])])
        return_token = catalog.return_token(con, registrant_id)
    return Checkout(
        registrant_id,
        intent["id"],
        intent["client_secret"],
        intent["amount"],
        intent["currency"],
        return_token,
    )


def _release(registrant_id: str) -> None:
    with db.connect(write=True) as con:
        catalog.release_seat(con, registrant_id)


def release_expired_holds(settings: StripeSettings | None = None) -> int:
    """Payments not finished within their hold: Stripe cancels them (so nobody can pay
    for a seat given to someone else) and the seat is free again. One Stripe has charged
    meanwhile is a paid registration. Returns how many holds ended."""
    settings = settings or stripe_settings()
    with db.connect() as con:
        expired = catalog.expired_holds(con)
    client = gateway.client(settings)
    for registrant_id, intent_id in expired:
        intent = gateway.retrieve_payment_intent(client, intent_id)
        if intent["status"] == "succeeded":
            _mark_paid(client, registrant_id, intent)
            continue
        if intent["status"] != "canceled":
            gateway.cancel_payment_intent(client, intent_id)
        _release(registrant_id)
    return len(expired)


def complete_paid_registration(
    registrant_id: str, payment_intent_id: str, settings: StripeSettings | None = None
) -> bool:
    """Ask Stripe whether the payment succeeded; only then is the registration paid."""
    settings = settings or stripe_settings()
    client = gateway.client(settings)
    intent = gateway.retrieve_payment_intent(client, payment_intent_id)
    if intent["status"] != "succeeded":
        return False
    if gateway.PaymentMetadata.registrant_id_of(intent) != registrant_id:
        raise RegistrationRefused(_("This payment belongs to another registration."))
    _mark_paid(client, registrant_id, intent)
    return True


def _receipt(client, intent: dict) -> Receipt:
    """What Stripe recorded of a succeeded payment: amount, card and when."""
    charge_id = object_id(intent.get("latest_charge"))
    charge = gateway.retrieve_charge(client, charge_id) if charge_id else {}
    card = (charge.get("payment_method_details") or {}).get("card") or {}
    return Receipt(
        amount=intent["amount"],
        currency=intent["currency"],
        paid_at=datetime.fromtimestamp(charge.get("created") or intent["created"], UTC),
        card_brand=card.get("brand"),
        card_last4=card.get("last4"),
    )


def _mark_paid(client, registrant_id: str, intent: dict) -> None:
    with db.connect(write=True) as con:
        row = catalog.mark_paid(con, registrant_id)
    if row is None:
        return  # already marked (a reload, or the sync got there first): nothing to ask
    send_confirmation(catalog.load_webinar(row[0]), registrant_id, _receipt(client, intent))


def settle_from_mirror(settings: StripeSettings | None = None) -> int:
    """After a sync: registrations whose PaymentIntent succeeded at Stripe become paid."""
    with db.connect() as con:
        rows = con.execute(
            "SELECT r.registrant_id, p.id FROM registrants r "
            "JOIN stripe_payment_intents p ON p.id = r.payment_intent "
            "WHERE list_contains(?, r.status) AND p.status = 'succeeded'",
            [[RegistrationStatus.PENDING_PAYMENT, RegistrationStatus.PAYMENT_FAILED]],
        ).fetchall()
    if not rows:
        return 0
    client = gateway.client(settings or stripe_settings())
    for registrant_id, intent_id in rows:
        _mark_paid(client, registrant_id, gateway.retrieve_payment_intent(client, intent_id))
    return len(rows)


def send_confirmation(webinar: Webinar, registrant_id: str, receipt: Receipt | None) -> bool:
    """The registration's one e-mail (its receipt when paid), in the registrant's language."""
    with db.connect() as con:
        registrant = catalog.registrant(con, registrant_id)
    return mailer.send_once(
        f"confirmation-{registrant_id}",
        notifications.confirmation_message(
            registrant.email,
            registrant.name,
            webinar,
            receipt,
            registrant.language,
            return_link(registrant.return_token) if registrant.return_token else None,
        ),
    )


def confirmation(return_token: str, settings: StripeSettings | None = None) -> Confirmation:
    """The registration behind a return link, with its receipt from Stripe when paid."""
    with db.connect() as con:
        registrant = catalog.registrant_by_return_token(con, return_token)
    if registrant is None:
        raise RegistrationRefused(
            _("This link does not lead to a registration. Check the link in your e-mail.")
        )
    webinar = public_webinar(registrant.webinar_id)
    receipt = None
    if registrant.payment_intent and registrant.status == RegistrationStatus.REGISTERED:
        client = gateway.client(settings or stripe_settings())
        receipt = _receipt(
            client, gateway.retrieve_payment_intent(client, registrant.payment_intent)
        )
    return Confirmation(
        webinar, registrant.name, registrant.email, RegistrationStatus(registrant.status), receipt
    )
