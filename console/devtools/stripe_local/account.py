"""The account (https://docs.stripe.com/api/accounts/object): a verified French business by
default, settling in EUR and paid out daily two days after (as a test account is; payouts.py
runs the schedule); `POST /_config/account` presents it otherwise (another country and
currency, another payout schedule, or not yet verified). The same account serves test and
live mode, as at Stripe.
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
PAYOUT_DELAY_DAYS = 2
INTERVALS = ("manual", "daily", "weekly", "monthly")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

routes = web.RouteTableDef()


def _base(account_id: str) -> dict[str, Any]:
    settings = make(
        stripe.Account.Settings,
        dashboard=make(
            stripe.Account.Settings.Dashboard, display_name=ACCOUNT_NAME, timezone="Europe/Paris"
        ),
        payouts=make(
            stripe.Account.Settings.Payouts,
            debit_negative_balances=True,
            schedule=make(
                stripe.Account.Settings.Payouts.Schedule,
                delay_days=PAYOUT_DELAY_DAYS,
                interval="daily",
            ),
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


def payout_schedule() -> dict[str, Any]:
    """settings.payouts.schedule: interval, delay_days and the anchors."""
    return account()["settings"]["payouts"]["schedule"]


def _check_schedule(overrides: dict[str, Any]) -> None:
    """A schedule as Stripe takes one; a weekly or monthly one without its anchor gets
    Stripe's default (Monday, the 1st)."""
    settings = overrides.get("settings")
    payouts = settings.get("payouts") if isinstance(settings, dict) else None
    schedule = payouts.get("schedule") if isinstance(payouts, dict) else None
    if not isinstance(schedule, dict):
        return
    param = "settings.payouts.schedule."
    interval = schedule.get("interval", "daily")
    if interval not in INTERVALS:
        raise invalid_param(param + "interval", f"interval must be one of {', '.join(INTERVALS)}.")
    delay = schedule.get("delay_days", PAYOUT_DELAY_DAYS)
    if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay <= 365:
        raise invalid_param(param + "delay_days", "delay_days must be a number of days.")
    if interval == "weekly":
        schedule.setdefault("weekly_anchor", "monday")
        if schedule["weekly_anchor"] not in WEEKDAYS:
            raise invalid_param(param + "weekly_anchor", "weekly_anchor must be a weekday.")
    if interval == "monthly":
        schedule.setdefault("monthly_anchor", 1)
        anchor = schedule["monthly_anchor"]
        if not isinstance(anchor, int) or isinstance(anchor, bool) or not 1 <= anchor <= 31:
            raise invalid_param(param + "monthly_anchor", "monthly_anchor must be 1 to 31.")


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
    _check_schedule(overrides)
    current = store.context().store
    _merge(_base(current.account_id), overrides)  # refuses fields the account does not have
    current.account_overrides = overrides
    store.changed()
    return web.json_response(account())
