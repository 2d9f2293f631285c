"""console/devtools/stripe_local/errors.py: answers in Stripe's error shape
(https://docs.stripe.com/api/errors), and how the SDK reads them."""

from __future__ import annotations

import json

import pytest
import stripe

from console.devtools.stripe_local import errors
from console.devtools.stripe_local.errors import StripeError
from tests.stripe_local_fixture import StripeLocal


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, "invalid_request_error"),
        (401, "invalid_request_error"),
        (404, "invalid_request_error"),
        (409, "invalid_request_error"),
        (402, "card_error"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (503, "api_error"),
    ],
)
def test_the_type_follows_the_status(status, error_type):
    assert StripeError(status, "m").error["type"] == error_type


def test_an_explicit_type_wins():
    error = StripeError(400, "Keys for idempotent requests…", type="idempotency_error")
    assert error.error["type"] == "idempotency_error"


def test_the_smallest_error_is_type_and_message():
    error = StripeError(400, "Something is wrong.")
    assert error.error == {"type": "invalid_request_error", "message": "Something is wrong."}
    assert (error.status, error.validation, str(error)) == (400, False, "Something is wrong.")


def test_a_code_links_to_its_page():
    error = StripeError(404, "No such charge: 'ch_1'", code="resource_missing", param="id")
    assert error.error == {
        "type": "invalid_request_error",
        "message": "No such charge: 'ch_1'",
        "code": "resource_missing",
        "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
        "param": "id",
    }


def test_extra_fields_are_kept_unless_null():
    error = StripeError(
        402,
        "Your card has insufficient funds.",
        code="card_declined",
        decline_code="insufficient_funds",
        charge="ch_1",
        payment_intent=None,
    )
    assert error.error["decline_code"] == "insufficient_funds"
    assert error.error["charge"] == "ch_1"
    assert "payment_intent" not in error.error
    assert "param" not in error.error


def test_response_is_the_error_under_its_key_with_the_status():
    error = StripeError(402, "Your card was declined.", code="card_declined")
    response = error.response()
    assert response.status == 402
    assert response.content_type == "application/json"
    assert json.loads(response.body) == {"error": error.error}


def test_invalid_is_a_400_validation_error():
    error = errors.invalid("Bad thing.", param="amount", code="parameter_invalid_integer")
    assert (error.status, error.validation) == (400, True)
    assert (error.error["param"], error.error["code"]) == ("amount", "parameter_invalid_integer")
    assert "code" not in errors.invalid("Bad thing.").error


def test_invalid_param_names_the_parameter_without_a_code():
    error = errors.invalid_param("limit", "This value must be greater than or equal to 1.")
    assert error.error == {
        "type": "invalid_request_error",
        "message": "This value must be greater than or equal to 1.",
        "param": "limit",
    }
    assert error.validation is True


def test_missing_param():
    error = errors.missing_param("amount")
    assert error.status == 400
    assert error.error["message"] == "Missing required param: amount."
    assert (error.error["code"], error.error["param"]) == ("parameter_missing", "amount")
    assert error.validation is True


def test_refused_is_saved_for_replay():
    """A refusal caused by the objects' state is an answer: idempotent replays repeat it."""
    error = errors.refused("Charge ch_1 has already been refunded.", "charge_already_refunded")
    assert (error.status, error.validation) == (400, False)
    assert error.error["code"] == "charge_already_refunded"
    assert "param" not in error.error
    assert errors.refused("x", None, param="amount").error["param"] == "amount"


def test_no_such():
    error = errors.no_such("refund", "re_123")
    assert error.status == 404
    assert error.error["message"] == "No such refund: 're_123'"
    assert (error.error["code"], error.error["param"]) == ("resource_missing", "id")
    assert error.validation is True
    assert errors.no_such("charge", "ch_1", param="charge").error["param"] == "charge"


def test_the_sdk_reads_a_decline_from_the_error_shape(stripe_local: StripeLocal) -> None:
    params = {
        "amount": 4900,
        "currency": "usd",
        "payment_method": "pm_card_chargeDeclinedInsufficientFunds",
        "confirm": True,
    }
    with pytest.raises(stripe.CardError) as excinfo:
        stripe_local.client().v1.payment_intents.create(params=params)
    error = excinfo.value
    assert (error.http_status, error.code) == (402, "card_declined")
    assert error.error.decline_code == "insufficient_funds"
    assert error.error.type == "card_error"
    assert error.error.doc_url == "https://stripe.com/docs/error-codes/card-declined"
    assert error.user_message == "Your card has insufficient funds."
    assert error.request_id.startswith("req_")
