"""Payment methods, PaymentIntents and charges (https://docs.stripe.com/payments/paymentintents).

A PaymentIntent is confirmed with a card PaymentMethod (or a test id such as pm_card_visa).
The card decides what happens, as Stripe's test cards do: it succeeds, is declined, needs
3D Secure first (status `requires_action` until Stripe.js reports the customer's answer), or
succeeds and is then disputed. Each attempt is a charge; the PaymentIntent's description and
metadata are copied onto it once, at confirmation.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

import stripe
from aiohttp import web

from . import account, balance, cards, disputes, events, lists, pricing, store
from .errors import StripeError, invalid, invalid_param, missing_param, refused
from .params import as_bool, as_hash, as_int, as_list, as_str, metadata_update
from .render import reply
from .shapes import fresh, make

routes = web.RouteTableDef()

_CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
_CANCELABLE = (*_CONFIRMABLE, "requires_capture", "processing")
AUTHENTICATION_FAILURE = (
    "The provided PaymentMethod has failed authentication. You can provide "
    "payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again."
)


# --- payment methods ------------------------------------------------------------------


def _card_error(message: str, code: str, param: str) -> StripeError:
    return StripeError(402, message, code=code, param=param, validation=True)


def _card_number(card: dict[str, Any]) -> str:
    number = re.sub(r"[\s-]", "", str(card.get("number", "")))
    if not (number.isdigit() and 13 <= len(number) <= 19 and cards.luhn_valid(number)):
        raise _card_error("Your card number is incorrect.", "incorrect_number", "number")
    return number


def _expiry(card: dict[str, Any]) -> tuple[int, int]:
    # https://docs.stripe.com/testing#invalid-data
    month = as_int(card, "exp_month")
    year = as_int(card, "exp_year")
    if month is None or not 1 <= month <= 12:
        raise _card_error(
            "Your card's expiration month is invalid.", "invalid_expiry_month", "exp_month"
        )
    year = year + 2000 if year is not None and year < 100 else year
    if year is None or (year, month) < _today():
        raise _card_error(
            "Your card's expiration year is invalid.", "invalid_expiry_year", "exp_year"
        )
    return month, year


def _today() -> tuple[int, int]:
    moment = time.gmtime(store.now())
    return moment.tm_year, moment.tm_mon


def _cvc(card: dict[str, Any]) -> str | None:
    cvc = card.get("cvc")
    if cvc is not None and not (str(cvc).isdigit() and len(str(cvc)) in (3, 4)):
        raise _card_error("Your card's security code is invalid.", "invalid_cvc", "cvc")
    return None if cvc is None else str(cvc)


def _address(cls: type, value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    keys = ("city", "country", "line1", "line2", "postal_code", "state")
    return make(cls, **{key: value.get(key) for key in keys})


def billing_details(cls: type, details: Any) -> dict[str, Any]:
    details = details if isinstance(details, dict) else {}
    return make(
        cls,
        address=_address(cls.Address, details.get("address")),
        email=details.get("email") or None,
        name=details.get("name") or None,
        phone=details.get("phone") or None,
        tax_id=details.get("tax_id") or None,
    )


def _new_card_method(
    number: str,
    month: int,
    year: int,
    cvc: str | None,
    details: Any = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    brand = cards.brand(number)
    card = make(
        stripe.PaymentMethod.Card,
        brand=brand,
        checks=make(stripe.PaymentMethod.Card.Checks, cvc_check="pass" if cvc else None),
        country=cards.country(number),
        display_brand=brand,
        exp_month=month,
        exp_year=year,
        fingerprint=hashlib.sha256(number.encode()).hexdigest()[:16],
        funding=cards.funding(number),
        last4=number[-4:],
        networks=make(stripe.PaymentMethod.Card.Networks, available=[brand]),
        regulated_status="unregulated",
        three_d_secure_usage=make(stripe.PaymentMethod.Card.ThreeDSecureUsage, supported=True),
    )
    method = make(
        stripe.PaymentMethod,
        id=store.new_id("pm"),
        object="payment_method",
        allow_redisplay="unspecified",
        billing_details=billing_details(stripe.PaymentMethod.BillingDetails, details),
        card=card,
        created=store.now(),
        livemode=store.data().livemode,
        metadata=metadata or {},
        type="card",
    )
    return store.data().add(method, number=number)


def payment_method(value: Any, param: str = "payment_method") -> dict[str, Any]:
    """A PaymentMethod by id; each use of a test id (pm_card_visa) makes a new one."""
    if not isinstance(value, str) or not value:
        raise invalid_param(param, f"Invalid string: {value}")
    number = cards.TEST_PAYMENT_METHODS.get(value)
    if number is not None:
        return _new_card_method(number, 12, 2034, "123")
    return store.data().get("payment_method", value, param)


def card_number(method_id: str) -> str:
    return store.data().private[method_id]["number"]


@routes.post("/v1/payment_methods")
async def create_payment_method(request: web.Request) -> web.Response:
    params = request["params"]
    kind = as_str(params, "type")
    if kind is None:
        raise missing_param("type")
    if kind != "card":
        raise invalid_param("type", f"This local Stripe supports card payment methods, not {kind}.")
    card = as_hash(params, "card")
    if card is None:
        raise missing_param("card")
    number = _card_number(card)
    month, year = _expiry(card)
    method = _new_card_method(
        number,
        month,
        year,
        _cvc(card),
        as_hash(params, "billing_details"),
        metadata_update({}, params),
    )
    store.changed()
    return reply(method, params)


routes.get("/v1/payment_methods/{id}")(lists.retriever("payment_method"))


# --- charges --------------------------------------------------------------------------


def _approved() -> dict[str, Any]:
    return make(
        stripe.Charge.Outcome,
        network_status="approved_by_network",
        risk_level="normal",
        risk_score=20,
        seller_message="Payment complete.",
        type="authorized",
    )


def _declined(decline: cards.Decline) -> dict[str, Any]:
    return make(
        stripe.Charge.Outcome,
        network_status="declined_by_network",
        reason=decline.decline_code,
        risk_level="normal",
        risk_score=20,
        seller_message="The bank did not return any further details with this decline.",
        type="issuer_declined",
    )


def _method_details(method: dict[str, Any], authenticated: bool) -> dict[str, Any]:
    card = method["card"]
    details = stripe.Charge.PaymentMethodDetails
    three_d_secure = (
        make(
            details.Card.ThreeDSecure,
            authentication_flow="challenge",
            result="authenticated",
            version="2.2.0",
        )
        if authenticated
        else None
    )
    return make(
        details,
        type="card",
        card=make(
            details.Card,
            brand=card["brand"],
            checks=make(details.Card.Checks, cvc_check=card["checks"]["cvc_check"]),
            country=card["country"],
            exp_month=card["exp_month"],
            exp_year=card["exp_year"],
            fingerprint=card["fingerprint"],
            funding=card["funding"],
            last4=card["last4"],
            network=card["brand"],
            regulated_status=card["regulated_status"],
            three_d_secure=three_d_secure,
        ),
    )


def _new_charge(
    intent: dict[str, Any], method: dict[str, Any], authenticated: bool
) -> dict[str, Any]:
    # Stripe copies the PaymentIntent's description and metadata onto the charge once, at
    # confirmation; later edits of the PaymentIntent do not reach it.
    charge = make(
        stripe.Charge,
        id=store.new_id("ch"),
        object="charge",
        amount=intent["amount"],
        billing_details=billing_details(stripe.Charge.BillingDetails, method["billing_details"]),
        calculated_statement_descriptor=account.ACCOUNT_NAME.upper()[:22],
        created=store.now(),
        currency=intent["currency"],
        customer=intent["customer"],
        description=intent["description"],
        livemode=store.data().livemode,
        metadata=dict(intent["metadata"]),
        payment_intent=intent["id"],
        payment_method=method["id"],
        payment_method_details=_method_details(method, authenticated),
        receipt_email=intent["receipt_email"],
        status="pending",
    )
    return store.data().add(charge, number=card_number(method["id"]), refunds=[], disputes=[])


def settle(charge: dict[str, Any]) -> None:
    """Captures the charge: its money reaches the balance, less Stripe's fee."""
    txn = balance.for_charge(charge, cards.country(store.data().private[charge["id"]]["number"]))
    charge.update(captured=True, amount_captured=charge["amount"], balance_transaction=txn["id"])


# --- payment intents ------------------------------------------------------------------


_PAST = {"confirm": "confirmed", "capture": "captured", "cancel": "canceled"}


def _unexpected_state(intent: dict[str, Any], action: str, allowed: tuple[str, ...]) -> StripeError:
    return refused(
        f"You cannot {action} this PaymentIntent because it has a status of {intent['status']}."
        f" Only a PaymentIntent with one of the following statuses may be "
        f"{_PAST.get(action, action + 'd')}: {', '.join(allowed)}.",
        "payment_intent_unexpected_state",
    )


def _check_amount(amount: int, currency: str) -> None:
    """Stripe's minimum charge, in the settlement currency (docs.stripe.com/currencies)."""
    settlement = account.settlement_currency()
    minimum = pricing.MINIMUM_CHARGE.get(settlement, 50)
    settled, _ = pricing.convert(amount, currency, settlement)
    if settled >= minimum:
        return
    if currency == settlement:
        message = f"Amount must be at least {pricing.money(minimum, settlement)} {settlement}"
    else:
        message = (
            f"Amount must convert to at least {pricing.money(minimum, settlement)}. "
            f"{pricing.money(amount, currency)} converts to approximately "
            f"{pricing.money(settled, settlement)}."
        )
    raise invalid(message, param="amount", code="amount_too_small")


def _currency(params: dict[str, Any]) -> str:
    currency = as_str(params, "currency")
    if currency is None:
        raise missing_param("currency")
    if currency not in pricing.SUPPORTED_CURRENCIES:
        supported = ", ".join(sorted(pricing.SUPPORTED_CURRENCIES))
        raise invalid_param(
            "currency",
            f"Invalid currency: {currency}. Stripe currently supports these currencies: "
            f"{supported}",
        )
    return currency


def _amount(params: dict[str, Any]) -> int:
    amount = as_int(params, "amount")
    if amount is None:
        raise missing_param("amount")
    if amount < 1:
        raise invalid_param("amount", "This value must be greater than or equal to 1.")
    return amount


def _payment_method_types(params: dict[str, Any]) -> tuple[list[str] | None, list[str]]:
    """allowed_payment_method_types, filtered to what can pay here: cards."""
    allowed = as_list(params, "allowed_payment_method_types")
    if allowed is not None and "automatic_payment_methods" in params:
        # https://docs.stripe.com/changelog/dahlia/2026-07-29/allowed-payment-method-types-parameter
        raise invalid(
            "You may only specify one of these parameters: allowed_payment_method_types, "
            "automatic_payment_methods.",
            param="allowed_payment_method_types",
        )
    return allowed, ["card"] if allowed is None or "card" in allowed else []


def _automatic_payment_methods(params: dict[str, Any], allowed: Any) -> dict[str, Any] | None:
    cls = stripe.PaymentIntent.AutomaticPaymentMethods
    given = as_hash(params, "automatic_payment_methods")
    if given is not None:
        return make(
            cls,
            enabled=as_bool(given, "enabled"),
            allow_redirects=as_str(given, "allow_redirects", "always"),
        )
    # Dynamic payment methods are the default unless a list of types is given.
    return None if allowed is not None else make(cls, enabled=True, allow_redirects="always")


def _customer(params: dict[str, Any]) -> str | None:
    customer = as_str(params, "customer")
    if customer is not None:
        store.data().get("customer", customer, "customer")
    return customer


@routes.post("/v1/payment_intents")
async def create_payment_intent(request: web.Request) -> web.Response:
    params = request["params"]
    amount, currency = _amount(params), _currency(params)
    _check_amount(amount, currency)
    allowed, types = _payment_method_types(params)
    method = payment_method(params["payment_method"]) if params.get("payment_method") else None
    intent_id = store.new_id("pi")
    intent = make(
        stripe.PaymentIntent,
        id=intent_id,
        object="payment_intent",
        allowed_payment_method_types=allowed,
        amount=amount,
        automatic_payment_methods=_automatic_payment_methods(params, allowed),
        capture_method=as_str(params, "capture_method", "automatic_async"),
        client_secret=f"{intent_id}_secret_{store.new_id('x')[2:]}",
        confirmation_method=as_str(params, "confirmation_method", "automatic"),
        created=store.now(),
        currency=currency,
        customer=_customer(params),
        description=as_str(params, "description"),
        livemode=store.data().livemode,
        metadata=metadata_update({}, params),
        payment_method=method and method["id"],
        payment_method_types=types,
        receipt_email=as_str(params, "receipt_email"),
        status="requires_confirmation" if method else "requires_payment_method",
    )
    store.data().add(intent)
    events.emit("payment_intent.created", intent)
    store.changed()
    if as_bool(params, "confirm"):
        confirm(intent, params)
    return reply(intent, params)


def confirm(intent: dict[str, Any], params: dict[str, Any]) -> None:
    """Confirms with the given or attached payment method, as its test card dictates."""
    if intent["status"] not in _CONFIRMABLE:
        raise _unexpected_state(intent, "confirm", _CONFIRMABLE)
    if params.get("payment_method"):
        intent["payment_method"] = payment_method(params["payment_method"])["id"]
    receipt_email = as_str(params, "receipt_email")
    if receipt_email is not None:
        intent["receipt_email"] = receipt_email or None
    if intent["payment_method"] is None:
        raise refused(
            "You cannot confirm this PaymentIntent because it's missing a payment method. "
            "Update the PaymentIntent with a payment method and then confirm it again.",
            "payment_intent_unexpected_state",
        )
    store.changed()
    number = card_number(intent["payment_method"])
    if number in cards.THREE_D_SECURE:
        _require_action(intent)
    else:
        charge(intent, cards.DECLINES.get(number), authenticated=False)


def _require_action(intent: dict[str, Any]) -> None:
    """3D Secure: the customer must authenticate in Stripe.js before the card is charged."""
    before = fresh(intent)
    # https://docs.stripe.com/payments/3d-secure/authentication-flow: Stripe.js handles
    # next_action of type use_stripe_sdk with confirmCardPayment / handleNextAction.
    intent.update(
        status="requires_action",
        last_payment_error=None,
        next_action=make(
            stripe.PaymentIntent.NextAction,
            type="use_stripe_sdk",
            use_stripe_sdk={
                "type": "three_d_secure_redirect",
                "stripe_js": f"{store.context().base_url}/js.stripe.com/v3/authenticate",
            },
        ),
    )
    events.emit("payment_intent.requires_action", intent, before)


def authenticate(intent: dict[str, Any], completed: bool) -> None:
    """The customer's answer to the 3D Secure challenge (sent by the Stripe.js stand-in)."""
    if intent["status"] != "requires_action":
        raise _unexpected_state(intent, "authenticate", ("requires_action",))
    store.changed()
    if completed:
        after = cards.THREE_D_SECURE.get(card_number(intent["payment_method"]))
        charge(intent, after, authenticated=True, raise_decline=False)
        return
    before = fresh(intent)
    method = store.data().objects[intent["payment_method"]]
    intent.update(
        status="requires_payment_method",
        next_action=None,
        last_payment_error=make(
            stripe.PaymentIntent.LastPaymentError,
            code="payment_intent_authentication_failure",
            doc_url="https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
            message=AUTHENTICATION_FAILURE,
            payment_method=fresh(method),
            payment_method_type="card",
            type="invalid_request_error",
        ),
    )
    events.emit("payment_intent.payment_failed", intent, before)


def charge(
    intent: dict[str, Any],
    decline: cards.Decline | None,
    authenticated: bool,
    raise_decline: bool = True,
) -> None:
    """One attempt to charge the card: a new charge, succeeded or failed."""
    before = fresh(intent)
    method = store.data().objects[intent["payment_method"]]
    attempt = _new_charge(intent, method, authenticated)
    intent.update(latest_charge=attempt["id"], next_action=None)
    if decline is not None:
        _decline(intent, attempt, method, decline, before)
        if raise_decline:
            raise StripeError(
                402,
                decline.message,
                code=decline.code,
                decline_code=decline.decline_code,
                charge=attempt["id"],
                payment_intent=fresh(intent),
                payment_method=fresh(method),
            )
        return
    manual = intent["capture_method"] == "manual"
    attempt.update(status="succeeded", paid=True, outcome=_approved())
    if not manual:
        settle(attempt)
    events.emit("charge.succeeded", attempt)
    intent.update(last_payment_error=None)
    if manual:
        intent.update(status="requires_capture", amount_capturable=intent["amount"])
        events.emit("payment_intent.amount_capturable_updated", intent, before)
    else:
        intent.update(status="succeeded", amount_received=intent["amount"])
        events.emit("payment_intent.succeeded", intent, before)
    disputes.after_charge(attempt)


def _decline(
    intent: dict[str, Any],
    attempt: dict[str, Any],
    method: dict[str, Any],
    decline: cards.Decline,
    before: dict[str, Any],
) -> None:
    attempt.update(
        status="failed",
        failure_code=decline.code,
        failure_message=decline.message,
        outcome=_declined(decline),
    )
    events.emit("charge.failed", attempt)
    intent.update(
        status="requires_payment_method",
        last_payment_error=make(
            stripe.PaymentIntent.LastPaymentError,
            charge=attempt["id"],
            code=decline.code,
            decline_code=decline.decline_code,
            doc_url="https://stripe.com/docs/error-codes/" + decline.code.replace("_", "-"),
            message=decline.message,
            payment_method=fresh(method),
            payment_method_type="card",
            type="card_error",
        ),
    )
    events.emit("payment_intent.payment_failed", intent, before)


def _intent(request: web.Request) -> dict[str, Any]:
    return store.data().get("payment_intent", request.match_info["id"], "intent")


routes.get("/v1/payment_intents/{id}")(lists.retriever("payment_intent", "intent"))


@routes.post("/v1/payment_intents/{id}")
async def update_payment_intent(request: web.Request) -> web.Response:
    params = request["params"]
    intent = _intent(request)
    changes_money = {"amount", "currency", "payment_method"} & params.keys()
    if changes_money and intent["status"] not in (
        "requires_payment_method",
        "requires_confirmation",
    ):
        raise _unexpected_state(
            intent, "update", ("requires_payment_method", "requires_confirmation")
        )
    if "amount" in params or "currency" in params:
        amount = _amount(params) if "amount" in params else intent["amount"]
        currency = _currency(params) if "currency" in params else intent["currency"]
        _check_amount(amount, currency)
        intent.update(amount=amount, currency=currency)
    if params.get("payment_method"):
        intent.update(
            payment_method=payment_method(params["payment_method"])["id"],
            status="requires_confirmation",
        )
    for field in ("description", "receipt_email"):
        if field in params:
            intent[field] = as_str(params, field) or None
    intent["metadata"] = metadata_update(intent["metadata"], params)
    store.changed()
    return reply(intent, params)


@routes.post("/v1/payment_intents/{id}/confirm")
async def confirm_payment_intent(request: web.Request) -> web.Response:
    intent = _intent(request)
    confirm(intent, request["params"])
    return reply(intent, request["params"])


@routes.post("/v1/payment_intents/{id}/capture")
async def capture_payment_intent(request: web.Request) -> web.Response:
    intent = _intent(request)
    if intent["status"] != "requires_capture":
        raise _unexpected_state(intent, "capture", ("requires_capture",))
    before = fresh(intent)
    attempt = store.data().objects[intent["latest_charge"]]
    settle(attempt)
    events.emit("charge.captured", attempt)
    intent.update(status="succeeded", amount_capturable=0, amount_received=intent["amount"])
    events.emit("payment_intent.succeeded", intent, before)
    store.changed()
    return reply(intent, request["params"])


@routes.post("/v1/payment_intents/{id}/cancel")
async def cancel_payment_intent(request: web.Request) -> web.Response:
    params = request["params"]
    intent = _intent(request)
    if intent["status"] not in _CANCELABLE:
        raise _unexpected_state(intent, "cancel", _CANCELABLE)
    before = fresh(intent)
    intent.update(
        status="canceled",
        canceled_at=store.now(),
        cancellation_reason=as_str(params, "cancellation_reason"),
        next_action=None,
        amount_capturable=0,
    )
    events.emit("payment_intent.canceled", intent, before)
    store.changed()
    return reply(intent, params)


routes.get("/v1/payment_intents")(
    lists.handler(
        "payment_intent",
        {
            "customer": lists.equals("customer"),
            "customer_account": lists.equals("customer_account"),
        },
    )
)
routes.get("/v1/charges")(
    lists.handler(
        "charge",
        {
            "customer": lists.equals("customer"),
            "payment_intent": lists.equals("payment_intent"),
            "transfer_group": lists.equals("transfer_group"),
        },
    )
)


routes.get("/v1/charges/{id}")(lists.retriever("charge", "charge"))


@routes.post("/v1/charges/{id}")
async def update_charge(request: web.Request) -> web.Response:
    params = request["params"]
    attempt = store.data().get("charge", request.match_info["id"], "charge")
    before = fresh(attempt)
    for field in ("description", "receipt_email"):
        if field in params:
            attempt[field] = as_str(params, field) or None
    attempt["metadata"] = metadata_update(attempt["metadata"], params)
    events.emit("charge.updated", attempt, before)
    store.changed()
    return reply(attempt, params)
