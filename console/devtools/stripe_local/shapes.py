"""Objects shaped exactly as stripe-python's resource classes annotate them.

The installed SDK is generated from Stripe's OpenAPI spec for the pinned API version, so a
class's annotations list every field of that object. `make(stripe.Charge, ...)` starts from
a template with all of them (null where the SDK says Optional, empty otherwise) and fills in
what the server simulates; a field the class does not annotate is a bug and raises.
"""

from __future__ import annotations

import functools
import marshal
import types
import typing
from typing import Any, ForwardRef, Literal, Union

from stripe import ListObject, StripeObject

_OPTIONAL_ORIGINS = (Union, types.UnionType)


def _is_optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in _OPTIONAL_ORIGINS and type(None) in typing.get_args(
        annotation
    )


def _default(annotation: Any) -> Any:
    """The empty value of a field that is never null."""
    if annotation is str or isinstance(annotation, ForwardRef):
        return ""  # a string, or the id of an expandable object
    if annotation is bool:
        return False
    if annotation is int:
        return 0
    if annotation is float:
        return 0.0
    if isinstance(annotation, type) and issubclass(annotation, StripeObject):
        if annotation.__qualname__.startswith("UntypedStripeObject"):
            return {}
        return dict(template(annotation))
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        return args[0]
    if origin is list:
        return []
    if origin is dict:
        return {}
    if isinstance(origin, type) and issubclass(origin, ListObject):
        return {"object": "list", "data": [], "has_more": False, "url": ""}
    if isinstance(origin, type) and issubclass(origin, StripeObject):
        return {}  # UntypedStripeObject[...]: a free-form hash such as metadata
    if origin in _OPTIONAL_ORIGINS:  # Union[Literal[...], str] and expandable ids
        return _default(args[0])
    return None


def _fields(cls: type) -> dict[str, Any]:
    # The generated classes declare every field on themselves, not on their bases.
    return {
        name: annotation
        for name, annotation in vars(cls).get("__annotations__", {}).items()
        if typing.get_origin(annotation) is not typing.ClassVar
    }


@functools.cache
def template(cls: type) -> dict[str, Any]:
    """Every field `cls` annotates, each null (Optional) or empty."""
    return {
        name: None if _is_optional(annotation) else _default(annotation)
        for name, annotation in _fields(cls).items()
    }


def fresh(value: Any) -> Any:
    """A deep copy of JSON-like data, faster than copy.deepcopy."""
    if type(value) is dict:
        return {key: fresh(item) for key, item in value.items()}
    if type(value) is list:
        return [fresh(item) for item in value]
    return value


@functools.cache
def _marshalled_template(cls: type) -> bytes:
    # Version 2 writes no references: what the template shares, each copy has its own of.
    return marshal.dumps(template(cls), 2)


def make(cls: type, **fields: Any) -> dict[str, Any]:
    """An object of `cls`'s shape with `fields` filled in."""
    # A new copy of the template, from its marshalled form (faster than `fresh`).
    obj = marshal.loads(_marshalled_template(cls))
    unknown = fields.keys() - obj.keys()
    if unknown:
        raise KeyError(f"{cls.__qualname__} has no field {', '.join(sorted(unknown))}")
    obj.update(fields)
    return obj
