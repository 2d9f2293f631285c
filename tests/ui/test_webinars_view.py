"""console/ui/webinars_view.py through AppTest: the list of webinars (an organizer's holds
only theirs), opening one on the Webinar page, and importing many from a CSV file, all rows
or none."""

from __future__ import annotations

import functools
import inspect
import json
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Registration, Session, Webinar
from console.services.access import ADMIN, ORGANIZER, Actor
from console.store import catalog, db
from tests.ui.support import run_piece

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
HEADER = "title,organizer_email,sessions,capacity,description\n"


def _at(day: str) -> tuple[Session, ...]:
    return (Session(datetime.fromisoformat(day).replace(tzinfo=UTC), 60),)


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    """Ann's paid webinar (two registered, one cancelled) and her past free one; Bob's in
    JPY; a cancelled one of Bob's."""
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    with db.connect(write=True) as con:
        catalog.save_webinars(
            con,
            [
                Webinar(
                    "wb_pricing",
                    "Pricing 101",
                    "ann@example.org",
                    price_amount=4900,
                    price_currency="eur",
                    sessions=_at("2027-03-01 16:00"),
                ),
                Webinar(
                    "wb_past", "Past talk", "ann@example.org", sessions=_at("2020-01-10 09:00")
                ),
                Webinar(
                    "wb_tokyo",
                    "Tokyo",
                    "bob@example.org",
                    price_amount=5000,
                    price_currency="jpy",
                    sessions=_at("2027-05-01 02:00"),
                ),
                Webinar(
                    "wb_off",
                    "Called off",
                    "bob@example.org",
                    status="cancelled",
                    sessions=_at("2027-04-01 10:00"),
                ),
            ],
        )
        catalog.save_registrations(
            con,
            [
                Registration(f"reg_{n}", "wb_pricing", n, f"{n}@example.org", status)
                for n, status in (("a", "registered"), ("b", "registered"), ("c", "cancelled"))
            ],
        )


_run = functools.partial(run_piece, timeout=30)


def _webinar_ids() -> set[str]:
    with db.connect() as con:
        return {row[0] for row in con.execute("SELECT webinar_id FROM webinars").fetchall()}


# --- the list --------------------------------------------------------------------------------


def list_page(actor) -> None:
    from console.services import webinars
    from console.ui.webinars_view import webinar_table

    webinar_table(webinars.list_webinars(actor, False))


def test_the_list_shows_status_price_registrations_and_revenue():
    app = _run(list_page, ADMIN_ACTOR)
    shown = app.dataframe[0].value
    assert list(shown.columns) == [
        "title",
        "organizer_email",
        "status",
        "first_session",
        "price",
        "registrations",
        "net_revenue",
        "webinar_id",
    ]
    rows = shown.drop(columns="first_session").to_dict("records")
    assert rows == [
        {
            "title": "Tokyo",
            "organizer_email": "bob@example.org",
            "status": "Upcoming",
            "price": "¥5,000",
            "registrations": 0,
            "net_revenue": "—",
            "webinar_id": "wb_tokyo",
        },
        {
            "title": "Called off",
            "organizer_email": "bob@example.org",
            "status": "Cancelled",
            "price": "Free",
            "registrations": 0,
            "net_revenue": "—",
            "webinar_id": "wb_off",
        },
        {
            "title": "Pricing 101",
            "organizer_email": "ann@example.org",
            "status": "Upcoming",
            "price": "€49.00",
            "registrations": 2,  # the cancelled registration holds no seat
            "net_revenue": "—",
            "webinar_id": "wb_pricing",
        },
        {
            "title": "Past talk",
            "organizer_email": "ann@example.org",
            "status": "Past",
            "price": "Free",
            "registrations": 0,
            "net_revenue": "—",
            "webinar_id": "wb_past",
        },
    ]
    assert list(shown["first_session"]) == [
        pd.Timestamp(day, tz="UTC")
        for day in ("2027-05-01 02:00", "2027-04-01 10:00", "2027-03-01 16:00", "2020-01-10 09:00")
    ]


def test_the_list_has_readable_headings_and_no_index():
    headings = json.loads(_run(list_page, ADMIN_ACTOR).dataframe[0].proto.columns)
    assert {column: h["label"] for column, h in headings.items() if "label" in h} == {
        "title": "Webinar",
        "organizer_email": "Organizer",
        "status": "Status",
        "first_session": "First session (UTC)",
        "price": "Price",
        "registrations": "Registrations",
        "net_revenue": "Net revenue",
        "webinar_id": "Id",
    }
    assert headings["first_session"]["type_config"]["format"] == "YYYY-MM-DD HH:mm"
    assert headings["_index"] == {"hidden": True}


def test_prices_are_written_in_the_chosen_language():
    shown = _run(list_page, ADMIN_ACTOR, locale="fr").dataframe[0].value.set_index("webinar_id")
    assert shown.loc["wb_pricing", "price"] == "49,00\xa0€"
    assert shown.loc["wb_past", "price"] == "Gratuit"


def test_statuses_and_headings_are_in_the_chosen_language():
    app = _run(list_page, ADMIN_ACTOR, locale="fr")
    shown = app.dataframe[0].value.set_index("webinar_id")
    assert shown.loc["wb_past", "status"] == "Passé"
    assert shown.loc["wb_pricing", "status"] == "À venir"
    assert "Annulé" in set(shown["status"])
    headings = json.loads(app.dataframe[0].proto.columns)
    assert [headings[c]["label"] for c in ("title", "status", "registrations", "net_revenue")] == [
        "Webinaire",
        "Statut",
        "Inscriptions",
        "Revenu net",
    ]


def test_an_organizer_sees_only_their_own_webinars():
    shown = _run(list_page, ANN).dataframe[0].value
    assert list(shown["webinar_id"]) == ["wb_pricing", "wb_past"]


# --- opening one -----------------------------------------------------------------------------


def picker_page(actor) -> None:
    from console.services import webinars
    from console.ui.webinars_view import open_webinar_picker

    open_webinar_picker(webinars.list_webinars(actor, False))


def _app_with_a_webinar_page(directory: Path, script, *args) -> AppTest:
    """The script as the main page of an app whose pages/webinar.py says what it opened.
    (A multipage app's main script gets no `args`: they go through the session.)"""
    source = textwrap.dedent(inspect.getsource(script))
    (directory / "main.py").write_text(
        f"import streamlit as st\n\n{source}\n{script.__name__}(*st.session_state['page_args'])\n"
    )
    (directory / "pages").mkdir()
    (directory / "pages" / "webinar.py").write_text(
        "import streamlit as st\n"
        "st.markdown(f\"Webinar page: {st.session_state['webinar_page_id']}\")\n"
    )
    app = AppTest.from_file(directory / "main.py", default_timeout=30)
    app.session_state["page_args"] = args
    app.run()
    assert not app.exception, app.exception
    return app


def test_the_picker_offers_the_listed_webinars_by_title(tmp_path):
    app = _app_with_a_webinar_page(tmp_path, picker_page, ANN)
    choice = app.selectbox(key="open_webinar_choice")
    assert choice.label == "Open a webinar"
    assert choice.options == ["Pricing 101", "Past talk"]
    assert [b.label for b in app.button] == ["Open the webinar"]
    assert not app.markdown  # nothing opens until asked


def test_opening_a_webinar_goes_to_the_webinar_page_with_it(tmp_path):
    app = _app_with_a_webinar_page(tmp_path, picker_page, ANN)
    app.selectbox(key="open_webinar_choice").set_value("wb_past")
    app.button(key="open_webinar").click().run()
    assert not app.exception, app.exception
    assert [m.value for m in app.markdown] == ["Webinar page: wb_past"]


# --- import ----------------------------------------------------------------------------------


def import_page(actor) -> None:
    from console.ui.webinars_view import csv_import

    csv_import(actor)


def _upload(actor: Actor, content: str) -> AppTest:
    app = _run(import_page, actor)
    app.file_uploader(key="import_csv").upload("webinars.csv", content.encode(), "text/csv")
    app.run()
    assert not app.exception, app.exception
    return app


def test_the_import_says_which_columns_and_waits_for_a_file():
    app = _run(import_page, ANN)
    assert [s.value for s in app.subheader] == ["Import webinars from CSV"]
    assert app.caption[0].value == (
        "Columns: title, organizer_email, sessions, capacity, description; optionally "
        "time_zone. Sessions: “YYYY-MM-DD HH:MM, minutes”, several separated by “;”, on the "
        "clocks of the row's time_zone (a name such as Europe/Paris; UTC when empty). A file "
        "with any bad row changes nothing."
    )
    uploader = app.file_uploader(key="import_csv")
    assert uploader.label == "CSV file" and uploader.allowed_type == [".csv"]
    assert not app.button  # no Import button before there is a file


def test_a_good_file_is_imported_on_request():
    app = _upload(
        ANN,
        HEADER
        + 'One,ann@example.org,"2027-06-01 10:00, 60",20,First\n'
        + 'Two,ann@example.org,"2027-07-01 10:00, 60; 2027-07-02 10:00, 60",,\n',
    )
    assert _webinar_ids() == {"wb_pricing", "wb_past", "wb_tokyo", "wb_off"}  # not yet
    app.button(key="import_button").click().run()
    assert [s.value for s in app.success] == ["Imported 2 webinars."]
    new = _webinar_ids() - {"wb_pricing", "wb_past", "wb_tokyo", "wb_off"}
    assert sorted(catalog.load_webinar(w).title for w in new) == ["One", "Two"]


def test_a_file_with_a_bad_row_imports_nothing_and_names_the_rows():
    app = _upload(
        ANN,
        HEADER
        + 'Good,ann@example.org,"2027-06-01 10:00, 60",,\n'
        + ',ann@example.org,"2027-06-01 10:00, 60",,\n',
    )
    app.button(key="import_button").click().run()
    assert [e.value for e in app.error] == [
        "Nothing was imported. Fix these rows and import the file again:\n\n"
        "- Row 3: Give the webinar a title."
    ]
    assert not app.success
    assert _webinar_ids() == {"wb_pricing", "wb_past", "wb_tokyo", "wb_off"}


def test_an_organizer_importing_another_organizers_webinar_is_told_why():
    app = _run(import_page, ANN)
    app.file_uploader(key="import_csv").upload(
        "webinars.csv", (HEADER + 'Bob\'s,bob@example.org,"2027-06-01 10:00, 60",,\n').encode()
    )
    app.run()
    app.button(key="import_button").click().run()
    assert _webinar_ids() == {"wb_pricing", "wb_past", "wb_tokyo", "wb_off"}
    assert not app.exception
    [said] = [e.value for e in app.error]
    assert "only their own webinars" in said
