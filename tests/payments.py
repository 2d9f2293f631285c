"""Making payments and reading Stripe's own totals, through the official SDK."""

from __future__ import annotations

from collections import defaultdict

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
            "payment_method_types": ["card"],
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


def stripe_revenue(client: stripe.StripeClient) -> dict[tuple[str, str], dict[str, int]]:
    """Per (webinar, currency): gross, refunded, fees and net, from Stripe's API alone."""
    intents = {pi.id: pi for pi in all_objects(client, "payment_intents")}
    refunds = all_objects(client, "refunds")
    ledger = all_objects(client, "balance_transactions")
    refund_charge = {r.id: r.charge for r in refunds}
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {"gross": 0, "refunded": 0, "fees": 0, "net": 0, "paid_registrants": 0}
    )
    charge_key = {}
    for charge in all_objects(client, "charges"):
        if charge.status != "succeeded":
            continue
        intent = intents.get(charge.payment_intent)
        intent_metadata = intent.metadata.to_dict() if intent else {}
        webinar = (
            intent_metadata.get("webinar_id")
            or charge.metadata.to_dict().get("webinar_id")
            or "unattributed"
        )
        key = (webinar, charge.currency)
        charge_key[charge.id] = key
        totals[key]["gross"] += charge.amount
        totals[key]["paid_registrants"] += 1
    for r in refunds:
        if r.status == "succeeded" and r.charge in charge_key:
            totals[charge_key[r.charge]]["refunded"] += r.amount
    for txn in ledger:
        charge_id = refund_charge.get(txn.source, txn.source)
        if charge_id in charge_key:
            totals[charge_key[charge_id]]["fees"] += txn.fee
            totals[charge_key[charge_id]]["net"] += txn.net
    return dict(totals)
