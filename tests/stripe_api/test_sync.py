"""The sync against the local Stripe: backfill, re-runs, late changes, kills and faults."""

from __future__ import annotations

import time

import pytest

from console.services import reports
from console.store import db
from console.stripe_api import sync
from tests import crashes
from tests.payments import REVENUE_FIGURES, all_objects, listed, pay, refund, stripe_revenue
from tests.worlds import World, seed_world

DAY = 86400
TABLES = {
    "charges": "stripe_charges",
    "refunds": "stripe_refunds",
    "balance_transactions": "stripe_balance_transactions",
    "payment_intents": "stripe_payment_intents",
    "payouts": "stripe_payouts",
}


def _seed(client, payments: int, refunds_every: int = 1, start_days_ago: int = 150) -> None:
    """`payments` paid charges spread over months; a partial refund on every n-th."""
    now = int(time.time())
    for number in range(payments):
        at = now - start_days_ago * DAY + number * (start_days_ago * DAY // max(payments, 1))
        intent = pay(
            client,
            f"wb_{number % 3}",
            amount=1000 + number,
            at=at,
            email=f"person{number}@example.org",
        )
        if number % refunds_every == 0:
            refund(client, intent.id, amount=100, at=at + 60)


def _mirror_ids(table: str) -> list[str]:
    with db.connect() as con:
        return [row[0] for row in con.execute(f"SELECT id FROM {table} ORDER BY id").fetchall()]  # noqa: S608


def _stripe_ids(client, resource: str) -> list[str]:
    return sorted(obj["id"] for obj in listed(client, resource))


def _assert_mirror_equals_stripe(client) -> None:
    for resource, table in TABLES.items():
        assert _mirror_ids(table) == _stripe_ids(client, resource), resource


def _mirror_state() -> dict[str, list[tuple]]:
    """Every row's content except when it was read, to compare runs."""
    state = {}
    with db.connect() as con:
        for table in TABLES.values():
            state[table] = con.execute(
                f"SELECT * EXCLUDE (snapshot_at) FROM {table} ORDER BY id"  # noqa: S608
            ).fetchall()
    return state


def _report_totals() -> dict[tuple[str, str], dict[str, int]]:
    return {
        (row["webinar_id"], row["currency"]): {key: row[key] for key in REVENUE_FIGURES}
        for row in reports.records(reports.revenue(livemode=False))
    }


def test_backfill_pages_through_more_than_100_of_each_type(fresh_stripe):
    client = fresh_stripe.client()
    _seed(client, payments=130, refunds_every=1)  # 130 charges, 130 refunds, 260 txns

    result = sync.run_sync(full=True)

    assert result.mode == "full"
    _assert_mirror_equals_stripe(client)
    assert len(_mirror_ids("stripe_refunds")) == 130
    # Paid out daily over the 150 days: each payout has a balance transaction of its own.
    payouts = len(_mirror_ids("stripe_payouts"))
    assert payouts > 100
    assert len(_mirror_ids("stripe_balance_transactions")) == 260 + payouts
    assert _report_totals() == stripe_revenue(client)


def test_second_run_changes_nothing(fresh_stripe):
    client = fresh_stripe.client()
    _seed(client, payments=40, refunds_every=4)
    sync.run_sync()
    before = _mirror_state()

    again = sync.run_sync()

    assert again.mode == "incremental"
    assert _mirror_state() == before
    assert _report_totals() == stripe_revenue(client)


def test_incremental_with_nothing_new_makes_at_most_two_requests(fresh_stripe):
    _seed(fresh_stripe.client(), payments=5)
    sync.run_sync()

    quiet = sync.run_sync()

    assert quiet.requests <= 2


def test_incremental_catches_a_refund_today_on_a_charge_from_four_months_ago(fresh_stripe):
    client = fresh_stripe.client()
    old = pay(client, "wb_old", amount=4900, at=int(time.time()) - 120 * DAY)
    _seed(client, payments=20, refunds_every=5, start_days_ago=30)
    sync.run_sync()
    assert _report_totals()[("wb_old", "usd")]["refunded"] == 0

    late = refund(client, old.id, amount=1500)
    result = sync.run_sync()

    assert result.mode == "incremental"
    assert late.id in _mirror_ids("stripe_refunds")
    assert _report_totals()[("wb_old", "usd")]["refunded"] == 1500
    assert _report_totals() == stripe_revenue(client)
    _assert_mirror_equals_stripe(client)


def test_incremental_catches_a_refund_that_fails_later_and_its_late_balance_transaction(
    fresh_stripe,
):
    client = fresh_stripe.client()
    intent = pay(client, "wb_fail", amount=4900, at=int(time.time()) - 40 * DAY)
    doomed = refund(client, intent.id)
    sync.run_sync()
    assert _report_totals()[("wb_fail", "usd")]["refunded"] == 4900

    fresh_stripe.config(f"/_config/refunds/{doomed.id}/status", status="failed")
    sync.run_sync()

    with db.connect() as con:
        status = con.execute(
            "SELECT status FROM stripe_refunds WHERE id = ?", [doomed.id]
        ).fetchone()
        failure_txns = con.execute(
            "SELECT count(*) FROM stripe_balance_transactions WHERE type = 'refund_failure'"
        ).fetchone()
    assert status == ("failed",)
    assert failure_txns == (1,)
    totals = _report_totals()[("wb_fail", "usd")]
    assert totals["refunded"] == 0
    assert totals == stripe_revenue(client)[("wb_fail", "usd")]


class _Killed(BaseException):
    """Stands for the process dying: nothing after it runs, no cleanup in our code."""


@pytest.fixture(scope="module")
def paid_150(tmp_path_factory) -> World:
    """150 payments over five months, every other one partly refunded: seeded once for the
    module; each test gets a copy of its own (`world_copy`)."""
    return seed_world(
        tmp_path_factory.mktemp("paid-150"),
        lambda local: _seed(local.client(), payments=150, refunds_every=2),
    )


@pytest.mark.parametrize("kill_after_objects", [100, 300, 500])
def test_killed_backfill_resumes_with_no_gap_and_no_duplicate(
    paid_150, world_copy, monkeypatch, kill_after_objects
):
    client = world_copy(paid_150).client()
    monkeypatch.setattr(sync, "WRITE_BATCH_OBJECTS", 100)

    def die(progress):
        if progress.objects >= kill_after_objects:
            raise _Killed()

    with pytest.raises(_Killed):
        sync.run_sync(full=True, on_progress=die)
    with db.connect() as con:
        saved = dict(con.execute("SELECT name, value FROM sync_state").fetchall())
    assert "backfill_anchor" in saved
    if kill_after_objects > 200:  # past the first write: the resume point was committed
        assert any(name.startswith("backfill:") for name in saved)

    # Meanwhile Stripe moves on: both changes must arrive after the resumed run.
    newcomer = pay(client, "wb_new", amount=2500, email="late@example.org")
    resumed = sync.run_sync()
    sync.run_sync()

    assert resumed.mode == "full"
    assert newcomer.id in _mirror_ids("stripe_payment_intents")
    _assert_mirror_equals_stripe(client)
    assert _report_totals() == stripe_revenue(client)


_SYNC_KILLED_AT_300_OBJECTS = """
import time
from console.stripe_api import sync

sync.WRITE_BATCH_OBJECTS = 100

def past_300(progress):
    if progress.objects >= 300:
        print("past 300", flush=True)
        time.sleep(60)

sync.run_sync(full=True, on_progress=past_300)
"""


def test_a_sync_killed_by_sigkill_resumes_with_no_gap_and_no_duplicate(paid_150, world_copy):
    client = world_copy(paid_150).client()
    child = crashes.start(_SYNC_KILLED_AT_300_OBJECTS)
    crashes.kill_when(child, crashes.said(child, "past 300"))
    with db.connect() as con:
        saved = dict(con.execute("SELECT name, value FROM sync_state").fetchall())
    assert any(name.startswith("backfill:") for name in saved)  # its progress was kept

    resumed = sync.run_sync()
    assert resumed.mode == "full"
    _assert_mirror_equals_stripe(client)
    assert _report_totals() == stripe_revenue(client)


def test_injected_429_and_500_answers_still_give_exact_totals(fresh_stripe):
    client = fresh_stripe.client()
    _seed(client, payments=120, refunds_every=3)
    fresh_stripe.config("/_config/faults", status=429, every=3, path_prefix="/v1/")

    sync.run_sync(full=True)
    fresh_stripe.config("/_config/faults", status=500, every=4, path_prefix="/v1/")
    late = refund(client, all_objects(client, "payment_intents")[0].id, amount=50)
    sync.run_sync()
    fresh_stripe.config("/_config/faults", method="DELETE")

    assert late.id in _mirror_ids("stripe_refunds")
    _assert_mirror_equals_stripe(client)
    assert _report_totals() == stripe_revenue(client)


def test_failure_exits_with_a_reason_and_leaves_the_database_as_it_was(fresh_stripe, monkeypatch):
    monkeypatch.setattr(sync, "BACKOFF_SECONDS", (0.01,))
    _seed(fresh_stripe.client(), payments=10)
    sync.run_sync()
    before = _mirror_state()
    fresh_stripe.config("/_config/faults", status=500, every=1, path_prefix="/v1/")

    with pytest.raises(sync.SyncError, match="Stripe had an internal error"):
        sync.run_sync()

    fresh_stripe.config("/_config/faults", method="DELETE")
    assert _mirror_state() == before
    assert sync.last_run(livemode=False)["status"] == "failed"


def test_every_row_keeps_livemode(fresh_stripe):
    _seed(fresh_stripe.client(), payments=3)
    sync.run_sync()
    with db.connect() as con:
        for table in TABLES.values():
            modes = con.execute(f"SELECT DISTINCT livemode FROM {table}").fetchall()  # noqa: S608
            assert modes == [(False,)], table


def test_a_second_sync_at_the_same_time_is_refused(fresh_stripe):
    _seed(fresh_stripe.client(), payments=3)
    inner: list[Exception] = []

    def start_another(progress):
        if not inner:
            try:
                sync.run_sync()
            except sync.SyncAlreadyRunning as refused:
                inner.append(refused)

    sync.run_sync(on_progress=start_another)
    assert inner and "already running" in str(inner[0])
