"""Making payments and reading Stripe's own totals, through the official SDK."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import stripe


def _options(at: int | None) -> dict | None:
    # Backdating: the local Stripe dates objects with this header (Stripe ignores it).
    return {"headers": {"Stripe-Local-Now": str(at)}} if at else None


def pay(
    client: stripe.StripeClient,
    webinar_id: str | None,
    amount: int = 4900,
    currency: str = "usd",
    card: str = "pm_card_visa",
    at: int | None = None,
    email: str = "ada@example.org",
    name: str = "Ada Lovelace",
) -> stripe.PaymentIntent:
    metadata = {"registrant_email": email, "registrant_name": name}
    if webinar_id:
        metadata["webinar_id"] = webinar_id
    return client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": currency,
            "payment_method": card,
            "allowed_payment_method_types": ["card"],
            "confirm": True,
            "metadata": metadata,
        },
        options=_options(at),
    )


def refund(
    client: stripe.StripeClient, intent_id: str, amount: int | None = None, at: int | None = None
) -> stripe.Refund:
    params = {"payment_intent": intent_id}
    if amount is not None:
        params["amount"] = amount
    return client.v1.refunds.create(params=params, options=_options(at))


def all_objects(client: stripe.StripeClient, resource: str) -> list:
    service = getattr(client.v1, resource)
    return list(service.list(params={"limit": 100}).auto_paging_iter())


def listed(client: stripe.StripeClient, resource: str, **filters: Any) -> list[dict]:
    """Every object of a list, newest first, as the JSON Stripe answered: what
    `all_objects` gives, without building an SDK object of each (a page of charges takes
    the SDK some 60 ms to build, ten times its JSON)."""
    objects: list[dict] = []
    params: dict = {"limit": 100, **filters}
    while True:
        page = client.raw_request("get", f"/v1/{resource}", **params).data
        objects += page["data"]
        if not page["has_more"] or not page["data"]:
            return objects
        params["starting_after"] = page["data"][-1]["id"]


def stripe_ledger(client: stripe.StripeClient) -> dict[str, dict]:
    """Per succeeded charge, from Stripe's API alone: its webinar, what was paid, refunded
    and lost to disputes (presentment), and the fee and net of every balance transaction
    that belongs to it (its own, its refunds' and their failures', its disputes')."""
    intents = {pi["id"]: pi for pi in listed(client, "payment_intents")}
    refunds = listed(client, "refunds")
    disputes = listed(client, "disputes")
    charges: dict[str, dict] = {}
    for charge in listed(client, "charges"):
        if charge["status"] != "succeeded":
            continue
        intent = intents.get(charge["payment_intent"])
        intent_metadata = intent["metadata"] if intent else {}
        charges[charge["id"]] = {
            "webinar_id": intent_metadata.get("webinar_id")
            or charge["metadata"].get("webinar_id")
            or "unattributed",
            "currency": charge["currency"],
            "amount_paid": charge["amount"],
            "amount_refunded": 0,
            "disputed": 0,
            "settlement_currency": None,
            "fee": 0,
            "net": 0,
            "dispute_status": None,
        }
    owner = {r["id"]: r["charge"] for r in refunds} | {d["id"]: d["charge"] for d in disputes}
    for r in refunds:
        if r["status"] == "succeeded" and r["charge"] in charges:
            charges[r["charge"]]["amount_refunded"] += r["amount"]
    for d in sorted(disputes, key=lambda d: d["created"]):
        if d["charge"] in charges:
            charges[d["charge"]]["dispute_status"] = d["status"]
            categories = [t["reporting_category"] for t in d["balance_transactions"]]
            withdrawn = categories.count("dispute") - categories.count("dispute_reversal")
            charges[d["charge"]]["disputed"] += d["amount"] * max(0, withdrawn)
    for txn in listed(client, "balance_transactions"):
        charge_id = owner.get(txn["source"], txn["source"])
        if charge_id in charges:
            line = charges[charge_id]
            line["fee"] += txn["fee"]
            line["net"] += txn["net"]
            if txn["source"] == charge_id:
                line["settlement_currency"] = txn["currency"]
    return charges


# The figures of a revenue row that Stripe's API alone can give.
REVENUE_FIGURES = (
    "gross",
    "refunded",
    "disputed",
    "fees",
    "net",
    "paid_registrants",
    "settlement_currency",
)


def stripe_revenue(client: stripe.StripeClient) -> dict[tuple[str, str], dict]:
    """Per (webinar, currency): gross, refunded, disputed, fees, net and the settlement
    currency, from Stripe's API alone."""
    totals: dict[tuple[str, str], dict] = defaultdict(
        lambda: {
            "gross": 0,
            "refunded": 0,
            "disputed": 0,
            "fees": 0,
            "net": 0,
            "paid_registrants": 0,
            "settlement_currency": set(),
        }
    )
    for line in stripe_ledger(client).values():
        total = totals[(line["webinar_id"], line["currency"])]
        total["gross"] += line["amount_paid"]
        total["refunded"] += line["amount_refunded"]
        total["disputed"] += line["disputed"]
        total["fees"] += line["fee"]
        total["net"] += line["net"]
        total["paid_registrants"] += 1
        total["settlement_currency"].add(line["settlement_currency"])
    for total in totals.values():
        (total["settlement_currency"],) = total["settlement_currency"]
    return dict(totals)


# A balance transaction's kind in `console report payouts` (DESIGN.md), by reporting category.
PAYOUT_KINDS = {
    "charge": "charges",
    "refund": "refunds",
    "refund_failure": "refunds",
    "dispute": "disputes",
    "dispute_reversal": "disputes",
}


def stripe_payouts(client: stripe.StripeClient) -> dict[str, dict]:
    """Per payout, from Stripe's API alone, what `console report payouts` must say: its
    listed balance transactions (`?payout=`) but its own, summed by kind and by webinar."""
    intents = {pi["id"]: pi for pi in listed(client, "payment_intents")}
    charges = {c["id"]: c for c in listed(client, "charges")}
    owner = {r["id"]: r["charge"] for r in listed(client, "refunds")}
    owner |= {d["id"]: d["charge"] for d in listed(client, "disputes")}

    def webinar_of(charge_id: str) -> str:
        charge = charges[charge_id]
        intent = intents.get(charge["payment_intent"]) or {"metadata": {}}
        return (
            intent["metadata"].get("webinar_id")
            or charge["metadata"].get("webinar_id")
            or "unattributed"
        )

    report = {}
    for payout in listed(client, "payouts", expand=["data.destination"]):
        row = {
            "payout_id": payout["id"],
            "arrival_date": datetime.fromtimestamp(payout["arrival_date"], UTC).strftime(
                "%Y-%m-%d"
            ),
            "currency": payout["currency"],
            "status": payout["status"],
            "amount": payout["amount"],
            "charges": 0,
            "refunds": 0,
            "disputes": 0,
            "fees": 0,
            "net": 0,
            "webinars": {"unattributed": 0},
            "other": 0,
            "transactions": 0,
            "destination_last4": payout["destination"]["last4"],
            # Stripe's list of what an automatic payout holds is final once it is reconciled.
            "contents_listed": payout["reconciliation_status"] == "completed",
        }
        report[payout["id"]] = row
        if not row["contents_listed"]:
            continue
        for txn in listed(client, "balance_transactions", payout=payout["id"]):
            if txn["type"] == "payout" and txn["source"] == payout["id"]:
                continue  # the payout itself
            kind = PAYOUT_KINDS.get(txn["reporting_category"], "other")
            row["transactions"] += 1
            row[kind] += txn["amount"]
            row["fees"] += txn["fee"]
            row["net"] += txn["net"]
            charge_id = owner.get(txn["source"], txn["source"])
            if charge_id in charges:
                webinar = webinar_of(charge_id)
            elif kind != "other":
                webinar = "unattributed"
            else:
                continue  # no payment's: a failed payout's money coming back
            row["webinars"][webinar] = row["webinars"].get(webinar, 0) + txn["net"]
    return report
