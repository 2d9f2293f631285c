"""console/ui/revenue_view.py through AppTest, on one synced local Stripe: the filters and
the selection they make, the KPI cards per currency with the change against the previous
period, the grain of the chart, the per-webinar table, and the two ways to the paid
registrants of a webinar. An organizer sees only their own webinars."""

from __future__ import annotations

import inspect
import json
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Webinar
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor
from console.store import db
from console.store.catalog import save_webinars
from console.stripe_api import sync
from tests.accounts import signed_in
from tests.payments import pay, refund
from tests.worlds import module_world

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)
DAY = 86400
REGISTRANTS_PAGE = (
    "import streamlit as st\n"
    "st.markdown(f\"Paid registrants of {st.session_state.get('registrants_webinar')}\")\n"
)


@pytest.fixture(scope="module")
def shop(fresh_servers, tmp_path_factory):
    """On the French account: Ann's “Fees 101” paid by Ada 50 days ago (€10.00 of it
    refunded 45 days ago) and by Bea 3 days ago; Bob's “Tokyo” paid 10 days ago in JPY."""
    with module_world(fresh_servers, tmp_path_factory.mktemp("revenue")) as local:
        with db.connect(write=True) as con:
            save_webinars(
                con,
                [
                    Webinar(
                        "wb_a",
                        "Fees 101",
                        "ann@example.org",
                        price_amount=4900,
                        price_currency="eur",
                    ),
                    Webinar(
                        "wb_b",
                        "Tokyo",
                        "bob@example.org",
                        price_amount=5000,
                        price_currency="jpy",
                    ),
                ],
            )
        client = local.client()
        now = int(time.time())
        ada = pay(client, "wb_a", 4900, "eur", "pm_card_fr", now - 50 * DAY, "ada@example.org")
        refund(client, ada.id, amount=1000, at=now - 45 * DAY)
        pay(client, "wb_a", 2900, "eur", "pm_card_fr", now - 3 * DAY, "bea@example.org")
        pay(client, "wb_b", 5000, "jpy", "pm_card_visa", now - 10 * DAY, "cy@example.org")
        sync.run_sync()
        yield local


def revenue_page() -> None:
    """The Revenue page past its opening, with the selection written out."""
    import streamlit as st

    from console.formatting import i18n
    from console.formatting.i18n import _
    from console.services import analytics
    from console.ui.revenue_view import (
        grain_choice,
        kpi_cards,
        open_registrants_picker,
        per_webinar_table,
        revenue_chart,
        revenue_filters,
    )

    i18n.use(st.session_state.get("locale"))  # as the app does before any page
    actor = st.session_state["actor"]
    choices = analytics.filter_choices(actor, False)
    selection = revenue_filters(choices)
    st.text(f"{selection}")
    presented = analytics.kpis(actor, False, selection, "presented")
    kpi_cards(
        presented, analytics.PRESENTED, _("Paid by registrants, in the currency they paid in")
    )
    settled = analytics.kpis(actor, False, selection, "settled")
    kpi_cards(
        settled,
        analytics.SETTLED,
        _("Stripe fees and net, in the currency they settled in (your Stripe balance)"),
    )
    grain = grain_choice(all_time=selection.start is None)
    revenue_chart(analytics.revenue_over_time(actor, False, selection, grain), grain)
    by_webinar = analytics.revenue_by_webinar(actor, False, selection)
    per_webinar_table(by_webinar)
    open_registrants_picker(by_webinar, choices.webinars)


def _page(directory: Path, actor: Actor = FIN, **state) -> AppTest:
    """The page as the main script of an app whose pages/registrants.py says which webinar
    it was opened for. (A multipage app's main script gets no `args`: the actor goes through
    the session, as it does in the console.)"""
    source = textwrap.dedent(inspect.getsource(revenue_page))
    (directory / "main.py").write_text(f"{source}\nrevenue_page()\n")
    (directory / "pages").mkdir(exist_ok=True)
    (directory / "pages" / "registrants.py").write_text(REGISTRANTS_PAGE)
    app = AppTest.from_file(directory / "main.py", default_timeout=60)
    signed_in(app, actor)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


def _cards(app: AppTest) -> dict[str, list[tuple[str, str]]]:
    """Each currency's metric cards: (label, value, delta)."""
    found: dict[str, list] = {}
    currency = None
    for element in app.main:
        if element.type == "markdown" and element.value.startswith("### "):
            currency = element.value[4:]
        elif element.type == "metric":
            found.setdefault(currency, []).append(
                (element.label, element.value, element.proto.delta or None)
            )
    return found


# --- filters ---------------------------------------------------------------------------------


def test_the_filters_offer_what_this_person_may_choose(shop, tmp_path):
    app = _page(tmp_path)
    period = app.selectbox(key="period")
    assert period.label == "Period"
    assert period.options == ["30 days", "90 days", "12 months", "All time"]
    assert period.value == "all"
    webinars = app.multiselect(key="webinars")
    assert (webinars.label, webinars.options, webinars.value) == (
        "Webinars",
        ["Fees 101", "Tokyo"],
        [],
    )
    assert webinars.placeholder == "All webinars"
    organizer = app.selectbox(key="organizer")
    assert organizer.label == "Organizer"
    assert organizer.options == ["All organizers", "ann@example.org", "bob@example.org"]
    currency = app.selectbox(key="currency")
    assert currency.label == "Currency"
    assert currency.options == ["All currencies", "EUR", "JPY"]
    assert app.text[0].value == (
        "RevenueFilter(start=None, end=None, webinar_ids=(), organizer=None, currency=None)"
    )


def test_the_filters_are_labelled_in_french(shop, tmp_path):
    app = _page(tmp_path, locale="fr")
    assert [s.label for s in app.selectbox] == ["Période", "Organisateur", "Devise", "Webinaire"]
    assert app.selectbox(key="period").options == [
        "30 jours",
        "90 jours",
        "12 mois",
        "Depuis le début",
    ]
    webinars = app.multiselect(key="webinars")
    assert (webinars.label, webinars.placeholder) == ("Webinaires", "Tous les webinaires")
    assert app.selectbox(key="organizer").options[0] == "Tous les organisateurs"
    assert app.selectbox(key="currency").options[0] == "Toutes les devises"


def test_the_chosen_filters_make_the_selection(shop, tmp_path):
    app = _page(tmp_path)
    app.selectbox(key="period").set_value("90")
    app.multiselect(key="webinars").select("wb_b")
    app.selectbox(key="organizer").set_value("bob@example.org")
    app.selectbox(key="currency").set_value("jpy")
    app.run()
    today = datetime.now(UTC).date()
    assert app.text[0].value == (
        f"RevenueFilter(start={today - timedelta(days=89)!r}, end={today!r}, "
        "webinar_ids=('wb_b',), organizer='bob@example.org', currency='jpy')"
    )


# --- KPI cards -------------------------------------------------------------------------------


def test_over_all_time_each_currency_has_its_cards_without_a_change(shop, tmp_path):
    app = _page(tmp_path)
    assert [c.value for c in app.caption][:2] == [
        "Paid by registrants, in the currency they paid in",
        "Stripe fees and net, in the currency they settled in (your Stripe balance)",
    ]
    cards = _cards(app)
    assert cards["EUR"][:4] == [
        ("Gross", "€78.00", None),
        ("Refunded", "€10.00", None),
        ("Lost to disputes", "€0.00", None),
        ("Paid registrants", "2", None),
    ]
    assert cards["JPY"] == [
        ("Gross", "¥5,000", None),
        ("Refunded", "¥0", None),
        ("Lost to disputes", "¥0", None),
        ("Paid registrants", "1", None),
    ]
    # Fees and net are in the balance's currency: the JPY payment settled in EUR.
    assert [label for label, _, _ in cards["EUR"][4:]] == ["Stripe fees", "Net"]
    assert len(cards) == 2


def test_over_30_days_the_cards_show_the_change_against_the_30_days_before(shop, tmp_path):
    app = _page(tmp_path)
    app.selectbox(key="period").set_value("30").run()
    cards = _cards(app)
    assert cards["EUR"][:4] == [
        ("Gross", "€29.00", "-€20.00 vs previous period"),
        ("Refunded", "€0.00", "-€10.00 vs previous period"),
        ("Lost to disputes", "€0.00", "+€0.00 vs previous period"),
        ("Paid registrants", "1", "+0 vs previous period"),
    ]
    assert cards["JPY"][0] == ("Gross", "¥5,000", "+¥5,000 vs previous period")


def test_a_drop_against_the_previous_period_is_shown_going_down(shop, tmp_path):
    app = _page(tmp_path, period="30")
    arrows = {m.label: (m.proto.direction, m.proto.color) for m in app.metric[:4]}
    # Less money in is bad news (red); less refunded is good news (green, delta_color inverse).
    assert arrows["Gross"] == (Metric.MetricDirection.DOWN, Metric.MetricColor.RED)
    assert arrows["Refunded"] == (Metric.MetricDirection.DOWN, Metric.MetricColor.GREEN)


def test_the_cards_and_their_changes_are_written_in_french(shop, tmp_path):
    app = _page(tmp_path, locale="fr")
    app.selectbox(key="period").set_value("30").run()
    cards = _cards(app)["EUR"]
    assert cards[0] == ("Brut", "29,00\xa0€", "-20,00\xa0€ par rapport à la période précédente")
    assert cards[3] == ("Inscrits payants", "1", "+0 par rapport à la période précédente")
    assert [c.value for c in app.caption][:2] == [
        "Payé par les inscrits, dans la devise de leur paiement",
        "Frais Stripe et net, dans la devise de règlement (votre solde Stripe)",
    ]


def test_an_organizer_filter_narrows_every_figure(shop, tmp_path):
    app = _page(tmp_path)
    app.selectbox(key="organizer").set_value("bob@example.org").run()
    assert list(_cards(app)) == ["JPY", "EUR"]  # Tokyo's payment, and its EUR settlement
    assert list(app.dataframe[0].value["webinar_id"]) == ["wb_b"]


def test_an_organizer_sees_only_their_own_webinars(shop, tmp_path):
    app = _page(tmp_path, actor=ANN)
    assert app.selectbox(key="organizer").options == ["All organizers", "ann@example.org"]
    assert app.multiselect(key="webinars").options == ["Fees 101"]
    assert list(_cards(app)) == ["EUR"]
    assert _cards(app)["EUR"][0] == ("Gross", "€78.00", None)
    assert list(app.dataframe[0].value["webinar_id"]) == ["wb_a"]
    assert app.selectbox(key="open_webinar").options == ["Fees 101"]


# --- over time -------------------------------------------------------------------------------


def test_months_over_all_time_weeks_over_a_period(shop, tmp_path):
    app = _page(tmp_path)
    assert "Revenue over time" in [s.value for s in app.subheader]
    grain = app.radio(key="grain")
    assert (grain.label, grain.options, grain.value) == (
        "Group by",
        ["Day", "Week", "Month"],
        "month",
    )
    assert len(app.get("plotly_chart")) == 1
    over_a_period = _page(tmp_path, period="90")
    assert over_a_period.radio(key="grain").value == "week"
    french = _page(tmp_path, locale="fr").radio(key="grain")
    assert (french.label, french.options) == ("Regrouper par", ["Jour", "Semaine", "Mois"])


# --- per webinar -----------------------------------------------------------------------------


def test_the_per_webinar_table_shows_each_webinars_money(shop, tmp_path):
    app = _page(tmp_path)
    assert "Per webinar" in [s.value for s in app.subheader]
    shown = app.dataframe[0].value
    rows = shown[["webinar_id", "title", "organizer", "currency", "paid_registrants", "gross"]]
    assert rows.values.tolist() == [
        ["wb_a", "Fees 101", "ann@example.org", "eur", 2, "€78.00"],
        ["wb_b", "Tokyo", "bob@example.org", "jpy", 1, "¥5,000"],
    ]
    assert list(shown["refunded"]) == ["€10.00", "¥0"]
    assert all(fee.startswith("€") for fee in shown["fees"])  # settled in EUR


def test_the_per_webinar_table_is_headed_in_the_chosen_language(shop, tmp_path):
    headings = {
        column: config["label"]
        for column, config in json.loads(_page(tmp_path).dataframe[0].proto.columns).items()
        if "label" in config
    }
    assert headings["gross"] == "Gross" and headings["fees"] == "Stripe fees"
    assert headings["settlement_currency"] == "Settled in" and headings["title"] == "Webinar"
    app = _page(tmp_path, locale="fr")
    assert "Par webinaire" in [s.value for s in app.subheader]
    french = json.loads(app.dataframe[0].proto.columns)
    assert french["disputed"]["label"] == "Perdu en litiges"
    assert french["paid_registrants"]["label"] == "Inscrits payants"
    assert list(app.dataframe[0].value["gross"]) == ["78,00\xa0€", "5\u202f000\xa0JPY"]


def test_picking_a_row_opens_that_webinars_paid_registrants(shop, tmp_path):
    picked = {"selection": {"rows": [1], "columns": [], "cells": []}}
    app = _page(tmp_path, webinar_table=picked)
    assert [m.value for m in app.markdown] == ["Paid registrants of wb_b"]


def test_the_picker_opens_the_chosen_webinars_paid_registrants(shop, tmp_path):
    app = _page(tmp_path)
    choice = app.selectbox(key="open_webinar")
    assert (choice.label, choice.options) == ("Webinar", ["Fees 101", "Tokyo"])
    assert app.button(key="open_registrants").label == "View paid registrants"
    choice.set_value("wb_b")
    app.button(key="open_registrants").click().run()
    assert not app.exception, app.exception
    assert [m.value for m in app.markdown] == ["Paid registrants of wb_b"]


def test_the_picker_is_labelled_in_french(shop, tmp_path):
    app = _page(tmp_path, locale="fr")
    assert app.button(key="open_registrants").label == "Voir les inscrits payants"
    assert app.selectbox(key="open_webinar").label == "Webinaire"
