"""pages/reconciliation.py through AppTest: the console's totals against the local Stripe."""

from __future__ import annotations

import json

from tests.pages.support import open_app
from tests.payments import all_objects, refund


def test_reconciliation_shows_a_new_refund_until_the_next_sync(shop):
    app = open_app("pages/reconciliation.py")
    assert "no difference" in app.success[0].value

    intent = all_objects(shop.client(), "payment_intents")[0]
    late = refund(shop.client(), intent.id, amount=100)
    app.button(key="compare_now").click().run()
    assert not app.exception
    differences = app.dataframe[1].value
    assert late.id in set(differences["id"])
    assert "difference" in app.error[0].value

    app.button(key="reconciliation_sync").click().run()
    app.button(key="compare_now").click().run()
    assert not app.exception
    assert any("no difference" in s.value for s in app.success)


def test_reconciliation_in_french(shop):
    app = open_app("pages/reconciliation.py", locale="fr")
    assert app.title[0].value == "Rapprochement"
    assert [s.value for s in app.success] == [
        "La console est en accord avec Stripe : aucune différence."
    ]
    assert app.button(key="compare_now").label == "Comparer avec Stripe"
    assert app.button(key="reconciliation_sync").label == "Synchroniser"
    assert json.loads(app.dataframe[0].proto.columns)["difference"]["label"] == "Écart"
