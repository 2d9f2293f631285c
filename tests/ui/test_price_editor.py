"""console/ui/price_editor.py through AppTest: type a price and see what the organizer keeps;
review, then confirm or keep the current price; make a paid webinar free; the history of
prices. A price is saved only for a verified Stripe account (the local Stripe); organizers
price only their own webinars, and finance none."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Webinar
from console.services import audit
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor
from console.store import catalog, db
from tests.ui.support import run_piece

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
BOB = Actor("bob@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)
FREE = Webinar("wb_free", "Open hour", "ann@example.org")
PAID = Webinar("wb_paid", "Fees 101", "ann@example.org", price_amount=4900, price_currency="eur")
TOKYO = Webinar("wb_jpy", "Tokyo", "ann@example.org", price_amount=5000, price_currency="jpy")
AMOUNT = "Amount (as you would write it: 49, 49.90, 5000 for JPY)"
PLAN_NOTE = "It applies to new registrations only; whoever already paid keeps what they paid."
UNVERIFIED = {
    "charges_enabled": False,
    "details_submitted": False,
    "requirements": {
        "currently_due": ["external_account"],
        "eventually_due": [],
        "past_due": [],
        "disabled_reason": None,
    },
}


@pytest.fixture(autouse=True)
def database(request, tmp_path, monkeypatch):
    """Ann's webinars; no Stripe key unless a test takes the local Stripe."""
    if "fresh_stripe" in request.fixturenames:
        # The local Stripe comes with an empty database of its own: the webinars go in it.
        request.getfixturevalue("fresh_stripe")
    else:
        monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
        monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    with db.connect(write=True) as con:
        catalog.save_webinars(con, [FREE, PAID, TOKYO])


def price_page(actor, webinar_id: str, history: bool) -> None:
    """The price part of the Webinar page."""
    import streamlit as st

    from console.services import pricing
    from console.store import catalog
    from console.ui.price_editor import (
        new_price_fields,
        price_buttons,
        price_confirmation,
        price_history_table,
    )

    if message := st.session_state.pop("webinar_flash", None):
        st.success(message)
    webinar = catalog.load_webinar(webinar_id)
    amount_text, currency, said = new_price_fields(webinar)
    price_buttons(actor, webinar, amount_text, currency, said)
    price_confirmation(actor, webinar_id)
    if history:
        price_history_table(pricing.price_history(actor, webinar_id))


def _page(
    actor: Actor = ANN, webinar_id: str = "wb_free", history: bool = True, **state
) -> AppTest:
    return run_piece(price_page, actor, webinar_id, history, timeout=30, **state)


def _type(app: AppTest, amount: str, currency: str | None = None) -> AppTest:
    app.text_input(key="price_amount").input(amount)
    if currency is not None:
        app.selectbox(key="price_currency").set_value(currency)
    app.run()
    assert not app.exception, app.exception
    return app


def _review(app: AppTest) -> AppTest:
    app.button(key="review_price").click().run()
    assert not app.exception, app.exception
    return app


def _plan(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith("**Change the price")]


def _price(webinar_id: str = "wb_free") -> tuple:
    webinar = catalog.load_webinar(webinar_id)
    return webinar.price_amount, webinar.price_currency


# --- typing a price --------------------------------------------------------------------------


def test_the_price_fields_start_empty_in_the_webinars_currency():
    app = _page(webinar_id="wb_jpy")
    assert [s.value for s in app.subheader] == ["Price"]
    assert app.text_input(key="price_amount").label == AMOUNT
    currency = app.selectbox(key="price_currency")
    assert currency.label == "Currency" and currency.value == "jpy"
    assert "EUR" in currency.options and "JPY" in currency.options
    assert currency.options == sorted(currency.options)
    assert not app.caption and not app.error  # nothing typed, nothing said
    assert _page().selectbox(key="price_currency").value == "eur"  # a free one: EUR


def test_a_typed_amount_shows_what_a_registrant_pays_and_the_organizer_keeps():
    app = _type(_page(), "49")
    assert [c.value for c in app.caption] == [
        "A registrant pays €49.00. With Stripe's standard card fee (about €0.99), the "
        "organizer keeps about €48.01; cards from abroad cost more."
    ]
    french = _type(_page(locale="fr"), "49,90")
    assert french.caption[0].value.startswith("Un inscrit paie 49,90\xa0€.")
    assert "l'organisateur garde environ 48,90\xa0€" in french.caption[0].value
    assert french.text_input(key="price_amount").label == (
        "Montant (comme vous l'écririez : 49, 49,90, 5000 pour le JPY)"
    )
    assert french.selectbox(key="price_currency").label == "Devise"


def test_an_amount_stripe_would_refuse_is_said_once_even_on_review():
    app = _type(_page(), "0.10")
    problem = (
        "Stripe's minimum charge in EUR is €0.50. Set at least that, or make the webinar free."
    )
    assert [e.value for e in app.error] == [problem]
    _review(app)
    assert [e.value for e in app.error] == [problem]
    assert not _plan(app) and "planned_price" not in app.session_state


# --- review, confirm, keep -------------------------------------------------------------------


def test_review_shows_the_change_and_changes_nothing_yet():
    app = _review(_type(_page(), "49"))
    assert _plan(app) == [f"**Change the price from Free to €49.00?**\n\n{PLAN_NOTE}"]
    assert {b.key for b in app.button} >= {"confirm_price", "cancel_price"}
    assert [b.label for b in app.button if b.key in ("confirm_price", "cancel_price")] == [
        "Confirm the price",
        "Keep the current price",
    ]
    assert _price() == (None, None)


def test_keeping_the_current_price_forgets_the_plan():
    app = _review(_type(_page(), "49"))
    app.button(key="cancel_price").click().run()
    assert not _plan(app) and "planned_price" not in app.session_state
    assert _price() == (None, None)


def test_without_a_stripe_account_no_price_is_saved():
    app = _review(_type(_page(), "49"))
    app.button(key="confirm_price").click().run()
    assert [e.value for e in app.error] == [
        "No Stripe account is connected, so no webinar can charge yet. An admin connects one "
        "on the Stripe connection page; until then webinars stay free."
    ]
    assert _plan(app)  # still there to confirm once connected
    assert _price() == (None, None)


def test_with_an_unverified_account_no_price_is_saved(fresh_stripe):
    fresh_stripe.config("/_config/account", **UNVERIFIED)
    app = _review(_type(_page(), "49"))
    app.button(key="confirm_price").click().run()
    [error] = [e.value for e in app.error]
    assert "is not verified yet, so it cannot charge. Stripe still needs: external_account." in (
        error
    )
    assert _price() == (None, None)


def test_confirming_saves_the_price_says_so_and_records_it(fresh_stripe):
    app = _review(_type(_page(), "49", "usd"))
    assert _plan(app)[0].startswith("**Change the price from Free to $49.00?**")
    app.button(key="confirm_price").click().run()
    assert not app.exception, app.exception

    assert _price() == (4900, "usd")
    assert [s.value for s in app.success] == ["Price saved."]
    assert not _plan(app) and "planned_price" not in app.session_state
    assert app.caption[-1].value == "Price history"
    history = app.dataframe[0].value
    assert list(history.columns) == ["changed_at", "changed_by", "from", "to"]
    assert history[["changed_by", "from", "to"]].values.tolist() == [
        ["ann@example.org", "Free", "$49.00"]
    ]
    headings = json.loads(app.dataframe[0].proto.columns)
    assert [headings[c]["label"] for c in ("changed_at", "changed_by", "from", "to")] == [
        "When (UTC)",
        "Who",
        "Old price",
        "New price",
    ]
    [entry] = audit.search(ADMIN_ACTOR, action="price change").to_dict("records")
    assert entry["actor"] == "ann@example.org"


def test_a_paid_webinar_can_be_made_free_without_stripe():
    app = _page(webinar_id="wb_paid")
    app.button(key="make_free").click().run()
    assert _plan(app) == [f"**Change the price from €49.00 to Free?**\n\n{PLAN_NOTE}"]
    app.button(key="confirm_price").click().run()
    assert not app.exception, app.exception
    assert _price("wb_paid") == (None, None)
    assert [s.value for s in app.success] == ["Price saved."]
    assert app.dataframe[0].value[["from", "to"]].values.tolist() == [["€49.00", "Free"]]


def test_a_free_webinar_has_no_make_free_button():
    assert [b.label for b in _page().button] == ["Review the new price"]
    assert [b.label for b in _page(webinar_id="wb_paid").button] == [
        "Review the new price",
        "Make it free",
    ]


def test_a_plan_made_for_another_webinar_is_not_shown_here():
    other = _review(_type(_page(webinar_id="wb_paid"), "59"))
    planned = other.session_state["planned_price"]
    app = _page(planned_price=planned)
    assert not _plan(app) and "confirm_price" not in {b.key for b in app.button}


def test_no_history_before_the_first_change():
    app = _page()
    assert not app.dataframe and "Price history" not in [c.value for c in app.caption]


# --- who may set prices ----------------------------------------------------------------------


def test_finance_cannot_change_a_price():
    app = _review(_type(_page(FIN), "49"))
    assert [e.value for e in app.error] == [
        "fin@example.org (finance) may not do this; it needs the role admin or organizer. "
        "Ask an admin."
    ]
    assert not _plan(app) and _price() == (None, None)


def test_an_organizer_cannot_price_another_organizers_webinar():
    app = _review(_type(_page(BOB, history=False), "49"))
    assert [e.value for e in app.error] == ["bob@example.org may manage only their own webinars."]
    assert not _plan(app) and _price() == (None, None)


def test_an_admin_prices_any_webinar(fresh_stripe):
    app = _review(_type(_page(ADMIN_ACTOR), "25"))
    app.button(key="confirm_price").click().run()
    assert [s.value for s in app.success] == ["Price saved."]
    assert _price() == (2500, "eur")
