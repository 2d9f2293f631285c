"""List endpoints as Stripe documents them (https://docs.stripe.com/api/pagination).

Newest first; `limit` 1..100 (default 10); `starting_after` / `ending_before` cursors;
`created` as an exact time or gt/gte/lt/lte; and the filters each `*ListParams` allows.
A page costs O(log n) plus what it walks over (see store.Timeline.page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from . import store
from .errors import StripeError, invalid, invalid_param
from .params import as_int, as_str
from .render import expanded, reply

Predicate = Callable[[dict[str, Any]], bool]
Filter = Callable[[Any, str], Predicate]


def equals(field: str) -> Filter:
    """A filter on one field's value, e.g. ?payment_intent=pi_..."""

    def build(value: Any, param: str) -> Predicate:
        if not isinstance(value, str):
            raise invalid_param(param, f"Invalid string: {value}")
        return lambda obj: obj.get(field) == value

    return build


def time_range(value: Any, param: str = "created") -> tuple[int | None, int | None]:
    """Stripe's filter on a time (`created`, a payout's `arrival_date`): an exact time or
    gt/gte/lt/lte, as an inclusive (gte, lte) range."""
    if not isinstance(value, dict):
        exact = as_int({param: value}, param)
        return exact, exact
    gte = lte = None
    for op in value:
        bound = as_int(value, op)
        assert bound is not None
        if op in ("gt", "gte"):
            bound += op == "gt"
            gte = bound if gte is None else max(gte, bound)
        elif op in ("lt", "lte"):
            bound -= op == "lt"
            lte = bound if lte is None else min(lte, bound)
        else:
            raise invalid(f"Received unknown parameter: {param}[{op}]", param=f"{param}[{op}]")
    return gte, lte


def between(field: str) -> Filter:
    """A filter on a time field other than `created`, e.g. ?arrival_date[gte]=..."""

    def build(value: Any, param: str) -> Predicate:
        gte, lte = time_range(value, param)
        return lambda obj: (gte is None or obj[field] >= gte) and (lte is None or obj[field] <= lte)

    return build


def _limit(params: dict[str, Any]) -> int:
    limit = as_int(params, "limit", 10)
    assert limit is not None
    if limit < 1:
        raise invalid_param("limit", "This value must be greater than or equal to 1.")
    if limit > 100:
        raise invalid_param(
            "limit", f"This value must be less than or equal to 100 (it currently is '{limit}')."
        )
    return limit


def page(
    object_type: str,
    url: str,
    params: dict[str, Any],
    filters: dict[str, Filter],
    timeline: store.Timeline | None = None,
) -> dict[str, Any]:
    """The list object for one page of `object_type` (of `timeline`, when the objects to
    list are some of them), filtered by `params`."""
    params = dict(params)
    expand = params.pop("expand", None)
    limit = _limit(params)
    params.pop("limit", None)
    starting_after = as_str(params, "starting_after") or None
    ending_before = as_str(params, "ending_before") or None
    params.pop("starting_after", None)
    params.pop("ending_before", None)
    if starting_after and ending_before:
        raise invalid_param(
            "ending_before",
            "You may only specify one of these parameters: ending_before, starting_after.",
        )
    gte, lte = time_range(params.pop("created")) if "created" in params else (None, None)
    predicates = []
    for name, value in params.items():
        if name not in filters:
            raise invalid(f"Received unknown parameter: {name}", param=name)
        predicates.append(filters[name](value, name))

    if timeline is None:
        timeline = store.data().timeline(object_type)
    for param, cursor in (("starting_after", starting_after), ("ending_before", ending_before)):
        if cursor and cursor not in timeline.key_of:
            raise StripeError(
                400,
                f"No such {object_type}: '{cursor}'",
                code="resource_missing",
                param=param,
                validation=True,
            )
    items, has_more = timeline.page(
        limit,
        gte,
        lte,
        starting_after,
        ending_before,
        lambda obj: all(p(obj) for p in predicates),
    )
    body = {"object": "list", "data": items, "has_more": has_more, "url": url}
    return expanded(body, expand)


def by_payment() -> dict[str, Filter]:
    """The filters of lists that belong to a payment (refunds, disputes)."""
    return {"charge": equals("charge"), "payment_intent": equals("payment_intent")}


def handler(
    object_type: str, filters: dict[str, Filter] | None = None
) -> Callable[[web.Request], Any]:
    """An aiohttp handler for GET /v1/<objects> with these filters."""

    async def list_objects(request: web.Request) -> web.Response:
        body = page(object_type, request.path, request["params"], filters or {})
        return web.json_response(body)

    return list_objects


def retriever(object_type: str, param: str = "id") -> Callable[[web.Request], Any]:
    """An aiohttp handler for GET /v1/<objects>/{id}; `param` names the id in a 404."""

    async def retrieve_object(request: web.Request) -> web.Response:
        obj = store.data().get(object_type, request.match_info["id"], param)
        return reply(obj, request["params"])

    return retrieve_object
