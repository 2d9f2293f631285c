"""console/services/audit.py: entries written in the caller's transaction, read back per
webinar (its organizer or an admin) and searched (admins only)."""

from __future__ import annotations

import json

import pytest

from console.domain.catalog import Webinar
from console.services import audit
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.store import db
from console.store.catalog import save_webinars

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
BOB = Actor("bob@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    with db.connect(write=True) as con:
        save_webinars(con, [Webinar("wb_ann", "Ann's", "Ann@Example.org")])


def _record(actor: str, action: str, **fields) -> None:
    with db.connect(write=True) as con:
        audit.record(con, actor, action, **fields)


def test_record_keeps_every_field_and_before_after_as_json(database):
    _record(
        "ann@example.org",
        "price change",
        webinar_id="wb_ann",
        subject="the price",
        amount=5900,
        currency="usd",
        reason="inflation",
        stripe_id="re_1",
        before={"amount": 4900},
        after={"amount": 5900},
    )
    [entry] = audit.search(ADMIN_ACTOR).to_dict("records")
    assert entry["actor"] == "ann@example.org" and entry["action"] == "price change"
    assert (entry["webinar_id"], entry["subject"], entry["reason"]) == (
        "wb_ann",
        "the price",
        "inflation",
    )
    assert (entry["amount"], entry["currency"], entry["stripe_id"]) == (5900, "usd", "re_1")
    assert json.loads(entry["before"]) == {"amount": 4900}
    assert json.loads(entry["after"]) == {"amount": 5900}


def test_an_entry_falls_with_the_change_it_belongs_to(database):
    with pytest.raises(RuntimeError, match="the change failed"):
        with db.connect(write=True) as con:
            audit.record(con, "ann@example.org", "webinar edited", webinar_id="wb_ann")
            raise RuntimeError("the change failed")
    assert audit.search(ADMIN_ACTOR).empty


def test_webinar_log_holds_that_webinars_entries_newest_first(database):
    _record("ann@example.org", "webinar created", webinar_id="wb_ann")
    _record("admin@example.org", "price change", webinar_id="wb_ann", amount=4900)
    _record("bob@example.org", "webinar created", webinar_id="wb_bob")
    log = audit.webinar_log(ADMIN_ACTOR, "wb_ann")
    assert list(log["action"]) == ["price change", "webinar created"]
    assert list(log["actor"]) == ["admin@example.org", "ann@example.org"]
    assert log["logged_at"].is_monotonic_decreasing


def test_an_organizer_reads_the_log_of_their_own_webinar_whatever_the_case(database):
    _record("ann@example.org", "webinar created", webinar_id="wb_ann")
    assert list(audit.webinar_log(ANN, "wb_ann")["action"]) == ["webinar created"]


def test_an_organizer_may_not_read_another_organizers_log(database):
    _record("ann@example.org", "webinar created", webinar_id="wb_ann")
    with pytest.raises(PermissionDenied, match="only their own webinars"):
        audit.webinar_log(BOB, "wb_ann")


def test_an_organizer_may_not_read_the_log_of_a_webinar_not_in_the_catalog(database):
    _record("admin@example.org", "refund", webinar_id="wb_gone")
    with pytest.raises(PermissionDenied):
        audit.webinar_log(ANN, "wb_gone")
    assert len(audit.webinar_log(ADMIN_ACTOR, "wb_gone")) == 1


def test_finance_reads_no_webinar_log(database):
    with pytest.raises(PermissionDenied, match=r"fin@example.org \(finance\) may not do this"):
        audit.webinar_log(FIN, "wb_ann")


def test_actions_lists_each_action_once_in_alphabetical_order(database):
    for action in ("refund", "price change", "refund", "connection check"):
        _record("admin@example.org", action)
    assert audit.actions(ADMIN_ACTOR) == ["connection check", "price change", "refund"]


@pytest.mark.parametrize("actor", [ANN, FIN], ids=lambda a: a.role)
def test_only_admins_list_actions_and_search(database, actor):
    with pytest.raises(PermissionDenied, match="it needs the role admin"):
        audit.actions(actor)
    with pytest.raises(PermissionDenied):
        audit.search(actor)


def test_search_filters_by_actor_text_action_and_webinar(database):
    _record("Ann@Example.org", "price change", webinar_id="wb_ann")
    _record("ann@example.org", "refund", webinar_id="wb_ann")
    _record("bob@example.org", "price change", webinar_id="wb_bob")

    def found(**filters) -> list[tuple[str, str]]:
        frame = audit.search(ADMIN_ACTOR, **filters)
        return sorted(zip(frame["actor"], frame["action"], strict=True))

    assert len(audit.search(ADMIN_ACTOR)) == 3
    # The actor filter is any part of the address, in any case, without surrounding spaces.
    assert found(who="  ANN@ ") == [
        ("Ann@Example.org", "price change"),
        ("ann@example.org", "refund"),
    ]
    assert found(action="price change") == [
        ("Ann@Example.org", "price change"),
        ("bob@example.org", "price change"),
    ]
    assert found(webinar_id=" wb_bob ") == [("bob@example.org", "price change")]
    assert found(who="ann", action="refund", webinar_id="wb_ann") == [("ann@example.org", "refund")]
    assert found(who="nobody") == []
