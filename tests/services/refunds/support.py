"""What the refund tests share: a webinar whose payments run through the local Stripe,
synced, with a real SMTP server on loopback."""

from __future__ import annotations

from console.domain.catalog import Webinar
from console.services import refunds
from console.services.access import ADMIN, ORGANIZER, Actor
from console.store import db, refund_requests
from console.store.catalog import save_webinars
from console.stripe_api import sync
from tests.payments import all_objects, pay

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
POLICY = "Full refund up to 7 days before the first session; 50% after that."
WRITTEN = (
    "refund_requests",
    "charge_locks",
    "audit_log",
    "stripe_refunds",
    "notifications",
    "registrants",
    "cancellation_items",
)


def snapshot() -> dict:
    with db.connect() as con:
        return {
            t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()  # noqa: S608
            for t in WRITTEN
        }


def stripe_refunds(client) -> list:
    return all_objects(client, "refunds")


def priced_webinar(webinar_id="wb_r", price=4900, currency="usd", title="Refund school"):
    with db.connect(write=True) as con:
        save_webinars(
            con,
            [
                Webinar(
                    webinar_id,
                    title,
                    "ann@example.org",
                    description=f"{title}. {POLICY}",
                    price_amount=price,
                    price_currency=currency,
                )
            ],
        )


def pay_and_sync(
    client, count=1, card="pm_card_visa", webinar_id="wb_r", amount=4900, currency="usd"
):
    intents = [
        pay(
            client,
            webinar_id,
            amount,
            currency,
            card=card,
            email=f"person{n}@example.org",
            name=f"Person {n}",
        )
        for n in range(count)
    ]
    sync.run_sync()
    return [intent.latest_charge for intent in intents]


def refund_now(charge_id, amount_text=None, actor=ADMIN_ACTOR, **options):
    plan = refunds.plan_refund(actor, charge_id, amount_text)
    return refunds.issue_refund(actor, refunds.new_request_id(), plan, **options)


def left_open(
    request_id: str,
    charge_id: str,
    webinar_id: str = "wb_r",
    amount: int | None = None,
    email: str = "x@example.org",
) -> refund_requests.NewRequest:
    """A refund request written before Stripe was asked, as issue_refund writes it, whose
    process stopped there (in euros, asked by finance)."""
    request = refund_requests.NewRequest(
        request_id,
        False,
        charge_id,
        webinar_id,
        email,
        amount,
        "eur",
        None,
        "",
        False,
        None,
        "fin@example.org",
    )
    with db.connect(write=True) as con:
        refund_requests.open_request(con, request)
    return request
