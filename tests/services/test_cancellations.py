"""A webinar cancelled with everyone refunded, interrupted and resumed
(console/services/cancellations.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.domain.catalog import Registration
from console.formatting import i18n
from console.services import cancellations, refunds
from console.store import cancellation_jobs, catalog, db, refund_requests
from console.stripe_api import sync
from tests import crashes
from tests.services.refunds.support import (
    ANN,
    pay_and_sync,
    stripe_refunds,
)


def test_bulk_cancellation_of_300_interrupted_and_resumed_refunds_each_once(shop):
    _local, client, inbox = shop
    charges = pay_and_sync(client, count=300)

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
    assert len(stripe_refunds(client)) == 120
    assert cancellations.unfinished_job(ANN, "wb_r") == job_id

    seen = []
    final = cancellations.run_cancellation(
        ANN, job_id, on_progress=lambda p: seen.append(p.done), requests_per_second=10_000
    )

    at_stripe = stripe_refunds(client)
    assert sorted(r.charge for r in at_stripe) == sorted(charges)  # each exactly once
    assert all(r.amount == 4900 for r in at_stripe)
    assert final.refunded == 300 and final.failed == 0 and final.done == 300
    assert seen[0] == 121  # the second run only did the rest
    recipients = [m["To"] for m in inbox.messages]
    assert len(recipients) == 300 and len(set(recipients)) == 300
    assert cancellations.unfinished_job(ANN, "wb_r") is None
    summary = cancellations.job_summary(ANN, job_id)
    assert len(summary) == 300 and set(summary["outcome"]) == {"refunded"}
    assert b"person0@example.org" in cancellations.job_summary_csv(ANN, job_id)

    again = cancellations.run_cancellation(ANN, job_id, requests_per_second=10_000)
    assert again.done == 300 and len(stripe_refunds(client)) == 300  # touches nothing twice


def test_a_job_plans_each_refund_from_what_it_read_as_a_single_refund_is_planned(shop):
    _local, client, _inbox = shop
    pay_and_sync(client, count=2)
    pay_and_sync(client, currency="eur")  # settled in USD: converted at Stripe's rate
    webinar = catalog.load_webinar("wb_r")
    charges, _unpaid = cancellation_jobs.work_left("job_none", "wb_r", livemode=False)

    plans = [
        (
            refunds.plan_refund(ANN, c["charge_id"], None),
            refunds.plan_refund(
                ANN, c["charge_id"], None, known=refunds.KnownCharge.of(webinar, c)
            ),
        )
        for c in charges
    ]

    assert len(plans) == 3 and all(read == known for read, known in plans)
    assert [read.converted for read, _known in plans] == [False, False, True]


def test_a_job_cancels_each_registration_and_tells_paid_registrants_so(shop):
    _local, client, inbox = shop
    pay_and_sync(client, count=2)
    with db.connect(write=True) as con:
        catalog.save_registrations(
            con,
            [
                Registration(
                    f"reg_{n}", "wb_r", n, f"{n}@example.org", "registered", None, datetime.now(UTC)
                )
                for n in ("PERSON0", "person1", "free")
            ],
        )
    job_id = cancellations.start_cancellation(ANN, "wb_r", "speaker ill")

    final = cancellations.run_cancellation(ANN, job_id, requests_per_second=10_000)

    assert (final.refunded, final.cancelled, final.failed) == (2, 1, 0)
    with db.connect() as con:
        statuses = con.execute("SELECT DISTINCT status FROM registrants").fetchall()
    assert statuses == [("cancelled",)]
    refund_mails = [m for m in inbox.messages if "refund" in m["Subject"]]
    assert sorted(m["To"] for m in refund_mails) == ["person0@example.org", "person1@example.org"]
    assert all("registration is cancelled" in m.get_content() for m in refund_mails)


# In a child: the job runs, and its process dies the moment Stripe has answered its
# eleventh refund, before the console wrote it down.
_JOB_KILLED_AT_THE_ELEVENTH_REFUND = """
import sys, time
from console.services import cancellations
from console.stripe_api import gateway
from tests.services.refunds.support import ANN

real_create_refund = gateway.create_refund
made = 0

def the_eleventh_answered_then_stuck(*args, **kwargs):
    global made
    refund = real_create_refund(*args, **kwargs)
    made += 1
    if made == 11:
        print("eleventh answered", flush=True)
        time.sleep(60)
    return refund

gateway.create_refund = the_eleventh_answered_then_stuck
cancellations.run_cancellation(ANN, sys.argv[1], requests_per_second=10_000)
"""


def test_a_job_killed_mid_refund_resumes_and_refunds_each_payment_once(shop):
    _local, client, inbox = shop
    charges = pay_and_sync(client, count=20)
    job_id = cancellations.start_cancellation(ANN, "wb_r", "speaker ill")
    child = crashes.start(_JOB_KILLED_AT_THE_ELEVENTH_REFUND, args=[job_id])
    crashes.kill_when(child, crashes.said(child, "eleventh answered"))
    assert len(stripe_refunds(client)) == 11
    assert cancellations.unfinished_job(ANN, "wb_r") == job_id  # offered for resuming

    final = cancellations.run_cancellation(ANN, job_id, requests_per_second=10_000)

    at_stripe = stripe_refunds(client)
    assert sorted(r.charge for r in at_stripe) == sorted(charges)  # each exactly once
    assert final.done == 20 and final.failed == 0
    assert set(cancellations.job_summary(ANN, job_id)["outcome"]) == {"refunded"}
    assert cancellations.unfinished_job(ANN, "wb_r") is None
    recipients = [m["To"] for m in inbox.messages]
    assert len(set(recipients)) == 20  # everyone told


def test_a_job_run_in_french_says_its_details_and_headings_in_french(shop):
    _local, client, _inbox = shop
    first, second = pay_and_sync(client, count=2)
    client.v1.refunds.create(params={"charge": first})  # refunded in Stripe's dashboard
    sync.run_sync()
    job_id = cancellations.start_cancellation(ANN, "wb_r", "speaker ill")
    english_csv = cancellations.job_summary_csv(ANN, job_id).decode().splitlines()

    with i18n.speaking("fr"):
        final = cancellations.run_cancellation(ANN, job_id, requests_per_second=10_000)
        french_csv = cancellations.job_summary_csv(ANN, job_id).decode().splitlines()
        with pytest.raises(LookupError) as missing:
            cancellations.job_summary(ANN, "job_nope")

    assert (final.refunded, final.skipped) == (1, 1)
    summary = cancellations.job_summary(ANN, job_id).set_index("charge_id")
    assert summary.loc[first, "detail"] == "remboursé auparavant"
    assert summary.loc[second, "outcome"] == "refunded"  # outcomes stay codes
    assert list(refund_requests.of_webinar("wb_r")["note"]) == ["webinaire annulé : speaker ill"]
    assert english_csv[0] == (
        "Name,E-mail,Stripe charge,Currency,Refunded,Outcome,Detail,Stripe refund"
    )
    assert french_csv[0] == (
        "Nom,E-mail,Paiement Stripe,Devise,Remboursé,Résultat,Détail,Remboursement Stripe"
    )
    assert str(missing.value) == "Il n'y a pas d'annulation job_nope."
