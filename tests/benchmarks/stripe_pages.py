"""A server of pre-generated, Stripe-shaped list pages, for benchmarks at sizes localstripe
cannot reach. Optional latency per request and a request-rate limit that answers 429 as
Stripe does.

    python tests/benchmarks/stripe_pages.py --objects 100000 --port 0 [--latency-ms 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import sys
import time

from aiohttp import web

START = 1_700_000_000  # objects are spread over the two years after this moment
SPAN = 2 * 365 * 86400


def generate(objects: int, seed: int = 7) -> dict[str, list[dict]]:
    """Charges with their payment intents and balance transactions; some refunds."""
    rng = random.Random(seed)
    charges = max(1, objects // 3)
    data: dict[str, list[dict]] = {
        "charges": [],
        "payment_intents": [],
        "balance_transactions": [],
        "refunds": [],
        "events": [],
    }
    for number in range(charges):
        created = START + SPAN * number // charges
        amount = rng.choice((1900, 4900, 9900))
        fee = amount * 29 // 1000 + 30
        charge_id, intent_id, txn_id = f"ch_{number:08d}", f"pi_{number:08d}", f"txn_{number:08d}"
        metadata = {
            "webinar_id": f"wb_{number % 40:02d}",
            "registrant_email": f"p{number}@example.org",
            "registrant_name": f"Person {number}",
        }
        data["payment_intents"].append(
            {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "currency": "usd",
                "created": created,
                "livemode": False,
                "status": "succeeded",
                "latest_charge": charge_id,
                "metadata": metadata,
            }
        )
        data["charges"].append(
            {
                "id": charge_id,
                "object": "charge",
                "amount": amount,
                "currency": "usd",
                "created": created,
                "livemode": False,
                "status": "succeeded",
                "captured": True,
                "disputed": False,
                "payment_intent": intent_id,
                "balance_transaction": txn_id,
                "metadata": metadata,
                "billing_details": {"name": None, "email": None},
                "payment_method_details": {
                    "type": "card",
                    "card": {"brand": "visa", "last4": "4242"},
                },
                "receipt_email": None,
                "failure_code": None,
                "amount_refunded": 0,
            }
        )
        data["balance_transactions"].append(
            {
                "id": txn_id,
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
                "source": charge_id,
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
        )
    remaining = objects - 3 * charges
    for number in range(max(0, remaining) // 2):
        charge = data["charges"][rng.randrange(charges)]
        created = charge["created"] + 3600
        refund_id, txn_id = f"re_{number:08d}", f"txn_r{number:08d}"
        data["refunds"].append(
            {
                "id": refund_id,
                "object": "refund",
                "amount": 100,
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
        )
        data["balance_transactions"].append(
            {
                "id": txn_id,
                "object": "balance_transaction",
                "amount": -100,
                "fee": 0,
                "net": -100,
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
        )
    for objects_of_kind in data.values():
        objects_of_kind.sort(key=lambda obj: (obj["created"], obj["id"]), reverse=True)
    return data


class PageServer:
    """Serves newest-first pages with `limit`, `starting_after` and `created` filters."""

    def __init__(self, data: dict[str, list[dict]], latency_ms: int, rate_limit: int):
        self.data = data
        self.position = {
            kind: {obj["id"]: i for i, obj in enumerate(objs)} for kind, objs in data.items()
        }
        self.encoded = {
            kind: [json.dumps(obj, separators=(",", ":")) for obj in objs]
            for kind, objs in data.items()
        }
        self.latency = latency_ms / 1000
        self.rate_limit = rate_limit
        self.window: list[float] = []
        self.requests = 0
        self.throttled = 0

    def _over_limit(self) -> bool:
        if not self.rate_limit:
            return False
        now = time.monotonic()
        while self.window and self.window[0] < now - 1:
            self.window.pop(0)
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
        objects, encoded = self.data.get(kind, []), self.encoded.get(kind, [])
        query = request.query
        limit = min(int(query.get("limit", 10)), 100)
        start = 0
        if "starting_after" in query:
            start = self.position[kind][query["starting_after"]] + 1
        bounds = {
            op: int(query[f"created[{op}]"])
            for op in ("gt", "gte", "lt", "lte")
            if f"created[{op}]" in query
        }
        chosen: list[str] = []
        index = start
        while index < len(objects) and len(chosen) <= limit:
            created = objects[index]["created"]
            if _within(created, bounds):
                chosen.append(encoded[index])
            elif (
                "gte" in bounds
                and created < bounds["gte"]
                or "gt" in bounds
                and created <= bounds["gt"]
            ):
                break  # newest first: everything further is older still
            index += 1
        has_more = len(chosen) > limit
        body = (
            '{"object":"list","url":"/v1/'
            + kind
            + '","has_more":'
            + ("true" if has_more else "false")
            + ',"data":['
            + ",".join(chosen[:limit])
            + "]}"
        )
        return web.Response(text=body, content_type="application/json")

    async def stats(self, _request: web.Request) -> web.Response:
        return web.json_response({"requests": self.requests, "throttled": self.throttled})


def _within(created: int, bounds: dict[str, int]) -> bool:
    return (
        created > bounds.get("gt", -1)
        and created >= bounds.get("gte", -1)
        and created < bounds.get("lt", 1 << 62)
        and created <= bounds.get("lte", 1 << 62)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--rate-limit", type=int, default=0)
    args = parser.parse_args()
    server = PageServer(generate(args.objects), args.latency_ms, args.rate_limit)
    app = web.Application()
    app.router.add_get("/v1/{kind}", server.list_objects)
    app.router.add_get("/_stats", server.stats)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    print(f"pages listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    web.run_app(app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    sys.exit(main())
