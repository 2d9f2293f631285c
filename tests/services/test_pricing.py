"""console/services/pricing.py: a webinar is free until someone sets an amount and a
currency; amounts follow Stripe's rules per currency; a price needs a verified account;
organizers price their own webinars only; every change is kept in the history."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from console.domain.catalog import Webinar
from console.domain.money import MoneyError
from console.formatting import i18n
from console.services import audit, pricing, webinars
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.services.connection import NotVerified
from console.settings import StripeSettings
from console.store import db
from console.store.catalog import load_webinar, save_webinars
from tests.stripe_local_fixture import API_KEY

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
BOB = Actor("bob@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)
NO_KEY = StripeSettings(None, "http://127.0.0.1:9")


def _catalog() -> None:
    with db.connect(write=True) as con:
        save_webinars(con, [Webinar("wb_ann", "Ann's", "ann@example.org")])


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    for name in ("STRIPE_API_KEY", "STRIPE_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    _catalog()


@pytest.fixture
def verified(stripe_local, database) -> StripeSettings:
    """The session's local Stripe: a verified account (read, never changed, here)."""
    return StripeSettings(API_KEY, stripe_local.base_url)


def _price(actor: Actor, amount: str | None, currency: str | None, settings) -> None:
    pricing.save_price(actor, pricing.plan_price(actor, "wb_ann", amount, currency), settings)


def _snapshot() -> dict:
    with db.connect() as con:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608
            for table in ("webinars", "price_changes", "audit_log")
        }


# --- what a price is -----------------------------------------------------------------------


def test_a_new_webinar_is_free(database):
    webinar_id = webinars.create_webinar(
        ANN, webinars.WebinarDraft("New", "ann@example.org", "2027-06-01 10:00, 60")
    )
    webinar = webinars.get_webinar(ANN, webinar_id)
    assert webinar.is_free and webinar.price_currency is None


@pytest.mark.parametrize(
    ("text", "currency", "amount", "fee"),
    [
        ("49", "usd", 4900, 172),  # 2.9% + 30 cents
        ("49,90", "EUR", 4990, 100),  # 1.5% + 25 cents; a decimal comma
        ("5000", "jpy", 5000, 180),  # zero-decimal: 3.6%, no fixed part
    ],
)
def test_preview_says_what_a_registrant_pays_and_roughly_what_is_kept(text, currency, amount, fee):
    preview = pricing.preview_price(text, currency)
    assert preview == pricing.PricePreview(amount, currency.lower(), fee, amount - fee)


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("0.49", "usd", "Stripe's minimum charge in USD is $0.50."),
        ("0.29", "gbp", "Stripe's minimum charge in GBP is £0.30."),
        ("49", "jpy", "Stripe's minimum charge in JPY is ¥50."),
        ("2.99", "sek", "Stripe's minimum charge in SEK is SEK3.00."),
        ("50.5", "jpy", "JPY has no decimals: type a whole number such as 5000."),
        ("49.999", "usd", "USD takes at most 2 decimals."),
        ("1.005", "kwd", "the last of the three decimals to be 0"),
        ("1000000", "usd", "Stripe's maximum charge in USD"),
        ("-5", "usd", "An amount cannot be negative"),
        ("forty", "usd", "“forty” is not an amount"),
        ("49", "xyz", "“xyz” is not a currency this console can charge in"),
    ],
    ids=[
        "usd minimum",
        "gbp minimum",
        "jpy minimum",
        "sek minimum",
        "jpy decimals",
        "usd decimals",
        "three decimals",
        "maximum",
        "negative",
        "text",
        "unknown currency",
    ],
)
def test_amounts_stripe_would_refuse_are_refused_with_what_works(text, currency, message):
    with pytest.raises(MoneyError) as refused:
        pricing.preview_price(text, currency)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("0.49", "eur", "Le paiement minimum de Stripe en EUR est de 0,50\xa0€."),
        ("50.5", "jpy", "Les montants en JPY n'ont pas de décimales"),
        ("forty", "usd", "« forty » n'est pas un montant. Saisissez un nombre comme 49 ou 49,90."),
    ],
)
def test_a_price_refused_while_french_is_spoken_is_refused_in_french(text, currency, message):
    with i18n.speaking("fr"), pytest.raises(MoneyError) as refused:
        pricing.preview_price(text, currency)
    assert message in str(refused.value)


def test_a_minimum_itself_is_accepted():
    assert pricing.preview_price("0.50", "usd").amount == 50
    assert pricing.preview_price("50", "jpy").amount == 50
    assert pricing.preview_price("1.010", "kwd").amount == 1010


# --- planning and saving ---------------------------------------------------------------------


def test_a_plan_is_checked_but_not_written(database):
    before = _snapshot()
    change = pricing.plan_price(ANN, "wb_ann", "49", "usd")
    assert change == pricing.PriceChange("wb_ann", None, None, 4900, "usd")
    assert pricing.plan_price(ANN, "wb_ann", None, None) == pricing.PriceChange(
        "wb_ann", None, None, None, None
    )
    with pytest.raises(MoneyError, match="is not a currency"):
        pricing.plan_price(ANN, "wb_ann", "49", None)  # an amount needs its currency
    assert _snapshot() == before


def test_saving_a_price_writes_it_its_history_and_the_audit_together(verified):
    _price(ANN, "49", "usd", verified)
    webinar = load_webinar("wb_ann")
    assert (webinar.price_amount, webinar.price_currency) == (4900, "usd")
    [entry] = audit.webinar_log(ADMIN_ACTOR, "wb_ann").to_dict("records")
    assert (entry["actor"], entry["action"], entry["amount"], entry["currency"]) == (
        "ann@example.org",
        "price change",
        4900,
        "usd",
    )
    [full] = audit.search(ADMIN_ACTOR, action="price change").to_dict("records")
    assert json.loads(full["before"]) == {"amount": None, "currency": None}
    assert json.loads(full["after"]) == {"amount": 4900, "currency": "usd"}


def test_zero_decimal_jpy_is_saved_as_whole_yen(verified):
    _price(ADMIN_ACTOR, "5000", "JPY", verified)
    webinar = load_webinar("wb_ann")
    assert (webinar.price_amount, webinar.price_currency) == (5000, "jpy")


def test_price_history_holds_every_change_newest_first(verified):
    _price(ANN, "49", "usd", verified)
    _price(ADMIN_ACTOR, "39", "eur", verified)
    _price(ANN, None, None, verified)  # free again
    history = pricing.price_history(FIN, "wb_ann")
    assert list(history.columns) == [
        "changed_at",
        "changed_by",
        "old_amount",
        "old_currency",
        "new_amount",
        "new_currency",
    ]
    rows = [
        tuple(None if pd.isna(value) else value for value in row)
        for row in history.drop(columns="changed_at").astype(object).itertuples(index=False)
    ]
    assert rows == [
        ("ann@example.org", 3900, "eur", None, None),
        ("admin@example.org", 4900, "usd", 3900, "eur"),
        ("ann@example.org", None, None, 4900, "usd"),
    ]
    assert load_webinar("wb_ann").is_free


def test_a_change_built_elsewhere_is_checked_again_before_it_is_saved(verified):
    too_little = pricing.PriceChange("wb_ann", None, None, 10, "usd")
    before = _snapshot()
    with pytest.raises(MoneyError, match="minimum charge in USD"):
        pricing.save_price(ADMIN_ACTOR, too_little, verified)
    with i18n.speaking("fr"), pytest.raises(MoneyError, match="paiement minimum de Stripe en USD"):
        pricing.save_price(ADMIN_ACTOR, too_little, verified)
    assert _snapshot() == before


# --- the account must be able to charge -----------------------------------------------------


def test_no_price_without_a_connected_account_but_free_needs_none(database):
    before = _snapshot()
    with pytest.raises(NotVerified, match="No Stripe account is connected"):
        _price(ANN, "49", "usd", NO_KEY)
    assert _snapshot() == before
    _price(ANN, None, None, NO_KEY)  # making a webinar free asks nothing of Stripe
    assert len(pricing.price_history(ANN, "wb_ann")) == 1


def test_no_price_while_the_account_is_not_verified(fresh_stripe):
    _catalog()
    fresh_stripe.config(
        "/_config/account",
        charges_enabled=False,
        details_submitted=False,
        requirements={"currently_due": ["external_account"]},
    )
    before = _snapshot()
    with pytest.raises(NotVerified, match="Stripe still needs: external_account"):
        _price(ANN, "49", "usd", None)
    assert _snapshot() == before
    fresh_stripe.config("/_config/account", method="POST")  # verification finished
    _price(ANN, "49", "usd", None)
    assert load_webinar("wb_ann").price_amount == 4900


# --- who may price -------------------------------------------------------------------------


def test_an_organizer_may_price_only_their_own_webinars(verified):
    before = _snapshot()
    with pytest.raises(PermissionDenied, match="only their own webinars"):
        pricing.plan_price(BOB, "wb_ann", "49", "usd")
    change = pricing.plan_price(ANN, "wb_ann", "49", "usd")
    with pytest.raises(PermissionDenied):
        pricing.save_price(BOB, change, verified)
    with pytest.raises(PermissionDenied):
        pricing.save_price(FIN, change, verified)
    assert _snapshot() == before
    with pytest.raises(PermissionDenied):
        pricing.price_history(BOB, "wb_ann")


def test_pricing_an_unknown_webinar_says_there_is_none(database):
    with pytest.raises(LookupError, match="There is no webinar wb_nope."):
        pricing.plan_price(ADMIN_ACTOR, "wb_nope", "49", "usd")
