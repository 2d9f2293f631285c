"""console.devtools.stripe_local.contract: Stripe's contract as the installed stripe-python
states it, checked on hand-made requests and objects (no server)."""

from __future__ import annotations

from stripe.params import (
    ChargeListParams,
    DisputeUpdateParams,
    EventListParams,
    PaymentIntentConfirmParams,
    PaymentIntentCreateParams,
    PaymentMethodCreateParams,
    RefundCreateParams,
)

from console.devtools.stripe_local import contract
from tests.devtools.stripe_local.support import SAMPLE_REFUND

FEE = {
    "amount": 59,
    "application": None,
    "currency": "eur",
    "description": None,
    "type": "stripe_fee",
}
BALANCE_TRANSACTION = {
    "id": "txn_1",
    "object": "balance_transaction",
    "amount": 2500,
    "available_on": 1_700_172_800,
    "balance_type": "payments",
    "created": 1_700_000_000,
    "currency": "eur",
    "description": "Webinar: Python for finance",
    "exchange_rate": None,
    "fee": 59,
    "fee_details": [FEE],
    "net": 2441,
    "reporting_category": "charge",
    "source": "ch_1",
    "status": "pending",
    "type": "charge",
}
REFUND = {**SAMPLE_REFUND, "balance_transaction": "txn_2", "metadata": {"request_id": "rr_1"}}


def _codes(method, path, params):
    return [(p.param, p.code) for p in contract.request_problems(method, path, params)]


# --------------------------------------------------------------------------- routes


def test_the_route_table_is_read_from_every_service_of_the_sdk():
    routes = contract.routes()
    assert routes["post", "/v1/payment_intents"].params is PaymentIntentCreateParams
    assert routes["post", "/v1/payment_intents/{intent}/confirm"].params is (
        PaymentIntentConfirmParams
    )
    assert routes["post", "/v1/refunds"].params is RefundCreateParams
    assert routes["get", "/v1/events"].params is EventListParams
    assert routes["get", "/v1/charges"].params is ChargeListParams
    assert routes["post", "/v1/payment_methods"].params is PaymentMethodCreateParams
    assert routes["post", "/v1/disputes/{dispute}"].params is DisputeUpdateParams
    assert routes["get", "/v1/events"].returns == "ListObject[Event]"
    assert routes["post", "/v1/refunds"].returns == "Refund"
    # Nested services and test helpers are services too.
    assert ("get", "/v1/payment_intents/{intent}/amount_details_line_items") in routes
    assert ("post", "/v1/test_helpers/refunds/{refund}/expire") in routes
    # A route that only a resource class calls (StripeClient has no charges.refunds).
    assert routes["get", "/v1/charges/{charge}/refunds"].caller == "Charge.list_refunds"
    assert len(routes) > 600


def test_a_variable_matches_one_segment_and_a_literal_wins():
    def template(method, path):
        route = contract.route_for(method, path)
        return route and route.template

    assert template("POST", "/v1/payment_intents/pi_1/confirm") == (
        "/v1/payment_intents/{intent}/confirm"
    )
    assert template("GET", "/v1/payment_intents/search") == "/v1/payment_intents/search"
    assert template("GET", "/v1/payment_intents/pi_1") == "/v1/payment_intents/{intent}"
    assert template("get", "/v1/charges?limit=3") == "/v1/charges"
    assert template("GET", "/v1/payment_intents/pi_1/confirm") is None  # a POST only
    assert template("GET", "/v1/charges/ch_1/refunds/re_1/extra") is None
    assert template("GET", "/v1/webinars") is None


# ------------------------------------------------------------------------- requests


def test_payment_method_types_is_gone_from_payment_intents_at_this_version():
    # Stripe removed it in 2026-09-30.endive; allowed_payment_method_types replaces it.
    assert "payment_method_types" not in PaymentIntentCreateParams.__annotations__
    assert "allowed_payment_method_types" in PaymentIntentCreateParams.__annotations__
    intent = {"amount": "2500", "currency": "eur"}
    [problem] = contract.request_problems(
        "POST", "/v1/payment_intents", {**intent, "payment_method_types": {"0": "card"}}
    )
    # Refused with the code the changelog documents, not as an unknown parameter.
    assert (problem.param, problem.code, problem.status) == (
        "payment_method_types",
        "payment_method_types_no_longer_supported",
        400,
    )
    assert "payment_method_types_no_longer_supported" in contract.error_codes()
    allowed = {**intent, "allowed_payment_method_types": ["card"]}
    assert contract.request_problems("POST", "/v1/payment_intents", allowed) == []


def test_the_sdks_own_options_are_not_parameters():
    intent = {"amount": "2500", "currency": "eur", "api_key": "sk", "idempotency_key": "k"}
    assert _codes("POST", "/v1/payment_intents", intent) == [
        ("api_key", "parameter_unknown"),
        ("idempotency_key", "parameter_unknown"),
    ]


def test_unknown_keys_are_refused_at_any_depth_but_metadata_takes_any():
    params = {
        "type": "card",
        "card": {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030"},
        "billing_details": {"address": {"city": "Lyon", "planet": "Earth"}},
        "metadata": {"webinar_id": "wb_1", "anything": "goes"},
    }
    [problem] = contract.request_problems("POST", "/v1/payment_methods", params)
    assert problem.param == "billing_details[address][planet]"
    assert problem.message == "Received unknown parameter: billing_details[address][planet]"
    assert _codes("GET", "/v1/events", {"created": {"gte": "1", "after": "2"}}) == [
        ("created[after]", "parameter_unknown")
    ]


def test_missing_required_params():
    problems = contract.request_problems("POST", "/v1/payment_intents", {"currency": "eur"})
    assert [(p.param, p.code, p.message) for p in problems] == [
        ("amount", "parameter_missing", "Missing required param: amount.")
    ]


def test_values_of_the_wrong_type_or_outside_an_enum():
    params = {
        "amount": "abc",
        "currency": "eur",
        "capture_method": "sometimes",
        "confirm": "maybe",
    }
    problems = contract.request_problems("POST", "/v1/payment_intents", params)
    assert [(p.param, p.code, p.message) for p in problems] == [
        ("amount", "parameter_invalid_integer", "Invalid integer: abc"),
        (
            "capture_method",
            None,
            "Invalid capture_method: must be one of automatic, automatic_async, or manual",
        ),
        ("confirm", None, "Invalid boolean: maybe"),
    ]


def test_an_enum_the_sdk_leaves_open_is_still_closed_for_a_request():
    # RefundCreateParams.reason is "Literal[...]|str" in the SDK (new values may come).
    assert _codes("POST", "/v1/refunds", {"charge": "ch_1", "reason": "because"}) == [
        ("reason", None)
    ]
    assert _codes("POST", "/v1/refunds", {"charge": "ch_1", "reason": "duplicate"}) == []


def test_a_union_takes_any_of_its_shapes():
    assert _codes("GET", "/v1/charges", {"created": "1700000000"}) == []
    assert _codes("GET", "/v1/charges", {"created": {"gte": "1700000000", "lt": "2"}}) == []
    assert _codes("GET", "/v1/charges", {"created": "yesterday"}) == [
        ("created", "parameter_invalid_integer")
    ]
    assert _codes("POST", "/v1/payment_intents/pi_1", {"off_session": "one_off"}) == [
        ("off_session", "parameter_unknown")  # confirm-time only
    ]
    confirm = "/v1/payment_intents/pi_1/confirm"
    assert _codes("POST", confirm, {"off_session": "one_off"}) == []
    assert _codes("POST", confirm, {"off_session": "true"}) == []


def test_empty_strings_unset_only_what_can_be_unset():
    update = "/v1/payment_intents/pi_1"
    assert _codes("POST", update, {"metadata": ""}) == []  # Literal[''] in the type
    assert _codes("POST", update, {"metadata": {"webinar_id": ""}}) == []  # unsets one key
    assert _codes("POST", "/v1/payment_intents", {"amount": "1", "currency": ""}) == [
        ("currency", "parameter_invalid_empty")
    ]


def test_lists_arrive_as_lists_or_as_indexes_and_expand_is_always_accepted():
    for types in (["charge.succeeded", "charge.refunded"], {"0": "charge.succeeded"}):
        assert _codes("GET", "/v1/events", {"types": types, "expand": ["data.source"]}) == []
    assert _codes("GET", "/v1/balance", {"expand": {"0": "instant_available"}}) == []
    assert _codes("GET", "/v1/events", {"types": "charge.succeeded"}) == [("types", None)]


def test_an_unknown_url_is_a_404():
    [problem] = contract.request_problems("GET", "/v1/webinars", {})
    assert problem.status == 404 and problem.code is None
    assert problem.message.startswith("Unrecognized request URL (GET: /v1/webinars). ")


def test_the_error_response_has_stripes_shape():
    problems = contract.request_problems("POST", "/v1/refunds", {"charge": "ch_1", "amout": "5"})
    assert contract.error_response(problems) == (
        400,
        {
            "error": {
                "type": "invalid_request_error",
                "code": "parameter_unknown",
                "doc_url": "https://stripe.com/docs/error-codes/parameter-unknown",
                "message": "Received unknown parameter: amout",
                "param": "amout",
            }
        },
    )
    enum = contract.request_problems("POST", "/v1/refunds", {"reason": "because"})
    status, body = contract.error_response(enum)
    assert status == 400 and "code" not in body["error"]


def test_error_codes_are_the_apis():
    codes = contract.error_codes()
    assert {"card_declined", "resource_missing", "idempotency_key_in_use"} <= codes
    assert contract.PARAMETER_CODES <= codes
    assert "parameter_invalid" not in codes  # enums and booleans are refused with no code


def test_parameter_errors_are_told_from_other_refusals():
    for problems in (
        contract.request_problems("POST", "/v1/refunds", {"amout": "5"}),
        contract.request_problems("POST", "/v1/refunds", {"reason": "because"}),
        contract.request_problems("POST", "/v1/refunds", {"amount": "five"}),
        contract.request_problems("GET", "/v1/webinars", {}),
    ):
        assert contract.is_parameter_error(contract.error_response(problems)[1]["error"])
    declined = {"type": "card_error", "code": "card_declined", "message": "Declined."}
    refunded = {"type": "invalid_request_error", "code": "charge_already_refunded"}
    assert not contract.is_parameter_error(declined)
    assert not contract.is_parameter_error(refunded)


# -------------------------------------------------------------------------- objects


def test_conforming_objects_have_no_problem():
    assert contract.object_problems(BALANCE_TRANSACTION) == []
    assert contract.object_problems(REFUND) == []


def test_a_refund_or_a_balance_transaction_has_no_livemode():
    assert contract.object_problems({**REFUND, "livemode": False}) == [
        "refund: unexpected field livemode"
    ]
    assert contract.object_problems({**BALANCE_TRANSACTION, "livemode": True}) == [
        "balance_transaction: unexpected field livemode"
    ]


def test_a_missing_field():
    served = {k: v for k, v in BALANCE_TRANSACTION.items() if k != "balance_type"}
    assert contract.object_problems(served) == ["balance_transaction: missing field balance_type"]


def test_values_of_another_type():
    served = {
        **BALANCE_TRANSACTION,
        "amount": "2500",  # a string is not an int
        "fee": True,  # nor is a bool
        "exchange_rate": 1,  # JSON writes 1.0 as 1: a float
        "description": None,  # Optional
        "fee_details": [{**FEE, "amount": 5.9}],
    }
    assert contract.object_problems(served) == [
        "balance_transaction.amount: expected int, got str",
        "balance_transaction.fee: expected int, got bool",
        "balance_transaction.fee_details[].amount: expected int, got float",
    ]
    assert contract.object_problems({**REFUND, "amount": None, "metadata": {"n": 1}}) == [
        "refund.amount: expected int, got null",
        "refund.metadata.n: expected str, got int",
    ]


def _event(refund, **fields):
    event = {
        "id": "evt_1",
        "object": "event",
        "account": None,
        "api_version": "2026-10-28.endive",
        "context": None,
        "created": 1_700_000_000,
        "data": {"object": refund, "previous_attributes": None},
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": None, "idempotency_key": None},
        "type": "refund.created",
    }
    return {**event, **fields}


def test_literals_are_closed_unless_the_sdk_opens_them():
    assert contract.object_problems(_event(REFUND)) == []
    [problem] = contract.object_problems(_event(REFUND, type="refund.made"))
    assert problem.startswith('event.type: "refund.made" is not one of "account.application')
    assert contract.object_problems({**REFUND, "object": "refunds"}) == [
        'refunds: unknown object type "refunds"'
    ]
    # BalanceTransaction.type is Literal[...] | str: a type Stripe adds later is still a type.
    assert contract.object_problems({**BALANCE_TRANSACTION, "type": "new_kind"}) == []


def test_an_events_object_is_checked_against_its_own_class():
    served = _event({**REFUND, "livemode": False}, request=None)
    assert contract.object_problems(served) == ["refund: unexpected field livemode"]


def test_expandable_fields_take_an_id_or_the_object():
    expanded = {**REFUND, "balance_transaction": BALANCE_TRANSACTION}
    assert contract.object_problems(expanded) == []
    wrong = {**REFUND, "balance_transaction": {**BALANCE_TRANSACTION, "fee": "59"}}
    assert contract.object_problems(wrong) == ["balance_transaction.fee: expected int, got str"]
    as_refund = {**REFUND, "balance_transaction": REFUND}
    assert contract.object_problems(as_refund) == [
        "refund.balance_transaction: expected str or balance_transaction, got object"
    ]


def test_lists_and_what_a_route_returns():
    page = {"object": "list", "data": [REFUND], "has_more": False, "url": "/v1/refunds"}
    assert contract.object_problems(page) == []
    assert contract.response_problems("GET", "/v1/refunds", page) == []
    assert contract.response_problems("GET", "/v1/charges", page) == [
        'list.data[]: expected a charge, got "refund"'
    ]
    assert contract.object_problems({**page, "total": 1, "has_more": "no"}) == [
        "list: unexpected field total",
        "list.has_more: expected bool, got str",
    ]
    search = {"object": "search_result", "data": [], "has_more": False, "url": "/v1/x"}
    assert contract.object_problems({**search, "next_page": None}) == []
    assert contract.object_problems(search) == ["search_result: missing field next_page"]
