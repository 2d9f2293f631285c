"""Issue 11's conformance suite: every request the local Stripe answered during this test
session, checked against the SDK's types (tests/devtools/stripe_local/recording.py).

tests/conftest.py runs these tests after every other one, browser tests included. The
first tests here check the audit itself on hand-made records.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.devtools.stripe_local import recording
from tests.devtools.stripe_local.support import SAMPLE_REFUND as REFUND

REFUND_PARAMS = {"charge": "ch_1", "amount": "500", "reason": "requested_by_customer"}


def _record(params=REFUND_PARAMS, status=200, body=REFUND, method="POST", path="/v1/refunds"):
    return {"method": method, "path": path, "params": params, "status": status, "body": body}


def _refused(code, message="refused", param="x"):
    error = {"type": "invalid_request_error", "message": message, "param": param}
    return {"error": {**error, "code": code} if code else error}


# -------------------------------------------------------------- the audit itself


def test_a_conforming_session_has_no_divergence():
    audit = recording.audit([_record(), _record(method="GET", path="/v1/refunds/re_1", params={})])
    assert audit.count == 2
    assert not audit.requests and not audit.objects


def test_a_parameter_stripe_refuses_must_be_refused_with_its_code_or_param():
    bad = {**REFUND_PARAMS, "payment_method_types": {"0": "card"}}
    message = "Received unknown parameter: payment_method_types"
    unknown = _refused("parameter_unknown", message, "payment_method_types")
    own_code = _refused(
        "payment_intent_invalid_parameter", "Use allowed_...", "payment_method_types"
    )
    too_small = _refused("amount_too_small", "Too small.", "amount")
    audit = recording.audit(
        [_record(bad, 400, unknown), _record(bad, 400, own_code)]
        + [_record(bad), _record(bad, 400, too_small)]
    )
    expected = f"Stripe answers 400 (parameter_unknown: {message})"
    assert list(audit.requests.counts) == [
        ("POST /v1/refunds", f"{expected}; got 200 (no error)"),
        ("POST /v1/refunds", f"{expected}; got 400 (amount_too_small: Too small.)"),
    ]


def test_a_refusal_before_the_parameters_is_not_judged_on_them():
    bad = {**REFUND_PARAMS, "payment_method_types": {"0": "card"}}
    key = {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}
    busy = {"error": {"type": "rate_limit_error", "message": "Too many requests"}}
    audit = recording.audit([_record(bad, 401, key), _record(bad, 429, busy)])
    assert not audit.requests


def test_a_request_the_params_type_allows_must_not_be_refused_for_a_parameter():
    unknown = _refused("parameter_unknown", "Received unknown parameter: reason")
    not_an_enum = _refused(None, "Invalid reason: must be one of duplicate or fraudulent")
    business = _refused("charge_already_refunded", "Charge ch_1 has already been refunded.")
    audit = recording.audit(
        [_record(status=400, body=unknown), _record(status=400, body=not_an_enum)]
        + [_record(status=400, body=business)]
    )
    assert sorted(problem for _, problem in audit.requests.counts) == [
        "refused a request its Params type allows: 400 Invalid reason: must be one of "
        "duplicate or fraudulent",
        "refused a request its Params type allows: 400 Received unknown parameter: reason",
    ]


def test_an_error_must_have_stripes_shape_and_one_of_its_codes():
    audit = recording.audit(
        [_record(status=400, body={"message": "no"}), _record(status=400, body=_refused("nope"))]
    )
    assert [problem for _, problem in audit.requests.counts] == [
        """answered 400 without Stripe's error shape: {"message": "no"}""",
        "answered 400 with nope (refused): nope is not a Stripe error code",
    ]


def test_unknown_urls_are_divergences_unless_answered_404():
    lost = {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}}
    audit = recording.audit(
        [
            _record(method="GET", path="/v1/nothing", params={}, status=404, body=lost),
            _record(method="GET", path="/v1/webinars", params={}, body={"object": "list"}),
        ]
    )
    assert [where for where, _ in audit.requests.counts] == ["GET /v1/webinars"]


def test_served_objects_are_checked_against_their_class_once_per_shape():
    with_livemode = {**REFUND, "livemode": False}
    lines = [_record(body={**with_livemode, "id": f"re_{n}", "amount": n}) for n in range(1000)]
    listed = {"object": "list", "data": [with_livemode], "has_more": False, "url": "/v1/refunds"}
    lines.append(_record(method="GET", path="/v1/refunds", params={"limit": "3"}, body=listed))
    audit = recording.audit(lines)
    assert audit.objects.counts == {
        ("POST /v1/refunds", "refund: unexpected field livemode"): 1000,
        ("GET /v1/refunds", "refund: unexpected field livemode"): 1,
    }
    assert len(audit._seen) == 4  # two request shapes, two body shapes


def test_objects_in_errors_are_checked_too():
    declined = _refused("card_declined", "Your card was declined.")
    declined["error"]["payment_intent"] = {"object": "payment_intent", "id": "pi_1"}
    params = {"amount": "1000", "currency": "eur", "payment_method": "pm_card_chargeDeclined"}
    audit = recording.audit([_record(params, 402, declined, path="/v1/payment_intents")])
    assert not audit.requests
    problem = ("POST /v1/payment_intents", "payment_intent: missing field amount")
    assert problem in audit.objects.counts


def test_the_report_groups_problems_by_route():
    divergences = recording.Divergences()
    for problem in ("b", "a", "b"):
        divergences.add("POST /v1/refunds", problem)
    divergences.add("GET /v1/charges", "c")
    assert divergences.report("Requests") == (
        "Requests: 3 distinct divergences\nGET /v1/charges\n  - c\n"
        "POST /v1/refunds\n  - a\n  - b  (x2)"
    )


def test_records_are_streamed_and_a_torn_last_line_is_skipped(tmp_path):
    (tmp_path / "1.jsonl").write_text(json.dumps(_record()) + "\n" + '{"method": "PO')
    (tmp_path / "2.jsonl").write_text(json.dumps(_record()) + "\n")
    assert len(list(recording.records(tmp_path))) == 2


def test_shape_keeps_what_the_checks_read():
    assert recording.shape({"id": "ch_3Nx9", "amount": 1}) == recording.shape(
        {"id": "ch_8Qa2", "amount": 2}
    )
    assert recording.shape({"status": "succeeded"}) != recording.shape({"status": "failed"})
    assert recording.shape({"amount": 1}) != recording.shape({"amount": True})
    assert recording.shape({"amount": "12"}) != recording.shape({"amount": "abc"})


# ----------------------------------------------------------------- the session


@pytest.fixture(scope="module")
def session_audit(request) -> recording.Audit:
    directory = Path(os.environ.get(recording.RECORD_ENV, ""))
    audit = recording.audit(recording.records(directory)) if directory.is_dir() else None
    if audit is None or not audit.count:
        if recording.used_local_stripe(request.session.items):
            pytest.fail(
                f"tests used the local Stripe but it recorded nothing in {directory}: does "
                f"console.devtools.stripe_local honour {recording.RECORD_ENV}?"
            )
        pytest.skip("no local Stripe ran in this session: run the whole suite (make test)")
    return audit


def test_every_request_is_answered_as_its_params_type_decides(session_audit):
    if session_audit.requests:
        pytest.fail(session_audit.requests.report(f"{session_audit.count} requests"), False)


def test_every_served_object_has_exactly_the_fields_of_its_class(session_audit):
    if session_audit.objects:
        pytest.fail(session_audit.objects.report(f"{session_audit.count} requests"), False)
