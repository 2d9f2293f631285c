"""A server of pre-generated, Stripe-shaped list pages, for benchmarks at sizes localstripe
cannot reach. Optional latency per request and a request-rate limit that answers 429 as
Stripe does.

    python tests/benchmarks/stripe_pages.py --objects 100000 --port 0 [--latency-ms 300]
    python tests/benchmarks/stripe_pages.py --charges 200000 --refund-every 10 \
        --latency-ms 300 --rate-limit 100

Lists answer `limit`, `starting_after`, `ending_before`, `created` (an int or gt/gte/lt/lte)
and, for events, `type`/`types[]`, by bisection: a page costs the objects it returns, not
a walk over the list. `POST /_bench/refunds` adds refunds on random charges, with their
balance transactions and events (`refund.created`, `charge.refunded`), for incremental runs.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import collections
import json
import random
import socket
import sys
import time

from aiohttp import web

START = 1_700_000_000  # objects are spread over the two years after this moment
SPAN = 2 * 365 * 86400
KINDS = ("charges", "payment_intents", "balance_transactions", "refunds", "disputes", "events")


def _metadata(number: int) -> dict:
    return {
        "webinar_id": f"wb_{number % 40:02d}",
        "registrant_email": f"p{number}@example.org",
        "registrant_name": f"Person {number}",
    }


def _payment_intent(number: int, created: int, amount: int) -> dict:
    return {
        "id": f"pi_{number:08d}",
        "object": "payment_intent",
        "amount": amount,
        "currency": "usd",
        "created": created,
        "livemode": False,
        "status": "succeeded",
        "latest_charge": f"ch_{number:08d}",
        "metadata": _metadata(number),
    }


def _charge(number: int, created: int, amount: int) -> dict:
    return {
        "id": f"ch_{number:08d}",
        "object": "charge",
        "amount": amount,
        "currency": "usd",
        "created": created,
        "livemode": False,
        "status": "succeeded",
        "captured": True,
        "disputed": False,
        "payment_intent": f"pi_{number:08d}",
        "balance_transaction": f"txn_{number:08d}",
        "metadata": _metadata(number),
        "billing_details": {"name": None, "email": None},
        "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": "4242"}},
        "receipt_email": None,
        "failure_code": None,
        "amount_refunded": 0,
        "refunded": False,
    }


def _charge_transaction(charge: dict) -> dict:
    amount, created = charge["amount"], charge["created"]
    fee = amount * 29 // 1000 + 30
    return {
        "id": charge["balance_transaction"],
        "object": "balance_transaction",
        "amount": amount,
        "fee": fee,
        "net": amount - fee,
        "currency": "usd",
        "created": created,
        "available_on": created,
        "livemode": False,
        "type": "charge",
        "reporting_category": "charge",
        "source": charge["id"],
        "status": "available",
        "exchange_rate": None,
        "fee_details": [
            {
                "amount": fee,
                "currency": "usd",
                "type": "stripe_fee",
                "description": "Stripe processing fees",
                "application": None,
            }
        ],
    }


def _refund(refund_id: str, charge: dict, created: int, amount: int = 100) -> list[dict]:
    """A refund and its balance transaction."""
    txn_id = "txn_" + refund_id
    refund = {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "currency": "usd",
        "created": created,
        "livemode": False,
        "status": "succeeded",
        "charge": charge["id"],
        "payment_intent": charge["payment_intent"],
        "reason": None,
        "balance_transaction": txn_id,
        "metadata": {},
    }
    txn = {
        "id": txn_id,
        "object": "balance_transaction",
        "amount": -amount,
        "fee": 0,
        "net": -amount,
        "currency": "usd",
        "created": created,
        "available_on": created,
        "livemode": False,
        "type": "refund",
        "reporting_category": "refund",
        "source": refund_id,
        "status": "available",
        "exchange_rate": None,
        "fee_details": [],
    }
    return [refund, txn]


def _newest_first(data: dict[str, list[dict]]) -> dict[str, list[dict]]:
    for objects_of_kind in data.values():
        objects_of_kind.sort(key=lambda obj: (obj["created"], obj["id"]), reverse=True)
    return data


def _charges(count: int, rng: random.Random, data: dict[str, list[dict]]) -> None:
    for number in range(count):
        created = START + SPAN * number // count
        amount = rng.choice((1900, 4900, 9900))
        charge = _charge(number, created, amount)
        data["payment_intents"].append(_payment_intent(number, created, amount))
        data["charges"].append(charge)
        data["balance_transactions"].append(_charge_transaction(charge))


def generate(objects: int, seed: int = 7) -> dict[str, list[dict]]:
    """`objects` in all: charges with their payment intents and balance transactions, and
    refunds (with theirs) for what is left over."""
    rng = random.Random(seed)
    data: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    charges = max(1, objects // 3)
    _charges(charges, rng, data)
    for number in range(max(0, objects - 3 * charges) // 2):
        charge = data["charges"][rng.randrange(charges)]
        refund, txn = _refund(f"re_{number:08d}", charge, charge["created"] + 3600)
        data["refunds"].append(refund)
        data["balance_transactions"].append(txn)
    return _newest_first(data)


def generate_charges(charges: int, refund_every: int, seed: int = 7) -> dict[str, list[dict]]:
    """`charges` charges with their payment intents and balance transactions; a refund an
    hour later on every `refund_every`-th charge."""
    data: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    _charges(charges, random.Random(seed), data)
    for charge in data["charges"][::refund_every] if refund_every else []:
        refund, txn = _refund("re_" + charge["id"][3:], charge, charge["created"] + 3600)
        charge["amount_refunded"] = refund["amount"]
        data["refunds"].append(refund)
        data["balance_transactions"].append(txn)
    return _newest_first(data)


class _List:
    """One kind's objects, newest first, with what bisection needs."""

    def __init__(self, objects: list[dict]) -> None:
        self.objects = objects
        self.encoded = [json.dumps(obj, separators=(",", ":")) for obj in objects]
        self.position = {obj["id"]: i for i, obj in enumerate(objects)}
        self.negated_created = [-obj["created"] for obj in objects]  # ascending

    def index_range(self, lowest: int | None, highest: int | None) -> tuple[int, int]:
        """Indices [start, stop) of the objects with lowest <= created <= highest."""
        start = 0 if highest is None else bisect.bisect_left(self.negated_created, -highest)
        stop = (
            len(self.objects)
            if lowest is None
            else bisect.bisect_right(self.negated_created, -lowest)
        )
        return start, stop


def _created_bounds(query) -> tuple[int | None, int | None]:
    """Stripe's `created` filter as an inclusive (lowest, highest) range."""
    lowest = highest = None
    if "created" in query:
        lowest = highest = int(query["created"])
    for op, shift in (("gt", 1), ("gte", 0)):
        if f"created[{op}]" in query:
            bound = int(query[f"created[{op}]"]) + shift
            lowest = bound if lowest is None else max(lowest, bound)
    for op, shift in (("lt", -1), ("lte", 0)):
        if f"created[{op}]" in query:
            bound = int(query[f"created[{op}]"]) + shift
            highest = bound if highest is None else min(highest, bound)
    return lowest, highest


def _event_types(query) -> set[str] | None:
    types = {value for key, value in query.items() if key == "type" or key.startswith("types[")}
    return types or None


class PageServer:
    """Serves newest-first pages, with an optional latency and request-rate limit."""

    def __init__(self, data: dict[str, list[dict]], latency_ms: int, rate_limit: int):
        self.lists = {kind: _List(objects) for kind, objects in data.items()}
        self.latency = latency_ms / 1000
        self.rate_limit = rate_limit
        self.window: collections.deque[float] = collections.deque()
        self.requests = 0
        self.throttled = 0
        self.by_kind: collections.Counter[str] = collections.Counter()
        self.short_pages = 0  # answered with fewer objects than a full page
        self.rng = random.Random(11)

    def _over_limit(self) -> bool:
        if not self.rate_limit:
            return False
        now = time.monotonic()
        while self.window and self.window[0] < now - 1:
            self.window.popleft()
        if len(self.window) >= self.rate_limit:
            return True
        self.window.append(now)
        return False

    async def list_objects(self, request: web.Request) -> web.Response:
        self.requests += 1
        if self._over_limit():
            self.throttled += 1
            return web.json_response(
                {"error": {"type": "rate_limit_error", "message": "Too many requests"}},
                status=429,
                headers={"Stripe-Should-Retry": "true"},
            )
        if self.latency:
            await asyncio.sleep(self.latency)
        kind = request.match_info["kind"]
        self.by_kind[kind] += 1
        chosen, has_more = self._page(kind, request.query)
        self.short_pages += len(chosen) < 100
        body = (
            '{"object":"list","url":"/v1/'
            + kind
            + '","has_more":'
            + ("true" if has_more else "false")
            + ',"data":['
            + ",".join(chosen)
            + "]}"
        )
        return web.Response(text=body, content_type="application/json")

    def _page(self, kind: str, query) -> tuple[list[str], bool]:
        listing = self.lists.get(kind) or _List([])
        limit = min(int(query.get("limit", 10)), 100)
        start, stop = listing.index_range(*_created_bounds(query))
        types = _event_types(query) if kind == "events" else None
        if "ending_before" in query:  # the objects just newer than the cursor
            stop = min(stop, listing.position[query["ending_before"]])
            indices = range(stop - 1, start - 1, -1)
        else:
            if "starting_after" in query:
                start = max(start, listing.position[query["starting_after"]] + 1)
            indices = range(start, stop)
        chosen = []
        for index in indices:
            if types is None or listing.objects[index]["type"] in types:
                chosen.append(index)
                if len(chosen) > limit:
                    break
        has_more = len(chosen) > limit
        chosen = sorted(chosen[:limit])
        return [listing.encoded[index] for index in chosen], has_more

    async def add_refunds(self, request: web.Request) -> web.Response:
        """`count` refunds on random charges, created evenly over [`since`, now]."""
        count = int(request.query.get("count", 1000))
        now = int(time.time())
        since = int(request.query.get("since", now - 900))
        charges = self.lists["charges"].objects
        refunds, txns, events = [], [], []
        for number in range(count):
            created = since + (now - since) * number // max(count, 1)
            charge = dict(charges[self.rng.randrange(len(charges))])
            charge["amount_refunded"] += 100
            refund, txn = _refund(f"re_late{number:06d}", charge, created)
            refunds.append(refund)
            txns.append(txn)
            for event_type, stripe_object in (
                ("refund.created", refund),
                ("charge.refunded", charge),
            ):
                events.append(
                    {
                        "id": f"evt_{event_type}_{number:06d}",
                        "object": "event",
                        "type": event_type,
                        "created": created,
                        "livemode": False,
                        "data": {"object": stripe_object},
                    }
                )
        for kind, new in (("refunds", refunds), ("balance_transactions", txns), ("events", events)):
            new.sort(key=lambda obj: (obj["created"], obj["id"]), reverse=True)
            self.lists[kind] = _List(new + self.lists[kind].objects)  # all newer than before
        return web.json_response({"refunds": count, "events": len(events)})

    async def stats(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "requests": self.requests,
                "throttled": self.throttled,
                "short_pages": self.short_pages,
                "by_kind": self.by_kind,
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--charges", type=int, default=0, help="instead of --objects")
    parser.add_argument("--refund-every", type=int, default=10)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--rate-limit", type=int, default=0)
    args = parser.parse_args()
    data = (
        generate_charges(args.charges, args.refund_every)
        if args.charges
        else generate(args.objects)
    )
    server = PageServer(data, args.latency_ms, args.rate_limit)
    del data
    app = web.Application()
    app.router.add_get("/v1/{kind}", server.list_objects)
    app.router.add_get("/_stats", server.stats)
    app.router.add_post("/_bench/refunds", server.add_refunds)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(1024)  # from here on, connections wait for the app instead of failing
    print(f"pages listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    web.run_app(app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    sys.exit(main())
