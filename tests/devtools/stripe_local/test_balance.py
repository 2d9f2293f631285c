"""console/stripe_local/balance.py: settlement, conversion and Stripe's fees per country.

Expected figures are worked out by hand from pricing.py's published rates and its fixed
reference exchange rates (US dollars per unit: eur 1.08, gbp 1.27, jpy 0.0067)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from tests.devtools.stripe_local.support import (
    charge_of,
    fr_account,
    own_server,
    pay,
    shape_problems,
    us_account,
)
from tests.stripe_local_fixture import StripeLocal

__all__ = ["fr_account", "us_account"]


def settled(client: stripe.StripeClient, intent: stripe.PaymentIntent) -> stripe.BalanceTransaction:
    charge = charge_of(client, intent)
    txn = client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert (txn.type, txn.reporting_category, txn.source) == ("charge", "charge", charge.id)
    assert txn.net == txn.amount - txn.fee
    assert [d.to_dict() for d in txn.fee_details] == [
        {
            "amount": txn.fee,
            "application": None,
            "currency": txn.currency,
            "description": "Stripe processing fees",
            "type": "stripe_fee",
        }
    ]
    assert shape_problems(txn) == []
    return txn


@pytest.mark.parametrize(
    ("currency", "amount", "card", "expected"),
    [
        # EEA card, domestic pricing: 1.5% + €0.25 (73.5 rounds half up)
        ("eur", 4900, "pm_card_fr", (4900, 99, None)),
        ("eur", 4900, "pm_card_de", (4900, 99, None)),
        # UK card: 2.5% + €0.25; international (US) card: 3.25% + €0.25
        ("eur", 4900, "pm_card_gb", (4900, 148, None)),
        ("eur", 4900, "pm_card_visa", (4900, 184, None)),
        # converted: 49 USD × 0.925926 = €45.37; 3.25% + 2% conversion + €0.25
        ("usd", 4900, "pm_card_visa", (4537, 263, 0.925926)),
        # ¥5000 × 0.006204 = €31.02; JP card is international
        ("jpy", 5000, "pm_card_jp", (3102, 188, 0.006204)),
        # £30 × 1.175926 = €35.28; UK card 2.5% + 2% conversion + €0.25
        ("gbp", 3000, "pm_card_gb", (3528, 184, 1.175926)),
    ],
)
def test_a_french_account_settles_in_eur(
    stripe_local: StripeLocal, currency: str, amount: int, card: str, expected: tuple
) -> None:
    client = stripe_local.client()
    txn = settled(client, pay(client, amount, currency, card))
    assert txn.currency == "eur"
    assert (txn.amount, txn.fee, txn.exchange_rate) == expected


@pytest.mark.parametrize(
    ("currency", "amount", "card", "expected"),
    [
        ("usd", 4900, "pm_card_visa", (4900, 172, None)),  # 2.9% + 30¢
        ("usd", 4900, "pm_card_fr", (4900, 246, None)),  # + 1.5% international
        ("eur", 4900, "pm_card_fr", (5292, 316, 1.08)),  # + 1% conversion
        ("jpy", 5000, "pm_card_jp", (3350, 211, 0.0067)),
    ],
)
def test_a_us_account_settles_in_usd(
    us_account: StripeLocal, currency: str, amount: int, card: str, expected: tuple
) -> None:
    client = us_account.client()
    txn = settled(client, pay(client, amount, currency, card))
    assert txn.currency == "usd"
    assert (txn.amount, txn.fee, txn.exchange_rate) == expected


@pytest.fixture(scope="module")
def gb_account() -> Iterator[StripeLocal]:
    yield from own_server(country="GB")


@pytest.fixture(scope="module")
def jp_account() -> Iterator[StripeLocal]:
    yield from own_server(country="JP")


def test_uk_and_japanese_pricing(gb_account: StripeLocal, jp_account: StripeLocal) -> None:
    gb = gb_account.client()
    assert (settled(gb, pay(gb, 3000, "gbp", "pm_card_gb")).fee) == 65  # 1.5% + 20p
    assert (settled(gb, pay(gb, 3000, "gbp", "pm_card_fr")).fee) == 95  # EEA card: 2.5% + 20p
    assert (settled(gb, pay(gb, 3000, "gbp", "pm_card_visa")).fee) == 118  # 3.25% + 20p
    jp = jp_account.client()
    assert settled(jp, pay(jp, 5000, "jpy", "pm_card_jp")).fee == 180  # 3.6%
    # $49 × 149.253731 = ¥7313 (zero-decimal); 3.6% + 2% conversion
    txn = settled(jp, pay(jp, 4900, "usd", "pm_card_visa"))
    assert (txn.currency, txn.amount, txn.fee, txn.exchange_rate) == ("jpy", 7313, 410, 149.253731)


def test_refunds_settle_converted_with_no_fee(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client, 4900, "usd")
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 900})
    txn = client.v1.balance_transactions.retrieve(refund.balance_transaction)
    # $9 × 0.925926 = €8.33
    assert (txn.type, txn.reporting_category, txn.source) == ("refund", "refund", refund.id)
    assert (txn.currency, txn.amount, txn.fee, txn.net, txn.fee_details) == (
        "eur",
        -833,
        0,
        -833,
        [],
    )
    assert txn.exchange_rate == 0.925926
    assert shape_problems(txn) == []


def test_balance_is_the_sum_of_balance_transactions(fr_account: StripeLocal) -> None:
    client = fr_account.client()
    assert client.v1.balance.retrieve().available[0].to_dict()["amount"] == 0
    pay(client, 4900, "usd")
    pay(client, 4900, "usd")
    eur = pay(client, 4900, "eur", "pm_card_fr")
    client.v1.refunds.create(params={"payment_intent": eur.id, "amount": 1000})

    balance = client.v1.balance.retrieve()
    assert (balance.object, balance.livemode) == ("balance", False)
    available = {b.currency: b.amount for b in balance.available}
    assert available == {"eur": 2 * (4537 - 263) + (4900 - 99) - 1000}
    txns = client.v1.balance_transactions.list(params={"limit": 100}).data
    assert sum(t.net for t in txns) == available["eur"]
    assert balance.available[0].source_types.card == available["eur"]
    assert {b.currency: b.amount for b in balance.pending} == {"eur": 0}
    assert shape_problems(balance) == []


def test_balance_history_filters(fr_account: StripeLocal) -> None:
    client = fr_account.client()
    intent = pay(client, 2500, "eur", "pm_card_fr")
    client.v1.refunds.create(params={"payment_intent": intent.id})
    by_type = client.v1.balance_transactions.list(params={"type": "refund"}).data
    assert [t.type for t in by_type] == ["refund"]
    assert len(client.v1.balance_transactions.list(params={"currency": "eur"}).data) == 2
    assert client.v1.balance_transactions.list(params={"currency": "usd"}).data == []
