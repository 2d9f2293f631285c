"""The Stripe.js stand-in (stripe_js_v3.js) and the private endpoint it reports 3D Secure to.

Like Stripe.js, the stand-in sends card details from the browser straight to the API with
the publishable key, and talks to a private endpoint of its own for the authentication
challenge: the customer's "Complete" or "Fail" on the test 3D Secure page.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from . import payments, store
from .errors import StripeError, invalid_param
from .params import control_body

SCRIPT = Path(__file__).with_name("stripe_js_v3.js")

routes = web.RouteTableDef()


@routes.get("/js.stripe.com/v3/")
@routes.get("/js.stripe.com/v3")
async def stripe_js(request: web.Request) -> web.Response:
    return web.Response(text=SCRIPT.read_text(), content_type="application/javascript")


@routes.post("/js.stripe.com/v3/authenticate/{id}")
async def authenticate(request: web.Request) -> web.Response:
    """The customer's answer to the challenge: {"client_secret", "outcome": complete|fail}."""
    body = await control_body(request)
    intent = store.data().get("payment_intent", request.match_info["id"], "intent")
    if body.get("client_secret") != intent["client_secret"]:
        raise StripeError(401, "The client secret does not match this PaymentIntent.")
    outcome = body.get("outcome")
    if outcome not in ("complete", "fail"):
        raise invalid_param("outcome", "outcome must be complete or fail")
    payments.authenticate(intent, completed=outcome == "complete")
    return web.json_response({"payment_intent": intent})
