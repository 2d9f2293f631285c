"""Customers (https://docs.stripe.com/api/customers): enough to pay as one and filter by one."""

from __future__ import annotations

import stripe
from aiohttp import web

from . import lists, store
from .params import as_str, metadata_update
from .render import reply
from .shapes import make

routes = web.RouteTableDef()


@routes.post("/v1/customers")
async def create_customer(request: web.Request) -> web.Response:
    params = request["params"]
    customer = make(
        stripe.Customer,
        id=store.new_id("cus"),
        object="customer",
        balance=0,
        created=store.now(),
        delinquent=False,
        description=as_str(params, "description"),
        email=as_str(params, "email"),
        invoice_prefix=store.new_id("x")[2:10].upper(),
        livemode=store.data().livemode,
        metadata=metadata_update({}, params),
        name=as_str(params, "name"),
        next_invoice_sequence=1,
        phone=as_str(params, "phone"),
        preferred_locales=[],
        tax_exempt="none",
    )
    store.data().add(customer)
    store.changed()
    return reply(customer, params)


routes.get("/v1/customers/{id}")(lists.retriever("customer"))


routes.get("/v1/customers")(lists.handler("customer", {"email": lists.equals("email")}))
