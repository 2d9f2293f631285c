"""pages/registrants.py through AppTest: the paid registrants of one webinar, their export,
and the refund controls, against the local Stripe."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Webinar
from console.domain.money import format_money
from console.services import analytics
from console.store import db
from console.store.catalog import save_webinars
from console.stripe_api import sync
from tests.pages.support import ADMIN_ACTOR, FIN, open_app
from tests.payments import all_objects, pay
from tests.services.refunds.support import priced_webinar, snapshot


def _registrants_page() -> AppTest:
    """The registrants of wb_r (the refund shop's webinar), as an admin."""
    return open_app("pages/registrants.py", webinar="wb_r")


def test_registrants_page_lists_payments_with_fees_and_links(shop):
    app = open_app("pages/registrants.py", webinar="wb_a")

    table = app.dataframe[0].value
    assert sorted(table["email"]) == ["a@example.org", "b@example.org"]
    row = table[table["email"] == "a@example.org"].iloc[0]
    assert row["amount_paid"] == "$49.00"
    assert row["amount_refunded"] == "$10.00"
    assert row["fee"] == "$1.72"
    assert row["status"] == "Partially refunded"
    assert row["card_brand"] == "visa"
    charge = next(c for c in all_objects(shop.client(), "charges") if c.amount_refunded)
    assert row["stripe_link"] == f"https://dashboard.stripe.com/test/payments/{charge.id}"


def test_registrants_search_sort_and_export(shop):
    app = open_app("pages/registrants.py", webinar="wb_a")
    app.text_input(key="registrant_search").input("bea").run()
    assert list(app.dataframe[0].value["email"]) == ["b@example.org"]

    app.text_input(key="registrant_search").input("").run()
    app.selectbox(key="registrant_sort").select("name").run()
    assert list(app.dataframe[0].value["name"]) == ["Ada Lovelace", "Bea"]
    assert app.get("download_button")


def test_registrants_export_neutralises_formulas(shop):
    rows = analytics.registrant_rows(ADMIN_ACTOR, False, "wb_c")
    exported = analytics.registrants_csv(rows).decode()
    assert "'=HYPERLINK" in exported
    assert "\n=HYPERLINK" not in exported and ",=HYPERLINK" not in exported


def test_registrants_of_a_free_webinar_appear_with_amount_zero(shop):
    app = open_app("pages/registrants.py", webinar="wb_free")
    table = app.dataframe[0].value
    assert len(table) == 3
    assert set(table["amount_paid"]) == {"—"}
    assert set(table["status"]) == {"Free registration"}


def test_registrants_page_for_a_webinar_without_payments(shop):
    with db.connect(write=True) as con:
        save_webinars(
            con,
            [
                Webinar(
                    "wb_new", "Brand new", "ann@example.org", price_amount=900, price_currency="usd"
                )
            ],
        )
    app = open_app("pages/registrants.py", webinar="wb_new")
    assert "No payments" in app.info[0].value


# --- refunds -------------------------------------------------------------------------------


def test_partial_refund_with_confirmation(refund_shop):
    client, inbox = refund_shop
    app = _registrants_page()
    app.radio(key="refund_kind").set_value("partial").run()
    app.text_input(key="refund_amount").input("10")
    app.selectbox(key="refund_reason").select("requested_by_customer")
    app.text_input(key="refund_note").input("came late")
    app.button(key="review_refund").click().run()

    confirmation = app.markdown[-1].value
    assert "Refund $10.00 of $49.00" in confirmation
    assert "Stripe keeps its fee of $1.72: it is not returned" in confirmation
    assert "becomes $37.28" in confirmation
    assert all_objects(client, "refunds") == []  # nothing before confirmation

    app.button(key="confirm_refund").click().run()

    assert not app.exception
    [refund] = all_objects(client, "refunds")
    assert refund.amount == 1000 and refund.reason == "requested_by_customer"
    assert any("Refund succeeded: $10.00" in s.value for s in app.success)
    table = app.dataframe[0].value
    assert "$10.00" in set(table["amount_refunded"])  # shown at once, before any sync
    assert len(inbox.messages) == 1


def test_a_jpy_payments_fee_shows_in_the_settlement_currency(fresh_stripe, smtp_server):
    priced_webinar(price=5000, currency="jpy")  # a French account (the default) settles in EUR
    client = fresh_stripe.client()
    pay(client, "wb_r", 5000, "jpy", card="pm_card_jp", email="ken@example.org", name="Ken")
    sync.run_sync()
    with db.connect() as con:
        fee, net, rate = con.execute(
            "SELECT fee, net, exchange_rate FROM stripe_balance_transactions "
            "WHERE reporting_category = 'charge'"
        ).fetchone()
    assert rate is not None and fee > 0

    app = _registrants_page()

    table = app.dataframe[0].value
    assert list(table["amount_paid"]) == ["¥5,000"]
    assert list(table["fee"]) == [format_money(fee, "eur")]
    assert list(table["net"]) == [format_money(net, "eur")]
    app.radio(key="refund_kind").set_value("partial").run()
    app.text_input(key="refund_amount").input("1000")
    app.button(key="review_refund").click().run()
    confirmation = app.markdown[-1].value
    assert "Refund ¥1,000 of ¥5,000" in confirmation
    assert f"Stripe keeps its fee of {format_money(fee, 'eur')}" in confirmation
    assert "becomes about €" in confirmation and "¥" not in confirmation.split("becomes")[1]


def test_refund_above_what_remains_is_refused_and_writes_nothing(refund_shop):
    client, _inbox = refund_shop
    before = snapshot()
    app = _registrants_page()
    app.radio(key="refund_kind").set_value("partial").run()
    app.text_input(key="refund_amount").input("60")
    app.button(key="review_refund").click().run()

    assert "At most $49.00 can still be refunded" in app.error[0].value
    assert "confirm_refund" not in [b.key for b in app.button]
    assert snapshot() == before
    assert all_objects(client, "refunds") == []


def test_going_back_from_the_confirmation_refunds_nothing(refund_shop):
    client, _inbox = refund_shop
    app = _registrants_page()
    app.button(key="review_refund").click().run()
    app.button(key="cancel_refund").click().run()
    assert "confirm_refund" not in [b.key for b in app.button]
    assert all_objects(client, "refunds") == []


@pytest.fixture
def deferred_downloads(monkeypatch) -> dict:
    """What each download button built on click would serve, by its deferred id."""
    served: dict[str, Callable[[], bytes]] = {}
    add_deferred = MediaFileManager.add_deferred

    def spy(self, function, mimetype, coordinates, file_name=None, **kwargs):
        file_id = add_deferred(self, function, mimetype, coordinates, file_name, **kwargs)
        served[file_id] = function
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return served


def test_registrants_page_in_french_with_its_export_headed_in_french(shop, deferred_downloads):
    app = open_app("pages/registrants.py", locale="fr", webinar="wb_a")
    assert app.title[0].value == "Inscrits payants"
    assert app.text_input(key="registrant_search").label == "Rechercher nom, e-mail ou paiement"
    sort = app.selectbox(key="registrant_sort")
    assert (sort.label, sort.options[0]) == ("Trier par", "Payé le (UTC)")
    table = app.dataframe[0].value.set_index("email")
    assert table.loc["a@example.org", "status"] == "Remboursé en partie"
    assert table.loc["a@example.org", "amount_paid"] == "49,00\xa0$US"
    headings = json.loads(app.dataframe[0].proto.columns)
    assert (headings["amount_paid"]["label"], headings["stripe_link"]["label"]) == (
        "Montant payé",
        "Paiement Stripe",
    )
    [button] = app.get("download_button")
    assert button.proto.label == "Télécharger le CSV"
    header, *rows = deferred_downloads[button.proto.deferred_file_id]().decode().splitlines()
    # The headings for people; the values as the report has them (codes, minor units).
    assert header.split(",")[:5] == ["Nom", "E-mail", "Devise", "Montant payé", "Remboursé"]
    assert any(",4900,1000," in row and ",partially_refunded," in row for row in rows)


def test_choosing_another_webinar_after_a_link_opens_it(shop):
    """Arriving by a link (?webinar=…) chooses once: the box then follows the person."""
    app = open_app("pages/registrants.py", FIN, webinar="wb_a")
    app.selectbox(key="registrants_choice").select("wb_c").run()
    assert app.selectbox(key="registrants_choice").value == "wb_c"
    assert app.query_params["webinar"] == "wb_c"
    app.run()
    assert app.selectbox(key="registrants_choice").value == "wb_c"
