"""console/services/webinars.py: create, edit and import webinars with every problem said
at once; sessions planned on the clocks of the webinar's time zone and stored in UTC;
organizers manage only their own; the list shows what the actor may see."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import pytest

from console.domain.catalog import Registration, Session, Webinar
from console.formatting import i18n
from console.services import audit, webinars
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.store import db
from console.store.catalog import save_registrations
from console.store.catalog import save_webinars as store_webinars

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
BOB = Actor("bob@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)
SESSIONS = "2027-06-01 10:00, 60\n2027-05-01 09:30, 90"
PARIS = "Europe/Paris"
Picked = webinars.SessionDraft


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))


def _draft(**changes) -> webinars.WebinarDraft:
    fields = {"title": "Fees 101", "organizer_email": "ann@example.org", "sessions": SESSIONS}
    return webinars.WebinarDraft(**(fields | changes))


def _row_count(table: str) -> int:
    with db.connect() as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608


# --- parse_sessions ------------------------------------------------------------------------


def test_sessions_are_parsed_in_utc_and_sorted():
    sessions = webinars.parse_sessions("2027-06-01 16:00, 90\n\n2027-05-01T9:05 UTC; 30")
    assert sessions == (
        Session(datetime(2027, 5, 1, 9, 5, tzinfo=UTC), 30),
        Session(datetime(2027, 6, 1, 16, 0, tzinfo=UTC), 90),
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Add at least one session"),
        (
            "tomorrow at ten",
            "Session 1 (“tomorrow at ten”) is not “YYYY-MM-DD HH:MM, minutes”, for example "
            "“2026-12-01 16:00, 90”.",
        ),
        ("2027-02-30 10:00, 60", "Session 1: 2027-02-30 10:00 is not a real date and time."),
        ("2027-06-01 25:00, 60", "is not a real date and time"),
        ("2027-06-01 10:00, 0", "Session 1: a duration is between 1 and 1440 minutes."),
        ("2027-06-01 10:00, 1441", "a duration is between 1 and 1440 minutes"),
    ],
    ids=["empty", "not a session", "30 February", "hour 25", "zero minutes", "over a day"],
)
def test_bad_sessions_are_refused_with_what_works(text, problem):
    with pytest.raises(webinars.WebinarInvalid) as refused:
        webinars.parse_sessions(text)
    assert problem in str(refused.value)


def test_every_bad_session_line_is_reported_with_its_number():
    with pytest.raises(webinars.WebinarInvalid) as refused:
        webinars.parse_sessions("2027-06-01 10:00, 60\nsoon\n2027-06-02 10:00, 0")
    assert [p.split(" ")[1] for p in refused.value.problems] == ["2", "3:"]


def test_typed_sessions_are_on_the_clocks_of_the_zone_unless_they_say_utc():
    sessions = webinars.parse_sessions(
        "2026-10-25 10:00, 60\n2026-10-24 10:00, 60\n2026-10-26 10:00 UTC, 30", PARIS
    )
    assert [s.starts_at for s in sessions] == [
        datetime(2026, 10, 24, 8, 0, tzinfo=UTC),  # summer time
        datetime(2026, 10, 25, 9, 0, tzinfo=UTC),  # winter time, from 03:00 that night
        datetime(2026, 10, 26, 10, 0, tzinfo=UTC),  # said in UTC
    ]


# --- picked sessions (the form's date and time pickers) --------------------------------------


def test_picked_sessions_are_on_the_clocks_of_the_zone_stored_in_utc_and_sorted():
    sessions = webinars.parse_sessions(
        [
            Picked(date(2027, 3, 28), time(10, 0), 90),
            Picked(None, None, None),  # a row left empty
            Picked(date(2026, 10, 25), time(10, 0), 60),
            Picked(date(2026, 10, 24), time(10, 0), 60),
        ],
        PARIS,
    )
    assert sessions == (
        Session(datetime(2026, 10, 24, 8, 0, tzinfo=UTC), 60),
        Session(datetime(2026, 10, 25, 9, 0, tzinfo=UTC), 60),
        Session(datetime(2027, 3, 28, 8, 0, tzinfo=UTC), 90),
    )


def test_a_picked_time_the_clocks_skip_is_refused_with_one_that_exists():
    with pytest.raises(webinars.WebinarInvalid) as refused:
        webinars.parse_sessions([Picked(date(2027, 3, 28), time(2, 30), 60)], PARIS)
    assert refused.value.problems == [
        "Session 1: 02:30 does not exist on Sunday, March 28, 2027 in Europe/Paris, because "
        "the clocks go forward that night. Choose another time, such as 03:30."
    ]


def test_a_picked_time_the_clocks_repeat_is_the_first_one():
    [session] = webinars.parse_sessions([Picked(date(2026, 10, 25), time(2, 30), 60)], PARIS)
    assert session.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


def test_every_missing_pick_is_said_with_its_session_number():
    with pytest.raises(webinars.WebinarInvalid) as refused:
        webinars.parse_sessions(
            [
                Picked(date(2027, 6, 1), time(10, 0), 60),
                Picked(None, time(10, 0), 60),
                Picked(date(2027, 6, 3), None, None),
                Picked(date(2027, 6, 4), time(10, 0), 0),
            ],
            PARIS,
        )
    assert refused.value.problems == [
        "Session 2: choose a date.",
        "Session 3: choose a start time.",
        "Session 3: give its length in minutes.",
        "Session 4: a duration is between 1 and 1440 minutes.",
    ]


def test_no_picked_session_at_all_is_refused():
    with pytest.raises(webinars.WebinarInvalid, match="Add at least one session: a date"):
        webinars.parse_sessions([Picked(None, None, None)], PARIS)


def test_problems_are_said_in_the_language_of_the_work():
    with i18n.speaking("fr"), pytest.raises(webinars.WebinarInvalid) as refused:
        webinars.parse_sessions(
            [Picked(date(2027, 3, 28), time(2, 30), 60), Picked(None, time(10, 0), 60)], PARIS
        )
    assert refused.value.problems == [
        "Session 1 : 02:30 n'existe pas le dimanche 28 mars 2027 dans le fuseau Europe/Paris, "
        "car les horloges avancent cette nuit-là. Choisissez une autre heure, par exemple "
        "03:30.",
        "Session 2 : choisissez une date.",
    ]


def test_a_refused_import_is_said_in_the_language_of_the_work():
    content = (
        b'title,organizer_email,sessions,time_zone\n,ann@example.org,"2027-06-01 10:00, 60",\n'
    )
    with i18n.speaking("fr"):
        [problem] = webinars.import_webinars_csv(ANN, content).problems
    assert problem == "Ligne 2 : Donnez un titre au webinaire."


# --- create ------------------------------------------------------------------------------


def test_create_saves_a_free_scheduled_webinar_and_audits_it():
    webinar_id = webinars.create_webinar(
        ANN, _draft(title="  Fees 101 ", organizer_email="Ann@Example.org", capacity="30")
    )
    assert webinar_id.startswith("wb_")
    saved = webinars.get_webinar(ANN, webinar_id)
    assert (saved.title, saved.organizer_email, saved.capacity) == (
        "Fees 101",
        "ann@example.org",
        30,
    )
    assert saved.status == "scheduled" and saved.is_free
    assert [s.starts_at.month for s in saved.sessions] == [5, 6]
    assert saved.time_zone == "UTC"  # typed without a zone: UTC, as before zones
    [entry] = audit.search(ADMIN_ACTOR).to_dict("records")
    assert (entry["actor"], entry["action"], entry["webinar_id"]) == (
        "ann@example.org",
        "webinar created",
        webinar_id,
    )
    assert json.loads(entry["after"])["title"] == "Fees 101"


def test_every_problem_of_a_draft_is_said_at_once_and_nothing_is_saved():
    draft = _draft(
        title=" ",
        organizer_email="not-an-address",
        capacity="zero",
        sessions="soon",
        join_url="zoom.example/abc",
    )
    with pytest.raises(webinars.WebinarInvalid) as refused:
        webinars.create_webinar(ADMIN_ACTOR, draft)
    problems = refused.value.problems
    assert problems[0] == "Give the webinar a title."
    assert problems[1].startswith(
        "Organizer e-mail: “not-an-address” is not an e-mail address. An email address must "
        "have an @-sign."
    )
    assert problems[2] == "Capacity is a whole number of seats, 1 or more (or leave it empty)."
    assert problems[3].startswith("Session 1 (“soon”)")
    assert problems[4] == "The join link must start with https:// (or leave it empty)."
    assert _row_count("webinars") == 0 and _row_count("audit_log") == 0


def test_a_webinar_keeps_its_time_zone_and_its_sessions_in_utc():
    draft = _draft(sessions=[Picked(date(2026, 10, 25), time(10, 0), 90)], time_zone="europe/paris")
    webinar_id = webinars.create_webinar(ANN, draft)
    saved = webinars.get_webinar(ANN, webinar_id)
    assert saved.time_zone == PARIS  # spelled as the IANA database does
    assert saved.sessions == (Session(datetime(2026, 10, 25, 9, 0, tzinfo=UTC), 90),)
    [entry] = audit.search(ADMIN_ACTOR).to_dict("records")
    assert json.loads(entry["after"])["time_zone"] == PARIS


def test_an_unknown_time_zone_is_refused_with_how_to_name_one():
    draft = _draft(sessions=[Picked(date(2027, 3, 28), time(2, 30), 60)], time_zone="Paris")
    with pytest.raises(webinars.WebinarInvalid) as refused:
        webinars.create_webinar(ANN, draft)
    assert refused.value.problems == [
        "“Paris” is not a time zone. Choose one from the list, or write its IANA name, such as "
        "Europe/Paris or America/New_York."
    ]  # the sessions are checked too, in UTC, where 02:30 exists
    assert _row_count("webinars") == 0


def test_a_title_has_at_most_200_characters():
    with pytest.raises(webinars.WebinarInvalid, match="at most 200 characters"):
        webinars.create_webinar(ADMIN_ACTOR, _draft(title="x" * 201))
    assert webinars.create_webinar(ADMIN_ACTOR, _draft(title="x" * 200))


def test_an_organizer_creates_only_webinars_they_organize():
    with pytest.raises(PermissionDenied, match="only their own webinars"):
        webinars.create_webinar(ANN, _draft(organizer_email="bob@example.org"))
    with pytest.raises(PermissionDenied):
        webinars.create_webinar(FIN, _draft())
    assert _row_count("webinars") == 0
    assert webinars.create_webinar(ADMIN_ACTOR, _draft(organizer_email="bob@example.org"))


# --- read and edit -------------------------------------------------------------------------


def test_get_webinar_says_when_there_is_none():
    with pytest.raises(LookupError, match="There is no webinar wb_nope."):
        webinars.get_webinar(ADMIN_ACTOR, "wb_nope")


def test_finance_reads_any_webinar_an_organizer_only_their_own():
    webinar_id = webinars.create_webinar(ADMIN_ACTOR, _draft())
    assert webinars.get_webinar(FIN, webinar_id).title == "Fees 101"
    with pytest.raises(PermissionDenied):
        webinars.get_webinar(BOB, webinar_id)


def test_an_edit_keeps_status_and_price_and_is_audited_before_and_after():
    with db.connect(write=True) as con:
        store_webinars(
            con,
            [
                Webinar(
                    "wb_p",
                    "Old",
                    "ann@example.org",
                    status="cancelled",
                    price_amount=4900,
                    price_currency="usd",
                )
            ],
        )
    webinars.update_webinar(
        ANN, "wb_p", _draft(title="New", join_url="https://meet.example/x", description=" d ")
    )
    saved = webinars.get_webinar(ANN, "wb_p")
    assert (saved.title, saved.join_url, saved.description) == (
        "New",
        "https://meet.example/x",
        "d",
    )
    assert (saved.status, saved.price_amount, saved.price_currency) == (
        "cancelled",
        4900,
        "usd",
    )
    [entry] = audit.search(ADMIN_ACTOR, action="webinar edited").to_dict("records")
    assert json.loads(entry["before"])["title"] == "Old"
    assert json.loads(entry["after"])["title"] == "New"


def test_an_edit_can_move_a_webinar_to_another_time_zone():
    webinar_id = webinars.create_webinar(ANN, _draft(sessions="2026-10-25 09:00, 60"))
    webinars.update_webinar(
        ANN,
        webinar_id,
        _draft(sessions=[Picked(date(2026, 10, 25), time(10, 0), 60)], time_zone=PARIS),
    )
    saved = webinars.get_webinar(ANN, webinar_id)
    assert saved.time_zone == PARIS
    assert [s.starts_at for s in saved.sessions] == [datetime(2026, 10, 25, 9, 0, tzinfo=UTC)]
    [entry] = audit.search(ADMIN_ACTOR, action="webinar edited").to_dict("records")
    assert (json.loads(entry["before"])["time_zone"], json.loads(entry["after"])["time_zone"]) == (
        "UTC",
        PARIS,
    )


def test_an_organizer_cannot_hand_their_webinar_to_someone_else():
    webinar_id = webinars.create_webinar(ANN, _draft())
    with pytest.raises(PermissionDenied):
        webinars.update_webinar(ANN, webinar_id, _draft(organizer_email="bob@example.org"))
    with pytest.raises(PermissionDenied):
        webinars.update_webinar(BOB, webinar_id, _draft(organizer_email="bob@example.org"))
    assert webinars.get_webinar(ADMIN_ACTOR, webinar_id).organizer_email == "ann@example.org"
    webinars.update_webinar(ADMIN_ACTOR, webinar_id, _draft(organizer_email="bob@example.org"))
    assert webinars.get_webinar(BOB, webinar_id).organizer_email == "bob@example.org"


def test_an_invalid_edit_changes_nothing():
    webinar_id = webinars.create_webinar(ANN, _draft())
    with pytest.raises(webinars.WebinarInvalid, match="Give the webinar a title."):
        webinars.update_webinar(ANN, webinar_id, _draft(title=""))
    assert webinars.get_webinar(ANN, webinar_id).title == "Fees 101"


# --- import -------------------------------------------------------------------------------

HEADER = "title,organizer_email,sessions,capacity,description\n"


def test_import_saves_every_row_and_audits_each():
    content = (
        HEADER
        + 'One,ann@example.org,"2027-06-01 10:00, 60",20,First\n'
        + 'Two,ann@example.org,"2027-07-01 10:00, 60; 2027-07-02 10:00, 60",,\n'
    ).encode("utf-8-sig")
    result = webinars.import_webinars_csv(ANN, content)
    assert result.problems == [] and len(result.created) == 2
    two = webinars.get_webinar(ANN, result.created[1])
    assert two.title == "Two" and len(two.sessions) == 2 and two.capacity is None
    assert list(audit.search(ADMIN_ACTOR)["action"]) == ["webinar imported"] * 2


def test_import_reads_each_rows_sessions_on_the_clocks_of_its_time_zone():
    content = (
        b"title,organizer_email,sessions,time_zone\n"
        b'Paris,ann@example.org,"2026-10-25 10:00, 60; 2026-10-24 10:00, 60",Europe/Paris\n'
        b'Tokyo,ann@example.org,"2026-10-25 19:00, 60",asia/tokyo\n'
        b'Plain,ann@example.org,"2026-10-25 10:00, 60",\n'
    )
    result = webinars.import_webinars_csv(ANN, content)
    assert result.problems == []
    saved = [webinars.get_webinar(ANN, webinar_id) for webinar_id in result.created]
    assert [(w.title, w.time_zone, [s.starts_at.hour for s in w.sessions]) for w in saved] == [
        ("Paris", PARIS, [8, 9]),
        ("Tokyo", "Asia/Tokyo", [10]),
        ("Plain", "UTC", [10]),  # no zone: UTC, as files were before zones
    ]


def test_import_names_a_rows_unknown_zone_and_its_skipped_times():
    content = (
        b"title,organizer_email,sessions,time_zone\n"
        b'Good,ann@example.org,"2027-06-01 10:00, 60",Europe/Paris\n'
        b'Mars,ann@example.org,"2027-06-01 10:00, 60",Mars/Olympus\n'
        b'Gap,ann@example.org,"2027-03-28 02:30, 60",Europe/Paris\n'
    )
    result = webinars.import_webinars_csv(ANN, content)
    assert result.created == []
    assert result.problems[0].startswith("Row 3: “Mars/Olympus” is not a time zone.")
    assert result.problems[1].startswith("Row 4: Session 1: 02:30 does not exist on Sunday")
    assert _row_count("webinars") == 0


def test_import_with_one_bad_row_saves_nothing_and_names_the_rows():
    content = (
        HEADER
        + 'Good,ann@example.org,"2027-06-01 10:00, 60",,\n'
        + ',ann@example.org,"2027-06-01 10:00, 60",,\n'
        + 'Bad date,ann@example.org,"2027-13-01 10:00, 60",,\n'
    ).encode()
    result = webinars.import_webinars_csv(ANN, content)
    assert result.created == []
    assert [p.split(":")[0] for p in result.problems] == ["Row 3", "Row 4"]
    assert "Give the webinar a title." in result.problems[0]
    assert _row_count("webinars") == 0


def test_import_refuses_prices_they_are_set_on_the_webinars_page():
    content = (
        b"title,organizer_email,sessions,price,currency\n"
        b'Paid,ann@example.org,"2027-06-01 10:00, 60",49,usd\n'
    )
    [problem] = webinars.import_webinars_csv(ANN, content).problems
    assert problem.startswith("Row 2: Prices are set on the webinar's page after the import")
    assert _row_count("webinars") == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"title,sessions\nX,\n", "missing: organizer_email."),
        ("title,organizer_email,sessions\n".encode("utf-16"), "The file is not UTF-8 text."),
        (b"title,organizer_email,sessions\n", "The file has no webinar rows."),
    ],
    ids=["missing column", "not utf-8", "no rows"],
)
def test_import_says_what_is_wrong_with_the_file(content, problem):
    [said] = webinars.import_webinars_csv(ADMIN_ACTOR, content).problems
    assert problem in said


def test_an_organizer_cannot_import_another_organizers_webinar():
    content = (HEADER + 'Bob\'s,bob@example.org,"2027-06-01 10:00, 60",,\n').encode()
    with pytest.raises(PermissionDenied):
        webinars.import_webinars_csv(ANN, content)
    assert _row_count("webinars") == 0


# --- list ---------------------------------------------------------------------------------


def _catalog() -> None:
    with db.connect(write=True) as con:
        store_webinars(
            con,
            [
                Webinar(
                    "wb_past",
                    "Past",
                    "ann@example.org",
                    sessions=(Session(datetime(2020, 1, 1, 10, tzinfo=UTC), 60),),
                ),
                Webinar(
                    "wb_next",
                    "Next",
                    "Ann@Example.org",
                    price_amount=4900,
                    price_currency="usd",
                    sessions=(Session(datetime(2099, 1, 1, 10, tzinfo=UTC), 60),),
                ),
                Webinar("wb_off", "Off", "bob@example.org", status="cancelled"),
            ],
        )
        save_registrations(
            con,
            [
                Registration(
                    f"r{n}", "wb_next", "P", f"p{n}@example.org", status, None, datetime.now(UTC)
                )
                for n, status in enumerate(["registered", "registered", "cancelled"])
            ],
        )


def test_list_webinars_shows_status_price_and_seats_newest_first():
    _catalog()
    frame = webinars.list_webinars(ADMIN_ACTOR, False).set_index("webinar_id")
    assert list(frame.index) == ["wb_next", "wb_past", "wb_off"]
    assert frame["status"].to_dict() == {
        "wb_next": "upcoming",
        "wb_past": "past",
        "wb_off": "cancelled",
    }
    assert frame.loc["wb_next", "price_amount"] == 4900
    assert frame.loc["wb_next", "price_currency"] == "usd"
    assert set(frame["time_zone"]) == {"UTC"}  # their sessions were typed in UTC
    # Seats are registrations that hold one: the cancelled registration does not count.
    assert frame["registrations"].to_dict() == {"wb_next": 2, "wb_past": 0, "wb_off": 0}
    assert frame["net_revenue"].isna().all()  # nothing synced yet


@pytest.mark.parametrize(
    ("actor", "seen"),
    [
        (ADMIN_ACTOR, {"wb_next", "wb_past", "wb_off"}),
        (FIN, {"wb_next", "wb_past", "wb_off"}),
        (ANN, {"wb_next", "wb_past"}),
        (BOB, {"wb_off"}),
        (Actor("carol@example.org", ORGANIZER), set()),
    ],
    ids=["admin", "finance", "ann", "bob", "organizer of nothing"],
)
def test_list_webinars_holds_what_the_actor_may_see(actor, seen):
    _catalog()
    assert set(webinars.list_webinars(actor, False)["webinar_id"]) == seen


def test_list_webinars_needs_a_role():
    with pytest.raises(PermissionDenied):
        webinars.list_webinars(Actor("nobody@example.org", ""), False)
