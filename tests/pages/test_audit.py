"""pages/audit.py through AppTest: admins read and filter the audit log; nobody else sees it."""

from __future__ import annotations

import json

import pytest

from console.services import audit, webinars
from console.store import db
from tests.pages.support import ADMIN_ACTOR, ANN, FIN, open_app


@pytest.fixture
def logged(tmp_path, monkeypatch) -> str:
    """A database whose log holds Ann's new webinar, one the admin created for Bob, and a
    connection check; the id of Ann's webinar."""
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    anns = webinars.create_webinar(
        ANN, webinars.WebinarDraft("Ann's", "ann@example.org", "2027-01-12 16:00, 90")
    )
    webinars.create_webinar(
        ADMIN_ACTOR, webinars.WebinarDraft("Bob's", "bob@example.org", "2027-02-12 16:00, 60")
    )
    with db.connect(write=True) as con:
        audit.record(con, ADMIN_ACTOR.email, "connection check", after={"verified": True})
    return anns


def test_audit_page_lists_and_filters_the_log_for_admins(logged):
    app = open_app("pages/audit.py")

    assert app.title[0].value == "Audit log"
    assert "3 entries" in app.caption[0].value
    assert len(app.dataframe[0].value) == 3
    assert app.get("download_button")

    app.text_input(key="audit_who").input("ann").run()
    assert list(app.dataframe[0].value["actor"]) == ["ann@example.org"]

    app.text_input(key="audit_who").input("").run()
    app.selectbox(key="audit_action").select("connection check").run()
    assert list(app.dataframe[0].value["action"]) == ["connection check"]

    app.selectbox(key="audit_action").select(None).run()
    app.text_input(key="audit_webinar").input(logged).run()
    shown = app.dataframe[0].value
    assert list(shown["webinar_id"]) == [logged]
    assert list(shown["action"]) == ["webinar created"]
    assert not app.exception


def test_audit_page_in_french(logged):
    app = open_app("pages/audit.py", locale="fr")
    assert app.title[0].value == "Journal d'audit"
    assert app.caption[0].value == (
        "3 entrées. Les entrées ne peuvent être ni modifiées ni supprimées."
    )
    assert app.selectbox(key="audit_action").options[0] == "Toutes les actions"
    headings = json.loads(app.dataframe[0].proto.columns)
    assert (headings["actor"]["label"], headings["logged_at"]["label"]) == ("Qui", "Quand (UTC)")
    app.text_input(key="audit_who").input("ann").run()
    assert app.caption[0].value.startswith("1 entrée.")


@pytest.mark.parametrize("actor", [ANN, FIN], ids=lambda a: a.role)
def test_audit_page_is_for_admins_only(logged, actor):
    app = open_app("pages/audit.py", actor=actor)

    assert app.title[0].value == "Not allowed"
    assert "does not give access" in app.error[0].value
    assert not app.dataframe and not app.get("download_button")
    assert not app.text_input  # not even the filters
