"""console/services/operations.py: a sync started by a person (admins and finance,
audited), and what is settled after it: payments whose browser closed early, refunds whose
answer was lost or that Stripe left pending."""

from __future__ import annotations

import pytest

from console.domain.catalog import Webinar
from console.formatting import i18n
from console.services import audit, operations, refunds, registration
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.store import db, refund_requests
from console.store.catalog import save_webinars
from console.stripe_api import gateway, sync
from tests.browser_support import free_port
from tests.payments import all_objects, pay
from tests.services.refunds.support import left_open

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
FIN = Actor("fin@example.org", FINANCE)
ANN = Actor("ann@example.org", ORGANIZER)


@pytest.fixture(autouse=True)
def no_smtp(monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)


def _webinar() -> None:
    with db.connect(write=True) as con:
        save_webinars(
            con,
            [Webinar("wb_o", "Ops", "ann@example.org", price_amount=4900, price_currency="eur")],
        )


def _entries(action: str) -> list[str]:
    return list(audit.search(ADMIN_ACTOR, action=action)["actor"])


# --- start_sync ----------------------------------------------------------------------------


def test_a_sync_started_by_a_person_is_audited_and_reports_progress(fresh_stripe):
    pay(fresh_stripe.client(), "wb_o", 4900, "eur", card="pm_card_fr")
    phases: list[str] = []
    result = operations.start_sync(FIN, on_progress=lambda p: phases.append(p.phase))
    assert result.mode == "full" and result.objects > 0
    assert phases[-1] == "done"
    assert _entries("sync started") == ["fin@example.org"]
    assert sync.last_success_at(False) is not None
    operations.start_sync(ADMIN_ACTOR)
    assert _entries("sync started") == ["admin@example.org", "fin@example.org"]


def test_an_organizer_may_not_start_a_sync(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    with pytest.raises(PermissionDenied, match="it needs the role admin or finance"):
        operations.start_sync(ANN)
    assert _entries("sync started") == []
    assert sync.last_run(False) is None


def test_a_sync_without_a_key_fails_with_the_reason_after_the_start_is_audited(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    with pytest.raises(sync.SyncError, match="No Stripe key is configured"):
        operations.start_sync(ADMIN_ACTOR)
    assert _entries("sync started") == ["admin@example.org"]


# --- settle_after_sync ------------------------------------------------------------------------


def test_a_payment_whose_browser_closed_early_is_registered_after_the_sync(fresh_stripe):
    _webinar()
    checkout = registration.start_paid_registration("wb_o", "Ada", "ada@example.org")
    # The card went through at Stripe; the browser never came back to say so.
    fresh_stripe.client().v1.payment_intents.confirm(
        checkout.payment_intent_id, params={"payment_method": "pm_card_fr"}
    )
    sync.run_sync()
    with db.connect() as con:
        status = "SELECT status FROM registrants WHERE registrant_id = ?"
        assert con.execute(status, [checkout.registrant_id]).fetchone() == ("pending_payment",)

    assert operations.settle_after_sync() == []

    with db.connect() as con:
        assert con.execute(status, [checkout.registrant_id]).fetchone() == ("registered",)
    # Without SMTP, e-mails are written beside the database.
    confirmation = (
        db.database_path().parent / "outbox" / f"confirmation-{checkout.registrant_id}.eml"
    )
    assert "ada@example.org" in confirmation.read_text()


def test_refund_requests_left_open_are_settled_once(fresh_stripe):
    _webinar()
    client = fresh_stripe.client()
    lost, unsent = (
        pay(client, "wb_o", 4900, "eur", card="pm_card_fr", email=f"{n}@example.org").latest_charge
        for n in ("lost", "unsent")
    )
    sync.run_sync()
    # Stripe made this refund, but its answer never reached the console.
    answered = left_open("rq_lost", lost, "wb_o", email="a@example.org")
    made = gateway.create_refund(
        gateway.client(),
        charge_id=lost,
        metadata=gateway.RefundMetadata("rq_lost", answered.requested_by).to_stripe(),
        idempotency_key=answered.idempotency_key,
    )
    # This one was written, then the console stopped before asking Stripe.
    left_open("rq_unsent", unsent, "wb_o", email="a@example.org")

    assert operations.settle_after_sync() == []

    at_stripe = {r.charge: r for r in all_objects(client, "refunds")}
    assert set(at_stripe) == {lost, unsent}  # one refund each: none made twice
    assert at_stripe[lost].id == made["id"]
    for request_id, charge in (("rq_lost", lost), ("rq_unsent", unsent)):
        request = refund_requests.load(request_id)
        assert request["status"] == "succeeded"
        assert request["stripe_refund_id"] == at_stripe[charge].id
    assert refund_requests.open_request_ids(False) == []
    assert sorted(_entries("refund")) == ["fin@example.org", "fin@example.org"]


def test_a_pending_refund_that_succeeded_since_is_recorded(fresh_stripe):
    _webinar()
    client = fresh_stripe.client()
    charge = pay(client, "wb_o", 4900, "eur", card="pm_card_pendingRefund").latest_charge
    sync.run_sync()
    plan = refunds.plan_refund(FIN, charge, None)
    outcome = refunds.issue_refund(FIN, refunds.new_request_id(), plan)
    assert outcome.status == "pending"
    fresh_stripe.config(f"/_config/refunds/{outcome.stripe_refund_id}/status", status="succeeded")

    assert operations.settle_after_sync() == []

    assert refund_requests.load(outcome.request_id)["status"] == "succeeded"
    assert refund_requests.in_flight(False) == []
    assert _entries("refund succeeded") == ["sync@console"]


def test_when_stripe_cannot_be_reached_open_refunds_are_a_warning(fresh_stripe, monkeypatch):
    _webinar()
    charge = pay(fresh_stripe.client(), "wb_o", 4900, "eur", card="pm_card_fr").latest_charge
    sync.run_sync()
    left_open("rq_waiting", charge, "wb_o", email="a@example.org")
    monkeypatch.setattr(gateway, "MAX_NETWORK_RETRIES", 0)  # no retries to wait for
    monkeypatch.setenv("STRIPE_API_BASE", f"http://127.0.0.1:{free_port()}")

    [warning] = operations.settle_after_sync()

    assert warning.startswith("Open refunds were not checked: Could not reach Stripe.")
    assert refund_requests.open_request_ids(False) == ["rq_waiting"]  # for the next sync
    with i18n.speaking("fr"):  # a sync started from a page in French
        [warning] = operations.settle_after_sync()
    assert warning.startswith("Les remboursements en cours n'ont pas été vérifiés : ")


def test_with_no_key_and_nothing_open_settling_asks_nothing_of_stripe(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    assert operations.settle_after_sync() == []
