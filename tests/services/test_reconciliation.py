"""console/services/reconciliation.py against the local Stripe: after a sync the mirror
agrees with Stripe; a refund made at Stripe since, a row that differs, and objects Stripe no
longer has are each reported, and the totals per settlement currency show the gap."""

from __future__ import annotations

import pandas as pd
import pytest

from console.formatting import i18n
from console.services import reconciliation
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.settings import StripeSettings
from console.store import db
from console.stripe_api import sync
from tests.payments import all_objects, pay, refund
from tests.stripe_local_fixture import StripeLocal
from tests.worlds import module_world

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
FIN = Actor("fin@example.org", FINANCE)
ANN = Actor("ann@example.org", ORGANIZER)
LIVE_KEY = "sk_live_local_console"


def _payments(client) -> None:
    """On the default French account: a eur payment, a usd one (converted to eur), a
    partial refund."""
    paid = pay(client, "wb_a", 4900, "eur", card="pm_card_fr", email="a@example.org")
    pay(client, "wb_b", 3900, "usd", email="b@example.org")
    refund(client, paid.id, amount=900)


@pytest.fixture(scope="module")
def synced(fresh_servers, tmp_path_factory):
    """Test-mode payments and a live-mode one, each mode synced."""
    with module_world(fresh_servers, tmp_path_factory.mktemp("recon")) as local:
        _payments(local.client())
        sync.run_sync()
        live = StripeLocal(local.base_url, LIVE_KEY).client()
        pay(live, "wb_live", 2900, "eur", card="pm_card_fr")
        sync.run_sync(settings=StripeSettings(LIVE_KEY, local.base_url))
        yield local


def test_after_a_sync_the_console_agrees_with_stripe(synced):
    result = reconciliation.reconcile(FIN)
    assert result.in_agreement
    assert list(result.differences.columns) == ["kind", "id", "field", "console", "stripe"]
    [totals] = result.totals.to_dict("records")
    txns = all_objects(synced.client(), "balance_transactions")
    assert totals["settlement_currency"] == "eur"
    assert totals["console_transactions"] == totals["stripe_transactions"] == len(txns) == 3
    assert totals["console_fees"] == totals["stripe_fees"] == sum(t.fee for t in txns)
    assert totals["console_net"] == totals["stripe_net"] == sum(t.net for t in txns)
    assert totals["difference"] == 0


def test_the_balance_is_stripes_available_and_pending(synced):
    balance = synced.client().v1.balance.retrieve()
    expected = sum(a.amount for a in [*balance.available, *balance.pending] if a.currency == "eur")
    [totals] = reconciliation.reconcile(ADMIN_ACTOR).totals.to_dict("records")
    assert totals["stripe_balance"] == expected


def test_the_other_modes_rows_are_not_compared(synced):
    live = StripeSettings(LIVE_KEY, synced.base_url)
    assert reconciliation.reconcile(ADMIN_ACTOR, live).in_agreement
    [totals] = reconciliation.reconcile(ADMIN_ACTOR, live).totals.to_dict("records")
    assert totals["console_transactions"] == totals["stripe_transactions"] == 1


def test_each_page_read_is_reported(synced):
    pages: list[int] = []
    reconciliation.reconcile(ADMIN_ACTOR, on_page=pages.append)
    # One page per list compared: 2 charges, 1 refund, no dispute, no payout (all paid
    # today: not before the day after tomorrow), 3 balance transactions.
    assert pages == [2, 1, 0, 0, 3]


def test_organizers_may_not_reconcile(synced):
    with pytest.raises(PermissionDenied, match="it needs the role admin or finance"):
        reconciliation.reconcile(ANN)


def test_what_changed_at_stripe_since_the_sync_and_a_row_that_differs(fresh_stripe):
    client = fresh_stripe.client()
    _payments(client)
    sync.run_sync()
    [usd_charge] = [c for c in all_objects(client, "charges") if c.currency == "usd"]
    late = refund(client, usd_charge.payment_intent, amount=1000)
    with db.connect(write=True) as con:
        con.execute("UPDATE stripe_charges SET amount = 1 WHERE id = ?", [usd_charge.id])

    result = reconciliation.reconcile(ADMIN_ACTOR)

    assert not result.in_agreement
    late_txn = client.v1.balance_transactions.retrieve(late.balance_transaction)
    rows = sorted(
        tuple(None if pd.isna(value) else value for value in row)
        for row in result.differences.itertuples(index=False)
    )
    assert rows == sorted(
        [
            ("charges", usd_charge.id, "amount", "1", "3900"),
            ("refunds", late.id, "missing in console", None, "present"),
            ("balance_transactions", late_txn.id, "missing in console", None, "present"),
        ]
    )
    [totals] = result.totals.to_dict("records")
    assert totals["stripe_transactions"] - totals["console_transactions"] == 1
    assert totals["difference"] == totals["stripe_net"] - totals["console_net"] == late_txn.net


def test_objects_stripe_no_longer_has_are_missing_at_stripe(fresh_stripe):
    _payments(fresh_stripe.client())
    sync.run_sync()
    fresh_stripe.config("/_config/data", method="DELETE")

    result = reconciliation.reconcile(ADMIN_ACTOR)

    kinds = result.differences.groupby("kind")["field"].agg(set).to_dict()
    assert kinds == {
        "charges": {"missing at Stripe"},
        "refunds": {"missing at Stripe"},
        "balance_transactions": {"missing at Stripe"},
    }
    assert len(result.differences) == 2 + 1 + 3
    assert set(result.differences["console"]) == {"present"}
    with i18n.speaking("fr"):  # compared from the page in French
        french = reconciliation.reconcile(ADMIN_ACTOR).differences
    assert set(french["field"]) == {"absent chez Stripe"}
    assert set(french["console"]) == {"présent"}
    assert set(french["kind"]) == set(kinds)  # Stripe's names stay Stripe's
    [totals] = result.totals.to_dict("records")
    assert totals["stripe_transactions"] == 0 and totals["console_transactions"] == 3
    assert totals["difference"] == -totals["console_net"]
