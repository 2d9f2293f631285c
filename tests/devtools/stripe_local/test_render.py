"""console/devtools/stripe_local/render.py: answers as JSON, with `expand[]` as Stripe documents
it (https://docs.stripe.com/api/expanding_objects). Runs in-process on a store of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from console.devtools.stripe_local import store
from console.devtools.stripe_local.errors import StripeError
from console.devtools.stripe_local.render import expanded, reply
from console.devtools.stripe_local.shapes import fresh


@pytest.fixture
def data() -> Iterator[store.ModeData]:
    """A request context on an empty in-memory store, in test mode."""
    state = store.Store(None)
    token = store.enter(store.RequestContext(store=state, data=state.modes[False]))
    try:
        yield state.modes[False]
    finally:
        store.leave(token)


def _txn(data: store.ModeData, txn_id: str, amount: int) -> dict:
    obj = {"id": txn_id, "object": "balance_transaction", "created": 1, "amount": amount}
    return data.add(obj)


def _charge(data: store.ModeData, charge_id: str, txn_id: str | None, **private) -> dict:
    obj = {
        "id": charge_id,
        "object": "charge",
        "created": 2,
        "balance_transaction": txn_id,
        "customer": None,
        "refunds": None,
    }
    return data.add(obj, **private)


def test_nothing_to_expand_returns_the_object_itself(data):
    charge = _charge(data, "ch_1", None)
    assert expanded(charge, None) is charge
    assert expanded(charge, []) is charge


def test_an_id_becomes_the_object(data):
    txn = _txn(data, "txn_1", 4900)
    charge = _charge(data, "ch_1", "txn_1")
    shown = expanded(charge, ["balance_transaction"])
    assert shown["balance_transaction"] == txn
    assert shown["id"] == "ch_1"


def test_expanding_changes_neither_the_stored_object_nor_its_target(data):
    _txn(data, "txn_1", 4900)
    charge = _charge(data, "ch_1", "txn_1")
    shown = expanded(charge, ["balance_transaction"])
    assert charge["balance_transaction"] == "txn_1"
    shown["balance_transaction"]["amount"] = 1
    assert data.objects["txn_1"]["amount"] == 4900


def test_one_path_may_be_given_as_a_string(data):
    _txn(data, "txn_1", 4900)
    charge = _charge(data, "ch_1", "txn_1")
    assert expanded(charge, "balance_transaction")["balance_transaction"]["id"] == "txn_1"


def test_data_dot_expands_every_item_of_a_list(data):
    _txn(data, "txn_1", 100)
    _txn(data, "txn_2", 200)
    page = {
        "object": "list",
        "data": [_charge(data, "ch_1", "txn_1"), _charge(data, "ch_2", "txn_2")],
        "has_more": False,
        "url": "/v1/charges",
    }
    shown = expanded(page, ["data.balance_transaction"])
    assert [c["balance_transaction"]["amount"] for c in shown["data"]] == [100, 200]
    assert [c["balance_transaction"] for c in page["data"]] == ["txn_1", "txn_2"]


def test_dotted_paths_expand_nested_ids(data):
    _txn(data, "txn_1", 4900)
    _charge(data, "ch_1", "txn_1")
    refund = data.add({"id": "re_1", "object": "refund", "created": 3, "charge": "ch_1"})
    shown = expanded(refund, ["charge.balance_transaction"])
    assert shown["charge"]["id"] == "ch_1"
    assert shown["charge"]["balance_transaction"]["amount"] == 4900


def test_several_paths(data):
    _txn(data, "txn_1", 4900)
    _charge(data, "ch_1", "txn_1")
    data.add({"id": "pi_1", "object": "payment_intent", "created": 2})
    refund = data.add(
        {"id": "re_1", "object": "refund", "created": 3, "charge": "ch_1", "payment_intent": "pi_1"}
    )
    shown = expanded(refund, ["charge", "payment_intent"])
    assert (shown["charge"]["object"], shown["payment_intent"]["object"]) == (
        "charge",
        "payment_intent",
    )


def test_a_null_field_stays_null(data):
    charge = _charge(data, "ch_1", None)
    assert expanded(charge, ["customer"])["customer"] is None


def test_a_charges_refunds_are_listed_newest_first_when_expanded(data):
    refunds = [
        data.add({"id": f"re_{n}", "object": "refund", "created": n, "charge": "ch_1"})
        for n in (1, 2)
    ]
    charge = _charge(data, "ch_1", None, refunds=[r["id"] for r in refunds])
    assert expanded(charge, ["refunds"])["refunds"] == {
        "object": "list",
        "data": [refunds[1], refunds[0]],
        "has_more": False,
        "url": "/v1/charges/ch_1/refunds",
    }
    assert charge["refunds"] is None  # only filled in when expanded


def test_a_charge_without_refunds_expands_to_an_empty_list(data):
    charge = _charge(data, "ch_1", None)
    assert expanded(charge, ["refunds"])["refunds"]["data"] == []


@pytest.mark.parametrize("path", ["nonexistent", "balance_transaction.nonexistent"])
def test_a_field_that_does_not_exist_cannot_be_expanded(data, path):
    _txn(data, "txn_1", 4900)
    charge = _charge(data, "ch_1", "txn_1")
    with pytest.raises(StripeError) as excinfo:
        expanded(charge, [path])
    assert excinfo.value.status == 400
    assert excinfo.value.error["message"] == f"This property cannot be expanded ({path})."
    assert excinfo.value.error["param"] == "expand"


def test_an_id_of_no_stored_object_cannot_be_expanded(data):
    charge = _charge(data, "ch_1", "txn_missing")
    with pytest.raises(StripeError) as excinfo:
        expanded(charge, ["balance_transaction"])
    assert (
        excinfo.value.error["message"] == "This property cannot be expanded (balance_transaction)."
    )


def test_reply_answers_json_expanded_as_the_parameters_ask(data):
    _txn(data, "txn_1", 4900)
    charge = _charge(data, "ch_1", "txn_1")
    plain = reply(fresh(charge))
    assert (plain.status, plain.content_type) == (200, "application/json")
    assert json.loads(plain.body)["balance_transaction"] == "txn_1"
    with_expand = reply(charge, {"expand": ["balance_transaction"], "limit": "3"})
    assert json.loads(with_expand.body)["balance_transaction"]["amount"] == 4900
