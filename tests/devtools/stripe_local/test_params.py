"""console/devtools/stripe_local/params.py: Stripe's form encoding unflattened, typed reads of
its values, metadata updates, and the bodies of the test controls."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from console.devtools.stripe_local.errors import StripeError
from console.devtools.stripe_local.params import (
    as_bool,
    as_hash,
    as_int,
    as_list,
    as_str,
    metadata_update,
    unflatten,
)
from tests.devtools.stripe_local.support import raw
from tests.stripe_local_fixture import StripeLocal


def _form(query: str) -> dict:
    """A form body as the server reads it (parse_qsl keeps blank values)."""
    return unflatten(urllib.parse.parse_qsl(query, keep_blank_values=True))


# --- unflatten ---------------------------------------------------------------------------


def test_plain_names_stay_flat():
    assert _form("amount=4900&currency=eur") == {"amount": "4900", "currency": "eur"}


def test_brackets_make_hashes_at_any_depth():
    assert _form("card[number]=4242&card[exp_month]=12&a[b][c]=d") == {
        "card": {"number": "4242", "exp_month": "12"},
        "a": {"b": {"c": "d"}},
    }


def test_empty_brackets_append():
    assert _form("expand[]=data.charge&expand[]=data.customer") == {
        "expand": ["data.charge", "data.customer"]
    }


def test_indexed_arrays_are_lists_in_numeric_order():
    """stripe-python encodes arrays as types[0]=a&types[1]=b; types[10] comes after [2]."""
    pairs = [(f"types[{i}]", f"t{i}") for i in (10, 2, 0, 1, 3, 4, 5, 6, 7, 8, 9)]
    assert unflatten(pairs) == {"types": [f"t{i}" for i in range(11)]}


def test_arrays_of_hashes():
    assert _form("items[0][price]=p1&items[1][price]=p2&items[1][quantity]=2") == {
        "items": [{"price": "p1"}, {"price": "p2", "quantity": "2"}]
    }


def test_percent_encoded_names_and_values():
    query = urllib.parse.urlencode({"metadata[registrant_name]": "Zoë & Ada", "q": "a=b"})
    assert _form(query) == {"metadata": {"registrant_name": "Zoë & Ada"}, "q": "a=b"}


def test_a_blank_value_is_kept_as_the_empty_string():
    """Stripe reads an empty value as "unset this parameter"."""
    assert _form("description=&metadata[key]=") == {"description": "", "metadata": {"key": ""}}


def test_nothing_unflattens_to_an_empty_dict():
    assert unflatten([]) == {}


def test_a_value_then_a_hash_of_the_same_name_is_refused():
    with pytest.raises(StripeError) as excinfo:
        _form("card=tok_visa&card[number]=4242")
    assert excinfo.value.status == 400
    assert excinfo.value.error["message"] == "Invalid hash: card[number]"
    assert excinfo.value.error["param"] == "card[number]"


def test_the_last_value_of_a_repeated_name_wins():
    assert _form("amount=100&amount=200") == {"amount": "200"}


def test_a_metadata_hash_with_digit_keys_stays_a_hash():
    assert _form("metadata[2024]=yes") == {"metadata": {"2024": "yes"}}


# --- typed reads -------------------------------------------------------------------------


def test_as_str():
    assert as_str({"email": "a@example.org"}, "email") == "a@example.org"
    assert as_str({}, "email") is None
    assert as_str({}, "email", "fallback") == "fallback"
    with pytest.raises(StripeError) as excinfo:
        as_str({"email": {"x": "y"}}, "email")
    assert excinfo.value.error["message"] == "Invalid string: {'x': 'y'}"
    assert excinfo.value.error["param"] == "email"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("4900", 4900), (" 7 ", 7), ("-3", -3), ("0", 0), (12, 12)],
)
def test_as_int_reads_integers(value, expected):
    assert as_int({"amount": value}, "amount") == expected


def test_as_int_default_when_absent():
    assert as_int({}, "limit") is None
    assert as_int({}, "limit", 10) == 10


@pytest.mark.parametrize("value", ["4.5", "1e3", "", "ten", True, ["1"], {"a": "1"}])
def test_as_int_refuses_what_is_not_an_integer(value):
    with pytest.raises(StripeError) as excinfo:
        as_int({"amount": value}, "amount")
    error = excinfo.value.error
    assert error["message"] == f"Invalid integer: {value}"
    assert (error["code"], error["param"]) == ("parameter_invalid_integer", "amount")
    assert excinfo.value.status == 400


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("false", False), ("TRUE", True), ("False", False), (True, True)],
)
def test_as_bool_reads_booleans(value, expected):
    assert as_bool({"confirm": value}, "confirm") is expected


def test_as_bool_default_when_absent():
    assert as_bool({}, "confirm") is False
    assert as_bool({}, "confirm", True) is True


@pytest.mark.parametrize("value", ["yes", "1", ""])
def test_as_bool_refuses_other_words(value):
    with pytest.raises(StripeError) as excinfo:
        as_bool({"confirm": value}, "confirm")
    assert excinfo.value.error["message"] == f"Invalid boolean: {value}"
    assert excinfo.value.error["param"] == "confirm"


def test_as_hash():
    assert as_hash({"card": {"number": "4242"}}, "card") == {"number": "4242"}
    assert as_hash({}, "card") is None
    assert as_hash({"card": ""}, "card") is None  # an empty value unsets it
    with pytest.raises(StripeError) as excinfo:
        as_hash({"card": "tok_visa"}, "card")
    assert excinfo.value.error["message"] == "Invalid hash: card"


def test_as_list():
    assert as_list({"expand": ["a", "b"]}, "expand") == ["a", "b"]
    assert as_list({"expand": "a"}, "expand") == ["a"]  # one value, as Stripe takes it
    assert as_list({}, "expand") is None
    with pytest.raises(StripeError) as excinfo:
        as_list({"expand": {"a": "b"}}, "expand")
    assert excinfo.value.error["message"] == "Invalid array: expand"


# --- metadata ----------------------------------------------------------------------------


def test_metadata_merges_keys():
    current = {"webinar_id": "wb_1", "registrant_email": "a@example.org"}
    merged = metadata_update(current, {"metadata": {"registrant_email": "b@example.org"}})
    assert merged == {"webinar_id": "wb_1", "registrant_email": "b@example.org"}
    assert current["registrant_email"] == "a@example.org"  # the current one is not changed


def test_an_empty_value_unsets_one_key():
    merged = metadata_update({"a": "1", "b": "2"}, {"metadata": {"a": "", "missing": ""}})
    assert merged == {"b": "2"}


def test_an_empty_metadata_unsets_every_key():
    assert metadata_update({"a": "1"}, {"metadata": ""}) == {}


def test_no_metadata_parameter_keeps_the_current_metadata():
    current = {"a": "1"}
    assert metadata_update(current, {"description": "x"}) == {"a": "1"}


def test_metadata_values_are_strings():
    assert metadata_update({}, {"metadata": {"seats": 3}}) == {"seats": "3"}


def test_metadata_must_be_a_hash():
    with pytest.raises(StripeError) as excinfo:
        metadata_update({}, {"metadata": "webinar"})
    assert excinfo.value.error["message"] == "Invalid hash: metadata"
    assert excinfo.value.error["param"] == "metadata"


# --- control bodies (JSON or a form), through the session's server -------------------------
# The fault set here matches no API path, and is cleared again.


def test_a_control_reads_json_or_a_form(stripe_local: StripeLocal) -> None:
    base = stripe_local.base_url
    as_json = json.dumps({"status": 503, "every": 3, "path_prefix": "/v1/nothing"}).encode()
    as_form = b"status=429&every=2&path_prefix=%2Fv1%2Fnothing"
    try:
        status, _, body = raw(
            base, "/_config/faults", key=None, data=as_json, content_type="application/json"
        )
        assert (status, json.loads(body)) == (
            200,
            {"status": 503, "every": 3, "path_prefix": "/v1/nothing"},
        )
        status, _, body = raw(base, "/_config/faults", key=None, data=as_form)
        assert (status, json.loads(body)) == (
            200,
            {"status": 429, "every": 2, "path_prefix": "/v1/nothing"},
        )
    finally:
        raw(base, "/_config/faults", key=None, method="DELETE")


def test_a_control_body_must_be_a_json_object(stripe_local: StripeLocal) -> None:
    status, _, body = raw(
        stripe_local.base_url,
        "/_config/faults",
        key=None,
        data=b"[503]",
        content_type="application/json",
    )
    assert status == 400
    assert json.loads(body)["error"] == {
        "type": "invalid_request_error",
        "message": "Send a JSON object.",
        "param": "body",
    }


def test_a_control_without_a_body_reads_as_empty(stripe_local: StripeLocal) -> None:
    status, _, body = raw(stripe_local.base_url, "/_config/faults", key=None, method="POST")
    assert status == 400
    assert json.loads(body)["error"]["message"] == "status must be one of 429, 500, 503"
