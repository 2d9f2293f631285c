"""Demo data: webinars in the catalog, registrations paid through real PaymentIntents.

The demo account is a French one settling in EUR (the local Stripe's default), as the
original product's organizers' are: EUR webinars settle as they are, USD, GBP and JPY ones
are converted. Most registrants pay with a card from the webinar's country; some pay from
abroad. A few registrations show what else money does: a dispute won, a dispute lost, one
still open whose evidence is due in two days, a refund that fails after it succeeded, and
one still pending. Stripe pays the balance out
daily; one payout of the demo fails at the bank after it was paid.

Everything is generated from a fixed seed and every Stripe request carries an idempotency
key derived from it, so running the demo twice creates nothing twice. Payments are spread
over the last six months with the `Stripe-Local-Now` header, which the local Stripe
honours and Stripe itself ignores (there, everything is dated now). What Stripe does later
by itself (a refund failing, a payout failing) the local Stripe does through its test
controls, which Stripe does not have.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
import unicodedata
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from faker import Faker

from console.domain import time_zones
from console.domain.catalog import Registration, Session, Webinar
from console.settings import StripeSettings, stripe_settings
from console.store import catalog, db
from console.stripe_api import gateway

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

# Where each webinar's sessions are planned, by its currency (the free one is James's, in
# New York), and at what time on that zone's clocks.
TIME_ZONES = {
    "eur": "Europe/Paris",
    "usd": "America/New_York",
    "gbp": "Europe/London",
    "jpy": "Asia/Tokyo",
    None: "America/New_York",
}
LOCAL_START = {
    "Europe/Paris": time(14, 0),
    "America/New_York": time(12, 0),  # 9:00 on the west coast
    "Europe/London": time(13, 0),
    "Asia/Tokyo": time(19, 0),
}
# Registrations are dated before 16:00 UTC on the first session's day, as they were when
# sessions had no zone: the demo's payments, and the reports checked against them, stay put.
SALES_ANCHOR = time(16, 0)

# How registrations on paid webinars end, by share. Stripe's test cards by country
# (docs.stripe.com/testing#international-cards): mostly domestic, some from abroad.
PAID_CARDS = {
    "eur": ("pm_card_fr", "pm_card_fr", "pm_card_fr", "pm_card_de", "pm_card_be", "pm_card_visa"),
    "usd": ("pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_card_discover"),
    "gbp": ("pm_card_gb", "pm_card_gb", "pm_card_gb_debit", "pm_card_fr"),
    "jpy": ("pm_card_jp", "pm_card_jp", "pm_card_jcb", "pm_card_visa"),
}
DECLINED_CARDS = ("pm_card_chargeDeclined", "pm_card_chargeDeclinedInsufficientFunds")
REGISTRATIONS_PER_WEBINAR = 125  # 12 webinars -> 1,500 registrations
SHARE_DECLINED = 0.04
SHARE_UNPAID = 0.17  # checkout started, never paid
SHARE_FULL_REFUND = 0.05
SHARE_PARTIAL_REFUND = 0.03
# (webinar number, registration index) -> what happens to that payment after it succeeds.
STORIES = {
    (1, 3): "dispute_won",
    (3, 5): "dispute_lost",
    (2, 7): "refund_fails",
    (7, 9): "refund_pending",
    (11, 4): "dispute_open",
}
STORY_CARDS = {
    "dispute_won": "pm_card_createDispute",
    "dispute_lost": "pm_card_createDispute",
    "dispute_open": "pm_card_createDispute",
    "refund_fails": "pm_card_refundFail",
    "refund_pending": "pm_card_pendingRefund",
}


# One account per role; the organizer owns most demo webinars.
DEMO_USERS = (
    ("admin@example.org", "admin"),
    ("james.wilson@example.org", "organizer"),
    ("finance@example.org", "finance"),
)


def create_demo_users() -> list[tuple[str, str, str]]:
    """Accounts for the roles that have none yet; returns (email, role, password) once."""
    from console.services import auth

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


def _sales_anchor(number: int, today: datetime) -> datetime:
    """What the registrations of webinar `number` are dated against (see SALES_ANCHOR)."""
    day = (today + WEBINARS[number - 1][4] * DAY).date()
    return datetime.combine(day, SALES_ANCHOR, tzinfo=UTC)


def _planned(day: date, zone: str, minutes: int) -> Session:
    """A session at the zone's usual start that day (the same on its clocks each week,
    whatever daylight saving does), stored in UTC."""
    return Session(time_zones.to_utc(day, LOCAL_START[zone], zone), minutes)


def demo_webinars(today: datetime) -> list[Webinar]:
    webinars = []
    for number, (title, organizer, currency, price, offset, language) in enumerate(WEBINARS, 1):
        zone = TIME_ZONES[currency]
        day = (today + offset * DAY).date()
        sessions = (
            (_planned(day, zone, 90),)
            if number % 3
            else (_planned(day, zone, 60), _planned(day + 7 * DAY, zone, 60))
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
                time_zone=zone,
            )
        )
    return webinars


def _refuse_live(client, settings: StripeSettings) -> None:
    if settings.livemode:
        raise DemoRefused("The demo refuses a live key: use a test key (sk_test_…).")
    account = gateway.retrieve_account(client)
    if account.get("livemode"):
        raise DemoRefused("The demo refuses a live-mode account: use a test key (sk_test_…).")


def seed_demo(
    settings: StripeSettings | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Create the demo webinars and pay for their registrations through Stripe."""
    settings = settings or stripe_settings()
    client = gateway.client(settings)
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
        number = int(webinar.webinar_id[-2:])
        language = WEBINARS[number - 1][5]
        anchor = _sales_anchor(number, now)
        window_end = min(anchor - DAY, now - timedelta(minutes=5))
        window_start = max(now - 182 * DAY, anchor - 60 * DAY)
        for index in range(REGISTRATIONS_PER_WEBINAR):
            faker = fakers["fr" if language == "fr" or rng.random() < 0.3 else "en"]
            name = faker.name()
            email = _email_for(name, index, faker)
            registered_at = window_start + (window_end - window_start) * rng.random()
            registrant_id = f"reg_{_key(webinar.webinar_id, index)[-16:]}"
            status, intent_id = "registered", None
            story = STORIES.get((number, index))
            if story == "dispute_open":
                # Evidence is due a week after a dispute opens: this one in two days, so the
                # console's deadline banner shows.
                registered_at = now - 5 * DAY
            if story and not webinar.is_free:
                status, intent_id = _tell(
                    client, settings, story, webinar, registrant_id, name, email, registered_at
                )
                summary.paid += 1
            elif not webinar.is_free:
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
    _payout_fails_at_the_bank(settings)
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
    page = gateway.list_page(client, "payment_intents", {"limit": 1})
    return bool(page.get("data"))


def _clock(at: datetime) -> dict[str, str]:
    return {"Stripe-Local-Now": str(int(at.timestamp()))}


def _intent(
    client,
    webinar: Webinar,
    registrant_id: str,
    name: str,
    email: str,
    at: datetime,
    payment_method: str | None = None,
) -> dict:
    """The registrant's PaymentIntent, confirmed with `payment_method` when one is given."""
    return gateway.create_payment_intent(
        client,
        webinar.price_amount,
        webinar.price_currency,
        gateway.PaymentMetadata(webinar.webinar_id, email, name, registrant_id),
        description=webinar.title,
        idempotency_key=_key("pi", registrant_id),
        payment_method=payment_method,
        headers=_clock(at),
    )


def _tell(
    client,
    settings: StripeSettings,
    story: str,
    webinar: Webinar,
    registrant_id: str,
    name: str,
    email: str,
    registered_at: datetime,
) -> tuple[str, str]:
    """A payment with Stripe's test card for `story`, and what happens to it afterwards."""
    intent = _intent(client, webinar, registrant_id, name, email, registered_at, STORY_CARDS[story])
    later = _clock(registered_at + 2 * DAY)
    if story.startswith("dispute"):
        dispute = _dispute_of(client, intent["latest_charge"], _clock(registered_at))
        if story == "dispute_won":
            # Stripe's test evidence that wins (docs.stripe.com/testing#disputes).
            gateway.submit_dispute_evidence(client, dispute, "winning_evidence", later)
        elif story == "dispute_lost":
            gateway.accept_dispute(client, dispute, later)
        return "registered", intent["id"]
    refund = gateway.create_refund(
        client,
        payment_intent_id=intent["id"],
        reason="requested_by_customer",
        idempotency_key=_key("refund", registrant_id),
        headers=later,
    )
    if story == "refund_fails":
        _later_at_the_bank(settings, refund["id"])
    return "cancelled", intent["id"]


def _control(settings: StripeSettings, path: str, **payload: object) -> dict | None:
    """A test control of the local Stripe; None where there is none (at Stripe itself)."""
    request = urllib.request.Request(
        f"{settings.api_base}/_config/{path}",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - configured base
            return json.loads(answer.read())
    except (OSError, ValueError):
        return None


def _dispute_of(client, charge_id: str, clock: dict[str, str]) -> str:
    """The dispute the test card opened, asked on the demo's clock: a request on the real
    clock would run the local Stripe's payout schedule in the middle of the history."""
    page = gateway.request(
        client, "get", "/v1/disputes", {"charge": charge_id, "limit": 1}, headers=clock
    )
    return page["data"][0]["id"]


def _later_at_the_bank(settings: StripeSettings, refund_id: str) -> None:
    """Stripe fails this test card's refund some time later by itself; the local Stripe
    waits for its test control (so nothing happens at Stripe)."""
    _control(settings, f"refunds/{refund_id}/advance")


def _payout_fails_at_the_bank(settings: StripeSettings) -> None:
    """The bank returns the third newest payout, paid a day or two ago. The demo's requests
    were backdated, which does not run the local Stripe's payout schedule: it runs it up to
    now first."""
    ran = _control(settings, "payouts/run")
    payouts = (ran or {}).get("payouts", [])
    if len(payouts) >= 3 and not any(p["status"] == "failed" for p in payouts):
        _control(settings, f"payouts/{payouts[2]['id']}/fail", failure_code="account_closed")


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
    who = (client, webinar, registrant_id, name, email, registered_at)
    if roll < SHARE_UNPAID:
        return "pending_payment", _intent(*who)["id"]
    declined = roll < SHARE_UNPAID + SHARE_DECLINED
    card = rng.choice(DECLINED_CARDS if declined else PAID_CARDS[webinar.price_currency])
    try:
        intent = _intent(*who, payment_method=card)
    except gateway.StripeProblem:
        summary.declined += 1
        return "payment_failed", None
    summary.paid += 1
    refund_roll = rng.random()
    if refund_roll < SHARE_FULL_REFUND + SHARE_PARTIAL_REFUND:
        full = refund_roll < SHARE_FULL_REFUND
        amount = webinar.price_amount if full else webinar.price_amount // 2
        refunded_at = min(registered_at + rng.randint(1, 20) * DAY, now - timedelta(minutes=2))
        gateway.create_refund(
            client,
            payment_intent_id=intent["id"],
            amount=amount,
            reason="requested_by_customer",
            metadata={"note": "demo: " + ("cancelled" if full else "partial goodwill")},
            idempotency_key=_key("refund", registrant_id),
            headers=_clock(refunded_at),
        )
        summary.refunds += 1
        if full:
            return "cancelled", intent["id"]
    return "registered", intent["id"]
