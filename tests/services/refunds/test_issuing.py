"""Refunds planned and issued exactly once (console/services/refunds/issuing.py)."""

from __future__ import annotations

import threading

import pytest

from console.domain.catalog import Registration
from console.formatting import i18n
from console.services import refunds
from console.services.access import FINANCE, ORGANIZER, Actor, PermissionDenied
from console.store import db
from console.store.catalog import save_registrations
from console.stripe_api import gateway, sync
from tests.payments import all_objects, pay
from tests.services.refunds.support import (
    ADMIN_ACTOR,
    POLICY,
    pay_and_sync,
    priced_webinar,
    refund_now,
    snapshot,
    stripe_refunds,
)

# --- one payment ---------------------------------------------------------------------------


def test_full_refund_is_recorded_audited_and_mailed(shop):
    _local, client, inbox = shop
    [charge] = pay_and_sync(client)
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
    [at_stripe] = stripe_refunds(client)
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
    [charge] = pay_and_sync(client)
    for amount in ("10", "20.50", "18.50"):
        assert refund_now(charge, amount).status == "succeeded"
    assert sorted(r.amount for r in stripe_refunds(client)) == [1000, 1850, 2050]
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
    [charge] = pay_and_sync(client)
    before = snapshot()
    with pytest.raises(refunds.RefundRefused, match=message):
        refund_now(charge, amount)
    assert snapshot() == before
    assert stripe_refunds(client) == []


def test_jpy_refund_takes_no_decimals(shop):
    _local, client, _inbox = shop
    priced_webinar("wb_jpy", 5000, "jpy")
    [charge] = pay_and_sync(client, webinar_id="wb_jpy", amount=5000, currency="jpy")
    with pytest.raises(refunds.RefundRefused, match="JPY has no decimals"):
        refund_now(charge, "10.5")
    assert refund_now(charge, "10").amount == 10  # no Stripe minimum for a refund


def test_refund_made_outside_the_console_counts_before_the_next_sync(shop):
    _local, client, _inbox = shop
    [charge] = pay_and_sync(client)
    client.v1.refunds.create(params={"charge": charge, "amount": 4000})  # in Stripe's dashboard
    before = snapshot()
    with pytest.raises(refunds.RefundRefused, match=r"At most \$9.00"):
        refund_now(charge, "10")
    assert snapshot() == before


def test_failed_fully_refunded_and_disputed_charges_are_refused(shop):
    local, client, _inbox = shop
    with pytest.raises(gateway.stripe.CardError):
        pay(client, "wb_r", card="pm_card_chargeDeclined", email="declined@example.org")
    [good, refunded, disputed] = pay_and_sync(client, count=3)
    failed = next(c.id for c in all_objects(client, "charges") if c.status == "failed")
    sync.run_sync()
    client.v1.refunds.create(params={"charge": refunded})
    local.config(f"/_config/charges/{disputed}/dispute", method="POST")
    before = snapshot()
    for charge, message in (
        (failed, "did not succeed"),
        (refunded, "already fully refunded"),
        (disputed, "disputed"),
    ):
        with pytest.raises(refunds.RefundRefused, match=message):
            refund_now(charge, None)
    assert snapshot() == before
    assert good


def test_refusals_made_while_french_is_spoken_are_french(shop):
    local, client, _inbox = shop
    [partly, refunded, disputed] = pay_and_sync(client, count=3)
    client.v1.refunds.create(params={"charge": partly, "amount": 4000})
    client.v1.refunds.create(params={"charge": refunded})
    local.config(f"/_config/charges/{disputed}/dispute", method="POST")
    before = snapshot()
    said = {}
    with i18n.speaking("fr"):
        for name, charge, amount in (
            ("too much", partly, "10"),
            ("not an amount", partly, "dix"),
            ("zero", partly, "0"),
            ("refunded", refunded, None),
            ("disputed", disputed, None),
            ("unknown", "ch_nope", None),
        ):
            with pytest.raises(refunds.RefundRefused) as refused:
                refund_now(charge, amount)
            said[name] = str(refused.value)
    assert snapshot() == before
    assert said["too much"] == (
        "Au plus 9,00\xa0$US peut encore être remboursé (40,00\xa0$US sur 49,00\xa0$US ont "
        "déjà été remboursés). Baissez le montant."
    )
    assert said["not an amount"].startswith("« dix » n'est pas un montant.")
    assert said["zero"] == "Un remboursement doit être supérieur à zéro."
    assert said["refunded"] == "Ce paiement est déjà entièrement remboursé."
    assert said["disputed"].startswith("Ce paiement fait l'objet d'un litige (statut : ")
    assert "Stripe does not refund" not in said["disputed"]
    assert said["unknown"] == (
        "Il n'y a pas de paiement ch_nope dans la console. Synchronisez, puis réessayez."
    )


def test_a_plan_is_described_in_the_current_language_or_the_one_asked(shop):
    _local, client, _inbox = shop
    [charge] = pay_and_sync(client)
    [converted] = pay_and_sync(client, currency="eur")  # the US account settles it in USD
    plan = refunds.plan_refund(ADMIN_ACTOR, charge, None)
    french = (
        "Rembourser 49,00\xa0$US sur 49,00\xa0$US à Person 0. Stripe garde ses frais de "
        "1,72\xa0$US : ils ne sont pas rendus. Le net de l'organisateur sur ce paiement "
        "devient -1,72\xa0$US."
    )
    with i18n.speaking("fr"):
        assert plan.describe() == french
        assert plan.describe("en").startswith("Refund $49.00 of $49.00 to Person 0.")
    assert plan.describe("fr") == french
    converting = refunds.plan_refund(ADMIN_ACTOR, converted, None)
    assert converting.converted
    assert "becomes about -$" in converting.describe()  # what Stripe kept, converted
    assert converting.describe().endswith(
        "(The refund is converted to USD at Stripe's rate of the day.)"
    )
    assert converting.describe("fr").endswith(
        "(Le remboursement est converti en USD au taux du jour de Stripe.)"
    )
    assert "devient environ -" in converting.describe("fr")


def test_a_charge_under_an_inquiry_can_be_refunded_as_stripe_allows(shop):
    local, client, _inbox = shop
    [charge] = pay_and_sync(client)
    # An inquiry withdraws nothing, and its dispute says the charge is still refundable.
    local.config(f"/_config/charges/{charge}/dispute", inquiry=True)
    [dispute] = client.v1.disputes.list(params={"charge": charge}).data
    assert dispute.is_charge_refundable and dispute.status == "warning_needs_response"

    outcome = refund_now(charge, None)

    assert outcome.status == "succeeded" and outcome.amount == 4900


def test_an_organizer_cannot_refund_another_organizers_payment(shop):
    _local, client, _inbox = shop
    [charge] = pay_and_sync(client)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        refund_now(charge, None, actor=Actor("bob@example.org", ORGANIZER))
    assert refund_now(charge, "1", actor=Actor("fin@example.org", FINANCE)).amount == 100
    assert snapshot() != before


# --- exactly once --------------------------------------------------------------------------


def test_double_submit_refunds_once(shop):
    _local, client, _inbox = shop
    [charge] = pay_and_sync(client)
    request_id = refunds.new_request_id()
    plan = refunds.plan_refund(ADMIN_ACTOR, charge, None)
    first = refunds.issue_refund(ADMIN_ACTOR, request_id, plan)
    second = refunds.issue_refund(ADMIN_ACTOR, request_id, plan)
    assert first == second
    assert len(stripe_refunds(client)) == 1


def test_two_people_refunding_at_once_yield_one_refund(shop):
    _local, client, _inbox = shop
    [charge] = pay_and_sync(client)
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

    assert len(stripe_refunds(client)) == 1
    assert sum(isinstance(r, refunds.RefundOutcome) for r in results) == 1
    refused = next(r for r in results if isinstance(r, refunds.RefundRefused))
    assert (
        "in progress" in str(refused)
        or "refunding this payment right now" in str(refused)
        or "already" in str(refused)
    )


def test_retry_after_a_timeout_sends_the_same_key_and_refunds_once(shop, monkeypatch):
    _local, client, _inbox = shop
    [charge] = pay_and_sync(client)
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
    assert len(stripe_refunds(client)) == 1
    assert lost == [f"console-refund-{request_id}"]


# --- cancellations -------------------------------------------------------------------------


def test_refund_with_cancellation_cancels_the_registration(shop):
    _local, client, inbox = shop
    [charge] = pay_and_sync(client)
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
    refund_now(charge, "20", cancel_registration=True)
    with db.connect() as con:
        assert con.execute("SELECT status FROM registrants").fetchone() == ("cancelled",)
    assert "registration is cancelled" in inbox.messages[0].get_content()


def test_an_organizer_reads_the_refund_requests_of_their_own_webinars_only(shop):
    _local, client, _inbox = shop
    [charge] = pay_and_sync(client)
    refund_now(charge, "5")
    ann = Actor("ann@example.org", ORGANIZER)
    assert len(refunds.requests_of_webinar(ann, "wb_r")) == 1
    with pytest.raises(PermissionDenied):
        refunds.requests_of_webinar(Actor("bob@example.org", ORGANIZER), "wb_r")
    assert len(refunds.requests_of_webinar(Actor("fin@example.org", FINANCE), "wb_r")) == 1
