"""Demo data: webinars in the catalog, registrations paid through real PaymentIntents.

Everything is generated from a fixed seed and every Stripe request carries an idempotency
key derived from it, so running the demo twice creates nothing twice. Payments are spread
over the last six months with the `Stripe-Local-Now` header, which the local Stripe
honours and Stripe itself ignores (there, everything is dated now).
"""

from __future__ import annotations

import hashlib
import random
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from faker import Faker

from console import catalog, db, stripe_gateway
from console.catalog import Registration, Session, Webinar
from console.settings import StripeSettings, stripe_settings

SEED = 2026
DEMO_PREFIX = "wb_demo_"
DAY = timedelta(days=1)

POLICY = (
    "Cancellation and refund policy: cancel up to 7 days before the first session for a "
    "full refund; within 7 days, 50% is refunded. If we cancel, everyone is refunded in full."
)
POLICY_FR = (
    "Conditions d'annulation et de remboursement : annulation jusqu'à 7 jours avant la "
    "première session, remboursement intégral ; ensuite, 50 % sont remboursés. Si nous "
    "annulons, chacun est remboursé intégralement."
)

# (title, organizer, currency, price in minor units or None, days from today, language)
WEBINARS = (
    ("Stripe fees, demystified", "james.wilson@example.org", "usd", 4900, -150, "en"),
    ("Facturation électronique 2026", "claire.martin@example.org", "eur", 4900, -120, "fr"),
    ("Growth marketing for B2B SaaS", "james.wilson@example.org", "usd", 9900, -95, "en"),
    ("Atelier : fiscalité des indépendants", "claire.martin@example.org", "eur", 2900, -70, "fr"),
    ("UK VAT for digital services", "oliver.brown@example.co.uk", "gbp", 3000, -60, "en"),
    ("Japan market entry", "james.wilson@example.org", "jpy", 5000, -45, "en"),
    ("Masterclass : négocier ses tarifs", "sophie.bernard@example.fr", "eur", 14900, -30, "fr"),
    ("Open Q&A: community hour", "james.wilson@example.org", None, None, -20, "en"),
    ("Leadership for new managers", "oliver.brown@example.co.uk", "gbp", 7500, -10, "en"),
    ("Tokyo design sprint", "james.wilson@example.org", "jpy", 12000, 12, "en"),
    ("Comptabilité pour associations", "sophie.bernard@example.fr", "eur", 3900, 25, "fr"),
    ("Pricing your online course", "james.wilson@example.org", "usd", 5900, 40, "en"),
)

# How registrations on paid webinars end, by share.
PAID_CARDS = (
    "pm_card_visa",
    "pm_card_mastercard",
    "pm_card_amex",
    "pm_card_discover",
    "pm_card_visa_debit",
)
DECLINED_CARDS = ("pm_card_chargeDeclined", "pm_card_chargeDeclinedInsufficientFunds")
REGISTRATIONS_PER_WEBINAR = 125  # 12 webinars -> 1,500 registrations
SHARE_DECLINED = 0.04
SHARE_UNPAID = 0.17  # checkout started, never paid
SHARE_FULL_REFUND = 0.05
SHARE_PARTIAL_REFUND = 0.03


# One account per role; the organizer owns most demo webinars.
DEMO_USERS = (
    ("admin@example.org", "admin"),
    ("james.wilson@example.org", "organizer"),
    ("finance@example.org", "finance"),
)


def create_demo_users() -> list[tuple[str, str, str]]:
    """Accounts for the roles that have none yet; returns (email, role, password) once."""
    from console import auth

    existing = set(auth.local_users().values())
    created = []
    for email, role in DEMO_USERS:
        if role not in existing:
            password = secrets.token_urlsafe(12)
            auth.add_user(email, role, password, by="console demo")
            created.append((email, role, password))
    return created


class DemoRefused(RuntimeError):
    pass


@dataclass
class DemoSummary:
    webinars: int = 0
    registrations: int = 0
    paid: int = 0
    declined: int = 0
    refunds: int = 0
    already_seeded: bool = False

    def text(self) -> str:
        if self.already_seeded:
            return "Demo data is already in place; nothing was added."
        return (
            f"Demo: {self.webinars} webinars, {self.registrations} registrations, "
            f"{self.paid} paid, {self.declined} declined, {self.refunds} refunds."
        )


def _key(*parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]
    return f"demo-{SEED}-{digest}"


def demo_webinars(today: datetime) -> list[Webinar]:
    webinars = []
    for number, (title, organizer, currency, price, offset, language) in enumerate(WEBINARS, 1):
        first = (today + offset * DAY).replace(hour=16, minute=0, second=0, microsecond=0)
        sessions = (
            (Session(first, 90),)
            if number % 3
            else (Session(first, 60), Session(first + 7 * DAY, 60))
        )
        webinars.append(
            Webinar(
                webinar_id=f"{DEMO_PREFIX}{number:02d}",
                title=title,
                organizer_email=organizer,
                description=f"{title}. " + (POLICY_FR if language == "fr" else POLICY),
                capacity=200,
                price_amount=price,
                price_currency=currency,
                sessions=sessions,
                join_url=f"https://meet.example.org/{DEMO_PREFIX}{number:02d}",
            )
        )
    return webinars


def _refuse_live(client, settings: StripeSettings) -> None:
    if settings.livemode:
        raise DemoRefused("The demo refuses a live key: use a test key (sk_test_…).")
    account = stripe_gateway.retrieve_account(client)
    if account.get("livemode"):
        raise DemoRefused("The demo refuses a live-mode account: use a test key (sk_test_…).")


def seed_demo(
    settings: StripeSettings | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Create the demo webinars and pay for their registrations through Stripe."""
    settings = settings or stripe_settings()
    client = stripe_gateway.client(settings)
    _refuse_live(client, settings)
    summary = DemoSummary()
    if catalog.count_webinars(DEMO_PREFIX) and _stripe_has_demo_payments(client):
        summary.already_seeded = True
        return summary

    rng = random.Random(SEED)
    fakers = {"fr": Faker("fr_FR"), "en": Faker("en_GB")}
    for faker in fakers.values():
        faker.seed_instance(SEED)
    now = datetime.now(UTC).replace(microsecond=0)
    webinars = demo_webinars(now)
    registrations: list[Registration] = []
    total = len(webinars) * REGISTRATIONS_PER_WEBINAR
    for webinar in webinars:
        language = WEBINARS[int(webinar.webinar_id[-2:]) - 1][5]
        first_session = webinar.sessions[0].starts_at
        window_end = min(first_session - DAY, now - timedelta(minutes=5))
        window_start = max(now - 182 * DAY, first_session - 60 * DAY)
        for index in range(REGISTRATIONS_PER_WEBINAR):
            faker = fakers["fr" if language == "fr" or rng.random() < 0.3 else "en"]
            name = faker.name()
            email = _email_for(name, index, faker)
            registered_at = window_start + (window_end - window_start) * rng.random()
            registrant_id = f"reg_{_key(webinar.webinar_id, index)[-16:]}"
            status, intent_id = "registered", None
            if not webinar.is_free:
                status, intent_id = _pay(
                    client, rng, webinar, registrant_id, name, email, registered_at, now, summary
                )
            registrations.append(
                Registration(
                    registrant_id, webinar.webinar_id, name, email, status, intent_id, registered_at
                )
            )
            summary.registrations += 1
            if on_progress:
                on_progress(summary.registrations, total)
    with db.connect(write=True) as con:
        catalog.save_webinars(con, webinars)
        catalog.save_registrations(con, registrations)
    summary.webinars = len(webinars)
    return summary


def _email_for(name: str, index: int, faker: Faker) -> str:
    # “Célina Peron” -> celina.peron: drop the accents, not the letters.
    folded = unicodedata.normalize("NFKD", name.lower().replace(" ", "."))
    local = "".join(ch for ch in folded if ch.isascii() and (ch.isalnum() or ch == "."))
    return f"{local.strip('.')}{index % 7 or ''}@{faker.free_email_domain()}"


def _stripe_has_demo_payments(client) -> bool:
    page = stripe_gateway.list_page(client, "/v1/payment_intents", {"limit": 1})
    return bool(page.get("data"))


def _pay(
    client,
    rng,
    webinar: Webinar,
    registrant_id: str,
    name: str,
    email: str,
    registered_at: datetime,
    now: datetime,
    summary: DemoSummary,
) -> tuple[str, str | None]:
    """One registrant's checkout: paid, declined or abandoned; some paid ones refunded."""
    roll = rng.random()
    clock = {"Stripe-Local-Now": str(int(registered_at.timestamp()))}
    metadata = {
        "webinar_id": webinar.webinar_id,
        "registrant_email": email,
        "registrant_name": name,
        "registrant_id": registrant_id,
    }
    params = {
        "amount": webinar.price_amount,
        "currency": webinar.price_currency,
        "metadata": metadata,
        "receipt_email": email,
        "description": webinar.title,
        "payment_method_types": ["card"],
    }

    def create_intent() -> dict:
        return stripe_gateway.request(
            client,
            "post",
            "/v1/payment_intents",
            params,
            idempotency_key=_key("pi", registrant_id),
            headers=clock,
        )

    if roll < SHARE_UNPAID:
        return "pending_payment", create_intent()["id"]
    declined = roll < SHARE_UNPAID + SHARE_DECLINED
    card = rng.choice(DECLINED_CARDS if declined else PAID_CARDS)
    params |= {"payment_method": card, "confirm": True}
    try:
        intent = create_intent()
    except stripe_gateway.StripeProblem:
        summary.declined += 1
        return "payment_failed", None
    summary.paid += 1
    refund_roll = rng.random()
    if refund_roll < SHARE_FULL_REFUND + SHARE_PARTIAL_REFUND:
        full = refund_roll < SHARE_FULL_REFUND
        amount = webinar.price_amount if full else webinar.price_amount // 2
        refunded_at = min(registered_at + rng.randint(1, 20) * DAY, now - timedelta(minutes=2))
        stripe_gateway.request(
            client,
            "post",
            "/v1/refunds",
            {
                "payment_intent": intent["id"],
                "amount": amount,
                "reason": "requested_by_customer",
                "metadata": {"note": "demo: " + ("cancelled" if full else "partial goodwill")},
            },
            idempotency_key=_key("refund", registrant_id),
            headers={"Stripe-Local-Now": str(int(refunded_at.timestamp()))},
        )
        summary.refunds += 1
        if full:
            return "cancelled", intent["id"]
    return "registered", intent["id"]
