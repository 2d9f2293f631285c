"""console/ui/webinar_form.py through AppTest: creating a webinar and editing its details;
sessions picked as a date, a start time and minutes on the clocks of the webinar's time zone
(the browser's for a new one) and stored in UTC, through daylight saving; what is wrong is
said field by field and nothing is saved; organizers manage only their own webinars and
finance edits none; all of it in French too."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Session, Webinar
from console.services import audit
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor
from console.store import catalog, db
from tests.ui.support import run_piece

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
BOB = Actor("bob@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)
PARIS = {"timezone": "Europe/Paris"}
DESCRIPTION = "Description, with the cancellation and refund policy"
JOIN_URL = "Join link (https://…)"
ANNS = Webinar(
    "wb_ann",
    "Pricing 101",
    "ann@example.org",
    description="Refunds up to 7 days before.",
    capacity=50,
    sessions=(
        Session(datetime(2027, 1, 12, 16, 0, tzinfo=UTC), 90),  # 17:00 in Paris
        Session(datetime(2027, 1, 19, 16, 0, tzinfo=UTC), 60),
    ),
    join_url="https://meet.example.org/pricing",
    time_zone="Europe/Paris",
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


def _pick(app: AppTest, prefix: str, row: int, day=None, start=None, minutes=None) -> AppTest:
    """Session `row`'s pickers set as a person would, one run after another."""
    if day is not None:
        app.date_input(key=f"{prefix}_date_{row}").set_value(day).run()
    if start is not None:
        app.time_input(key=f"{prefix}_start_{row}").set_value(start).run()
    if minutes is not None:
        app.number_input(key=f"{prefix}_minutes_{row}").set_value(minutes).run()
    assert not app.exception, app.exception
    return app


def _session_words(app: AppTest) -> list[str]:
    """Each session's start in words, beside its pickers (the captions after the zone's)."""
    return [c.value for c in app.caption][1:]


# --- create ----------------------------------------------------------------------------------


def create_page(actor, language: str = "en") -> None:
    from console.formatting import i18n
    from console.ui.webinar_form import create_webinar_form

    i18n.use(language)
    create_webinar_form(actor)


def _create_form(actor: Actor = ANN, language: str = "en", context=PARIS) -> AppTest:
    return run_piece(create_page, actor, language, context=context, timeout=30)


def _create(
    actor: Actor = ANN, sessions=((date(2027, 2, 1), time(9, 0), 120),), **typed: str
) -> AppTest:
    """The form filled in (`sessions`: (day, start, minutes) per session) and sent."""
    app = _create_form(actor)
    for key, value in typed.items():
        field = f"new_{key}"
        if key == "description":
            app.text_area(key=field).input(value)
        else:
            app.text_input(key=field).input(value)
    for row, (day, start, minutes) in enumerate(sessions):
        if row:
            app.button(key="new_add").click().run()
        _pick(app, "new", row, day, start, minutes)
    app.button(key="create_webinar").click().run()
    assert not app.exception, app.exception
    return app


def test_the_create_form_asks_for_each_detail_in_the_browsers_time_zone():
    app = _create_form()
    assert [s.value for s in app.subheader] == ["Create a webinar"]
    assert [f.label for f in app.text_input] == [
        "Title",
        "Organizer e-mail",
        "Capacity (seats; empty for no limit)",
        JOIN_URL,
    ]
    assert [f.label for f in app.text_area] == [DESCRIPTION]
    assert app.text_input(key="new_organizer").value == "ann@example.org"
    zone = app.selectbox(key="new_zone")
    assert (zone.label, zone.value) == ("Time zone", "Europe/Paris")
    assert {"America/New York", "Asia/Kathmandu"} <= set(zone.options)  # shown without "_"
    assert [m.value for m in app.markdown] == ["**Sessions**"]
    assert app.caption[0].value == "Dates and start times are in Europe/Paris time."
    # One session to pick, an hour long until someone says otherwise.
    assert [(d.label, d.value) for d in app.date_input] == [("Date", None)]
    assert [(t.label, t.value) for t in app.time_input] == [("Start time", None)]
    assert [(n.label, n.value) for n in app.number_input] == [("Minutes", 60)]
    assert "the first one (still summer time)" in app.time_input[0].help
    assert [b.label for b in app.button] == ["Add a session", "Create webinar"]


@pytest.mark.parametrize("context", [None, {"timezone": "Mars/Olympus"}], ids=["none", "unknown"])
def test_without_a_time_zone_from_the_browser_a_new_webinar_is_in_utc(context):
    app = _create_form(context=context)
    assert app.selectbox(key="new_zone").value == "UTC"
    assert app.caption[0].value == "Dates and start times are in UTC time."


def test_a_valid_webinar_is_created_free_in_its_zone_and_becomes_the_one_to_open():
    app = _create(
        title=" Atelier TVA ",
        sessions=[(date(2027, 2, 1), time(9, 0), 120), (date(2027, 2, 8), time(9, 0), 120)],
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
    assert (webinar.title, webinar.organizer_email, webinar.capacity, webinar.time_zone) == (
        "Atelier TVA",
        "ann@example.org",
        30,
        "Europe/Paris",
    )
    assert webinar.is_free and webinar.join_url == "https://meet.example.org/tva"
    assert [(s.starts_at.isoformat(), s.duration_minutes) for s in webinar.sessions] == [
        ("2027-02-01T08:00:00+00:00", 120),  # 09:00 in Paris, winter time
        ("2027-02-08T08:00:00+00:00", 120),
    ]
    assert list(audit.search(ADMIN_ACTOR, action="webinar created")["actor"]) == ["ann@example.org"]


def test_each_session_is_said_in_words_with_its_zone_and_stored_in_utc_across_the_change():
    app = _pick(_create_form(), "new", 0, date(2026, 10, 24), time(10, 0))
    assert _session_words(app) == ["Saturday, October 24, 2026, 10:00 (Europe/Paris)"]
    # Another session: a week later by default, at the same time on the clocks and as long.
    app.button(key="new_add").click().run()
    assert app.date_input(key="new_date_1").value == date(2026, 10, 31)
    assert app.time_input(key="new_start_1").value == time(10, 0)
    assert app.number_input(key="new_minutes_1").value == 60
    _pick(app, "new", 1, day=date(2026, 10, 25))
    assert _session_words(app) == [
        "Saturday, October 24, 2026, 10:00 (Europe/Paris)",
        "Sunday, October 25, 2026, 10:00 (Europe/Paris)",
    ]
    app.text_input(key="new_title").input("Clocks")
    app.button(key="create_webinar").click().run()
    [created] = [w for w in _webinar_ids() if w != "wb_ann"]
    assert [s.starts_at for s in catalog.load_webinar(created).sessions] == [
        datetime(2026, 10, 24, 8, 0, tzinfo=UTC),  # summer time, UTC+2
        datetime(2026, 10, 25, 9, 0, tzinfo=UTC),  # winter time from 03:00 that night
    ]


def test_a_time_the_clocks_skip_is_flagged_at_once_and_refused():
    app = _pick(_create_form(), "new", 0, date(2027, 3, 28), time(2, 30))
    assert _session_words(app) == [
        ":warning: 02:30 does not exist that day in Europe/Paris: the clocks go forward. "
        "Choose another time, such as 03:30."
    ]
    app.text_input(key="new_title").input("Gap").run()
    app.button(key="create_webinar").click().run()
    assert [e.value for e in app.error] == [
        "The webinar was not created:\n\n"
        "- Session 1: 02:30 does not exist on Sunday, March 28, 2027 in Europe/Paris, because "
        "the clocks go forward that night. Choose another time, such as 03:30."
    ]
    assert _webinar_ids() == ["wb_ann"]


def test_a_time_the_clocks_repeat_is_said_to_be_the_first_and_stored_so():
    app = _pick(_create_form(), "new", 0, date(2026, 10, 25), time(2, 30))
    assert _session_words(app) == [
        "Sunday, October 25, 2026, 02:30 (Europe/Paris): the first of the two, as the clocks "
        "go back that night."
    ]
    app.text_input(key="new_title").input("Twice").run()
    app.button(key="create_webinar").click().run()
    [created] = [w for w in _webinar_ids() if w != "wb_ann"]
    [session] = catalog.load_webinar(created).sessions
    assert session.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


def test_a_session_can_be_removed_while_another_stays():
    app = _pick(_create_form(), "new", 0, date(2027, 2, 1), time(9, 0))
    app.button(key="new_add").click().run()
    assert [b.key for b in app.button] == [
        "new_remove_0",
        "new_remove_1",
        "new_add",
        "create_webinar",
    ]
    app.button(key="new_remove_0").click().run()
    assert [d.value for d in app.date_input] == [date(2027, 2, 8)]
    assert [b.key for b in app.button] == ["new_add", "create_webinar"]  # the last one stays


def test_a_new_webinar_can_be_planned_in_another_zone():
    app = _create_form()
    app.selectbox(key="new_zone").select("America/New_York").run()
    assert app.caption[0].value == "Dates and start times are in America/New_York time."
    _pick(app, "new", 0, date(2027, 2, 1), time(9, 0))  # the times typed stay as typed
    assert _session_words(app) == ["Monday, February 1, 2027, 09:00 (America/New_York)"]
    app.text_input(key="new_title").input("New York").run()
    app.button(key="create_webinar").click().run()
    [created] = [w for w in _webinar_ids() if w != "wb_ann"]
    webinar = catalog.load_webinar(created)
    assert webinar.time_zone == "America/New_York"
    assert [s.starts_at for s in webinar.sessions] == [datetime(2027, 2, 1, 14, 0, tzinfo=UTC)]


def test_every_problem_is_listed_and_nothing_is_created():
    app = _create(title="", sessions=[(None, time(9, 0), None)], capacity="0", join_url="x.org")
    assert [e.value for e in app.error] == [
        "The webinar was not created:\n\n"
        "- Give the webinar a title.\n"
        "- Capacity is a whole number of seats, 1 or more (or leave it empty).\n"
        "- Session 1: choose a date.\n"
        "- The join link must start with https:// (or leave it empty)."
    ]
    assert not app.success and "webinar_page_id" not in app.session_state
    assert _webinar_ids() == ["wb_ann"]


def test_a_webinar_needs_a_session():
    app = _create(title="Nothing planned", sessions=[])
    assert [e.value for e in app.error] == [
        "The webinar was not created:\n\n"
        "- Add at least one session: a date, a start time and minutes."
    ]
    assert _webinar_ids() == ["wb_ann"]


def test_an_organizer_cannot_create_a_webinar_for_someone_else():
    app = _create(title="Bob's", organizer="bob@example.org")
    assert [e.value for e in app.error] == ["ann@example.org may manage only their own webinars."]
    assert _webinar_ids() == ["wb_ann"]


def test_finance_cannot_create_webinars():
    app = _create(FIN, title="Budget", organizer="ann@example.org")
    assert [e.value for e in app.error] == [
        "fin@example.org (finance) may not do this; it needs the role admin or organizer. "
        "Ask an admin."
    ]
    assert _webinar_ids() == ["wb_ann"]


def test_an_admin_creates_a_webinar_for_any_organizer():
    app = _create(ADMIN_ACTOR, title="Bob's", organizer="Bob@Example.org")
    assert app.success
    assert catalog.load_webinar(app.session_state["webinar_page_id"]).organizer_email == (
        "bob@example.org"
    )


def test_the_create_form_speaks_french():
    app = _pick(_create_form(language="fr"), "new", 0, date(2027, 3, 28), time(10, 0))
    assert [s.value for s in app.subheader] == ["Créer un webinaire"]
    assert [f.label for f in app.text_input] == [
        "Titre",
        "E-mail de l'organisateur",
        "Capacité (places ; vide pour aucune limite)",
        "Lien de connexion (https://…)",
    ]
    assert app.selectbox(key="new_zone").label == "Fuseau horaire"
    assert app.caption[0].value == (
        "Les dates et heures de début sont à l'heure du fuseau Europe/Paris."
    )
    assert (app.date_input[0].label, app.time_input[0].label, app.number_input[0].label) == (
        "Date",
        "Heure de début",
        "Minutes",
    )
    assert _session_words(app) == ["dimanche 28 mars 2027, 10:00 (Europe/Paris)"]
    assert [b.label for b in app.button] == ["Ajouter une session", "Créer le webinaire"]
    app.button(key="create_webinar").click().run()
    assert [e.value for e in app.error] == [
        "Le webinaire n'a pas été créé :\n\n- Donnez un titre au webinaire."
    ]


# --- edit ------------------------------------------------------------------------------------


def edit_page(actor, webinar_id: str, language: str = "en") -> None:
    import streamlit as st

    from console.formatting import i18n
    from console.store import catalog
    from console.ui.webinar_form import edit_webinar_form

    i18n.use(language)
    if message := st.session_state.pop("webinar_flash", None):
        st.success(message)
    edit_webinar_form(actor, catalog.load_webinar(webinar_id))


def _edit_page(actor: Actor = ANN, language: str = "en") -> AppTest:
    return run_piece(edit_page, actor, "wb_ann", language, context=PARIS, timeout=30)


def _field(app: AppTest, label: str):
    [field] = [f for f in (*app.text_input, *app.text_area) if f.label == label]
    return field


def _save(app: AppTest, **changes: str) -> AppTest:
    for label, value in changes.items():
        _field(app, label.replace("_", " ")).input(value)
    app.button(key="save_webinar").click().run()
    assert not app.exception, app.exception
    return app


def _sessions_shown(app: AppTest) -> list[tuple]:
    return [
        (d.value, t.value, n.value)
        for d, t, n in zip(app.date_input, app.time_input, app.number_input, strict=True)
    ]


def test_the_edit_form_shows_the_webinar_as_it_is_on_its_zones_clocks():
    app = _edit_page()
    assert [s.value for s in app.subheader] == ["Details"]
    shown = {f.label: f.value for f in (*app.text_input, *app.text_area)}
    assert shown == {
        "Title": "Pricing 101",
        "Organizer e-mail": "ann@example.org",
        "Capacity": "50",
        DESCRIPTION: "Refunds up to 7 days before.",
        JOIN_URL: "https://meet.example.org/pricing",
    }
    assert app.selectbox[0].value == "Europe/Paris"
    assert "does not move the sessions" in app.selectbox[0].help
    assert _sessions_shown(app) == [
        (date(2027, 1, 12), time(17, 0), 90),
        (date(2027, 1, 19), time(17, 0), 60),
    ]
    assert _session_words(app) == [
        "Tuesday, January 12, 2027, 17:00 (Europe/Paris)",
        "Tuesday, January 19, 2027, 17:00 (Europe/Paris)",
    ]
    assert [b.label for b in app.button][-2:] == ["Add a session", "Save changes"]


def test_saving_changes_stores_them_and_says_so():
    app = _save(_edit_page(), Title="Pricing 102", Capacity="")
    assert [s.value for s in app.success] == ["Saved."]  # said by the page after the rerun
    assert _field(app, "Title").value == "Pricing 102"  # the form shows what was saved
    webinar = catalog.load_webinar("wb_ann")
    assert (webinar.title, webinar.capacity, webinar.sessions) == (
        "Pricing 102",
        None,
        ANNS.sessions,
    )
    [entry] = audit.search(ADMIN_ACTOR, action="webinar edited").to_dict("records")
    assert entry["actor"] == "ann@example.org"


def test_a_session_moved_and_one_removed_are_saved_and_shown_as_saved():
    app = _pick(_edit_page(), "edit_wb_ann", 1, start=time(18, 30), minutes=45)
    app.button(key="edit_wb_ann_remove_0").click().run()
    app.button(key="save_webinar").click().run()
    assert [s.value for s in app.success] == ["Saved."]
    assert catalog.load_webinar("wb_ann").sessions == (
        Session(datetime(2027, 1, 19, 17, 30, tzinfo=UTC), 45),
    )
    assert _sessions_shown(app) == [(date(2027, 1, 19), time(18, 30), 45)]


def test_changing_the_zone_keeps_the_sessions_at_the_same_moment():
    app = _edit_page()
    app.selectbox[0].select("America/New_York").run()
    assert _sessions_shown(app) == [
        (date(2027, 1, 12), time(11, 0), 90),  # 17:00 in Paris is 11:00 in New York
        (date(2027, 1, 19), time(11, 0), 60),
    ]
    assert app.caption[0].value == "Dates and start times are in America/New_York time."
    app.button(key="save_webinar").click().run()
    webinar = catalog.load_webinar("wb_ann")
    assert (webinar.time_zone, webinar.sessions) == ("America/New_York", ANNS.sessions)


def test_a_wrong_detail_is_said_and_nothing_is_saved():
    app = _save(_edit_page(), Capacity="many")
    assert [e.value for e in app.error] == [
        "Not saved:\n\n- Capacity is a whole number of seats, 1 or more (or leave it empty)."
    ]
    assert not app.success
    assert catalog.load_webinar("wb_ann") == ANNS


def test_a_skipped_time_is_not_saved():
    app = _pick(_edit_page(), "edit_wb_ann", 0, day=date(2027, 3, 28), start=time(2, 0))
    app.button(key="save_webinar").click().run()
    assert [e.value for e in app.error] == [
        "Not saved:\n\n- Session 1: 02:00 does not exist on Sunday, March 28, 2027 in "
        "Europe/Paris, because the clocks go forward that night. Choose another time, such as "
        "03:00."
    ]
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


def test_the_edit_form_speaks_french():
    app = _edit_page(language="fr")
    assert [s.value for s in app.subheader] == ["Détails"]
    assert _session_words(app) == [
        "mardi 12 janvier 2027, 17:00 (Europe/Paris)",
        "mardi 19 janvier 2027, 17:00 (Europe/Paris)",
    ]
    assert [b.label for b in app.button][-2:] == ["Ajouter une session", "Enregistrer"]
    app = _save(app, Capacité="beaucoup")
    assert [e.value for e in app.error] == [
        "Non enregistré :\n\n- La capacité est un nombre entier de places, 1 ou plus (ou "
        "laissez-la vide)."
    ]
    app = _save(app, Capacité="50", Titre="Tarifs 101")
    assert [s.value for s in app.success] == ["Enregistré."]
