"""Request parameters: Stripe's form encoding unflattened, and typed reads of its values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from .errors import invalid, invalid_param

_KEY = re.compile(r"([^\[\]]+)|\[([^\[\]]*)\]")


def _listify(value: Any) -> Any:
    """{"0": a, "1": b} -> [a, b]: stripe-python encodes arrays as types[0]=a&types[1]=b.
    Metadata is always a hash, whatever its keys ("2024" is a key, not an index)."""
    if isinstance(value, dict):
        value = {key: item if key == "metadata" else _listify(item) for key, item in value.items()}
        if value and all(key.isdigit() for key in value):
            return [value[key] for key in sorted(value, key=int)]
    return value


def unflatten(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """card[number]=4242&expand[]=x&types[0]=a -> {"card": {"number": "4242"}, ...}."""
    root: dict[str, Any] = {}
    for name, value in pairs:
        parts = [plain or inner for plain, inner in _KEY.findall(name)]
        node = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "":  # a[]=x appends
                part = str(len(node))
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise invalid_param(name, f"Invalid hash: {name}")
    return _listify(root)


def as_str(params: dict[str, Any], name: str, default: str | None = None) -> str | None:
    value = params.get(name, default)
    if value is not None and not isinstance(value, str):
        raise invalid_param(name, f"Invalid string: {value}")
    return value


def as_int(params: dict[str, Any], name: str, default: int | None = None) -> int | None:
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise invalid(f"Invalid integer: {value}", param=name, code="parameter_invalid_integer")


def as_bool(params: dict[str, Any], name: str, default: bool = False) -> bool:
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid_param(name, f"Invalid boolean: {value}")


def as_hash(params: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise invalid_param(name, f"Invalid hash: {name}")
    return value


def as_list(params: dict[str, Any], name: str) -> list[Any] | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise invalid_param(name, f"Invalid array: {name}")
    return value


def metadata_update(current: dict[str, str], params: dict[str, Any]) -> dict[str, str]:
    """Stripe merges metadata keys; an empty value unsets one (docs.stripe.com/api/metadata)."""
    update = params.get("metadata")
    if update is None:
        return current
    if update == "":
        return {}
    if not isinstance(update, dict):
        raise invalid_param("metadata", "Invalid hash: metadata")
    merged = dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return merged


async def control_body(request: web.Request) -> dict[str, Any]:
    """The payload of a /_config control: JSON (as tests send it) or a form."""
    if not request.can_read_body:
        return {}
    if request.content_type == "application/json":
        body = await request.json()
    else:
        body = unflatten((await request.post()).items())
    if not isinstance(body, dict):
        raise invalid_param("body", "Send a JSON object.")
    return body
