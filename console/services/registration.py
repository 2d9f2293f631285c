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
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from console.domain.catalog import Registration, RegistrationStatus, Webinar
from console.domain.email_address import EmailAddressInvalid, normalized_email
from console.mail import mailer, notifications
from console.settings import StripeSettings, stripe_settings
from console.store import catalog, db
from console.stripe_api import gateway

# Stripe's test cards, listed on the registration page in test mode.
TEST_CARDS = (
    ("Visa", "4242 4242 4242 4242", "succeeds"),
    ("Mastercard", "5555 5555 5555 4444", "succeeds"),
    ("American Express", "3782 822463 10005", "succeeds"),
    ("Discover", "6011 1111 1111 1117", "succeeds"),
    ("Visa (declined)", "4000 0000 0000 0002", "is declined"),
)


# A card payment holds its seat this long; past it the PaymentIntent is cancelled.
SEAT_HOLD = timedelta(minutes=15)
FULL = "This webinar is full. Ask the organizer about a later date."
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
        raise RegistrationRefused("This webinar does not exist. Check the link you were sent.")
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
        raise RegistrationRefused("Please give your name.")
    try:
        email = normalized_email(email)
    except EmailAddressInvalid as invalid:
        raise RegistrationRefused(str(invalid)) from None
    if webinar.status == "cancelled":
        raise RegistrationRefused("This webinar is cancelled: registration is closed.")
    last_end = max(
        (s.starts_at + timedelta(minutes=s.duration_minutes) for s in webinar.sessions),
        default=None,
    )
    if last_end is not None and last_end.astimezone(UTC) < datetime.now(UTC):
        raise RegistrationRefused("This webinar has already taken place.")
    existing = _existing(webinar.webinar_id, email)
    if existing and existing[0] == RegistrationStatus.REGISTERED:
        raise RegistrationRefused(
            f"{email} is already registered for this webinar. Look for the confirmation "
            "e-mail, or register with another address."
        )
    return name, email


def _take_seat(webinar: Webinar, registration: Registration) -> None:
    """Save the registration if the webinar has a seat for it, else refuse: counted and
    written in one step, so two people never get the last seat."""
    with _seats, db.connect(write=True) as con:
        taken = catalog.seats_taken(con, webinar.webinar_id, registration.registrant_id)
        if webinar.capacity is not None and taken >= webinar.capacity:
            raise RegistrationRefused(FULL)
        catalog.save_registrations(con, [registration])


def register_free(webinar_id: str, name: str, email: str) -> str:
    webinar = public_webinar(webinar_id)
    if not webinar.is_free:
        raise RegistrationRefused("This webinar is not free: pay by card to register.")
    name, email = check_registration(webinar, name, email)
    registrant_id = registrant_id_for(webinar_id, email)
    _take_seat(
        webinar, Registration(registrant_id, webinar_id, name, email, RegistrationStatus.REGISTERED)
    )
    send_confirmation(webinar, registrant_id, name, email, None, None)
    return registrant_id


def start_paid_registration(
    webinar_id: str, name: str, email: str, settings: StripeSettings | None = None
) -> Checkout:
    """Hold a seat, then create the PaymentIntent the browser confirms with the card. A
    reload or a second click while the hold lasts gets the same PaymentIntent back."""
    settings = settings or stripe_settings()
    webinar = public_webinar(webinar_id)
    if webinar.is_free:
        raise RegistrationRefused("This webinar is free: no payment is needed.")
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
    return Checkout(
        registrant_id, intent["id"], intent["client_secret"], intent["amount"], intent["currency"]
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
            _mark_paid(registrant_id, intent["amount"], intent["currency"])
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
    intent = gateway.retrieve_payment_intent(gateway.client(settings), payment_intent_id)
    if intent["status"] != "succeeded":
        return False
    if gateway.PaymentMetadata.registrant_id_of(intent) != registrant_id:
        raise RegistrationRefused("This payment belongs to another registration.")
    _mark_paid(registrant_id, intent["amount"], intent["currency"])
    return True


def _mark_paid(registrant_id: str, amount: int, currency: str) -> None:
    with db.connect(write=True) as con:
        row = catalog.mark_paid(con, registrant_id)
    if row is None:
        return  # already marked (a reload, or the sync got there first)
    webinar = catalog.load_webinar(row[0])
    send_confirmation(webinar, registrant_id, row[1], row[2], amount, currency)


def settle_from_mirror() -> int:
    """After a sync: registrations whose PaymentIntent succeeded at Stripe become paid."""
    with db.connect() as con:
        rows = con.execute(
            "SELECT r.registrant_id, p.amount, p.currency FROM registrants r "
            "JOIN stripe_payment_intents p ON p.id = r.payment_intent "
            "WHERE list_contains(?, r.status) AND p.status = 'succeeded'",
            [[RegistrationStatus.PENDING_PAYMENT, RegistrationStatus.PAYMENT_FAILED]],
        ).fetchall()
    for registrant_id, amount, currency in rows:
        _mark_paid(registrant_id, amount, currency)
    return len(rows)


def send_confirmation(
    webinar: Webinar,
    registrant_id: str,
    name: str,
    email: str,
    amount: int | None,
    currency: str | None,
) -> bool:
    return mailer.send_once(
        f"confirmation-{registrant_id}",
        notifications.confirmation_message(email, name, webinar, amount, currency),
    )
