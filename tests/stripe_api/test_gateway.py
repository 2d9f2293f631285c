"""The gateway is the one place that knows Stripe's paths and the payment metadata keys."""

from __future__ import annotations

import ast
from pathlib import Path

from console.stripe_api import gateway
from tests import REPO

CONSOLE = REPO / "console"
# The local Stripe is Stripe's side; migrations hold SQL views over the mirrored metadata.
ELSEWHERE = ("devtools", "migrations")
METADATA_KEYS = {"webinar_id", "registrant_email", "registrant_name", "registrant_id"}


def _modules() -> list[Path]:
    return [
        path
        for path in CONSOLE.rglob("*.py")
        if path.name != "gateway.py" and not set(path.relative_to(CONSOLE).parts) & set(ELSEWHERE)
    ]


def test_no_other_module_builds_a_stripe_path():
    found = [
        f"{path.relative_to(CONSOLE)}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("/v1/")
    ]
    assert found == []


def _marked_for_translation(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_"


def test_no_other_module_writes_payment_metadata():
    found = [
        f"{path.relative_to(CONSOLE)}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text()))
        # A payment's metadata names the webinar and the registrant together (column
        # headings for people, N_("…") each, name them too: they are not metadata).
        if isinstance(node, ast.Dict)
        and len({k.value for k in node.keys if isinstance(k, ast.Constant)} & METADATA_KEYS) > 1
        and not all(_marked_for_translation(value) for value in node.values)
    ]
    assert found == []


def test_payment_metadata_is_the_contract_of_design_md():
    metadata = gateway.PaymentMetadata("wb_1", "ada@example.org", "Ada", "reg_1")
    assert metadata.to_stripe() == {
        "webinar_id": "wb_1",
        "registrant_email": "ada@example.org",
        "registrant_name": "Ada",
        "registrant_id": "reg_1",
    }
    assert "registrant_id" not in gateway.PaymentMetadata("wb_1", "a@b.c", "A").to_stripe()
    assert gateway.PaymentMetadata.registrant_id_of({"metadata": metadata.to_stripe()}) == ("reg_1")


def test_every_list_the_sync_mirrors_has_a_path():
    from console.settings import STREAMS

    assert {stream for stream, _table in STREAMS} <= set(gateway.LIST_PATHS)


def test_no_other_module_names_the_refund_request_key():
    found = [
        f"{path.relative_to(CONSOLE)}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value == "console_request_id"
    ]
    assert found == []


def test_refund_metadata_names_the_console_request():
    metadata = gateway.RefundMetadata("req_1", "ann@example.org")
    refund = {"metadata": metadata.to_stripe()}
    assert refund["metadata"] == {"console_request_id": "req_1", "requested_by": "ann@example.org"}
    assert gateway.RefundMetadata.request_id_of(refund) == "req_1"
    assert gateway.RefundMetadata.request_id_of({"metadata": None}) is None
