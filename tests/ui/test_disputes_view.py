"""console/ui/disputes_view.py through AppTest, on one synced local Stripe: the open
disputes (those due within three days marked in words and colour, links to Stripe), the
closed ones' totals, chart and history, in English and French."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.money import format_money
from console.services import disputes
from console.services.access import FINANCE, Actor
from console.stripe_api import sync
from console.ui import disputes_view
from tests.payments import pay
from tests.ui.support import run_piece
from tests.worlds import module_world

FIN = Actor("fin@example.org", FINANCE)
DAY = 86400


def _disputed(client, webinar_id, currency, card, at) -> str:
    intent = pay(client, webinar_id, 4900, currency, card=card, at=at, email=f"{webinar_id}@x.org")
    [dispute] = client.v1.disputes.list(params={"charge": intent.latest_charge}).data
    return dispute.id


@pytest.fixture(scope="module")
def ledger(fresh_servers, tmp_path_factory):
    """On the French account (settles in EUR), 40 days ago: a EUR payment disputed and lost.
    Then on a US account (settles in USD): a dispute won 30 days ago, one opened 5 days ago
    (due in 2), one opened yesterday (due in 6), an inquiry opened 9 days ago (overdue)."""
    with module_world(fresh_servers, tmp_path_factory.mktemp("disputes-view")) as local:
        client = local.client()
        now = int(time.time())
        lost = _disputed(client, "wb_lost", "eur", "pm_card_createDispute", now - 40 * DAY)
        client.v1.disputes.close(lost)
        local.config("account", country="US", default_currency="usd")
        won = _disputed(client, "wb_won", "usd", "pm_card_createDispute", now - 30 * DAY)
        evidence = {"uncategorized_text": "winning_evidence"}
        client.v1.disputes.update(won, params={"evidence": evidence, "submit": True})
        _disputed(client, "wb_soon", "usd", "pm_card_createDispute", now - 5 * DAY)
        _disputed(client, "wb_later", "usd", "pm_card_createDispute", now - DAY)
        _disputed(client, "wb_late", "usd", "pm_card_createDisputeInquiry", now - 9 * DAY)
        sync.run_sync()
        yield local


def disputes_page(actor, with_open: bool = True) -> None:
    """The Disputes page past its opening."""
    import time

    from console.services import disputes
    from console.ui.disputes_view import (
        dispute_history_table,
        dispute_totals_table,
        net_effect_chart,
        open_disputes_table,
    )

    opened = disputes.open_disputes(actor, False, int(time.time()))
    open_disputes_table(opened if with_open else opened.iloc[0:0])
    dispute_totals_table(disputes.history_totals(actor, False))
    net_effect_chart(disputes.net_effect_by_month(actor, False))
    dispute_history_table(disputes.dispute_history(actor, False))


def _page(**state) -> AppTest:
    return run_piece(disputes_page, FIN, **state)


def _labels(app: AppTest, index: int) -> dict[str, str]:
    headings = json.loads(app.dataframe[index].proto.columns)
    return {column: h["label"] for column, h in headings.items() if "label" in h}


def test_open_disputes_nearest_deadline_first_with_their_urgency(ledger):
    app = _page()
    shown = app.dataframe[0].value
    assert [s.value for s in app.subheader][0] == "Open disputes"
    assert list(shown["webinar_id"]) == ["wb_late", "wb_soon", "wb_later"]
    assert list(shown["urgency"]) == ["Deadline passed", "Due within 3 days", ""]
    assert list(shown["status"]) == ["warning needs response", "needs response", "needs response"]
    assert list(shown["reason"]) == ["general", "fraudulent", "fraudulent"]  # the inquiry card
    assert list(shown["amount"]) == ["$49.00"] * 3
    assert all(
        link.startswith("https://dashboard.stripe.com/test/disputes/dp_")
        for link in shown["dispute_link"]
    )
    # The two that press are coloured, the third not.
    styles = app.dataframe[0].proto.arrow_data.styler.styles
    assert "_row0_" in styles and "_row1_" in styles and "_row2_" not in styles
    assert "before its deadline" in app.caption[0].value


def test_open_disputes_have_readable_headings_and_a_link_column(ledger):
    app = _page()
    assert _labels(app, 0) == {
        "due_by": "Evidence due (UTC)",
        "urgency": "Urgency",
        "status": "Status",
        "reason": "Reason",
        "amount": "Amount",
        "name": "Name",
        "email": "E-mail",
        "title": "Webinar",
        "webinar_id": "Webinar id",
        "opened_at": "Opened (UTC)",
        "dispute_link": "Stripe dispute",
    }
    columns = json.loads(app.dataframe[0].proto.columns)
    assert columns["dispute_link"]["type_config"] == {
        "type": "link",
        "display_text": disputes_view.DISPUTE_ID,
    }
    assert columns["due_by"]["type_config"]["type"] == "datetime"


def test_no_open_dispute_is_said(ledger):
    app = run_piece(disputes_page, FIN, False)
    assert app.success[0].value == "No dispute is open."
    assert len(app.dataframe) == 2  # the closed ones are still shown


def test_closed_disputes_per_settlement_currency_never_added_across(ledger):
    app = _page()
    totals = app.dataframe[1].value
    raw = disputes.history_totals(FIN, False)
    assert list(totals["settlement_currency"]) == ["eur", "usd"]
    assert totals[["closed_disputes", "won", "lost"]].values.tolist() == [[1, 0, 1], [1, 1, 0]]
    assert list(totals["net_effect"]) == [
        format_money(int(a), c)
        for a, c in zip(raw["net_effect"], raw["settlement_currency"], strict=True)
    ]
    assert totals["net_effect"][1] == "-$15.00"  # won: the dispute fee only
    assert _labels(app, 1)["closed_without_chargeback"] == "Closed without a chargeback"


def test_history_latest_first_with_effect_on_net(ledger):
    app = _page()
    history = app.dataframe[2].value
    raw = disputes.dispute_history(FIN, False)
    assert list(history["webinar_id"]) == ["wb_won", "wb_lost"]
    assert list(history["status"]) == ["won", "lost"]
    assert list(history["amount"]) == ["$49.00", "€49.00"]
    assert list(history["net_effect"]) == [
        format_money(int(a), c)
        for a, c in zip(raw["net_effect"], raw["settlement_currency"], strict=True)
    ]
    assert _labels(app, 2)["net_effect"] == "Effect on net"


def test_the_chart_has_a_panel_per_settlement_currency(ledger):
    app = _page()
    [chart] = app.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles == ["Effect on net · EUR", "Effect on net · USD"]
    bars = {(t["name"], t.get("yaxis", "y")): t for t in spec["data"] if t["x"]}
    by_month = disputes.net_effect_by_month(FIN, False).set_index(["settlement_currency", "status"])
    assert bars[("lost", "y")]["hovertext"] == [
        format_money(int(by_month.loc[("eur", "lost"), "net_effect"]), "eur")
    ]
    assert bars[("won", "y2")]["hovertext"] == ["-$15.00"]
    assert bars[("won", "y2")]["y"] == [-15.0]


def test_an_empty_history_draws_no_chart():
    def nothing() -> None:
        import pandas as pd

        from console.ui.disputes_view import dispute_history_table, net_effect_chart

        empty = pd.DataFrame(columns=["month", "settlement_currency", "status", "net_effect"])
        net_effect_chart(empty)
        dispute_history_table(pd.DataFrame())

    app = run_piece(nothing)
    assert not app.get("plotly_chart") and not app.dataframe


def test_no_disputes_stops_the_page_and_says_so():
    def empty_page() -> None:
        import streamlit as st

        from console.ui.disputes_view import stop_with_no_disputes

        stop_with_no_disputes()
        st.markdown("never shown")

    app = run_piece(empty_page)
    assert app.info[0].value.startswith("No disputes.")
    assert not app.markdown


def test_urgency_in_words():
    assert disputes_view.urgency_text(True, True) == "Deadline passed"
    assert disputes_view.urgency_text(True, False) == "Due within 3 days"
    assert disputes_view.urgency_text(False, False) == ""


def test_the_pieces_read_in_french(ledger):
    app = _page(locale="fr")
    assert [s.value for s in app.subheader][:3] == ["Litiges ouverts", "Litiges clos", "Historique"]
    opened = app.dataframe[0].value
    assert list(opened["urgency"]) == ["Échéance dépassée", "Échéance sous 3 jours", ""]
    assert opened.iloc[1]["status"] == "en attente de réponse"
    assert opened.iloc[1]["reason"] == "frauduleux"
    assert opened.iloc[1]["amount"] == "49,00\xa0$US"
    assert _labels(app, 0)["due_by"] == "Preuves attendues avant (UTC)"
    assert _labels(app, 1)["net_effect"] == "Effet sur le net"
    assert list(app.dataframe[2].value["status"]) == ["gagné", "perdu"]
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["annotations"][0]["text"] == "Effet sur le net · EUR"
    assert spec["layout"]["separators"] == ",\u202f"
