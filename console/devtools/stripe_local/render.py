"""Answers: objects as JSON, with `expand[]` as Stripe documents it.

https://docs.stripe.com/api/expanding_objects: an id field named in expand[] becomes the
object itself, dotted paths expand nested fields (`data.` for lists), and a few fields such
as a charge's `refunds` are only ever filled in when expanded.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import store
from .errors import invalid_param
from .shapes import fresh


def _charge_refunds(charge: dict[str, Any]) -> dict[str, Any]:
    ids = store.data().private[charge["id"]].get("refunds", [])
    refunds = [store.data().objects[refund_id] for refund_id in reversed(ids)]
    return {
        "object": "list",
        "data": refunds,
        "has_more": False,
        "url": f"/v1/charges/{charge['id']}/refunds",
    }


def _expand_field(obj: dict[str, Any], name: str, path: str) -> Any:
    value = obj.get(name)
    if obj.get("object") == "charge" and name == "refunds":
        return _charge_refunds(obj)
    if isinstance(value, str):
        target = store.data().objects.get(value)
        if target is None:
            raise invalid_param("expand", f"This property cannot be expanded ({path}).")
        return fresh(target)
    return value


def _expand(value: Any, parts: list[str], path: str) -> Any:
    if isinstance(value, list):
        return [_expand(item, parts, path) for item in value]
    if not isinstance(value, dict) or not parts:
        return value
    name, rest = parts[0], parts[1:]
    if name not in value:
        raise invalid_param("expand", f"This property cannot be expanded ({path}).")
    copy = dict(value)
    copy[name] = _expand(_expand_field(value, name, path), rest, path)
    return copy


def expanded(obj: dict[str, Any], paths: Any) -> dict[str, Any]:
    if not paths:
        return obj
    for path in paths if isinstance(paths, list) else [paths]:
        obj = _expand(obj, str(path).split("."), str(path))
    return obj


def reply(obj: dict[str, Any], params: dict[str, Any] | None = None) -> web.Response:
    return web.json_response(expanded(obj, (params or {}).get("expand")))
