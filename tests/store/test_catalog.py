"""The catalog: webinars, sessions and registrations, and the one meaning of "registered"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console.domain.catalog import Registration, RegistrationStatus, Session, Webinar
from console.services import webinars
from console.services.access import ADMIN, Actor
from console.store import catalog, db
from console.stripe_api import mirror

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)


def _webinar_with_every_status(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    starts = datetime.now(UTC) + timedelta(days=10)
    with db.connect(write=True) as con:
        catalog.save_webinars(
            con,
            [
                Webinar(
                    "wb_1", "One", "ann@example.org", capacity=2, sessions=(Session(starts, 60),)
                )
            ],
        )
        catalog.save_registrations(
            con,
            [
                Registration(
                    f"reg_{status}",
                    "wb_1",
                    status,
                    f"{status}@example.org",
                    status,
                    None,
                    datetime.now(UTC),
                )
                for status in RegistrationStatus
            ],
        )


def test_registered_means_the_same_everywhere(tmp_path, monkeypatch):
    _webinar_with_every_status(tmp_path, monkeypatch)

    assert catalog.webinars_frame()["registrations"].tolist() == [1]
    listed = webinars.list_webinars(ADMIN_ACTOR, False)
    assert listed["registrations"].tolist() == [1]
    with db.connect() as con:
        assert catalog.seats_taken(con, "wb_1", besides="") == 1  # no hold: pending holds none


def test_a_payment_under_way_holds_a_seat_until_its_hold_runs_out(tmp_path, monkeypatch):
    _webinar_with_every_status(tmp_path, monkeypatch)
    with db.connect(write=True) as con:
        con.execute(
            "UPDATE registrants SET seat_held_until = now() + INTERVAL 15 MINUTE "
            "WHERE registrant_id = 'reg_pending_payment'"
        )
        assert catalog.seats_taken(con, "wb_1", besides="") == 2
        assert catalog.seats_taken(con, "wb_1", besides="reg_pending_payment") == 1  # a reload
        assert catalog.expired_holds(con) == []
        assert catalog.live_hold(con, "reg_pending_payment") is not None
        assert catalog.live_hold(con, "reg_registered") is None  # registered: no hold to run out
        con.execute("UPDATE registrants SET seat_held_until = now() - INTERVAL 1 SECOND")
        assert catalog.seats_taken(con, "wb_1", besides="") == 1
        assert catalog.live_hold(con, "reg_pending_payment") is None


def test_status_changes_are_written_by_the_catalog(tmp_path, monkeypatch):
    _webinar_with_every_status(tmp_path, monkeypatch)
    with db.connect(write=True) as con:
        assert catalog.mark_paid(con, "reg_pending_payment") == (
            "wb_1",
            "pending_payment",
            "pending_payment@example.org",
        )
        assert catalog.mark_paid(con, "reg_pending_payment") is None  # already paid
        cancelled = catalog.cancel_registrations_by_email(con, "wb_1", "REGISTERED@example.org")
        catalog.cancel_session(con, "wb_1", 1)
        catalog.cancel_webinar(con, "wb_1")
        catalog.set_price(con, "wb_1", 4900, "eur")
    assert cancelled == [("reg_registered", "registered")]
    webinar = catalog.load_webinar("wb_1")
    assert (webinar.status, webinar.price_amount, webinar.price_currency) == (
        "cancelled",
        4900,
        "eur",
    )
    with db.connect() as con:
        statuses = dict(con.execute("SELECT registrant_id, status FROM registrants").fetchall())
        session_cancelled = con.execute("SELECT cancelled FROM webinar_sessions").fetchone()[0]
    assert statuses["reg_registered"] == "cancelled"
    assert statuses["reg_pending_payment"] == "registered"
    assert session_cancelled is True


def _registered(names: tuple[str, ...]) -> list[Registration]:
    return [
        Registration(
            f"reg_{name}",
            "wb_1",
            name,
            f"{name}@example.org",
            "registered",
            None,
            datetime.now(UTC),
        )
        for name in names
    ]


def _paid(charge_id: str, email: str, registrant_id: str | None = None) -> dict:
    metadata = {"webinar_id": "wb_1", "registrant_email": email}
    if registrant_id:
        metadata["registrant_id"] = registrant_id
    return {
        "object": "charge",
        "id": charge_id,
        "created": 100,
        "amount": 4900,
        "currency": "usd",
        "status": "succeeded",
        "metadata": metadata,
    }


def test_a_payments_registration_is_cancelled_by_registrant_id_else_by_webinar_and_email(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    with db.connect(write=True) as con:
        catalog.save_webinars(con, [Webinar("wb_1", "One", "ann@example.org")])
        catalog.save_registrations(con, _registered(("ada", "bea", "cy", "dee")))
        for charge in (
            _paid("ch_ada", "card-holder@example.org", registrant_id="reg_ada"),
            _paid("ch_bea", "BEA@example.org"),
        ):
            mirror.save(con, charge, livemode=False)
        catalog.cancel_registration_of_charge(con, "ch_ada")
        catalog.cancel_registration_of_charge(con, "ch_bea")
        catalog.cancel_registration_of_charge(con, "ch_unknown")
        # What a bulk job read already: the same rule, without reading the payment again.
        catalog.cancel_registration_of_payer(con, None, "wb_1", "CY@example.org")
        catalog.cancel_registration_of_payer(con, "reg_nobody", "wb_2", "dee@example.org")
    with db.connect() as con:
        statuses = dict(con.execute("SELECT registrant_id, status FROM registrants").fetchall())
    assert statuses == {
        "reg_ada": "cancelled",
        "reg_bea": "cancelled",
        "reg_cy": "cancelled",
        "reg_dee": "registered",
    }
