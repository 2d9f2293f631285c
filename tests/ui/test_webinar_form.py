"""console/ui/webinar_form.py through AppTest: creating a webinar and editing its details;
what is wrong is said field by field and nothing is saved; organizers manage only their own
webinars and finance edits none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Session, Webinar
from console.services import audit
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor
from console.store import catalog, db

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
BOB = Actor("bob@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)
DESCRIPTION = "Description, with the cancellation and refund policy"
JOIN_URL = "Join link (https://…)"
ANNS = Webinar(
    "wb_ann",
    "Pricing 101",
    "ann@example.org",
    description="Refunds up to 7 days before.",
    capacity=50,
    sessions=(
        Session(datetime(2027, 1, 12, 16, 0, tzinfo=UTC), 90),
        Session(datetime(2027, 1, 19, 16, 0, tzinfo=UTC), 60),
    ),
    join_url="https://meet.example.org/pricing",
)


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    with db.connect(write=True) as con:
        catalog.save_webinars(con, [ANNS])


def _webinar_ids() -> list[str]:
    with db.connect() as con:
        rows = con.execute("SELECT webinar_id FROM webinars ORDER BY 1").fetchall()
    return [row[0] for row in rows]


# --- create ----------------------------------------------------------------------------------


def create_page(actor) -> None:
    from console.ui.webinar_form import create_webinar_form

    create_webinar_form(actor)


def _create(actor: Actor = ANN, **typed: str) -> AppTest:
    app = AppTest.from_function(create_page, args=(actor,), default_timeout=30).run()
    assert not app.exception, app.exception
    for key, value in typed.items():
        field = f"new_{key}"
        if key in ("sessions", "description"):
            app.text_area(key=field).input(value)
        else:
            app.text_input(key=field).input(value)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def test_the_create_form_asks_for_each_detail_with_the_organizer_filled_in():
    app = AppTest.from_function(create_page, args=(ANN,), default_timeout=30).run()
    assert [s.value for s in app.subheader] == ["Create a webinar"]
    assert [f.label for f in app.text_input] == [
        "Title",
        "Organizer e-mail",
        "Capacity (seats; empty for no limit)",
        JOIN_URL,
    ]
    assert [f.label for f in app.text_area] == [
        "Sessions (UTC), one per line: YYYY-MM-DD HH:MM, minutes",
        DESCRIPTION,
    ]
    assert app.text_input(key="new_organizer").value == "ann@example.org"
    assert app.text_area(key="new_sessions").placeholder == "2026-12-01 16:00, 90"
    assert [b.label for b in app.button] == ["Create webinar"]


def test_a_valid_webinar_is_created_free_and_becomes_the_one_to_open():
    app = _create(
        title=" Atelier TVA ",
        sessions="2027-02-01 09:00, 120\n2027-02-08 09:00, 120",
        capacity="30",
        description="No refunds after the first session.",
        join_url="https://meet.example.org/tva",
    )
    [created] = [w for w in _webinar_ids() if w != "wb_ann"]
    assert [s.value for s in app.success] == [
        f"Created “Atelier TVA” ({created}). It is free until you set a price."
    ]
    assert app.session_state["webinar_page_id"] == created
    webinar = catalog.load_webinar(created)
    assert (webinar.title, webinar.organizer_email, webinar.capacity) == (
        "Atelier TVA",
        "ann@example.org",
        30,
    )
    assert webinar.is_free and webinar.join_url == "https://meet.example.org/tva"
    assert [(s.starts_at.isoformat(), s.duration_minutes) for s in webinar.sessions] == [
        ("2027-02-01T09:00:00+00:00", 120),
        ("2027-02-08T09:00:00+00:00", 120),
    ]
    assert list(audit.search(ADMIN_ACTOR, action="webinar created")["actor"]) == ["ann@example.org"]


def test_every_problem_is_listed_and_nothing_is_created():
    app = _create(title="", sessions="tomorrow at nine", capacity="0", join_url="meet.example.org")
    assert [e.value for e in app.error] == [
        "The webinar was not created:\n\n"
        "- Give the webinar a title.\n"
        "- Capacity is a whole number of seats, 1 or more (or leave it empty).\n"
        "- Session 1 (“tomorrow at nine”) is not “YYYY-MM-DD HH:MM, minutes”, for example "
        "“2026-12-01 16:00, 90” (UTC).\n"
        "- The join link must start with https:// (or leave it empty)."
    ]
    assert not app.success and "webinar_page_id" not in app.session_state
    assert _webinar_ids() == ["wb_ann"]


def test_an_organizer_cannot_create_a_webinar_for_someone_else():
    app = _create(title="Bob's", organizer="bob@example.org", sessions="2027-02-01 09:00, 60")
    assert [e.value for e in app.error] == ["ann@example.org may manage only their own webinars."]
    assert _webinar_ids() == ["wb_ann"]


def test_finance_cannot_create_webinars():
    app = _create(FIN, title="Budget", organizer="ann@example.org", sessions="2027-02-01 09:00, 60")
    assert [e.value for e in app.error] == [
        "fin@example.org (finance) may not do this; it needs the role admin or organizer. "
        "Ask an admin."
    ]
    assert _webinar_ids() == ["wb_ann"]


def test_an_admin_creates_a_webinar_for_any_organizer():
    app = _create(
        ADMIN_ACTOR, title="Bob's", organizer="Bob@Example.org", sessions="2027-02-01 09:00, 60"
    )
    assert app.success
    assert catalog.load_webinar(app.session_state["webinar_page_id"]).organizer_email == (
        "bob@example.org"
    )


# --- edit ------------------------------------------------------------------------------------


def edit_page(actor, webinar_id: str) -> None:
    import streamlit as st

    from console.store import catalog
    from console.ui.webinar_form import edit_webinar_form

    if message := st.session_state.pop("webinar_flash", None):
        st.success(message)
    edit_webinar_form(actor, catalog.load_webinar(webinar_id))


def _edit_page(actor: Actor = ANN) -> AppTest:
    app = AppTest.from_function(edit_page, args=(actor, "wb_ann"), default_timeout=30).run()
    assert not app.exception, app.exception
    return app


def _field(app: AppTest, label: str):
    [field] = [f for f in (*app.text_input, *app.text_area) if f.label == label]
    return field


def _save(app: AppTest, **changes: str) -> AppTest:
    for label, value in changes.items():
        _field(app, label.replace("_", " ")).input(value)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def test_the_edit_form_shows_the_webinar_as_it_is():
    app = _edit_page()
    assert [s.value for s in app.subheader] == ["Details"]
    shown = {f.label: f.value for f in (*app.text_input, *app.text_area)}
    assert shown == {
        "Title": "Pricing 101",
        "Organizer e-mail": "ann@example.org",
        "Sessions (UTC): YYYY-MM-DD HH:MM, minutes": "2027-01-12 16:00, 90\n2027-01-19 16:00, 60",
        "Capacity": "50",
        DESCRIPTION: "Refunds up to 7 days before.",
        JOIN_URL: "https://meet.example.org/pricing",
    }
    assert [b.label for b in app.button] == ["Save changes"]


def test_saving_changes_stores_them_and_says_so():
    app = _save(_edit_page(), Title="Pricing 102", Capacity="")
    assert [s.value for s in app.success] == ["Saved."]  # said by the page after the rerun
    assert _field(app, "Title").value == "Pricing 102"  # the form shows what was saved
    webinar = catalog.load_webinar("wb_ann")
    assert (webinar.title, webinar.capacity, len(webinar.sessions)) == ("Pricing 102", None, 2)
    [entry] = audit.search(ADMIN_ACTOR, action="webinar edited").to_dict("records")
    assert entry["actor"] == "ann@example.org"


def test_a_wrong_detail_is_said_and_nothing_is_saved():
    app = _save(_edit_page(), Capacity="many")
    assert [e.value for e in app.error] == [
        "Not saved:\n\n- Capacity is a whole number of seats, 1 or more (or leave it empty)."
    ]
    assert not app.success
    assert catalog.load_webinar("wb_ann") == ANNS


def test_an_organizer_cannot_hand_their_webinar_to_someone_else():
    app = _save(_edit_page(), **{"Organizer e-mail": "bob@example.org"})
    assert [e.value for e in app.error] == ["ann@example.org may manage only their own webinars."]
    assert catalog.load_webinar("wb_ann") == ANNS


def test_another_organizer_cannot_edit_the_webinar():
    app = _save(_edit_page(BOB), Title="Mine now")
    assert [e.value for e in app.error] == ["bob@example.org may manage only their own webinars."]
    assert catalog.load_webinar("wb_ann") == ANNS


def test_finance_cannot_edit_a_webinar():
    app = _save(_edit_page(FIN), Title="Budgeted")
    assert [e.value for e in app.error] == [
        "fin@example.org (finance) may not do this; it needs the role admin or organizer. "
        "Ask an admin."
    ]
    assert catalog.load_webinar("wb_ann") == ANNS
