"""pages/webinars.py through AppTest: the list, the create form and the CSV import.

Every refused input must say why and leave DuckDB exactly as it was.
"""

from __future__ import annotations

from datetime import date, time

import pytest
from streamlit.testing.v1 import AppTest

from console.services import webinars
from console.store import db
from tests.pages.support import ADMIN_ACTOR, catalog_snapshot, open_app


def _fill_create_form(app: AppTest, **typed: str) -> AppTest:
    """The create form's text fields typed in, and one session picked (2027-02-01 09:00, an
    hour, in the zone the form starts with)."""
    for key, text in typed.items():
        field = app.text_area(key=key) if key == "new_description" else app.text_input(key=key)
        field.input(text)
    app.date_input(key="new_date_0").set_value(date(2027, 2, 1)).run()
    app.time_input(key="new_start_0").set_value(time(9, 0)).run()
    return app


def test_create_webinar_form(fresh_stripe):
    app = _fill_create_form(
        open_app("pages/webinars.py"),
        new_title="Atelier TVA",
        new_organizer="ann@example.org",
        new_capacity="40",
        new_description="Remboursement jusqu'à 7 jours avant.",
    )
    app.button(key="new_add").click().run()  # a second session, a week later
    app.button(key="create_webinar").click().run()

    assert not app.exception, app.exception
    assert "Created “Atelier TVA”" in app.success[0].value
    with db.connect() as con:
        row = con.execute(
            "SELECT title, capacity, price_amount, price_currency FROM webinars"
        ).fetchone()
        sessions = con.execute("SELECT count(*) FROM webinar_sessions").fetchone()[0]
    assert row == ("Atelier TVA", 40, None, None)  # free until someone sets a price
    assert sessions == 2
    listed = open_app("pages/webinars.py").dataframe[0].value
    assert list(listed["title"]) == ["Atelier TVA"]
    assert list(listed["price"]) == ["Free"]
    assert list(listed["status"]) == ["Upcoming"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("new_title", "", "Give the webinar a title"),
        ("new_organizer", "not-an-email", "is not an e-mail address"),
        ("new_capacity", "lots", "Capacity is a whole number"),
    ],
)
def test_create_webinar_form_refuses_bad_input(fresh_stripe, field, value, message):
    before = catalog_snapshot()
    good = {"new_title": "T", "new_organizer": "ann@example.org", "new_capacity": "10"}
    app = _fill_create_form(open_app("pages/webinars.py"), **(good | {field: value}))
    app.button(key="create_webinar").click().run()

    assert message in app.error[0].value
    assert catalog_snapshot() == before


def test_create_webinar_form_refuses_a_session_without_a_date(fresh_stripe):
    before = catalog_snapshot()
    app = open_app("pages/webinars.py")
    app.text_input(key="new_title").input("T")
    app.button(key="create_webinar").click().run()
    assert "Add at least one session" in app.error[0].value
    assert catalog_snapshot() == before


def test_the_webinars_page_in_french(fresh_stripe):
    app = open_app("pages/webinars.py", locale="fr")
    assert app.title[0].value == "Webinaires"
    assert [i.value for i in app.info] == [
        "Aucun webinaire pour l'instant. Créez-en un ci-dessous, ou importez un fichier CSV."
    ]
    _fill_create_form(app, new_title="Atelier TVA").button(key="create_webinar").click().run()
    app = open_app("pages/webinars.py", locale="fr")
    listed = app.dataframe[0].value
    assert (list(listed["status"]), list(listed["price"])) == (["À venir"], ["Gratuit"])
    assert app.button(key="open_webinar").label == "Ouvrir le webinaire"
    assert "Importer des webinaires depuis un CSV" in [s.value for s in app.subheader]


# --- CSV import ----------------------------------------------------------------------------


def test_csv_import_all_or_nothing(fresh_stripe):
    good = (
        "title,organizer_email,sessions,capacity,description\n"
        'A,ann@example.org,"2027-03-01 10:00, 60; 2027-03-08 10:00, 60",20,Policy A\n'
        'B,ann@example.org,"2027-04-01 10:00, 45",,Policy B\n'
    )
    bad = good + (
        'C,nobody,"2027-04-01 10:00, 45",,x\n'
        ",ann@example.org,tomorrow,-3,y\n"
        'D,ann@example.org,"2027-04-01 10:00, 45",,z\n'
    )
    before = catalog_snapshot()

    refused = webinars.import_webinars_csv(ADMIN_ACTOR, bad.encode())
    assert refused.created == []
    assert [p.split(":")[0] for p in refused.problems] == ["Row 4", "Row 5"]
    assert "“nobody” is not an e-mail address" in refused.problems[0]
    assert "title" in refused.problems[1] and "Capacity" in refused.problems[1]
    assert catalog_snapshot() == before

    accepted = webinars.import_webinars_csv(ADMIN_ACTOR, good.encode())
    assert len(accepted.created) == 2 and not accepted.problems
    assert webinars.get_webinar(ADMIN_ACTOR, accepted.created[0]).sessions[1].duration_minutes == 60


def test_csv_import_refuses_a_wrong_header_and_prices(fresh_stripe):
    assert (
        "missing: sessions"
        in webinars.import_webinars_csv(
            ADMIN_ACTOR, b"title,organizer_email\nA,ann@example.org\n"
        ).problems[0]
    )
    priced = webinars.import_webinars_csv(
        ADMIN_ACTOR,
        (
            b"title,organizer_email,sessions,price,currency\n"
            b'A,ann@example.org,"2027-03-01 10:00, 60",49,eur\n'
        ),
    )
    assert "Prices are set on the webinar's page" in priced.problems[0]
