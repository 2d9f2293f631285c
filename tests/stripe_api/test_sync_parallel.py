"""The parallel backfill and the incremental request counts, against the local Stripe."""

from __future__ import annotations

import json
import math
import time

import pytest

from console.store import db, sync_state
from console.stripe_api import sync, sync_rate, sync_windows
from tests.payments import all_objects, pay, refund, stripe_revenue
from tests.stripe_api.test_sync import (
    DAY,
    TABLES,
    _assert_mirror_equals_stripe,
    _mirror_ids,
    _mirror_state,
    _report_totals,
    _seed,
)
from tests.worlds import World, seed_world

# Fast enough locally that several windows are worth reading at once.
PARALLEL = {"requests_per_second": 500.0, "max_concurrency": 8}


@pytest.fixture
def splits(monkeypatch) -> list[int]:
    """How many windows each split made (appended as the sync splits them)."""
    made: list[int] = []
    real_split = sync_windows.split

    def counting_split(window, pieces):
        parts = real_split(window, pieces)
        made.append(len(parts) - 1)
        return parts

    monkeypatch.setattr(sync_windows, "split", counting_split)
    return made


@pytest.fixture
def small_windows(monkeypatch, splits) -> list[int]:
    """Windows that split within the few hundred objects a test can afford."""
    monkeypatch.setattr(sync_windows, "MIN_WINDOW_OBJECTS", 20)
    monkeypatch.setattr(sync_windows, "MAX_WINDOW_OBJECTS", 40)
    return splits


def _seed_with_ties(client) -> None:
    """Payments over more than a year, some refunded, and a burst within one second."""
    _seed(client, payments=120, refunds_every=2, start_days_ago=400)
    burst = int(time.time()) - 200 * DAY
    for number in range(30):
        pay(client, "wb_burst", amount=500 + number, at=burst, email=f"b{number}@example.org")


@pytest.fixture(scope="module")
def with_ties(tmp_path_factory) -> World:
    """`_seed_with_ties`, seeded once for the module; each test gets a copy of its own
    (`world_copy`)."""
    return seed_world(
        tmp_path_factory.mktemp("with-ties"), lambda local: _seed_with_ties(local.client())
    )


@pytest.fixture(scope="module")
def paid_60_over_two_years(tmp_path_factory) -> World:
    """60 payments over about two years, every fourth partly refunded: seeded once for the
    module; each test gets a copy of its own (`world_copy`)."""
    return seed_world(
        tmp_path_factory.mktemp("paid-60"),
        lambda local: _seed(local.client(), payments=60, refunds_every=4, start_days_ago=700),
    )


def _rows() -> int:
    with db.connect() as con:
        return sum(
            con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in TABLES.values()
        )


def _objects_read() -> int:
    """Every mirrored object once, and each balance transaction a payout holds once more:
    what its payout's list (`?payout=`) reads again."""
    with db.connect() as con:
        links = con.execute("SELECT count(*) FROM stripe_payout_transactions").fetchone()[0]
    return _rows() + links


def _server_requests(fresh_stripe) -> int:
    return fresh_stripe.config("/_config/stats")["requests"]


def test_parallel_backfill_gives_the_same_rows_as_one_request_at_a_time(
    with_ties, world_copy, monkeypatch, tmp_path, small_windows
):
    client = world_copy(with_ties).client()

    serial = sync.run_sync(full=True, max_concurrency=1)
    serial_rows = _mirror_state()
    assert small_windows == []  # one reader never splits
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "parallel.duckdb"))
    parallel = sync.run_sync(full=True, **PARALLEL)

    assert sum(small_windows) > 0  # the lists were read in several windows
    assert _mirror_state() == serial_rows
    # Every object was read once (and again in its payout's list), in either run.
    assert parallel.objects == serial.objects == _objects_read()
    _assert_mirror_equals_stripe(client)
    assert _report_totals() == stripe_revenue(client)


def test_many_429s_slow_the_backfill_down_and_the_totals_stay_exact(
    fresh_stripe, monkeypatch, small_windows
):
    monkeypatch.setattr(sync, "BACKOFF_SECONDS", (0.05, 0.1, 0.2, 0.4, 0.8))
    client = fresh_stripe.client()
    _seed(client, payments=100, refunds_every=2, start_days_ago=300)
    fresh_stripe.config("/_config/faults", status=429, every=2, path_prefix="/v1/")
    before = _server_requests(fresh_stripe)
    seen = []

    result = sync.run_sync(full=True, on_progress=seen.append, **PARALLEL)
    fresh_stripe.config("/_config/faults", method="DELETE")

    injected = fresh_stripe.config("/_config/stats")["faults_injected"]
    assert injected > 0
    assert seen[-1].throttled == injected  # each one seen, so each one slowed the rate
    assert result.requests == _server_requests(fresh_stripe) - before
    assert result.objects == _objects_read()
    _assert_mirror_equals_stripe(client)
    assert _report_totals() == stripe_revenue(client)


class _Killed(BaseException):
    """Stands for the process dying: nothing after it runs, no cleanup in our code."""


@pytest.mark.parametrize("kill_after_objects", [1, 150, 300, 500])
def test_killed_parallel_backfill_resumes_exactly(
    with_ties, world_copy, monkeypatch, small_windows, kill_after_objects
):
    client = world_copy(with_ties).client()
    monkeypatch.setattr(sync, "WRITE_BATCH_OBJECTS", 60)

    def die(progress):
        if progress.objects >= kill_after_objects:
            raise _Killed()

    with pytest.raises(_Killed):
        sync.run_sync(full=True, on_progress=die, **PARALLEL)
    with db.connect() as con:
        saved = dict(con.execute("SELECT name, value FROM sync_state").fetchall())
    for stream in TABLES:
        value = saved[f"backfill:{stream}"]
        assert value == "done" or all(w.stream == stream for w in _windows(value))

    late = pay(client, "wb_new", amount=2500, email="late@example.org")
    resumed = sync.run_sync(**PARALLEL)
    sync.run_sync(**PARALLEL)

    assert resumed.mode == "full"
    assert late.id in _mirror_ids("stripe_payment_intents")
    _assert_mirror_equals_stripe(client)
    assert _report_totals() == stripe_revenue(client)


def _windows(saved: str) -> list[sync_windows.Window]:
    return sync_windows.windows_from_json(saved)


def test_a_backfill_left_by_the_serial_sync_resumes_from_its_cursor(fresh_stripe):
    client = fresh_stripe.client()
    _seed(client, payments=60, refunds_every=3)
    charges = all_objects(client, "charges")  # newest first
    cursor = charges[19].id
    now = int(time.time())
    with db.connect(write=True) as con:
        for name, value in (
            ("backfill_anchor", json.dumps({"events": now, "balance_transactions": now})),
            ("backfill:charges", cursor),
        ):
            sync_state.set_states(con, False, {name: value})

    sync.run_sync()

    assert _mirror_ids("stripe_charges") == sorted(charge.id for charge in charges[20:])
    assert _mirror_ids("stripe_refunds") == sorted(r.id for r in all_objects(client, "refunds"))


def test_progress_says_how_long_is_left(fresh_stripe):
    _seed(fresh_stripe.client(), payments=130)  # more than a page of each
    seen = []

    # At Stripe's test-mode rate, the run lasts long enough to be estimated on the way.
    sync.run_sync(
        full=True,
        on_progress=lambda p: seen.append(p.estimated_seconds_left),
        requests_per_second=sync_rate.TEST_REQUESTS_PER_SECOND,
    )

    assert any(left is not None and left > 0 for left in seen)
    assert seen[-1] == 0.0


# --- incremental requests, counted at the server ------------------------------------------


def _changes_since_cursors(client) -> tuple[int, int, int]:
    """What an incremental run has to read: events and balance transactions past its
    cursors (with the overlap it re-reads), and, when events say refunds changed, the
    refunds since the events cursor; from Stripe's own lists."""
    with db.connect() as con:
        state = dict(con.execute("SELECT name, value FROM sync_state").fetchall())
    overlap = sync.CURSOR_OVERLAP_SECONDS
    events = client.v1.events.list(
        params={
            "limit": 100,
            "created": {"gte": int(state["events_cursor"]) - overlap},
        }
    )
    txns = client.v1.balance_transactions.list(
        params={"limit": 100, "created": {"gte": int(state["balance_cursor"]) - overlap}}
    )
    refunds = client.v1.refunds.list(
        params={"limit": 100, "created": {"gte": int(state["events_cursor"]) - overlap}}
    )
    return (
        len(list(events.auto_paging_iter())),
        len(list(txns.auto_paging_iter())),
        len(list(refunds.auto_paging_iter())),
    )


def _pages(objects: int) -> int:
    return max(1, math.ceil(objects / 100))


@pytest.mark.parametrize("new_refunds", [0, 1, 150])
def test_an_incremental_run_costs_requests_in_proportion_to_the_changes(
    paid_60_over_two_years, world_copy, splits, new_refunds, monkeypatch
):
    # At a test key's pace, as the bound on split windows below reasons.
    monkeypatch.delenv(sync_rate.RATE_SETTING, raising=False)
    local = world_copy(paid_60_over_two_years)
    client = local.client()
    sync.run_sync()
    intents = all_objects(client, "payment_intents")
    for number in range(new_refunds):
        refund(client, intents[number % len(intents)].id, amount=1)
    events, txns, refunds = _changes_since_cursors(client)
    before, splits[:] = _server_requests(local), []

    result = sync.run_sync()

    assert result.mode == "incremental"
    assert result.requests == _server_requests(local) - before
    if new_refunds == 0:
        assert result.requests == 2
    else:
        assert events >= 2 * new_refunds and txns >= new_refunds and refunds >= new_refunds
        # A page per 100 changes (events, balance transactions, and the refunds that
        # charge.refunded announced, read again at the pinned version), and at most one
        # part-filled page more for each window split off to read at the same time: never
        # a re-read of the past.
        pages = _pages(events) + _pages(txns) + _pages(refunds)
        assert pages <= result.requests <= pages + sum(splits)
        assert sum(splits) <= 2 * sync_rate.default_concurrency(22)
    _assert_mirror_equals_stripe(client)
    assert _report_totals() == stripe_revenue(client)
