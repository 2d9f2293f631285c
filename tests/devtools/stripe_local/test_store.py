"""console/devtools/stripe_local/store.py: the store of one server instance. Test and live data
apart, Stripe's list order, persistence with --store, and the request context."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.devtools.stripe_local import store
from console.devtools.stripe_local.errors import StripeError


def _obj(object_id: str, created: int, object_type: str = "charge", **fields) -> dict:
    return {"id": object_id, "object": object_type, "created": created, **fields}


def _everything(obj: dict) -> bool:
    return True


@pytest.fixture
def context() -> Iterator[store.RequestContext]:
    state = store.Store(None)
    request = store.RequestContext(store=state, data=state.modes[False])
    token = store.enter(request)
    try:
        yield request
    finally:
        store.leave(token)


# --- ids ---------------------------------------------------------------------------------


def test_new_ids_have_stripes_form_and_do_not_repeat():
    ids = {store.new_id("ch") for _ in range(1000)}
    assert len(ids) == 1000
    assert all(re.fullmatch(r"ch_[A-Za-z0-9]{24}", i) for i in ids)


# --- timelines: Stripe's list order ------------------------------------------------------


def _timeline(*created: int) -> tuple[store.Timeline, list[dict]]:
    timeline = store.Timeline()
    objects = [_obj(f"ch_{n}", at) for n, at in enumerate(created)]
    for sequence, obj in enumerate(objects):
        timeline.add(obj, sequence)
    return timeline, objects


def _page(timeline, limit=10, gte=None, lte=None, after=None, before=None, matches=_everything):
    found, has_more = timeline.page(limit, gte, lte, after, before, matches)
    return [o["id"] for o in found], has_more


def test_a_page_is_newest_first_and_ties_keep_insertion_order():
    timeline, _ = _timeline(30, 10, 20, 20)
    # ch_3 was added after ch_2 at the same second: it is the newer of the two.
    assert _page(timeline) == (["ch_0", "ch_3", "ch_2", "ch_1"], False)


def test_limit_and_has_more():
    timeline, _ = _timeline(1, 2, 3)
    assert _page(timeline, limit=2) == (["ch_2", "ch_1"], True)
    assert _page(timeline, limit=3) == (["ch_2", "ch_1", "ch_0"], False)


def test_created_bounds_are_inclusive():
    timeline, _ = _timeline(10, 20, 30, 40)
    assert _page(timeline, gte=20, lte=30) == (["ch_2", "ch_1"], False)
    assert _page(timeline, gte=41) == ([], False)
    assert _page(timeline, lte=9) == ([], False)


def test_starting_after_walks_to_older_objects():
    timeline, _ = _timeline(1, 2, 3, 4, 5)
    assert _page(timeline, limit=2, after="ch_3") == (["ch_2", "ch_1"], True)
    assert _page(timeline, limit=2, after="ch_1") == (["ch_0"], False)


def test_ending_before_walks_to_newer_objects_still_newest_first():
    timeline, _ = _timeline(1, 2, 3, 4, 5)
    assert _page(timeline, limit=2, before="ch_1") == (["ch_3", "ch_2"], True)
    assert _page(timeline, limit=2, before="ch_3") == (["ch_4"], False)


def test_cursors_and_created_bounds_combine():
    timeline, _ = _timeline(1, 2, 3, 4, 5)
    assert _page(timeline, after="ch_4", gte=2) == (["ch_3", "ch_2", "ch_1"], False)


def test_filters_apply_before_the_limit():
    timeline, objects = _timeline(1, 2, 3, 4, 5, 6)
    even = {o["id"] for o in objects[::2]}
    assert _page(timeline, limit=2, matches=lambda o: o["id"] in even) == (["ch_4", "ch_2"], True)


def test_objects_added_out_of_order_are_listed_by_created():
    timeline, _ = _timeline(50, 10, 40, 20)
    assert _page(timeline) == (["ch_0", "ch_2", "ch_3", "ch_1"], False)


# --- one mode's data ---------------------------------------------------------------------


def test_add_stores_the_object_its_private_facts_and_its_timeline():
    data = store.ModeData(livemode=False)
    charge = data.add(_obj("ch_1", 5), number="4242424242424242")
    data.add(_obj("re_1", 6, "refund"))
    assert data.objects["ch_1"] is charge
    assert data.private["ch_1"] == {"number": "4242424242424242"}
    assert data.private["re_1"] == {}
    assert [o["id"] for o in data.timeline("charge").objects] == ["ch_1"]
    assert [o["id"] for o in data.timeline("refund").objects] == ["re_1"]
    assert data.timeline("dispute").objects == []
    assert data.sequence == 2


def test_find_checks_the_object_type():
    data = store.ModeData(livemode=False)
    charge = data.add(_obj("ch_1", 5))
    assert data.find("charge", "ch_1") is charge
    assert data.find("refund", "ch_1") is None
    assert data.find("charge", "ch_missing") is None
    assert data.find("charge", {"id": "ch_1"}) is None  # a hash is no id
    assert data.find("charge", None) is None


def test_get_raises_stripes_404():
    data = store.ModeData(livemode=False)
    data.add(_obj("ch_1", 5))
    with pytest.raises(StripeError) as excinfo:
        data.get("refund", "ch_1", "refund")
    assert excinfo.value.status == 404
    assert excinfo.value.error["message"] == "No such refund: 'ch_1'"
    assert (excinfo.value.error["code"], excinfo.value.error["param"]) == (
        "resource_missing",
        "refund",
    )


# --- an instance's store -----------------------------------------------------------------


def test_test_and_live_data_are_kept_apart():
    state = store.Store(None)
    test, live = state.modes[False], state.modes[True]
    assert (test.livemode, live.livemode) == (False, True)
    test.add(_obj("ch_test", 1))
    assert live.find("charge", "ch_test") is None
    assert live.timeline("charge").objects == []


def test_instances_share_nothing():
    first, second = store.Store(None), store.Store(None)
    first.modes[False].add(_obj("ch_1", 1))
    first.account_overrides["country"] = "US"
    assert second.modes[False].objects == {}
    assert second.account_overrides == {}
    assert first.account_id != second.account_id
    assert re.fullmatch(r"acct_local[A-Za-z0-9]{10}", first.account_id)


def test_a_store_saves_and_loads_its_data_and_account(tmp_path: Path):
    path = tmp_path / "nested" / "stripe-local.store"
    state = store.Store(path)
    assert state.modes[False].objects == {}  # no file yet: empty
    for n in range(3):
        state.modes[False].add(_obj(f"ch_{n}", 100 + n))
    state.modes[True].add(_obj("ch_live", 100))
    state.modes[False].idempotency[("sk_test_x", "key-1")] = {"status": 200}
    state.modes[False].balance["eur"] += 4801
    state.account_overrides["country"] = "US"
    state.dirty = True
    state.save()

    assert not state.dirty
    assert path.exists()
    assert list(path.parent.iterdir()) == [path]  # the temporary file was renamed

    loaded = store.Store(path)
    assert loaded.account_id == state.account_id
    assert loaded.account_overrides == {"country": "US"}
    test = loaded.modes[False]
    assert set(test.objects) == {"ch_0", "ch_1", "ch_2"}
    assert test.idempotency == {("sk_test_x", "key-1"): {"status": 200}}
    assert test.balance == {"eur": 4801}
    assert [
        o["id"] for o in test.timeline("charge").page(10, None, None, None, None, _everything)[0]
    ] == [
        "ch_2",
        "ch_1",
        "ch_0",
    ]
    assert set(loaded.modes[True].objects) == {"ch_live"}
    # A new object after the load keeps the saved sequence going (no tie is reordered).
    test.add(_obj("ch_3", 102))
    newest = test.timeline("charge").page(2, None, None, None, None, _everything)[0]
    assert [o["id"] for o in newest] == ["ch_3", "ch_2"]


def test_counters_and_faults_are_not_saved(tmp_path: Path):
    path = tmp_path / "store.pickle"
    state = store.Store(path)
    state.requests["/v1/charges"] += 5
    state.fault = store.Fault(503, 1, "/v1/")
    state.faults_injected = 2
    state.save()
    loaded = store.Store(path)
    assert loaded.requests == {}
    assert (loaded.fault, loaded.faults_injected) == (None, 0)


def test_a_saved_store_is_its_own_file(tmp_path: Path):
    first, second = store.Store(tmp_path / "a.store"), store.Store(tmp_path / "b.store")
    first.modes[False].add(_obj("ch_a", 1))
    first.save()
    second.save()
    assert set(store.Store(tmp_path / "a.store").modes[False].objects) == {"ch_a"}
    assert store.Store(tmp_path / "b.store").modes[False].objects == {}


def test_clear_forgets_both_modes_and_the_account_fields():
    state = store.Store(None)
    account_id = state.account_id
    state.modes[False].add(_obj("ch_1", 1))
    state.modes[True].add(_obj("ch_2", 1))
    state.account_overrides["country"] = "US"
    state.clear()
    assert state.modes[False].objects == {} and state.modes[True].objects == {}
    assert (state.modes[False].livemode, state.modes[True].livemode) == (False, True)
    assert state.account_overrides == {}
    assert state.account_id == account_id
    assert state.dirty


def test_autosave_saves_a_changed_store(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(store, "SAVE_INTERVAL_SECONDS", 0)
    path = tmp_path / "store.pickle"
    state = store.Store(path)
    state.modes[False].add(_obj("ch_1", 1))
    state.dirty = True

    async def run() -> None:
        saver = asyncio.create_task(state.autosave())
        for _ in range(100):
            await asyncio.sleep(0)
            if path.exists():
                break
        saver.cancel()

    asyncio.run(run())
    assert not state.dirty
    assert set(store.Store(path).modes[False].objects) == {"ch_1"}


def test_autosave_keeps_going_when_a_save_fails(tmp_path: Path, monkeypatch, caplog):
    monkeypatch.setattr(store, "SAVE_INTERVAL_SECONDS", 0)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    state = store.Store(blocker / "store.pickle")  # its folder cannot be made
    state.dirty = True

    async def run() -> None:
        saver = asyncio.create_task(state.autosave())
        for _ in range(100):
            await asyncio.sleep(0)
            if caplog.records:
                break
        assert not saver.done()  # still running after the failure
        saver.cancel()

    with caplog.at_level(logging.ERROR, logger="console.devtools.stripe_local"):
        asyncio.run(run())
    assert state.dirty  # tried again at the next interval
    assert (
        caplog.records[0].getMessage() == f"could not save the store to {blocker / 'store.pickle'}"
    )


# --- the request context -----------------------------------------------------------------


def test_data_is_the_mode_of_the_request(context):
    assert store.data() is context.data
    live = store.RequestContext(store=context.store, data=context.store.modes[True])
    token = store.enter(live)
    try:
        assert store.data().livemode is True
    finally:
        store.leave(token)
    assert store.data() is context.data


def test_now_is_the_clock_unless_the_request_backdates(context):
    before = int(time.time())
    now = store.now()
    assert isinstance(now, int)
    assert before <= now <= int(time.time())
    token = store.enter(store.RequestContext(store=context.store, data=context.data, now=1_700))
    try:
        assert store.now() == 1_700
    finally:
        store.leave(token)


def test_changed_marks_the_requests_store_dirty(context):
    assert not context.store.dirty
    store.changed()
    assert context.store.dirty


def test_outside_a_request_there_is_no_context():
    with pytest.raises(LookupError):
        contextvars.Context().run(store.data)
