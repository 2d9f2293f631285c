"""Payouts traced to webinars: a month of payments at the local Stripe, paid out daily, with
refunds, a dispute lost and a payout that failed; what the console says each payout holds is
what Stripe's API lists for it, to the unit."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from console.domain.catalog import Webinar
from console.services import payouts
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.store import catalog, db
from console.stripe_api import sync
from tests.payments import listed, pay, refund, stripe_payouts
from tests.stripe_local_fixture import StripeLocal
from tests.worlds import World, seed_world

DAY = 86400
FIN = Actor("fin@example.org", FINANCE)


def _control(local: StripeLocal, path: str, at: int | None = None, **payload) -> dict:
    """A test control of the local Stripe, at `at` (its clock) when given."""
    headers = {"Content-Type": "application/json"}
    if at is not None:
        headers["Stripe-Local-Now"] = str(at)
    request = urllib.request.Request(
        f"{local.base_url}/_config/{path}",
        data=json.dumps(payload).encode(),
        method="POST",
        headers=headers,
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def a_month_of_payments(local: StripeLocal) -> dict:
    """Thirty days of payments to two webinars (EUR, and USD converted to the account's
    EUR) and one of no webinar; a refund, a partial refund, a dispute lost; paid out daily,
    one payout failing ten days ago (its money comes back in a later payout)."""
    client = local.client()
    now = int(time.time())
    with db.connect(write=True) as con:
        catalog.save_webinars(
            con,
            [
                Webinar(
                    "wb_a", "Atelier A", "ann@example.org", price_amount=4900, price_currency="eur"
                ),
                Webinar(
                    "wb_b", "Webinar B", "bob@example.org", price_amount=3000, price_currency="usd"
                ),
            ],
        )
    for day in range(30, 1, -1):
        at = now - day * DAY
        pay(client, "wb_a", 4900, "eur", at=at, email=f"a{day}@example.org")
        if day % 3 == 0:
            pay(client, "wb_b", 3000, "usd", at=at + 3600, email=f"b{day}@example.org")
    refunded = pay(client, "wb_a", 4900, "eur", at=now - 25 * DAY, email="r@example.org")
    refund(client, refunded.id, at=now - 20 * DAY)
    partly = pay(client, "wb_b", 3000, "usd", at=now - 24 * DAY, email="p@example.org")
    refund(client, partly.id, amount=1000, at=now - 23 * DAY)
    pay(client, None, 1500, "eur", at=now - 18 * DAY, email="nobody@example.org")
    disputed = pay(
        client, "wb_b", 3000, "usd", "pm_card_createDispute", at=now - 15 * DAY, email="d@x.org"
    )
    # Backdated, as every request here: one at the present would run the payout schedule.
    back_then = {"headers": {"Stripe-Local-Now": str(now - 13 * DAY)}}
    dispute = client.v1.disputes.list({"charge": disputed.latest_charge}, back_then).data[0]
    client.v1.disputes.close(dispute.id, options=back_then)
    # The control's answer lists the payouts as they stood ten days ago.
    ten_days_ago = _control(local, "payouts/run", until=now - 10 * DAY)["payouts"]
    failed = next(p["id"] for p in ten_days_ago if p["status"] == "paid")
    _control(local, f"payouts/{failed}/fail", at=now - 10 * DAY, failure_code="account_closed")
    _control(local, "payouts/run")
    sync.run_sync(full=True)
    return {"failed": failed}


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> World:
    return seed_world(tmp_path_factory.mktemp("payouts"), a_month_of_payments)


@pytest.fixture
def paid_out(month, world_copy) -> tuple[StripeLocal, str]:
    """A copy of the month, synced; the id of the payout that failed."""
    return world_copy(month), month.seeded["failed"]


def test_each_payout_holds_what_stripe_lists_for_it(paid_out):
    local, _failed = paid_out
    ours = {row["payout_id"]: row for row in payouts.report(False)}
    theirs = stripe_payouts(local.client())
    assert len(ours) >= 20
    assert ours == theirs


def test_every_payout_adds_up_to_its_amount_to_the_unit(paid_out):
    local, failed = paid_out
    rows = payouts.list_payouts(FIN, False)
    listed_rows = rows[rows["contents_listed"]]
    assert (listed_rows["net"] == listed_rows["amount"]).all()
    assert (listed_rows["difference"] == 0).all()
    # Stripe lists what a payout holds once it is paid: today's is on its way.
    assert list(rows.loc[~rows["contents_listed"], "status"]) == ["pending"]
    assert rows.loc[rows["payout_id"] == failed, "status"].item() == "failed"


def test_a_failed_payouts_money_comes_back_in_a_later_payout(paid_out):
    local, failed = paid_out
    report = {row["payout_id"]: row for row in payouts.report(False)}
    amount = report[failed]["amount"]
    returned = [row for row in report.values() if row["other"] == amount]
    assert len(returned) == 1
    assert returned[0]["arrival_date"] > report[failed]["arrival_date"]
    assert sum(returned[0]["webinars"].values()) == returned[0]["net"] - amount


def test_a_payout_is_traced_to_its_webinars(paid_out):
    local, _failed = paid_out
    report = payouts.report(False)
    with_dispute = next(row for row in report if row["disputes"])
    assert with_dispute["disputes"] < 0  # the amount lost, in the payout's currency
    by_webinar = payouts.payout_by_webinar(FIN, False, with_dispute["payout_id"])
    assert by_webinar["net"].sum() == with_dispute["net"]
    assert "wb_b" in set(by_webinar["webinar_id"])
    assert set(by_webinar["title"].dropna()) <= {"Atelier A", "Webinar B"}
    with_nobody = [row for row in report if row["webinars"]["unattributed"]]
    assert len(with_nobody) == 1


def test_the_ledger_has_one_line_per_balance_transaction_with_its_webinar(paid_out):
    local, _failed = paid_out
    ledger = payouts.payout_ledger(FIN, False)
    report = payouts.report(False)
    assert len(ledger) == sum(row["transactions"] for row in report)
    assert ledger["balance_transaction_id"].is_unique
    charges = ledger[ledger["reporting_category"] == "charge"]
    assert set(charges["webinar_id"]) == {"wb_a", "wb_b", "unattributed"}
    assert charges["registrant_email"].notna().all()
    csv = payouts.ledger_csv(FIN, False, report[0]["payout_id"]).decode()
    assert csv.splitlines()[0].startswith("payout_id,arrival_date,payout_status")
    assert len(csv.splitlines()) == report[0]["transactions"] + 1


def test_each_paid_registrant_shows_the_payout_that_holds_their_payment(paid_out):
    with db.connect() as con:
        rows = con.execute(
            "SELECT f.payout_id, l.payout_id, f.created FROM charge_facts f "
            "LEFT JOIN payout_lines l ON l.source = f.charge_id AND l.kind = 'charges'"
        ).fetchall()
    assert rows and all(facts == line for facts, line, _created in rows)
    # Not paid out yet: paid in the last days (two days' delay), or in today's payout,
    # which Stripe lists once it is paid.
    waiting = [created for payout, _line, created in rows if payout is None]
    assert waiting and min(waiting) > time.time() - 4 * DAY


def test_incremental_sync_catches_a_payout_that_fails_two_days_after_it_was_paid(paid_out):
    local, _failed = paid_out
    client = local.client()
    long_paid = [
        p
        for p in listed(client, "payouts")
        if p["status"] == "paid" and p["arrival_date"] <= time.time() - 2 * DAY
    ]
    late = long_paid[0]["id"]
    _control(local, f"payouts/{late}/fail", failure_code="no_account")
    result = sync.run_sync()
    assert result.mode == "incremental"
    with db.connect() as con:
        status, code, failure_txn = con.execute(
            "SELECT status, failure_code, failure_balance_transaction FROM stripe_payouts "
            "WHERE id = ?",
            [late],
        ).fetchone()
        category = con.execute(
            "SELECT reporting_category FROM stripe_balance_transactions WHERE id = ?",
            [failure_txn],
        ).fetchone()
    assert (status, code, category) == ("failed", "no_account", ("payout_reversal",))
    assert {row["payout_id"]: row for row in payouts.report(False)} == stripe_payouts(client)


def test_a_quiet_incremental_sync_reads_no_payout_again(paid_out):
    sync.run_sync()
    with db.connect() as con:
        before = con.execute("SELECT count(*) FROM stripe_payout_transactions").fetchone()
    result = sync.run_sync()
    assert result.requests <= 3  # events, balance transactions: nothing per payout
    with db.connect() as con:
        assert con.execute("SELECT count(*) FROM stripe_payout_transactions").fetchone() == before


def test_a_file_synced_before_payouts_reads_them_in_its_next_incremental_sync(paid_out):
    with db.connect(write=True) as con:
        for table in ("stripe_payouts", "stripe_payout_transactions", "stripe_payout_destinations"):
            con.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        con.execute("DELETE FROM sync_state WHERE name = 'streams'")
    result = sync.run_sync()
    assert result.mode == "incremental"
    local, _failed = paid_out
    assert {r["payout_id"]: r for r in payouts.report(False)} == stripe_payouts(local.client())


@pytest.mark.parametrize("role", [ORGANIZER, "nobody"])
def test_organizers_see_no_payouts(paid_out, role):
    actor = Actor("ann@example.org", role)
    for call in (
        lambda: payouts.list_payouts(actor, False),
        lambda: payouts.payout_by_webinar(actor, False, "po_x"),
        lambda: payouts.payout_ledger(actor, False),
        lambda: payouts.ledger_csv(actor, False),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_admins_see_payouts(paid_out):
    assert not payouts.list_payouts(Actor("root@example.org", ADMIN), False).empty


def test_a_payout_is_read_once_stripe_has_reconciled_it(fresh_stripe):
    """On its way, a payout's list is not final: the sync reads it once the payout is paid
    (`payout.reconciliation_completed`), in the incremental run after."""
    client = fresh_stripe.client()
    pay(client, "wb_a", 4900, "eur", at=int(time.time()) - 3 * DAY)
    sync.run_sync()
    [pending] = payouts.report(False)
    assert (pending["status"], pending["contents_listed"], pending["net"]) == ("pending", False, 0)
    arrival = listed(client, "payouts")[0]["arrival_date"]
    _control(fresh_stripe, "payouts/run", until=arrival)
    assert sync.run_sync().mode == "incremental"
    [paid] = payouts.report(False)
    assert (paid["status"], paid["contents_listed"]) == ("paid", True)
    assert paid["net"] == paid["amount"] and paid["charges"] == 4900
    assert {row["payout_id"]: row for row in payouts.report(False)} == stripe_payouts(client)
