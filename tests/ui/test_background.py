"""console/ui/background.py: the server's own round, once a minute, settles refunds a crash
left open (in the sync's name, never twice at Stripe) and says what went wrong; the app
starts one such thread per process; opening a page settles nothing."""

from __future__ import annotations

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Webinar
from console.store import db, refund_requests
from console.store.catalog import save_webinars
from console.stripe_api import sync
from console.ui import background
from tests.pages.support import open_app
from tests.payments import all_objects, pay
from tests.services.refunds.support import left_open
from tests.worlds import module_world


@pytest.fixture(scope="module")
def world(fresh_servers, tmp_path_factory):
    """Ann's “Recovery” (€49): Dee and Eve paid, synced."""
    with module_world(fresh_servers, tmp_path_factory.mktemp("background")) as local:
        with db.connect(write=True) as con:
            save_webinars(
                con,
                [
                    Webinar(
                        "wb_r",
                        "Recovery",
                        "ann@example.org",
                        price_amount=4900,
                        price_currency="eur",
                    )
                ],
            )
        client = local.client()
        charges = {
            name: pay(client, "wb_r", 4900, "eur", email=f"{name}@example.org").latest_charge
            for name in ("dee", "eve")
        }
        sync.run_sync()
        yield local, charges


def _refunds_of(local, charge_id: str) -> list:
    return [r for r in all_objects(local.client(), "refunds") if r.charge == charge_id]


def test_a_refund_whose_answer_was_lost_is_recorded_without_refunding_twice(world):
    local, charges = world
    left_open("req_dee", charges["dee"])
    made = local.client().v1.refunds.create(  # Stripe made it; the console never heard back
        params={"charge": charges["dee"], "metadata": {"console_request_id": "req_dee"}}
    )
    assert background.settle_once() == []
    assert [r.id for r in _refunds_of(local, charges["dee"])] == [made.id]
    request = refund_requests.load("req_dee")
    assert (request["status"], request["stripe_refund_id"]) == ("succeeded", made.id)


def test_a_refund_request_never_sent_is_sent(world):
    local, charges = world
    left_open("req_eve", charges["eve"])
    assert _refunds_of(local, charges["eve"]) == []
    assert background.settle_once() == []
    [made] = _refunds_of(local, charges["eve"])
    assert made.amount == 4900 and made.metadata["console_request_id"] == "req_eve"
    assert refund_requests.load("req_eve")["status"] == "succeeded"


def test_with_nothing_open_stripe_is_not_needed(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing answers there
    assert background.settle_once() == []


def test_when_stripe_cannot_be_reached_the_round_says_so_and_keeps_the_request(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_unreachable")
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:9")
    left_open("req_x", "ch_unknown")
    [warning] = background.settle_once()
    assert warning.startswith("Open refunds were not checked: Could not reach Stripe")
    assert refund_requests.load("req_x")["status"] == "requested"  # open, for the next round


def test_the_thread_settles_at_its_pace_until_stopped(world, monkeypatch):
    local, _charges = world
    charge = pay(local.client(), "wb_r", 4900, "eur", email="fay@example.org").latest_charge
    sync.run_sync()
    left_open("req_fay", charge)
    stop = threading.Event()
    worker = threading.Thread(target=background.settle_every, args=(0.05, stop))
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while refund_requests.load("req_fay")["status"] != "succeeded":
            assert time.monotonic() < deadline, "the background round never settled it"
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert len(_refunds_of(local, charge)) == 1


def _app_with_background_work() -> None:
    import streamlit as st

    from console.ui.background import start_background_work

    start_background_work()
    st.markdown("page")


def _settling_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "console-settle" and t.is_alive()]


def test_the_app_starts_one_settling_thread_per_process(monkeypatch):
    monkeypatch.setenv(background.PACE_SETTING, "3600")  # no round during the test
    for _ in range(3):  # three page runs, of one or several sessions
        AppTest.from_function(_app_with_background_work, default_timeout=30).run()
    try:
        assert len(_settling_threads()) == 1
    finally:
        background._started(3600.0).set()
    assert _wait_for_no_settling_thread()


def _wait_for_no_settling_thread() -> bool:
    deadline = time.monotonic() + 10
    while _settling_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _settling_threads()


def test_with_a_pace_of_zero_nothing_starts(monkeypatch):
    monkeypatch.setenv(background.PACE_SETTING, "0")
    AppTest.from_function(_app_with_background_work, default_timeout=30).run()
    assert _settling_threads() == []


def test_opening_the_registrants_page_leaves_open_refunds_alone(world):
    local, _charges = world
    charge = pay(local.client(), "wb_r", 4900, "eur", email="gus@example.org").latest_charge
    sync.run_sync()
    left_open("req_gus", charge)
    app = open_app("pages/registrants.py", webinar="wb_r")
    assert "gus@example.org" in app.dataframe[0].value["email"].tolist()
    assert refund_requests.load("req_gus")["status"] == "requested"
    assert _refunds_of(local, charge) == []
