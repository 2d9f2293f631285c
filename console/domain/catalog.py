"""Webinars, their sessions and registrations: the console's domain types (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class RegistrationStatus(StrEnum):
    """Where a registration stands; the one definition of "registered"."""

    REGISTERED = "registered"  # holds a seat: free, or paid and confirmed by Stripe
    PENDING_PAYMENT = "pending_payment"  # checkout started, Stripe has not said paid
    PAYMENT_FAILED = "payment_failed"
    CANCELLED = "cancelled"


# Registrations that hold a seat, and those a cancellation still has to deal with.
SEATED = (RegistrationStatus.REGISTERED,)
ACTIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.PENDING_PAYMENT)


@dataclass(frozen=True)
class Session:
    starts_at: datetime
    duration_minutes: int


@dataclass(frozen=True)
class Webinar:
    webinar_id: str
    title: str
    organizer_email: str
    description: str = ""
    capacity: int | None = None
    status: str = "scheduled"
    price_amount: int | None = None  # minor units; None with price_currency None = free
    price_currency: str | None = None
    sessions: tuple[Session, ...] = field(default_factory=tuple)
    join_url: str | None = None  # where registrants join the sessions
    time_zone: str = "UTC"  # IANA zone the sessions are planned in; they are stored in UTC

    @property
    def is_free(self) -> bool:
        return self.price_amount is None


@dataclass(frozen=True)
class Registration:
    registrant_id: str
    webinar_id: str
    name: str
    email: str
    status: str
    payment_intent: str | None = None
    registered_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    seat_held_until: datetime | None = None  # a payment under way holds a seat until then
    language: str = "en"  # the language they registered in: their e-mails are in it
    return_token: str | None = None  # the secret in the link back to their confirmation


@dataclass(frozen=True)
class Receipt:
    """What a registrant paid, as Stripe recorded it: their confirmation is the receipt."""

    amount: int  # minor units of `currency`
    currency: str
    paid_at: datetime
    card_brand: str | None = None  # "visa", "mastercard", … as Stripe names them
    card_last4: str | None = None
