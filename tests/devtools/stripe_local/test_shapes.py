"""console/devtools/stripe_local/shapes.py: objects shaped exactly as stripe-python's resource
classes annotate them."""

from __future__ import annotations

import typing
from typing import Any, ClassVar, ForwardRef, Literal, Optional, Union

import pytest
import stripe
from stripe import ListObject, StripeObject
from stripe._stripe_object import UntypedStripeObject

from console.devtools.stripe_local.shapes import fresh, make, template

# The annotations are given as objects (not strings) and in typing's Optional/Union spelling,
# as the generated SDK classes have them (hence the noqa: UP007/UP045 below).
_Nested = type(
    "_Nested",
    (StripeObject,),
    {"__annotations__": {"city": Optional[str]}},  # noqa: UP045
)
_Sample = type(
    "_Sample",
    (StripeObject,),
    {
        "__annotations__": {
            "object": Literal["sample", "other"],
            "name": str,
            "count": int,
            "rate": float,
            "flag": bool,
            "tags": list[str],
            "extra": dict[str, str],
            "note": Optional[str],  # noqa: UP045
            "nullable_count": int | None,
            "owner": Union[str, ForwardRef("Customer")],  # noqa: UP007 - an expandable id
            "maybe_owner": Union[str, ForwardRef("Customer"), None],  # noqa: UP007
            "items": ListObject[ForwardRef("Refund")],
            "address": _Nested,
            "maybe_address": Optional[_Nested],  # noqa: UP045
            "metadata": UntypedStripeObject[str],
            "OBJECT_NAME": ClassVar[str],
        }
    },
)


def test_every_annotated_field_gets_its_empty_value():
    assert template(_Sample) == {
        "object": "sample",  # the first literal
        "name": "",
        "count": 0,
        "rate": 0.0,
        "flag": False,
        "tags": [],
        "extra": {},
        "note": None,
        "nullable_count": None,
        "owner": "",
        "maybe_owner": None,
        "items": {"object": "list", "data": [], "has_more": False, "url": ""},
        "address": {"city": None},
        "maybe_address": None,
        "metadata": {},  # a free-form hash
    }


def test_class_variables_are_not_fields():
    assert "OBJECT_NAME" not in template(_Sample)


def test_a_stripe_class_template_has_exactly_its_annotated_fields():
    fields = {
        name
        for name, annotation in vars(stripe.Refund)["__annotations__"].items()
        if typing.get_origin(annotation) is not ClassVar
    }
    refund = template(stripe.Refund)
    assert set(refund) == fields
    assert refund["object"] == "refund"
    assert (refund["amount"], refund["currency"]) == (0, "")
    assert refund["charge"] is None and refund["metadata"] is None  # Optional at this version


def test_nested_objects_and_free_form_hashes_of_a_charge():
    charge = template(stripe.Charge)
    assert charge["object"] == "charge"
    assert charge["billing_details"] == {
        "address": None,
        "email": None,
        "name": None,
        "phone": None,
        "tax_id": None,
    }
    assert charge["metadata"] == {}  # UntypedStripeObject[str]: a free-form hash
    assert (charge["paid"], charge["refunded"]) == (False, False)
    assert charge["balance_transaction"] is None  # Optional expandable id
    assert charge["refunds"] is None


def test_make_fills_the_template():
    customer = make(stripe.Customer, id="cus_1", email="a@example.org", metadata={"a": "1"})
    assert (customer["id"], customer["email"], customer["metadata"]) == (
        "cus_1",
        "a@example.org",
        {"a": "1"},
    )
    assert customer["object"] == "customer"
    assert set(customer) == set(template(stripe.Customer))


def test_make_refuses_a_field_the_class_does_not_annotate():
    with pytest.raises(KeyError) as excinfo:
        make(stripe.Refund, id="re_1", flavour="vanilla", colour="blue")
    assert excinfo.value.args[0] == "Refund has no field colour, flavour"


def test_objects_made_never_share_their_parts():
    first = make(stripe.Charge)
    first["billing_details"]["name"] = "Ada"
    first["metadata"]["k"] = "v"
    second = make(stripe.Charge)
    assert second["billing_details"]["name"] is None
    assert second["metadata"] == {}
    assert template(stripe.Charge)["metadata"] == {}


def test_template_is_computed_once_per_class():
    assert template(stripe.Charge) is template(stripe.Charge)


def test_fresh_is_a_deep_copy_of_json_like_data():
    original: dict[str, Any] = {"a": [1, {"b": [2, 3]}], "c": {"d": None}, "e": "text"}
    copy = fresh(original)
    assert copy == original
    copy["a"][1]["b"].append(4)
    copy["c"]["d"] = 1
    assert original == {"a": [1, {"b": [2, 3]}], "c": {"d": None}, "e": "text"}
    assert copy["a"] is not original["a"]


def test_fresh_leaves_scalars_as_they_are():
    for value in ("x", 1, 1.5, True, None):
        assert fresh(value) is value
