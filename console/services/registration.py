"""Public registration: free at once, paid through a PaymentIntent confirmed by Stripe.js.

Card details go from the browser to Stripe; this module only creates the PaymentIntent
(with the metadata contract and an idempotency key per webinar, registrant and price,
so a reload or a double submit reuses it) and counts a registration as paid only when
Stripe says the PaymentIntent succeeded: checked right after confirmation, and again
after each sync for the browser that closed too early.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from console.domain.catalog import SEATED, Registration, RegistrationStatus, Webinar
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


def _seats_taken(webinar_id: str) -> int:
    with db.connect() as con:
        return con.execute(
            "SELECT count(*) FROM registrants WHERE webinar_id = ? AND list_contains(?, status)",
            [webinar_id, list(SEATED)],
        ).fetchone()[0]


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
    if webinar.capacity is not None and _seats_taken(webinar.webinar_id) >= webinar.capacity:
        raise RegistrationRefused("This webinar is full. Ask the organizer about a later date.")
    return name, email


def _save(registration: Registration) -> None:
    with db.connect(write=True) as con:
        catalog.save_registrations(con, [registration])


def register_free(webinar_id: str, name: str, email: str) -> str:
    webinar = public_webinar(webinar_id)
    if not webinar.is_free:
        raise RegistrationRefused("This webinar is not free: pay by card to register.")
    name, email = check_registration(webinar, name, email)
    registrant_id = registrant_id_for(webinar_id, email)
    _save(Registration(registrant_id, webinar_id, name, email, RegistrationStatus.REGISTERED))
    send_confirmation(webinar, registrant_id, name, email, None, None)
    return registrant_id


def start_paid_registration(
    webinar_id: str, name: str, email: str, settings: StripeSettings | None = None
) -> Checkout:
    """The PaymentIntent the browser confirms with the card, created once per registrant and
    price (a reload or a second click gets the same one back)."""
    settings = settings or stripe_settings()
    webinar = public_webinar(webinar_id)
    if webinar.is_free:
        raise RegistrationRefused("This webinar is free: no payment is needed.")
    name, email = check_registration(webinar, name, email)
    registrant_id = registrant_id_for(webinar_id, email)
    key = f"register-{registrant_id}-{webinar.price_amount}-{webinar.price_currency}"
    intent = gateway.create_payment_intent(
        gateway.client(settings),
        webinar.price_amount,
        webinar.price_currency,
        gateway.PaymentMetadata(webinar_id, email, name, registrant_id),
        description=webinar.title,
        idempotency_key=key,
    )
    _save(
        Registration(
            registrant_id,
            webinar_id,
            name,
            email,
            RegistrationStatus.PENDING_PAYMENT,
            intent["id"],
        )
    )
    return Checkout(
        registrant_id, intent["id"], intent["client_secret"], intent["amount"], intent["currency"]
    )


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
            "WHERE r.status = ? AND p.status = 'succeeded'",
            [RegistrationStatus.PENDING_PAYMENT],
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
