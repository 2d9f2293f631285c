"""console/ui/reconciliation_view.py through AppTest, on one synced local Stripe: the
comparison with Stripe made on the first visit and kept for the session, made again on
request; the totals side by side and every difference; Stripe's failure said on the page."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.money import format_money
from console.services.access import ADMIN, FINANCE, Actor
from console.settings import StripeSettings, stripe_settings
from console.stripe_api import sync
from tests.payments import all_objects, pay, refund
from tests.ui.support import run_piece
from tests.worlds import module_world

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
FIN = Actor("fin@example.org", FINANCE)
AGREEMENT = "The console agrees with Stripe: no difference."


@pytest.fixture(scope="module")
def synced(fresh_servers, tmp_path_factory):
    """Two EUR payments on the French account, synced."""
    with module_world(fresh_servers, tmp_path_factory.mktemp("recon")) as local:
        client = local.client()
        pay(client, "wb_a", 4900, "eur", card="pm_card_fr", email="ada@example.org")
        pay(client, "wb_a", 2900, "eur", card="pm_card_fr", email="bea@example.org")
        sync.run_sync()
        yield local


def reconciliation_page(actor, settings) -> None:
    """The Reconciliation page past its opening, with a line after the report."""
    import streamlit as st

    from console.settings import stripe_settings
    from console.ui.reconciliation_view import comparison_with_stripe, reconciliation_report

    reconciliation_report(comparison_with_stripe(actor, settings or stripe_settings()))
    st.markdown("end of the report")


def _page(actor: Actor = FIN, settings: StripeSettings | None = None, **state) -> AppTest:
    return run_piece(reconciliation_page, actor, settings, **state)


def _labels(app: AppTest) -> dict[str, str]:
    headings = json.loads(app.dataframe[0].proto.columns)
    return {column: h["label"] for column, h in headings.items() if "label" in h}


def test_the_first_visit_compares_at_once_and_shows_the_totals(synced):
    app = _page()
    assert [b.label for b in app.button] == ["Compare with Stripe now"]
    assert [s.value for s in app.success] == [AGREEMENT]
    assert not app.error and not app.get("progress")  # the progress bar is gone once done
    [totals] = app.dataframe  # no table of differences
    [row] = totals.value.to_dict("records")
    txns = all_objects(synced.client(), "balance_transactions")
    assert row["settlement_currency"] == "eur" and {t.currency for t in txns} == {"eur"}
    fees = sum(t.fee for t in txns)
    assert (row["console_transactions"], row["stripe_transactions"]) == (2, 2)
    assert row["console_fees"] == row["stripe_fees"] == format_money(fees, "eur")
    assert row["difference"] == "€0.00"
    assert [m.value for m in app.markdown] == ["end of the report"]


def test_the_totals_have_readable_headings(synced):
    assert _labels(_page()) == {
        "console_transactions": "Console: transactions",
        "stripe_transactions": "Stripe: transactions",
        "console_fees": "Console: fees",
        "stripe_fees": "Stripe: fees",
        "console_net": "Console: net",
        "stripe_net": "Stripe: net",
        "stripe_balance": "Stripe balance",
        "difference": "Difference",
        "settlement_currency": "Settled in",
    }


def test_the_report_reads_in_french(synced):
    app = _page(locale="fr")
    assert [b.label for b in app.button] == ["Comparer avec Stripe"]
    assert [s.value for s in app.success] == [
        "La console est en accord avec Stripe : aucune différence."
    ]
    assert app.dataframe[0].value.iloc[0]["difference"] == "0,00\xa0€"
    assert _labels(app)["stripe_fees"] == "Stripe : frais"


def test_the_comparison_is_kept_until_asked_again_and_lists_each_difference(synced):
    app = _page()
    intent = all_objects(synced.client(), "payment_intents")[0]
    late = refund(synced.client(), intent.id, amount=1000)  # at Stripe, not synced yet
    try:
        app.run()
        assert [s.value for s in app.success] == [AGREEMENT]  # the same comparison

        app.button(key="compare_now").click().run()
        assert not app.exception, app.exception
        assert [e.value for e in app.error] == [
            "2 differences with Stripe. A sync usually resolves them."
        ]
        assert not app.success
        totals, differences = (frame.value for frame in app.dataframe)
        assert differences[["kind", "id", "field", "stripe"]].values.tolist() == [
            ["refunds", late.id, "missing in console", "present"],
            ["balance_transactions", late.balance_transaction, "missing in console", "present"],
        ]
        assert totals.iloc[0]["difference"] == "-€10.00"  # Stripe's net, less the console's
        assert json.loads(app.dataframe[1].proto.columns)["field"]["label"] == "Field"
    finally:
        sync.run_sync()  # the others find the console in agreement again
    app.button(key="compare_now").click().run()
    assert [s.value for s in app.success] == [AGREEMENT]


def test_when_stripe_cannot_be_reached_the_page_says_so_and_stops(synced):
    unreachable = StripeSettings(stripe_settings().api_key, "http://127.0.0.1:9")
    app = _page(settings=unreachable)
    [error] = [e.value for e in app.error]
    assert error.startswith("Could not reach Stripe")
    assert not app.dataframe and not app.markdown and not app.get("progress")
    assert "reconciliation" not in app.session_state


def test_admins_compare_too(synced):
    assert [s.value for s in _page(ADMIN_ACTOR).success] == [AGREEMENT]
