"""Refunds whose answer was lost, or that Stripe left pending, settled later
(console/services/refunds/recovery.py)."""

from __future__ import annotations

import threading

import pytest

from console.services import operations, refunds
from console.services.refunds import issuing
from console.settings import stripe_settings
from console.store import db
from tests import crashes
from tests.services.refunds.support import (
    ADMIN_ACTOR,
    pay_and_sync,
    refund_now,
    stripe_refunds,
)


def test_crash_after_stripe_answers_then_recovery_records_the_one_refund(shop, monkeypatch):
    _local, client, inbox = shop
    [charge] = pay_and_sync(client)
    real_record = issuing.record

    def crash(request, refund, known=None):
        raise SystemExit("power cut")  # after Stripe's answer, before the database write

    monkeypatch.setattr(issuing, "record", crash)
    request_id = refunds.new_request_id()
    plan = refunds.plan_refund(ADMIN_ACTOR, charge, "12")
    with pytest.raises(SystemExit):
        refunds.issue_refund(ADMIN_ACTOR, request_id, plan)
    assert len(stripe_refunds(client)) == 1
    with db.connect() as con:
        assert con.execute("SELECT status FROM refund_requests").fetchone() == ("requested",)
    with pytest.raises(refunds.RefundInProgress):  # the lock holds until it is settled
        refund_now(charge, "1")

    monkeypatch.setattr(issuing, "record", real_record)
    assert refunds.recover(ADMIN_ACTOR) == 1

    assert len(stripe_refunds(client)) == 1
    with db.connect() as con:
        assert con.execute("SELECT status, amount FROM refund_requests").fetchone() == (
            "succeeded",
            1200,
        )
        assert con.execute("SELECT count(*) FROM charge_locks").fetchone() == (0,)
    assert refunds.issue_refund(ADMIN_ACTOR, request_id, plan).status == "succeeded"
    assert len(stripe_refunds(client)) == 1 and len(inbox.messages) == 1


def test_a_pending_refund_is_followed_until_it_succeeds(shop):
    local, client, _inbox = shop
    card = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4000000000007726", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    [charge] = pay_and_sync(client, card=card.id)
    outcome = refund_now(charge, None)
    assert outcome.status == "pending"
    assert refunds.follow_pending(ADMIN_ACTOR) == 0

    local.config(f"/_config/refunds/{outcome.stripe_refund_id}/status", status="succeeded")

    assert refunds.follow_pending(ADMIN_ACTOR) == 1
    with db.connect() as con:
        assert con.execute("SELECT status FROM refund_requests").fetchone() == ("succeeded",)
        assert con.execute("SELECT status FROM stripe_refunds").fetchone() == ("succeeded",)


def test_the_next_sync_settles_a_refund_whose_answer_was_lost(shop, monkeypatch, capsys):
    from console import cli

    _local, client, _inbox = shop
    [charge] = pay_and_sync(client)
    real_record = issuing.record

    def crash(request, refund, known=None):
        raise SystemExit("crash")

    monkeypatch.setattr(issuing, "record", crash)
    with pytest.raises(SystemExit):
        refund_now(charge, "5")
    monkeypatch.setattr(issuing, "record", real_record)

    assert cli.main(["sync"]) == 0

    with db.connect() as con:
        assert con.execute("SELECT status FROM refund_requests").fetchone() == ("succeeded",)
    assert len(stripe_refunds(client)) == 1


# --- kill -9, for real ------------------------------------------------------------------------

# In a child: the console refunds, and the process dies the moment Stripe has answered,
# before the console has written that answer down (the worst moment to die).
_KILLED_ONCE_STRIPE_ANSWERED = """
import sys, time
from console.services import refunds
from console.stripe_api import gateway
from tests.services.refunds.support import ADMIN_ACTOR

real_create_refund = gateway.create_refund

def answered_then_stuck(*args, **kwargs):
    made = real_create_refund(*args, **kwargs)
    print("stripe answered", flush=True)
    time.sleep(60)

gateway.create_refund = answered_then_stuck
plan = refunds.plan_refund(ADMIN_ACTOR, sys.argv[1], "12")
refunds.issue_refund(ADMIN_ACTOR, refunds.new_request_id(), plan)
"""


def test_a_process_killed_once_stripe_refunded_leaves_one_refund_settled_later(shop):
    _local, client, inbox = shop
    [charge] = pay_and_sync(client)
    child = crashes.start(_KILLED_ONCE_STRIPE_ANSWERED, args=[charge])
    crashes.kill_when(child, crashes.said(child, "stripe answered"))
    assert len(stripe_refunds(client)) == 1
    with db.connect() as con:
        assert con.execute("SELECT status FROM refund_requests").fetchone() == ("requested",)
    with pytest.raises(refunds.RefundInProgress):  # nobody refunds it again meanwhile
        refund_now(charge, "1")

    assert operations.settle_open_refunds() == []  # after a sync, or the background round

    [made] = stripe_refunds(client)
    assert made.amount == 1200
    with db.connect() as con:
        assert con.execute("SELECT status, amount FROM refund_requests").fetchone() == (
            "succeeded",
            1200,
        )
        assert con.execute("SELECT count(*) FROM charge_locks").fetchone() == (0,)
    assert len(inbox.messages) == 1  # the payer hears of it once


def test_a_job_and_the_background_round_settling_one_request_together_record_it_once(
    shop, monkeypatch
):
    _local, client, inbox = shop
    [charge] = pay_and_sync(client)
    real_record = issuing.record
    monkeypatch.setattr(issuing, "record", lambda *a, **k: (_ for _ in ()).throw(SystemExit()))
    request_id = refunds.new_request_id()
    with pytest.raises(SystemExit):  # Stripe refunded; the answer was never written down
        refunds.issue_refund(ADMIN_ACTOR, request_id, refunds.plan_refund(ADMIN_ACTOR, charge, "5"))
    monkeypatch.setattr(issuing, "record", real_record)

    start, problems = threading.Barrier(2), []

    def together(settle) -> None:
        start.wait()
        try:
            settle()
        except Exception as problem:  # noqa: BLE001 - collected for the assertion
            problems.append(problem)

    settlers = [
        threading.Thread(
            target=together,
            args=(lambda: refunds.drive(ADMIN_ACTOR, request_id, stripe_settings()),),
        ),
        threading.Thread(target=together, args=(lambda: refunds.recover(ADMIN_ACTOR),)),
    ]
    for settler in settlers:
        settler.start()
    for settler in settlers:
        settler.join()

    assert problems == []
    assert len(stripe_refunds(client)) == 1
    with db.connect() as con:
        assert con.execute("SELECT status FROM refund_requests").fetchall() == [("succeeded",)]
        assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'refund'").fetchone() == (
            1,
        )
    assert len(inbox.messages) == 1
