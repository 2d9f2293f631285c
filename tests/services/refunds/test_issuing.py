"""Refunds and cancellations against the local Stripe, with a real SMTP server on loopback."""

from __future__ import annotations

import threading

import pytest

from console.domain.catalog import Registration, Webinar
from console.services import cancellations, refunds
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.services.refunds import issuing
from console.store import db
from console.store.catalog import save_registrations, save_webinars
from console.stripe_api import gateway, sync
from tests.payments import all_objects, pay

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
POLICY = "Full refund up to 7 days before the first session; 50% after that."
WRITTEN = (
    "refund_requests",
    "charge_locks",
    "audit_log",
    "stripe_refunds",
    "notifications",
    "registrants",
    "cancellation_items",
)


def _snapshot() -> dict:
    with db.connect() as con:
        return {
            t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()  # noqa: S608
            for t in WRITTEN
        }


def _stripe_refunds(client) -> list:
    return all_objects(client, "refunds")


def _webinar(webinar_id="wb_r", price=4900, currency="usd", title="Refund school"):
    with db.connect(write=True) as con:
        save_webinars(
            con,
            [
                Webinar(
                    webinar_id,
                    title,
                    "ann@example.org",
                    description=f"{title}. {POLICY}",
                    price_amount=price,
                    price_currency=currency,
                )
            ],
        )


def _pay_and_sync(
    client, count=1, card="pm_card_visa", webinar_id="wb_r", amount=4900, currency="usd"
):
    intents = [
        pay(
            client,
            webinar_id,
            amount,
            currency,
            card=card,
            email=f"person{n}@example.org",
            name=f"Person {n}",
        )
        for n in range(count)
    ]
    sync.run_sync()
    return [intent.latest_charge for intent in intents]


@pytest.fixture
def shop(fresh_stripe, smtp_server):
    _webinar()
    # A US account: USD payments settle as they are, so fees and nets below are exact.
    fresh_stripe.config("account", country="US", default_currency="usd")
    return fresh_stripe, fresh_stripe.client(), smtp_server


def _refund(charge_id, amount_text=None, actor=ADMIN_ACTOR, **options):
    plan = refunds.plan_refund(actor, charge_id, amount_text)
    return refunds.issue_refund(actor, refunds.new_request_id(), plan, **options)


# --- one payment ---------------------------------------------------------------------------


def test_full_refund_is_recorded_audited_and_mailed(shop):
    _local, client, inbox = shop
    [charge] = _pay_and_sync(client)
    plan = refunds.plan_refund(ADMIN_ACTOR, charge, None)
    assert plan.amount == 4900 and plan.fee == 172
    assert "Stripe keeps its fee of $1.72" in plan.describe()
    assert "becomes -$1.72" in plan.describe()

    outcome = refunds.issue_refund(
        ADMIN_ACTOR,
        refunds.new_request_id(),
        plan,
        reason="requested_by_customer",
        note="asked by phone",
    )

    assert outcome.status == "succeeded" and outcome.amount == 4900
    [at_stripe] = _stripe_refunds(client)
    assert at_stripe.id == outcome.stripe_refund_id and at_stripe.amount == 4900
    assert at_stripe.reason == "requested_by_customer"
    with db.connect() as con:
        assert con.execute("SELECT status FROM stripe_refunds").fetchall() == [("succeeded",)]
        entry = con.execute(
            "SELECT actor, action, amount, currency, reason, stripe_id FROM audit_log"
        ).fetchall()
        assert con.execute("SELECT count(*) FROM charge_locks").fetchone() == (0,)
    assert entry == [
        (
            "admin@example.org",
            "refund",
            4900,
            "usd",
            "requested_by_customer",
            outcome.stripe_refund_id,
        )
    ]
    [mail] = inbox.messages
    assert mail["To"] == "person0@example.org"
    body = mail.get_content()
    assert "$49.00 (USD)" in body and POLICY in body and "5 to 10 business days" in body


def test_several_partial_refunds_up_to_the_total(shop):
    _local, client, _inbox = shop
    [charge] = _pay_and_sync(client)
    for amount in ("10", "20.50", "18.50"):
        assert _refund(charge, amount).status == "succeeded"
    assert sorted(r.amount for r in _stripe_refunds(client)) == [1000, 1850, 2050]
    with pytest.raises(refunds.RefundRefused, match="already fully refunded"):
        refunds.plan_refund(ADMIN_ACTOR, charge, "0.01")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("49.01", r"At most \$49.00 can still be refunded"),
        ("0", "more than zero"),
        ("-5", "cannot be negative"),
        ("10.555", "at most 2 decimals"),
        ("ten", "is not an amount"),
    ],
)
def test_bad_refund_amounts_write_nothing(shop, amount, message):
    _local, client, _inbox = shop
    [charge] = _pay_and_sync(client)
    before = _snapshot()
    with pytest.raises(refunds.RefundRefused, match=message):
        _refund(charge, amount)
    assert _snapshot() == before
    assert _stripe_refunds(client) == []


def test_jpy_refund_takes_no_decimals(shop):
    _local, client, _inbox = shop
    _webinar("wb_jpy", 5000, "jpy")
    [charge] = _pay_and_sync(client, webinar_id="wb_jpy", amount=5000, currency="jpy")
    with pytest.raises(refunds.RefundRefused, match="JPY has no decimals"):
        _refund(charge, "10.5")
    assert _refund(charge, "10").amount == 10  # no Stripe minimum for a refund


def test_refund_made_outside_the_console_counts_before_the_next_sync(shop):
    _local, client, _inbox = shop
    [charge] = _pay_and_sync(client)
    client.v1.refunds.create(params={"charge": charge, "amount": 4000})  # in Stripe's dashboard
    before = _snapshot()
    with pytest.raises(refunds.RefundRefused, match=r"At most \$9.00"):
        _refund(charge, "10")
    assert _snapshot() == before


def test_failed_fully_refunded_and_disputed_charges_are_refused(shop):
    local, client, _inbox = shop
    with pytest.raises(gateway.stripe.CardError):
        pay(client, "wb_r", card="pm_card_chargeDeclined", email="declined@example.org")
    [good, refunded, disputed] = _pay_and_sync(client, count=3)
    failed = next(c.id for c in all_objects(client, "charges") if c.status == "failed")
    sync.run_sync()
    client.v1.refunds.create(params={"charge": refunded})
    local.config(f"/_config/charges/{disputed}/dispute", method="POST")
    before = _snapshot()
    for charge, message in (
        (failed, "did not succeed"),
        (refunded, "already fully refunded"),
        (disputed, "disputed"),
    ):
        with pytest.raises(refunds.RefundRefused, match=message):
            _refund(charge, None)
    assert _snapshot() == before
    assert good


def test_a_charge_under_an_inquiry_can_be_refunded_as_stripe_allows(shop):
    local, client, _inbox = shop
    [charge] = _pay_and_sync(client)
    # An inquiry withdraws nothing, and its dispute says the charge is still refundable.
    local.config(f"/_config/charges/{charge}/dispute", inquiry=True)
    [dispute] = client.v1.disputes.list(params={"charge": charge}).data
    assert dispute.is_charge_refundable and dispute.status == "warning_needs_response"

    outcome = _refund(charge, None)

    assert outcome.status == "succeeded" and outcome.amount == 4900


def test_an_organizer_cannot_refund_another_organizers_payment(shop):
    _local, client, _inbox = shop
    [charge] = _pay_and_sync(client)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        _refund(charge, None, actor=Actor("bob@example.org", ORGANIZER))
    assert _refund(charge, "1", actor=Actor("fin@example.org", FINANCE)).amount == 100
    assert _snapshot() != before


# --- exactly once --------------------------------------------------------------------------


def test_double_submit_refunds_once(shop):
    _local, client, _inbox = shop
    [charge] = _pay_and_sync(client)
    request_id = refunds.new_request_id()
    plan = refunds.plan_refund(ADMIN_ACTOR, charge, None)
    first = refunds.issue_refund(ADMIN_ACTOR, request_id, plan)
    second = refunds.issue_refund(ADMIN_ACTOR, request_id, plan)
    assert first == second
    assert len(_stripe_refunds(client)) == 1


def test_two_people_refunding_at_once_yield_one_refund(shop):
    _local, client, _inbox = shop
    [charge] = _pay_and_sync(client)
    start = threading.Barrier(2)
    results: list = []

    def refund_as(actor):
        plan = refunds.plan_refund(actor, charge, None)
        start.wait()
        try:
            results.append(refunds.issue_refund(actor, refunds.new_request_id(), plan))
        except refunds.RefundRefused as refused:
            results.append(refused)

    threads = [
        threading.Thread(target=refund_as, args=(a,))
        for a in (ADMIN_ACTOR, Actor("fin@example.org", FINANCE))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(_stripe_refunds(client)) == 1
    assert sum(isinstance(r, refunds.RefundOutcome) for r in results) == 1
    refused = next(r for r in results if isinstance(r, refunds.RefundRefused))
    assert (
        "in progress" in str(refused)
        or "refunding this payment right now" in str(refused)
        or "already" in str(refused)
    )


def test_crash_after_stripe_answers_then_recovery_records_the_one_refund(shop, monkeypatch):
    _local, client, inbox = shop
    [charge] = _pay_and_sync(client)
    real_record = issuing.record

    def crash(request, refund):
        raise SystemExit("power cut")  # after Stripe's answer, before the database write

    monkeypatch.setattr(issuing, "record", crash)
    request_id = refunds.new_request_id()
    plan = refunds.plan_refund(ADMIN_ACTOR, charge, "12")
    with pytest.raises(SystemExit):
        refunds.issue_refund(ADMIN_ACTOR, request_id, plan)
    assert len(_stripe_refunds(client)) == 1
    with db.connect() as con:
        assert con.execute("SELECT status FROM refund_requests").fetchone() == ("requested",)
    with pytest.raises(refunds.RefundInProgress):  # the lock holds until it is settled
        _refund(charge, "1")

    monkeypatch.setattr(issuing, "record", real_record)
    assert refunds.recover(ADMIN_ACTOR) == 1

    assert len(_stripe_refunds(client)) == 1
    with db.connect() as con:
        assert con.execute("SELECT status, amount FROM refund_requests").fetchone() == (
            "succeeded",
            1200,
        )
        assert con.execute("SELECT count(*) FROM charge_locks").fetchone() == (0,)
    assert refunds.issue_refund(ADMIN_ACTOR, request_id, plan).status == "succeeded"
    assert len(_stripe_refunds(client)) == 1 and len(inbox.messages) == 1


def test_retry_after_a_timeout_sends_the_same_key_and_refunds_once(shop, monkeypatch):
    _local, client, _inbox = shop
    [charge] = _pay_and_sync(client)
    real_request = gateway.request
    lost = []

    def answer_lost(stripe_client, method, path, params=None, idempotency_key=None, **kw):
        answer = real_request(stripe_client, method, path, params, idempotency_key, **kw)
        if method == "post" and not lost:
            lost.append(idempotency_key)
            raise gateway.StripeProblem("timed out", retryable=True)
        return answer

    monkeypatch.setattr(gateway, "request", answer_lost)
    request_id = refunds.new_request_id()
    plan = refunds.plan_refund(ADMIN_ACTOR, charge, None)
    with pytest.raises(gateway.StripeProblem):
        refunds.issue_refund(ADMIN_ACTOR, request_id, plan)
    outcome = refunds.issue_refund(ADMIN_ACTOR, request_id, plan)  # the person clicks again

    assert outcome.status == "succeeded"
    assert len(_stripe_refunds(client)) == 1
    assert lost == [f"console-refund-{request_id}"]


def test_a_pending_refund_is_followed_until_it_succeeds(shop):
    local, client, _inbox = shop
    card = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4000000000007726", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    [charge] = _pay_and_sync(client, card=card.id)
    outcome = _refund(charge, None)
    assert outcome.status == "pending"
    assert refunds.follow_pending(ADMIN_ACTOR) == 0

    local.config(f"/_config/refunds/{outcome.stripe_refund_id}/status", status="succeeded")

    assert refunds.follow_pending(ADMIN_ACTOR) == 1
    with db.connect() as con:
        assert con.execute("SELECT status FROM refund_requests").fetchone() == ("succeeded",)
        assert con.execute("SELECT status FROM stripe_refunds").fetchone() == ("succeeded",)


# --- cancellations -------------------------------------------------------------------------


def test_cancel_a_free_registration_tells_the_registrant(shop):
    _local, _client, inbox = shop
    with db.connect(write=True) as con:
        save_webinars(
            con, [Webinar("wb_free", "Open hour", "ann@example.org", description="Free. " + POLICY)]
        )
        save_registrations(
            con,
            [
                Registration(
                    "reg_1",
                    "wb_free",
                    "Zoé",
                    "zoe@example.org",
                    "registered",
                    None,
                    __import__("datetime").datetime(2026, 11, 1),
                )
            ],
        )
    with pytest.raises(refunds.RefundRefused, match="Give the reason"):
        refunds.cancel_registration_without_refund(ANN, "wb_free", "zoe@example.org", " ")

    refunds.cancel_registration_without_refund(ANN, "wb_free", "zoe@example.org", "asked to")

    with db.connect() as con:
        assert con.execute("SELECT status FROM registrants").fetchone() == ("cancelled",)
    [mail] = inbox.messages
    assert "nothing to refund" in mail.get_content() and "asked to" in mail.get_content()


def test_refund_with_cancellation_cancels_the_registration(shop):
    _local, client, inbox = shop
    [charge] = _pay_and_sync(client)
    with db.connect(write=True) as con:
        save_registrations(
            con,
            [
                Registration(
                    "reg_p0",
                    "wb_r",
                    "Person 0",
                    "person0@example.org",
                    "registered",
                    None,
                    __import__("datetime").datetime(2026, 11, 1),
                )
            ],
        )
    _refund(charge, "20", cancel_registration=True)
    with db.connect() as con:
        assert con.execute("SELECT status FROM registrants").fetchone() == ("cancelled",)
    assert "registration is cancelled" in inbox.messages[0].get_content()


def test_bulk_cancellation_of_300_interrupted_and_resumed_refunds_each_once(shop):
    _local, client, inbox = shop
    charges = _pay_and_sync(client, count=300)

    class Interrupted(Exception):
        pass

    def stop_at_40_percent(progress):
        if progress.done == 120:
            raise Interrupted()

    job_id = cancellations.start_cancellation(ANN, "wb_r", "speaker ill")
    with pytest.raises(Interrupted):
        cancellations.run_cancellation(
            ANN, job_id, on_progress=stop_at_40_percent, requests_per_second=10_000
        )
    assert len(_stripe_refunds(client)) == 120
    assert cancellations.unfinished_job("wb_r") == job_id

    seen = []
    final = cancellations.run_cancellation(
        ANN, job_id, on_progress=lambda p: seen.append(p.done), requests_per_second=10_000
    )

    at_stripe = _stripe_refunds(client)
    assert sorted(r.charge for r in at_stripe) == sorted(charges)  # each exactly once
    assert all(r.amount == 4900 for r in at_stripe)
    assert final.refunded == 300 and final.failed == 0 and final.done == 300
    assert seen[0] == 121  # the second run only did the rest
    recipients = [m["To"] for m in inbox.messages]
    assert len(recipients) == 300 and len(set(recipients)) == 300
    assert cancellations.unfinished_job("wb_r") is None
    summary = cancellations.job_summary(job_id)
    assert len(summary) == 300 and set(summary["outcome"]) == {"refunded"}
    assert b"person0@example.org" in cancellations.job_summary_csv(job_id)

    again = cancellations.run_cancellation(ANN, job_id, requests_per_second=10_000)
    assert again.done == 300 and len(_stripe_refunds(client)) == 300  # touches nothing twice


def test_the_next_sync_settles_a_refund_whose_answer_was_lost(shop, monkeypatch, capsys):
    from console import cli

    _local, client, _inbox = shop
    [charge] = _pay_and_sync(client)
    real_record = issuing.record

    def crash(request, refund):
        raise SystemExit("crash")

    monkeypatch.setattr(issuing, "record", crash)
    with pytest.raises(SystemExit):
        _refund(charge, "5")
    monkeypatch.setattr(issuing, "record", real_record)

    assert cli.main(["sync"]) == 0

    with db.connect() as con:
        assert con.execute("SELECT status FROM refund_requests").fetchone() == ("succeeded",)
    assert len(_stripe_refunds(client)) == 1
