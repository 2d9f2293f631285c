"""The account (https://docs.stripe.com/api/accounts/object): a verified French business by
default, settling in EUR; `POST /_config/account` presents it otherwise (another country and
currency, or not yet verified). The same account serves test and live mode, as at Stripe.
"""

from __future__ import annotations

from typing import Any

import stripe
from aiohttp import web

from . import pricing, store
from .errors import StripeError, invalid_param, no_such
from .render import reply
from .shapes import make

ACCOUNT_NAME = "Webinar Demo Org"
DEFAULT_COUNTRY = "FR"

routes = web.RouteTableDef()


def _base(account_id: str) -> dict[str, Any]:
    settings = make(
        stripe.Account.Settings,
        dashboard=make(
            stripe.Account.Settings.Dashboard, display_name=ACCOUNT_NAME, timezone="Europe/Paris"
        ),
    )
    return make(
        stripe.Account,
        id=account_id,
        object="account",
        business_profile=make(stripe.Account.BusinessProfile, name=ACCOUNT_NAME),
        business_type="company",
        capabilities=make(stripe.Account.Capabilities, card_payments="active", transfers="active"),
        charges_enabled=True,
        payouts_enabled=True,
        details_submitted=True,
        country=DEFAULT_COUNTRY,
        created=1_700_000_000,
        default_currency=pricing.PRICING[DEFAULT_COUNTRY].currency,
        email="finance@webinar-demo.example",
        metadata={},
        requirements=make(
            stripe.Account.Requirements,
            alternatives=[],
            currently_due=[],
            errors=[],
            eventually_due=[],
            past_due=[],
            pending_verification=[],
        ),
        settings=settings,
        type="standard",
    )


def _merge(target: dict[str, Any], changes: dict[str, Any], path: str = "") -> None:
    for key, value in changes.items():
        if key not in target:
            raise invalid_param(path + key, f"The account has no field {path + key}.")
        if isinstance(value, dict) and isinstance(target[key], dict):
            _merge(target[key], value, f"{path}{key}.")
        else:
            target[key] = value


def account() -> dict[str, Any]:
    current = store.context().store
    obj = _base(current.account_id)
    _merge(obj, current.account_overrides)
    return obj


def country() -> str:
    # `account()["country"]`, without building the whole account (asked on every charge).
    return store.context().store.account_overrides.get("country", DEFAULT_COUNTRY)


def settlement_currency() -> str:
    """Charges in other currencies settle converted into the default currency."""
    overrides = store.context().store.account_overrides
    return overrides.get("default_currency", pricing.PRICING[DEFAULT_COUNTRY].currency)


@routes.get("/v1/account")
async def retrieve_current(request: web.Request) -> web.Response:
    return reply(account(), request["params"])


@routes.get("/v1/accounts/{id}")
async def retrieve(request: web.Request) -> web.Response:
    obj = account()
    if request.match_info["id"] != obj["id"]:
        raise no_such("account", request.match_info["id"], "account")
    return reply(obj, request["params"])


@routes.post("/_config/account")
async def configure(request: web.Request) -> web.Response:
    """Test control: replace fields of the account; an empty body restores the default."""
    overrides = await request.json() if request.can_read_body else {}
    if not isinstance(overrides, dict):
        raise StripeError(400, "Send a JSON object of account fields.")
    place = overrides.get("country", DEFAULT_COUNTRY)
    if place not in pricing.PRICING:
        raise invalid_param("country", f"Pricing is known for {sorted(pricing.PRICING)} only.")
    if "country" in overrides and "default_currency" not in overrides:
        overrides["default_currency"] = pricing.PRICING[place].currency
    if overrides.get("default_currency", "eur") not in pricing.SUPPORTED_CURRENCIES:
        raise invalid_param("default_currency", "Unsupported settlement currency.")
    current = store.context().store
    _merge(_base(current.account_id), overrides)  # refuses fields the account does not have
    current.account_overrides = overrides
    store.changed()
    return web.json_response(account())
