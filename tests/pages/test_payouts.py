"""pages/payouts.py through AppTest: each payout, what it holds per webinar, and the check
that its transactions add up to its amount (a difference shown, never hidden)."""

from __future__ import annotations

import json

from console.domain.money import format_money
from console.services import payouts
from console.store import db
from console.stripe_api import sync
from tests.pages.support import ANN, FIN, open_app
from tests.payments import listed, stripe_payouts


def _ids(app) -> list[str]:
    return list(app.dataframe[0].value["payout_id"])


def test_payouts_page_shows_each_payout_as_stripe_has_it(shop):
    app = open_app("pages/payouts.py", FIN)
    assert app.title[0].value == "Payouts"
    theirs = stripe_payouts(shop.client())
    table = app.dataframe[0].value
    assert sorted(table["payout_id"]) == sorted(theirs)
    for row in table.itertuples():
        payout = theirs[row.payout_id]
        assert row.amount == format_money(payout["amount"], payout["currency"])
        assert row.check == ("✓" if payout["contents_listed"] else "listed once paid")
        assert row.destination_last4 == f"•••• {payout['destination_last4']}"
    assert app.get("plotly_chart")
    assert len(app.get("download_button")) == 2
    # The newest paid payout, opened: it adds up, and here is what it holds per webinar.
    newest = next(theirs[p] for p in table["payout_id"] if theirs[p]["contents_listed"])
    app = open_app("pages/payouts.py", FIN, payout=newest["payout_id"])
    assert "add up to the payout's amount, to the unit" in app.success[0].value
    webinars = app.dataframe[1].value
    assert list(webinars["net"]) == [
        format_money(net, newest["currency"])
        for net in payouts.payout_by_webinar(FIN, False, newest["payout_id"])["net"]
    ]


def test_a_payout_that_does_not_add_up_shows_the_difference(shop):
    app = open_app("pages/payouts.py", FIN)
    payout_id = next(
        row.payout_id for row in app.dataframe[0].value.itertuples() if row.check == "✓"
    )
    with db.connect(write=True) as con:
        # The mirror loses one of the payout's lines: the page must say so.
        txn, net, currency = con.execute(
            "SELECT balance_transaction_id, net, currency FROM payout_lines "
            "WHERE payout_id = ? ORDER BY net DESC LIMIT 1",
            [payout_id],
        ).fetchone()
        con.execute("DELETE FROM stripe_payout_transactions WHERE balance_transaction = ?", [txn])
    app = open_app("pages/payouts.py", FIN, payout=payout_id)
    off_by = format_money(-net, currency)
    checks = dict(zip(_ids(app), app.dataframe[0].value["check"], strict=True))
    assert checks[payout_id] == f"off by {off_by}"
    assert f"off by {off_by}" in app.error[0].value


def test_a_failed_payout_says_where_its_money_went(shop):
    client = shop.client()
    failed = listed(client, "payouts")[0]["id"]
    shop.config(f"payouts/{failed}/fail", failure_code="account_closed")
    sync.run_sync()
    app = open_app("pages/payouts.py", FIN, payout=failed)
    assert "Failed" in set(app.dataframe[0].value["status"])
    assert "account_closed" in app.warning[-1].value
    assert "paid out again in a later payout" in app.warning[-1].value


def test_organizers_cannot_open_payouts(shop):
    app = open_app("pages/payouts.py", ANN)
    assert app.title[0].value == "Not allowed"
    assert not app.dataframe


def test_payouts_page_in_french(shop):
    app = open_app("pages/payouts.py", FIN, locale="fr")
    assert app.title[0].value == "Virements"
    headings = json.loads(app.dataframe[0].proto.columns)
    assert headings["arrival_date"]["label"] == "Date d'arrivée"
    assert set(app.dataframe[0].value["status"]) <= {"Payé", "En attente", "En transit"}


def test_registrants_show_the_payout_of_each_payment(shop):
    app = open_app("pages/registrants.py", FIN, webinar="wb_a")
    shown = app.dataframe[0].value
    with db.connect() as con:
        expected = dict(
            con.execute(
                "SELECT email, payout_id FROM charge_facts WHERE webinar_id = 'wb_a'"
            ).fetchall()
        )
    assert dict(zip(shown["email"], shown["payout_id"], strict=True)) == {
        email: payout or "" for email, payout in expected.items()
    }
    assert any(expected.values())


def test_choosing_another_payout_opens_it_even_after_a_link(shop):
    first = listed(shop.client(), "payouts")[0]["id"]
    app = open_app("pages/payouts.py", FIN, payout=first)
    other = _ids(app)[-1]
    assert other != first
    app.selectbox(key="payout_choice").select(other).run()
    assert app.selectbox(key="payout_choice").value == other
    assert app.query_params["payout"] == other
    app.run()  # and it stays chosen
    assert app.selectbox(key="payout_choice").value == other
