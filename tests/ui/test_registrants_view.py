"""console/ui/registrants_view.py through AppTest: which webinar (the link's, the one picked
on the Revenue page, or chosen), search and sort, and the table of payments with links to
Stripe; on one synced local Stripe where payments are needed."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Registration, Webinar
from console.services import analytics
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor
from console.store import db
from console.store.catalog import save_registrations, save_webinars
from console.stripe_api import sync
from tests.payments import pay, refund
from tests.ui.support import run_piece
from tests.worlds import module_world

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
BOB = Actor("bob@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)
DAY = 86400
WEBINARS = {"wb_p": "Fees 101", "wb_free": "Open hour", "wb_r": "Recovery"}


@pytest.fixture(scope="module")
def shop(fresh_servers, tmp_path_factory):
    """Ann's “Fees 101” (€49): Ada paid 3 days ago, Bea 2 days ago (€10.00 refunded since),
    Cy yesterday with a card that disputes. Ann's “Recovery”: Dee's and Eve's payments.
    Bob's free “Open hour”: two registrants."""
    with module_world(fresh_servers, tmp_path_factory.mktemp("registrants")) as local:
        with db.connect(write=True) as con:
            save_webinars(
                con,
                [
                    Webinar(
                        "wb_p",
                        "Fees 101",
                        "ann@example.org",
                        price_amount=4900,
                        price_currency="eur",
                    ),
                    Webinar(
                        "wb_r",
                        "Recovery",
                        "ann@example.org",
                        price_amount=4900,
                        price_currency="eur",
                    ),
                    Webinar("wb_free", "Open hour", "bob@example.org"),
                ],
            )
            save_registrations(
                con,
                [
                    Registration(
                        f"reg_{name}",
                        "wb_free",
                        name.title(),
                        f"{name}@example.org",
                        "registered",
                        None,
                        datetime(2026, 11, 1, tzinfo=UTC),
                    )
                    for name in ("zed", "yan")
                ],
            )
        client = local.client()
        now = int(time.time())
        charges = {}
        for name, days, card, webinar_id in (
            ("Ada", 3, "pm_card_fr", "wb_p"),
            ("Bea", 2, "pm_card_fr", "wb_p"),
            ("Cy", 1, "pm_card_createDispute", "wb_p"),
            ("Dee", 1, "pm_card_fr", "wb_r"),
            ("Eve", 1, "pm_card_fr", "wb_r"),
        ):
            intent = pay(
                client,
                webinar_id,
                4900,
                "eur",
                card=card,
                at=now - days * DAY,
                email=f"{name.lower()}@example.org",
                name=name,
            )
            charges[name] = intent.latest_charge
            if name == "Bea":
                refund(client, intent.id, amount=1000)
        sync.run_sync()
        yield local, charges


_run = run_piece


# --- which webinar ---------------------------------------------------------------------------


def choice_page(webinars: dict[str, str]) -> None:
    import streamlit as st

    from console.ui.registrants_view import registrants_webinar

    st.markdown(f"Showing {registrants_webinar(webinars)}")


def test_a_webinar_is_chosen_by_title_and_id():
    app = _run(choice_page, WEBINARS)
    choice = app.selectbox(key="registrants_choice")
    assert choice.label == "Webinar"
    assert choice.options == ["Fees 101 (wb_p)", "Open hour (wb_free)", "Recovery (wb_r)"]
    assert [m.value for m in app.markdown] == ["Showing wb_p"]
    choice.set_value("wb_r").run()
    assert [m.value for m in app.markdown] == ["Showing wb_r"]
    assert _run(choice_page, WEBINARS, locale="fr").selectbox(key="registrants_choice").label == (
        "Webinaire"
    )


def test_the_link_chooses_the_webinar():
    app = _run(choice_page, WEBINARS, query={"webinar": "wb_free"})
    assert app.selectbox(key="registrants_choice").value == "wb_free"
    assert [m.value for m in app.markdown] == ["Showing wb_free"]


def test_the_webinar_picked_on_the_revenue_page_is_shown_once():
    app = _run(choice_page, WEBINARS, registrants_webinar="wb_r")
    assert [m.value for m in app.markdown] == ["Showing wb_r"]
    assert "registrants_webinar" not in app.session_state  # handed over, then forgotten
    app.selectbox(key="registrants_choice").set_value("wb_p").run()
    assert [m.value for m in app.markdown] == ["Showing wb_p"]  # the person's choice stands


def test_a_webinar_this_person_may_not_see_is_not_chosen():
    app = _run(choice_page, WEBINARS, query={"webinar": "wb_someone_elses"})
    assert [m.value for m in app.markdown] == ["Showing wb_p"]


def test_with_no_webinar_nothing_is_chosen():
    assert [m.value for m in _run(choice_page, {}).markdown] == ["Showing None"]


def test_an_organizer_is_offered_only_their_own_webinars(shop):
    app = _run(choice_page, analytics.filter_choices(BOB, False).webinars)
    assert app.selectbox(key="registrants_choice").options == ["Open hour (wb_free)"]


# --- search and sort -------------------------------------------------------------------------


def search_page() -> None:
    import streamlit as st

    from console.ui.registrants_view import registrant_search

    search, sort = registrant_search()
    st.markdown(f"“{search}” by {sort}")


def test_search_and_sort_are_offered_in_the_chosen_language():
    app = _run(search_page)
    assert app.text_input(key="registrant_search").label == "Search name, e-mail or charge"
    sort = app.selectbox(key="registrant_sort")
    assert (sort.label, sort.options) == (
        "Sort by",
        ["Paid at (UTC)", "Name", "Amount paid", "Status"],
    )
    assert [m.value for m in app.markdown] == ["“” by paid_at"]
    french = _run(search_page, locale="fr")
    assert french.text_input(key="registrant_search").label == "Rechercher nom, e-mail ou paiement"
    assert french.selectbox(key="registrant_sort").options == [
        "Payé le (UTC)",
        "Nom",
        "Montant payé",
        "Statut",
    ]


def test_what_is_typed_and_chosen_is_returned():
    app = _run(search_page)
    app.text_input(key="registrant_search").input("bea")
    app.selectbox(key="registrant_sort").set_value("name").run()
    assert [m.value for m in app.markdown] == ["“bea” by name"]


# --- the table -------------------------------------------------------------------------------


def table_page(actor, webinar_id: str, most: int) -> None:
    """The registrants page's search and table, as the page reads them."""
    from console.services import analytics
    from console.ui.registrants_view import registrant_search, registrants_table

    search, sort = registrant_search()
    rows = analytics.registrant_rows(actor, False, webinar_id, search, sort, most)
    registrants_table(rows, analytics.registrant_count(actor, False, webinar_id), most)


def _table(app: AppTest):
    return app.dataframe[0].value.set_index("name")


def test_the_table_shows_each_payment_with_its_status_and_a_link(shop):
    _, charges = shop
    app = _run(table_page, FIN, "wb_p", 1000)
    shown = _table(app)
    assert list(shown.index) == ["Cy", "Bea", "Ada"]  # the latest payment first
    assert "currency" not in shown and "settlement_currency" not in shown
    assert "charge_id" not in shown
    bea = shown.loc["Bea"]
    assert (bea["email"], bea["amount_paid"], bea["amount_refunded"], bea["status"]) == (
        "bea@example.org",
        "€49.00",
        "€10.00",
        "Partially refunded",
    )
    assert bea["refund_pending"] == "" and bea["dispute_status"] == ""
    assert shown.loc["Ada", "status"] == "Paid"
    assert shown.loc["Cy", "dispute_status"] == "needs response"
    assert shown.loc["Ada", "fee"].startswith("€") and shown.loc["Ada", "net"].startswith("€")
    assert shown.loc["Ada", "stripe_link"] == (
        f"https://dashboard.stripe.com/test/payments/{charges['Ada']}"
    )
    assert not app.caption  # every payment is shown


def test_the_table_has_readable_headings_and_links_named_by_charge(shop):
    headings = json.loads(_run(table_page, FIN, "wb_p", 1000).dataframe[0].proto.columns)
    assert {column: h["label"] for column, h in headings.items() if "label" in h} == {
        "name": "Name",
        "email": "E-mail",
        "amount_paid": "Amount paid",
        "amount_refunded": "Refunded",
        "refund_pending": "Refund pending",
        "fee": "Stripe fee",
        "net": "Net",
        "status": "Status",
        "dispute_status": "Dispute",
        "card_brand": "Card",
        "payout_id": "Payout",
        "paid_at": "Paid at (UTC)",
        "stripe_link": "Stripe charge",
    }
    assert headings["stripe_link"]["type_config"] == {
        "type": "link",
        "display_text": "payments/(.*)$",
    }
    assert headings["paid_at"]["type_config"]["type"] == "datetime"


def test_when_only_the_first_rows_are_shown_the_page_says_so(shop):
    app = _run(table_page, FIN, "wb_p", 2)
    assert len(app.dataframe[0].value) == 2
    assert [c.value for c in app.caption] == [
        "Showing the first 2 of 3: search to narrow, or download the CSV for all."
    ]
    french = _run(table_page, FIN, "wb_p", 2, locale="fr")
    assert [c.value for c in french.caption] == [
        "Les 2 premiers sur 3 : affinez la recherche, ou téléchargez le CSV pour tout avoir."
    ]


def test_search_and_sort_narrow_and_order_the_table(shop):
    app = _run(table_page, FIN, "wb_p", 1000)
    # "@" keeps Stripe's random ids (searched too) from matching by chance.
    app.text_input(key="registrant_search").input("BEA@").run()
    assert list(_table(app).index) == ["Bea"]
    app.text_input(key="registrant_search").input("").run()
    app.selectbox(key="registrant_sort").set_value("name").run()
    assert list(_table(app).index) == ["Ada", "Bea", "Cy"]


def test_statuses_and_money_are_written_in_french(shop):
    shown = _table(_run(table_page, FIN, "wb_p", 1000, locale="fr"))
    assert shown.loc["Bea", "status"] == "Remboursé en partie"
    assert shown.loc["Bea", "amount_refunded"] == "10,00\xa0€"


def test_a_free_webinars_registrants_are_free_registrations(shop):
    shown = _table(_run(table_page, ADMIN_ACTOR, "wb_free", 1000))
    assert sorted(shown.index) == ["Yan", "Zed"]
    assert set(shown["status"]) == {"Free registration"}
    assert set(shown["amount_paid"]) == {"—"} and set(shown["stripe_link"]) == {""}
