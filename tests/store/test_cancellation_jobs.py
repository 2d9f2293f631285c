"""Cancellation jobs: opened with the cancellation, items saved one by one, resumed from what
is left, finished."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.domain.catalog import Registration, RegistrationStatus, Webinar
from console.store import cancellation_jobs, catalog, db
from console.store.cancellation_jobs import Item
from console.stripe_api import mirror


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))


def _open(job_id: str = "job_1", webinar_id: str = "wb_1") -> None:
    with db.connect(write=True) as con:
        cancellation_jobs.open_job(con, job_id, webinar_id, None, "speaker ill", "ann@example.org")


def _charge(charge_id: str, email: str, created: int) -> dict:
    return {
        "object": "charge",
        "id": charge_id,
        "created": created,
        "amount": 4900,
        "currency": "usd",
        "status": "succeeded",
        "metadata": {"webinar_id": "wb_1", "registrant_email": email, "registrant_name": email},
    }


def test_a_job_is_open_until_it_finishes():
    assert cancellation_jobs.load_job("job_1") is None
    _open()
    assert cancellation_jobs.load_job("job_1") == ("wb_1", "speaker ill")
    assert cancellation_jobs.unfinished_job("wb_1") == "job_1"
    assert cancellation_jobs.unfinished_job("wb_2") is None

    cancellation_jobs.finish_job("job_1")

    assert cancellation_jobs.unfinished_job("wb_1") is None


def test_a_job_is_not_opened_when_the_cancellation_fails():
    with pytest.raises(RuntimeError), db.connect(write=True) as con:
        cancellation_jobs.open_job(con, "job_1", "wb_1", 2, "room lost", "ann@example.org")
        raise RuntimeError("the webinar could not be cancelled")
    assert cancellation_jobs.load_job("job_1") is None


def test_an_item_saved_again_takes_the_new_outcome():
    _open()
    failed = Item(
        "job_1", "ch_1", "Zoé", "zoe@example.org", "ch_1", "usd", 0, "failed", "429", None
    )
    cancellation_jobs.save_item(failed)
    cancellation_jobs.save_item(
        Item("job_1", "reg_2", "Bo", "bo@example.org", None, None, 0, "cancelled", None, None)
    )
    assert cancellation_jobs.outcome_counts("job_1") == {"failed": 1, "cancelled": 1}

    cancellation_jobs.save_item(
        Item(
            "job_1", "ch_1", "Zoé", "zoe@example.org", "ch_1", "usd", 4900, "refunded", None, "re_1"
        )
    )

    assert cancellation_jobs.outcome_counts("job_1") == {"refunded": 1, "cancelled": 1}
    summary = cancellation_jobs.items_frame("job_1")
    assert summary["outcome"].tolist() == ["cancelled", "refunded"]
    refunded = summary.iloc[1]
    assert (refunded["amount_refunded"], refunded["detail"], refunded["stripe_refund_id"]) == (
        4900,
        None,
        "re_1",
    )


def test_work_left_skips_what_is_done_and_retries_what_failed():
    with db.connect(write=True) as con:
        catalog.save_webinars(con, [Webinar("wb_1", "One", "ann@example.org")])
        catalog.save_registrations(
            con,
            [
                Registration(
                    f"reg_{name}",
                    "wb_1",
                    name,
                    f"{name}@example.org",
                    status,
                    None,
                    datetime.now(UTC),
                )
                for name, status in (
                    ("paid", RegistrationStatus.REGISTERED),  # has a charge: refunded instead
                    ("free", RegistrationStatus.REGISTERED),
                    ("waiting", RegistrationStatus.PENDING_PAYMENT),
                    ("gone", RegistrationStatus.CANCELLED),
                    ("done", RegistrationStatus.REGISTERED),
                )
            ],
        )
        for charge in (
            _charge("ch_refunded", "paid@example.org", 100),
            _charge("ch_failed", "other@example.org", 200),
            _charge("ch_new", "new@example.org", 300),
        ):
            mirror.save(con, charge, livemode=False)
    _open()
    for key, outcome in (("ch_refunded", "refunded"), ("ch_failed", "failed")):
        cancellation_jobs.save_item(
            Item("job_1", key, None, None, key, "usd", 0, outcome, None, None)
        )
    cancellation_jobs.save_item(
        Item("job_1", "reg_done", "done", None, None, None, 0, "cancelled", None, None)
    )

    charges, unpaid = cancellation_jobs.work_left("job_1", "wb_1", livemode=False)

    assert [c["charge_id"] for c in charges] == ["ch_failed", "ch_new"]  # oldest first
    assert charges[0]["amount_paid"] == 4900 and charges[0]["email"] == "other@example.org"
    # With what a refund plans from: the payer and the money as settled (no ledger yet).
    assert [charges[0][k] for k in ("registrant_id", "settlement_currency", "fee", "net")] == [
        None,
        "usd",
        0,
        0,
    ]
    assert charges[0]["exchange_rate"] is None
    assert [(r["registrant_id"], r["status"]) for r in unpaid] == [
        ("reg_free", "registered"),
        ("reg_waiting", "pending_payment"),
    ]
    assert cancellation_jobs.work_left("job_1", "wb_1", livemode=True)[0] == []
