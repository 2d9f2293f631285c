"""console/store/refund_requests.py: a refund request and its charge lock are written
together; one open request per charge; Stripe's answer or refusal releases the lock."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest

from console.store import db, refund_requests

REQUEST = refund_requests.NewRequest(
    request_id="rq_1",
    livemode=False,
    charge_id="ch_1",
    webinar_id="wb_1",
    registrant_email="ada@example.org",
    amount=None,
    currency="usd",
    reason="requested_by_customer",
    note="asked by phone",
    cancel_registration=True,
    job_id=None,
    requested_by="admin@example.org",
)


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))


def _open(request: refund_requests.NewRequest = REQUEST) -> None:
    with db.connect(write=True) as con:
        refund_requests.open_request(con, request)


def _locks() -> list[tuple[str, str]]:
    with db.connect() as con:
        return con.execute("SELECT charge_id, request_id FROM charge_locks ORDER BY 1").fetchall()


def test_the_idempotency_key_is_derived_from_the_request_id():
    assert REQUEST.idempotency_key == "console-refund-rq_1"


def test_open_request_writes_the_request_and_locks_its_charge():
    _open()
    request = refund_requests.load("rq_1")
    assert request["status"] == refund_requests.OPEN == "requested"
    assert request["idempotency_key"] == "console-refund-rq_1"
    assert (request["charge_id"], request["webinar_id"], request["registrant_email"]) == (
        "ch_1",
        "wb_1",
        "ada@example.org",
    )
    assert request["amount"] is None and request["cancel_registration"] is True
    assert (request["reason"], request["note"], request["requested_by"]) == (
        "requested_by_customer",
        "asked by phone",
        "admin@example.org",
    )
    assert _locks() == [("ch_1", "rq_1")]


def test_load_gives_none_for_an_unknown_request():
    assert refund_requests.load("rq_nope") is None


def test_a_second_open_request_on_the_same_charge_is_refused_and_leaves_nothing():
    _open()
    with pytest.raises(duckdb.ConstraintException):
        _open(replace(REQUEST, request_id="rq_2"))
    assert refund_requests.load("rq_2") is None  # the caller's transaction rolled back
    assert _locks() == [("ch_1", "rq_1")]


def test_requests_on_different_charges_do_not_block_each_other():
    _open()
    _open(replace(REQUEST, request_id="rq_2", charge_id="ch_2"))
    assert _locks() == [("ch_1", "rq_1"), ("ch_2", "rq_2")]


def test_stripes_answer_is_recorded_and_releases_the_lock():
    _open()
    with db.connect(write=True) as con:
        refund_requests.record_answer(
            con, "rq_1", {"id": "re_1", "status": "succeeded", "amount": 4900}
        )
    request = refund_requests.load("rq_1")
    assert (request["status"], request["stripe_refund_id"], request["amount"]) == (
        "succeeded",
        "re_1",
        4900,
    )
    assert request["failure_reason"] is None
    assert _locks() == []
    _open(replace(REQUEST, request_id="rq_2"))  # the charge takes a new request
    assert _locks() == [("ch_1", "rq_2")]


def test_a_refusal_marks_the_request_failed_and_releases_the_lock():
    _open()
    with db.connect(write=True) as con:
        refund_requests.record_refusal(con, "rq_1", "The charge is disputed.")
    request = refund_requests.load("rq_1")
    assert (request["status"], request["failure_reason"]) == (
        "failed",
        "The charge is disputed.",
    )
    assert request["stripe_refund_id"] is None
    assert _locks() == []


def test_record_status_moves_a_refund_in_flight_on():
    _open()
    with db.connect(write=True) as con:
        refund_requests.record_answer(
            con, "rq_1", {"id": "re_1", "status": "pending", "amount": 10}
        )
    assert refund_requests.in_flight(False) == [("rq_1", "re_1")]
    with db.connect(write=True) as con:
        refund_requests.record_status(con, "rq_1", "failed", "lost_or_stolen_card")
    request = refund_requests.load("rq_1")
    assert (request["status"], request["failure_reason"]) == ("failed", "lost_or_stolen_card")
    assert request["updated_at"] >= request["requested_at"]
    assert refund_requests.in_flight(False) == []


def test_open_request_ids_are_the_unanswered_ones_of_the_mode_oldest_first():
    for number in (3, 1, 2):
        _open(replace(REQUEST, request_id=f"rq_{number}", charge_id=f"ch_{number}"))
    _open(replace(REQUEST, request_id="rq_live", charge_id="ch_live", livemode=True))
    with db.connect(write=True) as con:
        refund_requests.record_answer(
            con, "rq_1", {"id": "re_1", "status": "succeeded", "amount": 1}
        )
    assert refund_requests.open_request_ids(False) == ["rq_3", "rq_2"]
    assert refund_requests.open_request_ids(True) == ["rq_live"]


def test_in_flight_holds_pending_and_requires_action_refunds_of_the_mode():
    answers = {
        "rq_p": "pending",
        "rq_a": "requires_action",
        "rq_s": "succeeded",
        "rq_f": "failed",
    }
    for request_id, status in answers.items():
        _open(replace(REQUEST, request_id=request_id, charge_id=f"ch_{request_id}"))
        with db.connect(write=True) as con:
            refund_requests.record_answer(
                con, request_id, {"id": f"re_{request_id}", "status": status, "amount": 1}
            )
    _open(replace(REQUEST, request_id="rq_live", charge_id="ch_live", livemode=True))
    with db.connect(write=True) as con:
        refund_requests.record_answer(
            con, "rq_live", {"id": "re_live", "status": "pending", "amount": 1}
        )
    assert sorted(refund_requests.in_flight(False)) == [("rq_a", "re_rq_a"), ("rq_p", "re_rq_p")]
    assert refund_requests.in_flight(True) == [("rq_live", "re_live")]


def test_of_webinar_lists_that_webinars_requests_newest_first():
    _open(replace(REQUEST, request_id="rq_old", charge_id="ch_a"))
    _open(replace(REQUEST, request_id="rq_new", charge_id="ch_b", amount=1000))
    _open(replace(REQUEST, request_id="rq_other", charge_id="ch_c", webinar_id="wb_2"))
    frame = refund_requests.of_webinar("wb_1")
    assert list(frame["charge_id"]) == ["ch_b", "ch_a"]
    assert list(frame.columns) == [
        "requested_at",
        "requested_by",
        "registrant_email",
        "charge_id",
        "amount",
        "currency",
        "reason",
        "note",
        "status",
        "stripe_refund_id",
        "failure_reason",
    ]
    assert frame.loc[0, "amount"] == 1000
    assert refund_requests.of_webinar("wb_none").empty
