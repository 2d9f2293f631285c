"""Events (https://docs.stripe.com/api/events): what happened, with the object as it was.

Each event carries a snapshot of its object at that moment, rendered at the pinned API
version, `previous_attributes` for changes, and the `request` that caused it (null for what
Stripe does on its own, such as a dispute arriving).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

import stripe
from aiohttp import web

from . import lists, store
from .errors import invalid, invalid_param
from .params import control_body
from .shapes import fresh, make

API_VERSION = "2026-10-28.endive"  # the version stripe-python 16.1 pins

routes = web.RouteTableDef()
# Test control: event types this account is not sent, as an account whose API version
# predates them is not (refund.* events, for one). Patterns as in `type` ("refund.*").
suppressed: list[str] = []


def previous_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The old values of the top-level fields that changed, as Stripe reports them."""
    return {key: before[key] for key in after if key in before and before[key] != after[key]}


def emit(
    event_type: str,
    obj: dict[str, Any],
    before: dict[str, Any] | None = None,
    by_request: bool = True,
) -> None:
    """Records an event with a snapshot of `obj` (and what changed since `before`)."""
    if any(fnmatchcase(event_type, pattern) for pattern in suppressed):
        return
    context = store.context()
    request = {
        "id": context.request_id if by_request else None,
        "idempotency_key": context.idempotency_key if by_request else None,
    }
    event = make(
        stripe.Event,
        id=store.new_id("evt"),
        object="event",
        api_version=API_VERSION,
        created=store.now(),
        data={
            "object": fresh(obj),
            "previous_attributes": None if before is None else previous_attributes(before, obj),
        },
        livemode=context.data.livemode,
        pending_webhooks=0,
        request=request,
        type=event_type,
    )
    context.data.add(event)


def _patterns(value: Any, param: str) -> list[str]:
    patterns = value if isinstance(value, list) else [value]
    if not patterns or not all(isinstance(p, str) and p for p in patterns):
        raise invalid_param(param, f"Invalid {param}: {value}")
    return patterns


def _type_filter(value: Any, param: str) -> lists.Predicate:
    pattern = _patterns(value, param)[0]
    return lambda event: fnmatchcase(event["type"], pattern)  # "charge.*"


def _types_filter(value: Any, param: str) -> lists.Predicate:
    wanted = set(_patterns(value, param))  # at most 20: contract.LIST_LIMITS
    exact = {p for p in wanted if "*" not in p}
    wildcards = wanted - exact
    return lambda event: (
        event["type"] in exact or any(fnmatchcase(event["type"], p) for p in wildcards)
    )


def _any(value: Any, param: str) -> lists.Predicate:
    return lambda event: True  # every stored event counts as delivered: there are no webhooks


_FILTERS: dict[str, lists.Filter] = {
    "type": _type_filter,
    "types": _types_filter,
    "delivery_success": _any,
}


@routes.post("/_config/events/suppress")
async def suppress(request: web.Request) -> web.Response:
    """Test control: {"types": [...]} are no longer sent; an empty list sends them all."""
    types = (await control_body(request)).get("types") or []
    suppressed[:] = _patterns(types, "types") if types else []
    return web.json_response({"suppressed": suppressed})


@routes.get("/v1/events")
async def list_events(request: web.Request) -> web.Response:
    params = request["params"]
    if "type" in params and "types" in params:
        raise invalid("You may pass either type or types, but not both.", param="types")
    return web.json_response(lists.page("event", request.path, params, _FILTERS))


routes.get("/v1/events/{id}")(lists.retriever("event"))
