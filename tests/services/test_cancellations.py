"""A webinar cancelled with everyone refunded, interrupted and resumed
(console/services/cancellations.py)."""

from __future__ import annotations

import pytest

from console.services import cancellations
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
    assert cancellations.unfinished_job("wb_r") == job_id

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
    assert cancellations.unfinished_job("wb_r") is None
    summary = cancellations.job_summary(job_id)
    assert len(summary) == 300 and set(summary["outcome"]) == {"refunded"}
    assert b"person0@example.org" in cancellations.job_summary_csv(job_id)

    again = cancellations.run_cancellation(ANN, job_id, requests_per_second=10_000)
    assert again.done == 300 and len(stripe_refunds(client)) == 300  # touches nothing twice
