"""pages/webinars.py through AppTest: the list, the create form and the CSV import.

Every refused input must say why and leave DuckDB exactly as it was.
"""

from __future__ import annotations

import pytest

from console.services import webinars
from console.store import db
from tests.pages.support import ADMIN_ACTOR, catalog_snapshot, open_app


def test_create_webinar_form(fresh_stripe):
    app = open_app("pages/webinars.py")
    app.text_input(key="new_title").input("Atelier TVA")
    app.text_input(key="new_organizer").input("ann@example.org")
    app.text_area(key="new_sessions").input("2027-02-01 09:00, 120\n2027-02-08 09:00, 60")
    app.text_input(key="new_capacity").input("40")
    app.text_area(key="new_description").input("Remboursement jusqu'à 7 jours avant.")
    app.button[0].click().run()  # the form's submit button

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
    assert list(listed["status"]) == ["upcoming"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("new_title", "", "Give the webinar a title"),
        ("new_organizer", "not-an-email", "is not an e-mail address"),
        ("new_sessions", "next tuesday", "is not “YYYY-MM-DD HH:MM, minutes”"),
        ("new_sessions", "2027-02-30 09:00, 60", "is not a real date"),
        ("new_sessions", "2027-02-01 09:00, 0", "between 1 and 1440 minutes"),
        ("new_capacity", "lots", "Capacity is a whole number"),
    ],
)
def test_create_webinar_form_refuses_bad_input(fresh_stripe, field, value, message):
    before = catalog_snapshot()
    app = open_app("pages/webinars.py")
    good = {
        "new_title": "T",
        "new_organizer": "ann@example.org",
        "new_sessions": "2027-02-01 09:00, 60",
        "new_capacity": "10",
    }
    good[field] = value
    for key, text in good.items():
        widget = app.text_area(key=key) if key == "new_sessions" else app.text_input(key=key)
        widget.input(text)
    app.button[0].click().run()

    assert message in app.error[0].value
    assert catalog_snapshot() == before


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
