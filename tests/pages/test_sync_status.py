"""pages/sync_status.py through AppTest: sync now, and what a failed sync shows."""

from __future__ import annotations

import json

from console.stripe_api import sync
from tests.pages.support import open_app


def test_sync_status_page_syncs_and_shows_failures(shop):
    app = open_app("pages/sync_status.py")
    assert app.metric[1].label == "Objects"

    app.button(key="sync_page_button").click().run()
    assert any("Sync finished" in s.value for s in app.success)

    shop.config("/_config/faults", status=500, every=1, path_prefix="/v1/")
    sync.BACKOFF_SECONDS = (0.01,)
    try:
        app.button(key="sync_page_button").click().run()
    finally:
        sync.BACKOFF_SECONDS = (1, 2, 4, 8)
        shop.config("/_config/faults", method="DELETE")
    assert any("Stripe had an internal error" in e.value for e in app.error)
    assert not app.exception


def test_sync_status_page_in_french(shop):
    app = open_app("pages/sync_status.py", locale="fr")
    assert app.title[0].value == "Synchronisation"
    assert [m.label for m in app.metric] == ["Dernière synchronisation", "Objets", "Requêtes"]
    runs = app.dataframe[0].value
    assert set(runs["status"]) == {"Réussie"} and set(runs["mode"]) <= {
        "synchronisation incrémentale",
        "synchronisation complète",
    }
    headings = json.loads(app.dataframe[0].proto.columns)
    assert headings["started_at"]["label"] == "Début (UTC)"
    app.button(key="sync_page_button").click().run()
    assert any(s.value.startswith("Synchronisation terminée : ") for s in app.success)
