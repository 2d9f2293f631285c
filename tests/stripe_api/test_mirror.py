"""console/stripe_api/mirror.py: Stripe objects (as the local Stripe answers them) become
typed rows with the raw JSON beside them; an older state never replaces a newer one; a
row's livemode is the mode of the key that read it."""

from __future__ import annotations

import json
import time

import pytest

from console.settings import StripeSettings
from console.store import db
from console.stripe_api import gateway, mirror
from tests.payments import pay, refund
from tests.stripe_local_fixture import StripeLocal

LIVE_KEY = "sk_live_local_console"


def _gateway(local: StripeLocal, api_key: str) -> gateway.stripe.StripeClient:
    return gateway.client(StripeSettings(api_key, local.base_url))


@pytest.fixture(scope="module")
def objects(stripe_local) -> dict[str, dict]:
    """A test-mode payment with a partial refund and a disputed payment, and a live-mode
    payment with a refund: each object as the gateway reads it (plain JSON)."""
    test, live = stripe_local.client(), StripeLocal(stripe_local.base_url, LIVE_KEY).client()
    read, read_live = _gateway(stripe_local, stripe_local.api_key), _gateway(stripe_local, LIVE_KEY)
    settlement = gateway.retrieve_account(read)["default_currency"]
    foreign = "jpy" if settlement != "jpy" else "usd"  # converted to the settlement currency
    paid = pay(test, "wb_m", 5000, foreign, email="ada@example.org", name="Ada")
    partial = refund(test, paid.id, amount=1000)
    disputed = pay(test, "wb_m", 5000, foreign, card="pm_card_createDispute")
    live_paid = pay(live, "wb_live", 5000, foreign)
    live_refund = refund(live, live_paid.id)

    charge = gateway.request(
        read,
        "get",
        f"/v1/charges/{paid.latest_charge}",
        {"expand": ["balance_transaction", "payment_intent"]},
    )
    return {
        "charge": charge,
        "expanded_balance_transaction": charge["balance_transaction"],
        "payment_intent": gateway.retrieve_payment_intent(read, paid.id),
        "refund": gateway.retrieve_refund(read, partial.id),
        "dispute": gateway.latest_dispute(read, disputed.latest_charge),
        "live_charge": gateway.retrieve_charge(read_live, live_paid.latest_charge),
        "live_refund": gateway.retrieve_refund(read_live, live_refund.id),
    }


@pytest.fixture(scope="module")
def payout(fresh_servers) -> dict[str, dict]:
    """A payment five days ago, on a local Stripe of its own (its schedule starts with the
    first payment): paid out on the daily schedule, two days' delay, once a request at the
    present runs it. The payout, as listed and as an event carries it, and what it holds."""
    base_url, stop = fresh_servers.take()
    try:
        local = StripeLocal(base_url)
        pay(local.client(), "wb_m", 5000, "eur", at=int(time.time()) - 5 * 86400)
        read = _gateway(local, local.api_key)
        payout = gateway.list_page(read, "payouts", {"limit": 1})["data"][0]
        yield {
            "listed": payout,
            "as_in_an_event": gateway.request(read, "get", f"/v1/payouts/{payout['id']}"),
            "transactions": list(gateway.payout_transactions(read, payout["id"])),
        }
    finally:
        stop()


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))


def _save(stripe_object: dict, livemode: bool = False) -> None:
    with db.connect(write=True) as con:
        mirror.save(con, stripe_object, livemode)


def _row(table: str, object_id: str) -> dict:
    frame = db.query_frame(f"SELECT * FROM {table} WHERE id = ?", [object_id])  # noqa: S608
    [row] = frame.astype(object).to_dict("records")
    return row


def test_object_id_keeps_the_id_of_an_expandable_field():
    assert mirror.object_id("ch_1") == "ch_1"
    assert mirror.object_id({"id": "ch_1", "object": "charge"}) == "ch_1"
    assert mirror.object_id(None) is None


def test_a_charge_has_typed_columns_and_its_raw_json(objects, database):
    charge = objects["charge"]
    _save(charge)
    row = _row("stripe_charges", charge["id"])
    assert (row["amount"], row["currency"], row["status"], row["created"]) == (
        charge["amount"],
        charge["currency"],
        "succeeded",
        charge["created"],
    )
    # Expanded fields are kept as their ids.
    assert row["payment_intent"] == charge["payment_intent"]["id"]
    assert row["balance_transaction"] == charge["balance_transaction"]["id"]
    assert json.loads(row["metadata"]) == {
        "webinar_id": "wb_m",
        "registrant_email": "ada@example.org",
        "registrant_name": "Ada",
    }
    assert row["card_brand"] == charge["payment_method_details"]["card"]["brand"] == "visa"
    assert row["captured"] is True and row["failure_code"] is None
    assert json.loads(row["raw"]) == charge
    assert row["snapshot_at"] == charge["created"]  # save() dates the state at its creation


def test_a_payment_intent_row(objects, database):
    intent = objects["payment_intent"]
    _save(intent)
    row = _row("stripe_payment_intents", intent["id"])
    assert (row["amount"], row["currency"], row["status"], row["latest_charge"]) == (
        5000,
        intent["currency"],
        "succeeded",
        objects["charge"]["id"],
    )
    assert json.loads(row["metadata"])["webinar_id"] == "wb_m"
    assert json.loads(row["raw"]) == intent


def test_a_refund_row(objects, database):
    stripe_refund = objects["refund"]
    _save(stripe_refund)
    row = _row("stripe_refunds", stripe_refund["id"])
    assert (row["charge"], row["amount"], row["status"]) == (
        objects["charge"]["id"],
        1000,
        "succeeded",
    )
    assert row["payment_intent"] == objects["payment_intent"]["id"]
    assert row["balance_transaction"] == stripe_refund["balance_transaction"]
    assert json.loads(row["raw"]) == stripe_refund


def test_a_converted_balance_transaction_keeps_its_exchange_rate_as_text(objects, database):
    txn = objects["expanded_balance_transaction"]
    assert txn["exchange_rate"] is not None  # paid in another currency than it settles in
    _save(txn)
    row = _row("stripe_balance_transactions", txn["id"])
    assert row["exchange_rate"] == str(txn["exchange_rate"])
    assert (row["amount"], row["fee"], row["net"], row["currency"]) == (
        txn["amount"],
        txn["fee"],
        txn["net"],
        txn["currency"],
    )
    assert row["amount"] - row["fee"] == row["net"]
    assert (row["type"], row["reporting_category"], row["source"]) == (
        "charge",
        "charge",
        objects["charge"]["id"],
    )
    assert json.loads(row["fee_details"]) == txn["fee_details"]


def test_a_dispute_row_keeps_when_evidence_is_due(objects, database):
    dispute = objects["dispute"]
    _save(dispute)
    row = _row("stripe_disputes", dispute["id"])
    assert (row["amount"], row["status"], row["reason"]) == (
        dispute["amount"],
        dispute["status"],
        dispute["reason"],
    )
    assert row["due_by"] == dispute["evidence_details"]["due_by"]
    assert row["is_charge_refundable"] == dispute["is_charge_refundable"]


def test_livemode_is_the_mode_of_the_key_that_read_the_object(objects, database):
    # Stripe puts no livemode on a Refund: the row takes the key's mode.
    assert "livemode" not in objects["live_refund"]
    _save(objects["live_refund"], livemode=StripeSettings(LIVE_KEY, "").livemode)
    _save(objects["live_charge"], livemode=True)
    _save(objects["refund"], livemode=False)
    with db.connect() as con:
        modes = dict(
            con.execute(
                "SELECT id, livemode FROM stripe_refunds UNION ALL "
                "SELECT id, livemode FROM stripe_charges"
            ).fetchall()
        )
    assert modes == {
        objects["live_refund"]["id"]: True,
        objects["live_charge"]["id"]: True,
        objects["refund"]["id"]: False,
    }


def test_a_batch_takes_mirrored_types_only_and_the_newest_state_of_each(objects, database):
    batch = mirror.Batch(livemode=False)
    assert batch.add({"object": "event", "id": "evt_1"}, 10) is False
    assert batch.add({"object": "account", "id": "acct_1"}, 10) is False
    charge = objects["charge"]
    older = charge | {"status": "pending"}
    assert batch.add(older, 100) and batch.add(charge, 200) and batch.add(older, 150)
    assert batch.add(objects["refund"], 100)
    assert len(batch) == 2  # one row per object
    with db.connect(write=True) as con:
        assert batch.write(con) == 2
    row = _row("stripe_charges", charge["id"])
    assert (row["status"], row["snapshot_at"]) == ("succeeded", 200)
    assert _row("stripe_refunds", objects["refund"]["id"])["snapshot_at"] == 100


def test_a_batch_upserts_and_never_goes_back_to_an_older_state(objects, database):
    charge = objects["charge"]

    def write(state: dict, snapshot_at: int) -> int:
        batch = mirror.Batch(livemode=False)
        batch.add(state, snapshot_at)
        with db.connect(write=True) as con:
            return batch.write(con)

    assert write(charge | {"status": "pending"}, 100) == 1
    assert _row("stripe_charges", charge["id"])["status"] == "pending"
    write(charge, 200)
    assert _row("stripe_charges", charge["id"])["status"] == "succeeded"
    write(charge | {"status": "failed"}, 150)  # read earlier, arrived later
    row = _row("stripe_charges", charge["id"])
    assert (row["status"], row["snapshot_at"]) == ("succeeded", 200)
    assert json.loads(row["raw"])["status"] == "succeeded"
    with db.connect() as con:
        assert con.execute("SELECT count(*) FROM stripe_charges").fetchone() == (1,)


def test_within_a_batch_the_first_of_two_states_of_the_same_time_wins(objects, database):
    # Lists and events arrive newest first.
    batch = mirror.Batch(livemode=False)
    charge = objects["charge"]
    batch.add(charge, 100)
    batch.add(charge | {"status": "failed"}, 100)
    with db.connect(write=True) as con:
        batch.write(con)
    assert _row("stripe_charges", charge["id"])["status"] == "succeeded"


def test_an_empty_batch_writes_nothing(database):
    with db.connect(write=True) as con:
        assert mirror.Batch(livemode=True).write(con) == 0


def test_a_payout_row_and_its_bank_account_read_expanded(payout, database):
    payout = payout["listed"]
    assert isinstance(payout["destination"], dict)  # the list is read with it expanded
    _save(payout)
    row = _row("stripe_payouts", payout["id"])
    assert (row["amount"], row["currency"], row["status"], row["automatic"]) == (
        payout["amount"],
        payout["currency"],
        payout["status"],
        True,
    )
    assert row["destination"] == payout["destination"]["id"]
    assert row["balance_transaction"] == payout["balance_transaction"]
    assert row["arrival_date"] == payout["arrival_date"]
    destination = _row("stripe_payout_destinations", payout["destination"]["id"])
    assert (destination["object"], destination["last4"]) == ("bank_account", "6789")


def test_a_payout_read_again_without_its_bank_account_keeps_it(payout, database):
    _save(payout["listed"])
    later = payout["as_in_an_event"]
    assert isinstance(later["destination"], str)
    batch = mirror.Batch(livemode=False)
    batch.add(later, later["created"] + 1)
    with db.connect(write=True) as con:
        batch.write(con)
    assert _row("stripe_payouts", later["id"])["destination"] == later["destination"]
    assert _row("stripe_payout_destinations", later["destination"])["last4"] == "6789"


def test_what_a_payout_holds_is_written_once(payout, database):
    payout, listed = payout["listed"], payout["transactions"]
    own = [t for t in listed if t["source"] == payout["id"]]
    assert [t["type"] for t in own] == ["payout"]  # Stripe lists the payout's own too
    for _time in range(2):
        batch = mirror.Batch(livemode=False)
        batch.add_payout_contents(payout["id"], listed, payout["created"])
        with db.connect(write=True) as con:
            batch.write(con)
    held = db.query_frame("SELECT * FROM stripe_payout_transactions")
    assert sorted(held["balance_transaction"]) == sorted(t["id"] for t in listed)
    assert set(held["payout"]) == {payout["id"]} and not held["livemode"].any()
    mirrored = db.query_frame("SELECT id FROM stripe_balance_transactions")
    assert set(mirrored["id"]) == {t["id"] for t in listed}


def test_a_customers_card_is_no_payout_destination(database):
    # Events are read unfiltered: a `customer.source.created` carries a card of a customer.
    card = {"id": "card_1", "object": "card", "last4": "4242", "customer": "cus_1"}
    batch = mirror.Batch(livemode=False)
    assert batch.add(card, 1) is False
    assert len(batch) == 0
