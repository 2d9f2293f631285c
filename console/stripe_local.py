"""Local Stripe-compatible server for the demo and the tests.

Run it with ``python -m console.stripe_local --port N [--store PATH] [--host 127.0.0.1]``.
Once listening it prints one line, ``stripe-local listening on http://HOST:PORT``.

It is localstripe (a stateful fake Stripe) with its gaps filled by patching it at start-up,
so that the console's code meets the API it meets at Stripe, with no special-casing:
Stripe's card fees on balance transactions, an account object, idempotency keys, Stripe's
list semantics and filters, the payment and refund events, PaymentIntent data copied onto
charges, Stripe's test cards and declines, refund limits, a computed balance, and a store
that is private to each instance (in memory, optionally saved to ``--store``).

localstripe is GPL-3.0: this module is the only one that imports it, and no other console
module imports this one; it only ever runs as its own process.

Test-only controls, which have no Stripe equivalent:

- header ``Stripe-Local-Now: <unix seconds>`` backdates every object a request creates;
- ``POST /_config/refunds/{id}/status`` moves a refund to pending, succeeded or failed;
- ``POST /_config/account`` replaces fields of the account (e.g. an unverified one);
- ``POST /_config/charges/{id}/dispute`` marks a charge disputed;
- ``POST /_config/faults`` / ``DELETE /_config/faults`` inject 429/500/503 answers;
- ``GET /_config/stats`` / ``POST /_config/stats/reset`` count API requests;
- localstripe's own ``POST /_config/webhooks/{id}`` and ``DELETE /_config/data``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import bisect
import contextvars
import copy
import functools
import hashlib
import itertools
import json
import logging
import os
import pickle
import re
import signal
import socket
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError
from localstripe.resources import (
    BalanceTransaction,
    Card,
    Charge,
    Event,
    List,
    PaymentIntent,
    PaymentMethod,
    Refund,
    Store,
    StripeObject,
    store,
    try_convert_to_bool,
    try_convert_to_int,
)
from localstripe.webhooks import schedule_webhook

from console.card_pricing import card_fee

DEFAULT_PORT = 12111
DEFAULT_HOST = "127.0.0.1"
NOW_HEADER = "Stripe-Local-Now"
API_VERSION = "2026-10-28.endive"  # the version stripe-python 16.1 pins
TEST_KEY_PREFIXES = ("sk_test_", "rk_test_")
LIVE_KEY_PREFIXES = ("sk_live_", "rk_live_")
SAVE_INTERVAL_SECONDS = 2.0
IDEMPOTENCY_TTL_SECONDS = 24 * 3600  # Stripe prunes keys after 24 hours
ACCOUNT_NAME = "Webinar Demo Org"

# Stripe's test payment-method ids (https://docs.stripe.com/testing) -> card number.
TEST_PAYMENT_METHODS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_visa_debit": "4000056655665556",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_mastercard_debit": "5200828282828210",
    "pm_card_amex": "378282246310005",
    "pm_card_discover": "6011111111111117",
    "pm_card_visa_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_chargeDeclinedProcessingError": "4000000000000119",
    "pm_card_chargeCustomerFail": "4000000000000341",
    "pm_card_refundFail": "4000000000005126",
}
DEBIT_TEST_CARDS = {"4000056655665556", "5200828282828210"}
# Stripe's test card whose refunds start `pending` (docs.stripe.com/testing#refunds).
PENDING_REFUND_CARDS = {"4000000000007726"}

_GENERIC_DECLINE = ("card_declined", "generic_decline", "Your card was declined.")
_INSUFFICIENT_FUNDS = ("card_declined", "insufficient_funds", "Your card has insufficient funds.")
# Test cards declined when charged: number -> (error code, decline_code, message).
CARD_DECLINES = {
    "4000000000000002": _GENERIC_DECLINE,
    "4000000000000341": _GENERIC_DECLINE,
    "4000008400001629": _GENERIC_DECLINE,
    "4000000000009995": _INSUFFICIENT_FUNDS,
    "4000008260003178": _INSUFFICIENT_FUNDS,
    "4000000000009987": ("card_declined", "lost_card", "Your card was declined."),
    "4000000000009979": ("card_declined", "stolen_card", "Your card was declined."),
    "4000000000000069": ("expired_card", "expired_card", "Your card has expired."),
    "4000000000000127": (
        "incorrect_cvc",
        "incorrect_cvc",
        "Your card's security code is incorrect.",
    ),
    "4000000000000119": (
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}

REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
REFUND_STATUSES = ("pending", "succeeded", "failed")
# Refunds that take money back from a charge; failed ones gave it back.
_COUNTED_REFUND_STATUSES = ("pending", "succeeded")
FAULT_STATUSES = {429: "rate_limit_error", 500: "api_error", 503: "api_error"}

_ACCOUNT_KEY = "_local:account"
_IDEMPOTENCY_KEY = "_local:idempotency"
_ACCOUNT_OVERRIDES_KEY = "_local:account_overrides"

_log = logging.getLogger("console.stripe_local")

# Per-request context: read by the patched localstripe code while it serves a request.
_now_override: contextvars.ContextVar[int | None] = contextvars.ContextVar("now", default=None)
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request", default=None)
_idempotency_key: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "idempotency_key", default=None
)


# --- instance state -------------------------------------------------------------------


class _Timeline:
    """The objects of one type in Stripe's list order: sorted by (created, insertion)."""

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []
        self.objects: list[Any] = []
        self.key_of: dict[str, tuple[int, int]] = {}

    def add(self, obj: Any, sequence: int) -> None:
        key = (obj.created, sequence)
        index = bisect.bisect(self.keys, key)
        self.keys.insert(index, key)
        self.objects.insert(index, obj)
        self.key_of[obj.id] = key

    def remove(self, obj_id: str) -> None:
        key = self.key_of.pop(obj_id, None)
        if key is not None:
            index = bisect.bisect_left(self.keys, key)
            del self.keys[index]
            del self.objects[index]

    def page(
        self,
        limit: int,
        gte: int | None,
        lte: int | None,
        starting_after: str | None,
        ending_before: str | None,
        matches: Callable[[Any], bool],
    ) -> tuple[list[Any], bool]:
        """One page, newest first, and whether more objects lie beyond it."""
        # Bisection narrows to the created range and the cursor, so a page costs
        # O(log n) plus the objects it walks over, not a scan of the whole store.
        lo = 0 if gte is None else bisect.bisect_left(self.keys, (gte, -1))
        hi = len(self.keys) if lte is None else bisect.bisect_left(self.keys, (lte + 1, -1))
        if ending_before is not None:
            lo = max(lo, bisect.bisect_right(self.keys, self.key_of[ending_before]))
            walk: Iterable[int] = range(lo, hi)  # the objects just newer than the cursor
        else:
            if starting_after is not None:
                hi = min(hi, bisect.bisect_left(self.keys, self.key_of[starting_after]))
            walk = range(hi - 1, lo - 1, -1)
        found = list(itertools.islice(filter(matches, (self.objects[i] for i in walk)), limit + 1))
        page = found[:limit]
        if ending_before is not None:
            page.reverse()
        return page, len(found) > limit


@dataclass
class _Fault:
    status: int
    every: int
    path_prefix: str
    seen: int = 0


class _State:
    def __init__(self) -> None:
        self.store_path: Path | None = None
        self.dirty = False
        self.timelines: dict[str, _Timeline] = {}
        self.sequence = itertools.count()
        self.requests: Counter[str] = Counter()
        self.fault: _Fault | None = None
        self.faults_injected = 0
        self.in_flight: set[tuple[str, str]] = set()

    def timeline(self, object_type: str) -> _Timeline:
        if object_type not in self.timelines:
            self.timelines[object_type] = _Timeline()
        return self.timelines[object_type]

    def index(self, value: Any) -> None:
        if isinstance(value, StripeObject):
            self.timeline(value.object).add(value, next(self.sequence))

    def rebuild_index(self) -> None:
        self.timelines.clear()
        self.sequence = itertools.count()
        for value in store.values():  # insertion order is creation order
            self.index(value)


_state = _State()


# --- store: private to the instance, saved in the background --------------------------


def _store_setitem(self: Store, key: str, value: Any) -> None:
    dict.__setitem__(self, key, value)
    _state.index(value)
    _state.dirty = True


def _store_delitem(self: Store, key: str) -> None:
    value = self[key]
    dict.__delitem__(self, key)
    if isinstance(value, StripeObject):
        _state.timeline(value.object).remove(value.id)
    _state.dirty = True


def _store_clear(self: Store) -> None:
    dict.clear(self)
    _state.rebuild_index()
    _state.dirty = True


def _store_mark_dirty(self: Store) -> None:
    # localstripe calls this after each write request; the autosave task does the writing.
    _state.dirty = True


def _store_load(self: Store) -> None:
    path = _state.store_path
    if path is None or not path.exists():
        return
    with path.open("rb") as f:
        saved = pickle.load(f)  # our own file, written by _save_store
    dict.clear(self)
    dict.update(self, saved)
    _state.rebuild_index()
    _state.dirty = False


def _save_store() -> None:
    path = _state.store_path
    assert path is not None
    _state.dirty = False
    data = pickle.dumps(dict(store), protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # atomic: a crash never leaves a half-written store


async def _autosave() -> None:
    while True:
        await asyncio.sleep(SAVE_INTERVAL_SECONDS)
        if _state.dirty:
            try:
                _save_store()
            except Exception:
                _state.dirty = True
                _log.exception("could not save the store to %s", _state.store_path)


def _local_record(key: str, make: Callable[[], Any]) -> Any:
    """A record of this server's own (account id, idempotency keys), kept in the store."""
    value = store.get(key)
    if value is None:
        value = make()
        store[key] = value
    return value


# --- errors ---------------------------------------------------------------------------


def _error_type(status: int) -> str:
    if status == 402:
        return "card_error"
    if status == 429:
        return "rate_limit_error"
    if status >= 500:
        return "api_error"
    return "invalid_request_error"


def _stripe_error(status: int, message: str, **fields: Any) -> UserError:
    """A localstripe UserError whose body has Stripe's shape for that status."""
    return UserError(status, message, {k: v for k, v in fields.items() if v is not None})


_user_error_init = UserError.__init__


def _init_user_error(
    self: UserError, code: int, message: str | None = None, contents: dict | None = None
) -> None:
    wanted = (contents or {}).get("type")
    _user_error_init(self, code, message, contents)
    # localstripe labels every error invalid_request_error, 402 card errors included.
    self.body["error"]["type"] = wanted or _error_type(code)


def _retrieve(cls: type[StripeObject], id: str) -> StripeObject:
    obj = store.get(f"{cls.object}:{id}")
    if obj is None:
        raise _stripe_error(
            404, f"No such {cls.object}: '{id}'", code="resource_missing", param="id"
        )
    return obj


def _invalid_param(param: str, message: str) -> UserError:
    return _stripe_error(400, message, code="parameter_invalid", param=param)


def _int_param(value: Any, param: str) -> int:
    number = try_convert_to_int(value)
    if type(number) is not int:
        raise _invalid_param(param, f"Invalid integer: {value}")
    return number


def _str_param(value: Any, param: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _invalid_param(param, f"Invalid string: {value}")
    return value


# --- events ---------------------------------------------------------------------------


def _emit(event_type: str, obj: StripeObject) -> None:
    schedule_webhook(Event(event_type, obj))


_event_init = Event.__init__


def _init_event(self: Event, type: str, data: StripeObject) -> None:
    _event_init(self, type, data)
    self.data = copy.deepcopy(self.data)  # a snapshot: later changes must not show
    self.api_version = API_VERSION
    self.pending_webhooks = 0
    self.request = {"id": _request_id.get(), "idempotency_key": _idempotency_key.get()}


# --- balance transactions: Stripe's fees ----------------------------------------------


_balance_transaction_init = BalanceTransaction.__init__


def _init_balance_transaction(
    self: BalanceTransaction, type: str, reporting_category: str, **data: Any
) -> None:
    # localstripe knows only charge and refund transactions.
    known = "refund" if type == "refund_failure" else type
    data["exchange_rate"] = None  # settled in the charge's currency
    _balance_transaction_init(self, type=known, reporting_category=known, **data)
    self.type = type
    self.reporting_category = reporting_category
    if type == "charge":
        self.fee = card_fee(self.amount, self.currency)
        self.fee_details = [
            {
                "amount": self.fee,
                "application": None,
                "currency": self.currency,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]


# --- payment methods: Stripe's test cards ---------------------------------------------


def _card_brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in ("34", "37"):
        return "amex"
    if number.startswith(("6011", "65")) or "644" <= number[:3] <= "649":
        return "discover"
    if "51" <= number[:2] <= "55" or "2221" <= number[:4] <= "2720":
        return "mastercard"
    return "unknown"


def _luhn_valid(number: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _card_error(message: str, code: str, param: str) -> UserError:
    return _stripe_error(402, message, code=code, param=param)


def _billing_details(details: Any) -> dict[str, Any]:
    details = details if isinstance(details, dict) else {}
    address = details.get("address")
    if isinstance(address, dict):
        keys = ("city", "country", "line1", "line2", "postal_code", "state")
        address = {key: address.get(key) for key in keys}
    else:
        address = None
    return {
        "address": address,
        "email": details.get("email"),
        "name": details.get("name"),
        "phone": details.get("phone"),
    }


_payment_method_init = PaymentMethod.__init__


def _init_payment_method(
    self: PaymentMethod, card: Any = None, billing_details: Any = None, **data: Any
) -> None:
    number = None
    if data.get("type") == "card" and isinstance(card, dict) and "number" in card:
        number = re.sub(r"[\s-]", "", str(card["number"]))
        if not (number.isdigit() and 13 <= len(number) <= 19 and _luhn_valid(number)):
            raise _card_error("Your card number is incorrect.", "incorrect_number", "number")
        cvc = str(card.get("cvc", "123"))
        if not (cvc.isdigit() and len(cvc) in (3, 4)):
            raise _card_error("Your card's security code is invalid.", "invalid_cvc", "cvc")
        # localstripe accepts only 16-digit numbers and 3-digit CVCs (no Amex): let it
        # build the object from a stand-in card, then put the real card's details back.
        card = {**card, "number": "4242424242424242", "cvc": "123"}
    _payment_method_init(self, card=card, billing_details=billing_details, **data)
    self.billing_details = _billing_details(billing_details)
    if number is not None:
        self._card_number = number
        self.card.update(
            brand=_card_brand(number),
            last4=number[-4:],
            fingerprint=resources.fingerprint(number),
            country="US",  # Stripe's test cards are US-issued
            funding="debit" if number in DEBIT_TEST_CARDS else "credit",
        )


def _test_payment_method(cls: type[PaymentMethod], id: str) -> PaymentMethod | None:
    # Like Stripe, each use of a test id makes a new PaymentMethod.
    number = TEST_PAYMENT_METHODS.get(id)
    if number is None:
        return None
    return cls(
        type="card",
        card={"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
    )


_payment_method_declines = PaymentMethod._charging_is_declined


def _charging_is_declined(self: Any) -> bool:
    if self.type == "card":
        return self._card_number in CARD_DECLINES
    return _payment_method_declines(self)


def _resolve_payment_method(payment_method: Any) -> Any:
    """Turns a test id such as pm_card_visa into the id of a real PaymentMethod."""
    if isinstance(payment_method, str) and payment_method:
        return PaymentMethod._api_retrieve(payment_method).id
    return payment_method


# --- charges --------------------------------------------------------------------------


_APPROVED = {
    "network_status": "approved_by_network",
    "reason": None,
    "risk_level": "normal",
    "seller_message": "Payment complete.",
    "type": "authorized",
}


def _payment_method_details(pm: Any) -> dict[str, Any]:
    if isinstance(pm, PaymentMethod) and pm.type == "card":
        keys = ("brand", "last4", "exp_month", "exp_year", "country", "funding")
        card = {key: pm.card[key] for key in keys}
    elif isinstance(pm, Card):
        card = {
            "brand": pm.brand.lower(),
            "last4": pm.last4,
            "exp_month": pm.exp_month,
            "exp_year": pm.exp_year,
            "country": pm.country,
            "funding": pm.funding,
        }
    else:
        return {"type": pm.type}
    return {"type": "card", "card": card}


_charge_init = Charge.__init__


def _init_charge(self: Charge, **data: Any) -> None:
    _charge_init(self, **data)
    pm = PaymentMethod._api_retrieve(self.payment_method)
    self.billing_details = _billing_details(getattr(pm, "billing_details", None))
    self.payment_method_details = _payment_method_details(pm)
    self.disputed = False
    self.outcome = None
    self._refunds: list[Refund] = []


_charge_initialize = Charge._initialize_charge


def _initialize_charge(
    self: Charge,
    on_success: Callable[[], None] | None = None,
    on_failure_now: Callable[[], None] | None = None,
    on_failure_later: Callable[[], None] | None = None,
) -> None:
    def succeeded() -> None:
        self.outcome = dict(_APPROVED)
        _emit("charge.succeeded", self)
        if on_success:
            on_success()

    _charge_initialize(self, succeeded, on_failure_now, on_failure_later)
    if self.status == "succeeded" and not self.captured:
        # Authorized, to be captured later: Stripe reports the charge as succeeded now.
        self.outcome = dict(_APPROVED)
        _emit("charge.succeeded", self)


def _set_auth_failure(self: Charge) -> None:
    pm = PaymentMethod._api_retrieve(self.payment_method)
    code, decline_code, message = CARD_DECLINES.get(
        getattr(pm, "_card_number", None), _GENERIC_DECLINE
    )
    self.status = "failed"
    self.failure_code = code
    self.failure_message = message
    self.outcome = {
        "network_status": "declined_by_network",
        "reason": decline_code,
        "risk_level": "normal",
        "seller_message": "The bank did not return any further details with this decline.",
        "type": "issuer_declined",
    }
    _emit("charge.failed", self)


def _raise_failure(self: Charge) -> None:
    intent = self.payment_intent and PaymentIntent._api_retrieve(self.payment_intent)._export()
    raise _stripe_error(
        402,
        self.failure_message,
        code=self.failure_code,
        decline_code=self.outcome["reason"],
        charge=self.id,
        payment_intent=intent,
    )


def _amount_refunded(self: Charge) -> int:
    return sum(r.amount for r in self._refunds if r.status in _COUNTED_REFUND_STATUSES)


def _expanded(expand: list[str] | None) -> set[str]:
    return {path.split(".")[0] for path in expand or []}


_charge_export = Charge._export


def _export_charge(self: Charge, expand: list[str] | None = None) -> dict[str, Any]:
    body = _charge_export(self, expand=expand)
    if "refunds" not in _expanded(expand):
        del body["refunds"]  # expandable only, since API version 2022-11-15
    return body


def _charge_refunds(self: Charge) -> List:
    refunds = List(f"/v1/charges/{self.id}/refunds")
    refunds._list = self._refunds[::-1]
    return refunds


# --- payment intents ------------------------------------------------------------------


_payment_intent_init = PaymentIntent.__init__


def _init_payment_intent(
    self: PaymentIntent,
    description: Any = None,
    receipt_email: Any = None,
    automatic_payment_methods: Any = None,
    payment_method: Any = None,
    **data: Any,
) -> None:
    _str_param(description, "description")
    _str_param(receipt_email, "receipt_email")
    if automatic_payment_methods is not None and not isinstance(automatic_payment_methods, dict):
        raise _invalid_param("automatic_payment_methods", "Invalid hash")
    payment_method = _resolve_payment_method(payment_method)
    _payment_intent_init(self, payment_method=payment_method, **data)
    self.description = description
    self.receipt_email = receipt_email
    self.automatic_payment_methods = automatic_payment_methods and {
        key: try_convert_to_bool(value) for key, value in automatic_payment_methods.items()
    }
    _emit("payment_intent.created", self)


_payment_intent_export = PaymentIntent._export


def _export_payment_intent(self: PaymentIntent, expand: list[str] | None = None) -> dict[str, Any]:
    body = _payment_intent_export(self, expand=expand)
    del body["charges"]  # removed in API version 2022-11-15
    # localstripe holds the Charge itself; Stripe sends its id unless expanded.
    if isinstance(body["latest_charge"], dict) and "latest_charge" not in _expanded(expand):
        body["latest_charge"] = body["latest_charge"]["id"]
    return body


def _create_charge(self: PaymentIntent, on_failure_now: Callable[[], None]) -> None:
    if self.status != "requires_confirmation":
        raise _unexpected_state(self)
    # Stripe copies the PaymentIntent's description and metadata onto the charge once,
    # here at confirmation; later edits of the PaymentIntent do not reach the charge.
    charge = Charge(
        amount=self.amount,
        currency=self.currency,
        customer=self.customer,
        source=self.payment_method,
        capture=self.capture_method != "manual",
        description=self.description,
        metadata=dict(self.metadata),
    )
    charge.payment_intent = self.id
    charge.receipt_email = self.receipt_email
    self.latest_charge = charge
    charge._initialize_charge(self._on_success, on_failure_now, self._report_async_failure)


def _unexpected_state(intent: PaymentIntent) -> UserError:
    return _stripe_error(
        400,
        "You cannot confirm this PaymentIntent because it has a status of "
        f"{intent.status}. Only a PaymentIntent with one of the following statuses may be "
        "confirmed: requires_confirmation, requires_payment_method, requires_action.",
        code="payment_intent_unexpected_state",
    )


_payment_intent_last_error = PaymentIntent.last_payment_error.fget


def _last_payment_error(self: PaymentIntent) -> dict[str, Any] | None:
    error = _payment_intent_last_error(self)
    if error and "charge" in error:
        charge = self.latest_charge
        error["type"] = "card_error"
        error["decline_code"] = charge.outcome["reason"]
        error["payment_method"] = PaymentMethod._api_retrieve(charge.payment_method)._export()
    return error


async def _confirm_payment_intent(request: web.Request, id: str) -> web.Response:
    # localstripe's confirm refuses payment_method and receipt_email; Stripe takes both,
    # and a new payment method after a decline starts a new attempt.
    data = await server.get_post_data(request) or {}
    expand = data.pop("expand", None)
    data.pop("client_secret", None)  # checked by the auth middleware for publishable keys
    data.pop("return_url", None)
    payment_method = data.pop("payment_method", None)
    receipt_email = _str_param(data.pop("receipt_email", None), "receipt_email")
    intent = PaymentIntent._api_retrieve(id)
    if intent.status not in ("requires_confirmation", "requires_payment_method"):
        raise _unexpected_state(intent)
    if payment_method is not None:
        intent.payment_method = _resolve_payment_method(payment_method)
        if intent.latest_charge is not None and intent.latest_charge.status == "failed":
            intent.latest_charge = None  # the failed charge stays, as Stripe keeps it
    if receipt_email is not None:
        intent.receipt_email = receipt_email
    if intent.status != "requires_confirmation":
        raise _stripe_error(
            400,
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
            code="payment_intent_unexpected_state",
        )
    return server.json_response(PaymentIntent._api_confirm(id, **data)._export(expand=expand))


# --- refunds --------------------------------------------------------------------------


# Currencies whose minor unit is the unit itself (https://docs.stripe.com/currencies).
_ZERO_DECIMAL_CURRENCIES = {
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
    "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
}  # fmt: skip


def _money(amount: int, currency: str) -> str:
    if currency in _ZERO_DECIMAL_CURRENCIES:
        return f"{amount} {currency.upper()}"
    return f"{Decimal(amount).scaleb(-2):.2f} {currency.upper()}"


_refund_init = Refund.__init__


def _init_refund(
    self: Refund,
    charge: Any = None,
    payment_intent: Any = None,
    amount: Any = None,
    reason: Any = None,
    **data: Any,
) -> None:
    if reason is not None and reason not in REFUND_REASONS:
        raise _invalid_param(
            "reason", "Invalid reason: must be one of " + ", ".join(REFUND_REASONS)
        )
    if charge is not None and payment_intent is not None:
        message = "You may only specify one of these parameters: charge, payment_intent."
        raise _invalid_param("payment_intent", message)
    if charge is None and isinstance(payment_intent, str):
        intent = PaymentIntent._api_retrieve(payment_intent)
        if intent.latest_charge is None or intent.latest_charge.status != "succeeded":
            raise _stripe_error(
                400,
                f"This PaymentIntent ({payment_intent}) does not have a successful charge "
                "to refund.",
                code="charge_not_refundable",
                param="payment_intent",
            )
        charge = intent.latest_charge.id
    if not isinstance(charge, str):
        _refund_init(self, charge, payment_intent, amount, **data)  # raises its own error
    charge_obj = Charge._api_retrieve(charge)
    remaining = charge_obj.amount - charge_obj.amount_refunded
    amount = remaining if amount is None else try_convert_to_int(amount)
    if type(amount) is not int or amount <= 0:
        raise _invalid_param("amount", "Invalid positive integer")
    if remaining <= 0:
        raise _stripe_error(
            400,
            f"Charge {charge} has already been refunded.",
            code="charge_already_refunded",
            param="charge",
        )
    if amount > remaining:
        raise _stripe_error(
            400,
            f"Refund amount ({_money(amount, charge_obj.currency)}) is greater than "
            f"unrefunded amount on charge ({_money(remaining, charge_obj.currency)})",
            code="amount_too_large",
            param="amount",
        )
    _refund_init(self, charge=charge, amount=amount, **data)
    self.payment_intent = charge_obj.payment_intent
    self.reason = reason
    self.failure_reason = None
    self.failure_balance_transaction = None
    if _card_number(charge_obj) in PENDING_REFUND_CARDS:
        self.status = "pending"  # until moved on by POST /_config/refunds/{id}/status
    charge_obj._refunds.append(self)
    _emit("charge.refunded", charge_obj)
    _emit("refund.created", self)


def _card_number(charge: Charge) -> str | None:
    method = store.get("payment_method:" + str(charge.payment_method))
    return getattr(method, "_card_number", None)


async def _dispute_charge(request: web.Request) -> web.Response:
    """Test control: the cardholder disputes a charge (Stripe's disputed test cards)."""
    charge = Charge._api_retrieve(request.match_info["id"])
    charge.disputed = True
    _emit("charge.updated", charge)
    return server.json_response(charge._export())


async def _set_refund_status(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    refund = Refund._api_retrieve(request.match_info["id"])
    status = data.get("status")
    if status not in REFUND_STATUSES:
        raise _invalid_param("status", "status must be one of " + ", ".join(REFUND_STATUSES))
    if refund.status == "failed" and status != "failed":
        raise _stripe_error(400, "A failed refund is final.", param="status")
    if status != refund.status:
        refund.status = status
        if status == "failed":
            refund.failure_reason = data.get("failure_reason") or "expired_or_canceled_card"
            # The money comes back to the balance.
            failure = BalanceTransaction(
                amount=refund.amount,
                currency=refund.currency,
                description="REFUND FAILURE",
                reporting_category="refund_failure",
                source=refund.id,
                type="refund_failure",
            )
            refund.failure_balance_transaction = failure.id
        _emit("charge.refund.updated", refund)
        _emit("refund.updated", refund)
        if status == "failed":
            _emit("refund.failed", refund)
    return server.json_response(refund._export())


# --- lists ----------------------------------------------------------------------------

_Predicate = Callable[[Any], bool]


def _equals(attribute: str) -> Callable[[Any, str], _Predicate]:
    def build(value: Any, param: str) -> _Predicate:
        _str_param(value, param)
        return lambda obj: getattr(obj, attribute, None) == value

    return build


def _event_types(value: Any, param: str) -> _Predicate:
    patterns = value if isinstance(value, list) else [value]
    if not patterns or not all(isinstance(p, str) for p in patterns):
        raise _invalid_param(param, f"Invalid {param}: {value}")
    return lambda event: any(fnmatchcase(event.type, p) for p in patterns)  # "charge.*"


_LIST_FILTERS: dict[str, dict[str, Callable[[Any, str], _Predicate]]] = {
    "charge": {"customer": _equals("customer"), "payment_intent": _equals("payment_intent")},
    "refund": {"charge": _equals("charge"), "payment_intent": _equals("payment_intent")},
    "balance_transaction": {"type": _equals("type"), "source": _equals("source")},
    "payment_intent": {"customer": _equals("customer")},
    "event": {"type": _event_types, "types": _event_types},
}


def _created_range(created: Any) -> tuple[int | None, int | None]:
    """Stripe's `created` filter as an inclusive (gte, lte) range."""
    if not isinstance(created, dict):
        exact = _int_param(created, "created")
        return exact, exact
    gte = lte = None
    for op, value in created.items():
        bound = _int_param(value, f"created[{op}]")
        if op == "gt":
            bound, op = bound + 1, "gte"
        elif op == "lt":
            bound, op = bound - 1, "lte"
        if op == "gte":
            gte = bound if gte is None else max(gte, bound)
        elif op == "lte":
            lte = bound if lte is None else min(lte, bound)
        else:
            raise _invalid_param(f"created[{op}]", f"Received unknown parameter: created[{op}]")
    return gte, lte


async def _list_objects(request: web.Request, object_type: str) -> web.Response:
    params = server.unflatten_data(request.query)
    expand = params.pop("expand", None)
    limit = _int_param(params.pop("limit", 10), "limit")
    if limit < 1:
        raise _invalid_param("limit", "This value must be greater than or equal to 1.")
    if limit > 100:
        raise _invalid_param(
            "limit", f"This value must be less than or equal to 100 (it currently is '{limit}')."
        )
    starting_after = _str_param(params.pop("starting_after", None), "starting_after")
    ending_before = _str_param(params.pop("ending_before", None), "ending_before")
    if starting_after and ending_before:
        raise _invalid_param(
            "ending_before",
            "You may only specify one of these parameters: ending_before, starting_after.",
        )
    gte, lte = _created_range(params.pop("created")) if "created" in params else (None, None)
    if "type" in params and "types" in params:
        raise _invalid_param("types", "You may pass either type or types, but not both.")

    filters = _LIST_FILTERS[object_type]
    predicates = []
    for name, value in params.items():
        if name not in filters:
            raise _invalid_param(name, f"Received unknown parameter: {name}")
        predicates.append(filters[name](value, name))

    timeline = _state.timeline(object_type)
    for param, cursor in (("starting_after", starting_after), ("ending_before", ending_before)):
        if cursor and cursor not in timeline.key_of:
            raise _stripe_error(
                400, f"No such {object_type}: '{cursor}'", code="resource_missing", param=param
            )
    items, has_more = timeline.page(
        limit,
        gte,
        lte,
        starting_after or None,
        ending_before or None,
        lambda obj: all(p(obj) for p in predicates),
    )
    # Export through localstripe's List so that expand[] works as it always has.
    page = List(request.path, limit=max(1, len(items)))
    page._list = items
    body = page._export(expand=expand)
    body["has_more"] = has_more
    del body["total_count"]  # not part of Stripe's list object
    return server.json_response(body)


# --- balance and account ---------------------------------------------------------------


async def _get_balance(request: web.Request) -> web.Response:
    totals: dict[str, int] = {}
    for txn in _state.timeline("balance_transaction").objects:
        totals[txn.currency] = totals.get(txn.currency, 0) + txn.net
    if not totals:
        totals = {"eur": 0}  # the account's default currency
    currencies = sorted(totals)
    return server.json_response(
        {
            "object": "balance",
            "available": [
                {"amount": totals[c], "currency": c, "source_types": {"card": totals[c]}}
                for c in currencies
            ],
            "pending": [
                {"amount": 0, "currency": c, "source_types": {"card": 0}} for c in currencies
            ],
            "livemode": False,
        }
    )


def _account() -> dict[str, Any]:
    account_id = _local_record(_ACCOUNT_KEY, lambda: "acct_local" + resources.random_id(10))
    overrides = store.get(_ACCOUNT_OVERRIDES_KEY) or {}
    return {
        "id": account_id,
        "object": "account",
        "business_profile": {"name": ACCOUNT_NAME},
        "settings": {"dashboard": {"display_name": ACCOUNT_NAME}},
        "capabilities": {"card_payments": "active", "transfers": "active"},
        "charges_enabled": True,
        "payouts_enabled": True,
        "details_submitted": True,
        "country": "FR",
        "default_currency": "eur",
        "email": "finance@webinar-demo.example",
        "requirements": {
            "currently_due": [],
            "eventually_due": [],
            "past_due": [],
            "disabled_reason": None,
        },
        "type": "standard",
        "livemode": False,
    } | overrides


async def _stripe_js(request: web.Request) -> web.Response:
    """A Stripe.js stand-in: card fields that send card data straight to this server."""
    script = (Path(__file__).with_name("stripe_local_v3.js")).read_text()
    return web.Response(text=script, content_type="application/javascript")


async def _get_account(request: web.Request) -> web.Response:
    account = _account()
    account_id = request.match_info.get("id", account["id"])
    if account_id != account["id"]:
        raise _stripe_error(
            404, f"No such account: '{account_id}'", code="resource_missing", param="account"
        )
    return server.json_response(account)


async def _set_account(request: web.Request) -> web.Response:
    """Test control: present another account state, e.g. one that is not verified yet."""
    overrides = await request.json() if request.can_read_body else {}
    store[_ACCOUNT_OVERRIDES_KEY] = overrides
    return server.json_response(_account())


# --- test controls: faults and request counts -----------------------------------------


async def _set_faults(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    status = try_convert_to_int(data.get("status"))
    every = try_convert_to_int(data.get("every", 1))
    path_prefix = data.get("path_prefix", "/v1/")
    if status not in FAULT_STATUSES:
        raise _invalid_param("status", "status must be one of 429, 500, 503")
    if type(every) is not int or every < 1:
        raise _invalid_param("every", "every must be a positive integer")
    if not isinstance(path_prefix, str):
        raise _invalid_param("path_prefix", "path_prefix must be a string")
    _state.fault = _Fault(status, every, path_prefix)
    return server.json_response({"status": status, "every": every, "path_prefix": path_prefix})


async def _clear_faults(request: web.Request) -> web.Response:
    _state.fault = None
    return server.json_response({})


def _stats() -> dict[str, Any]:
    return {
        "requests": sum(_state.requests.values()),
        "by_path": dict(_state.requests),
        "faults_injected": _state.faults_injected,
    }


async def _get_stats(request: web.Request) -> web.Response:
    return server.json_response(_stats())


async def _reset_stats(request: web.Request) -> web.Response:
    _state.requests.clear()
    _state.faults_injected = 0
    return server.json_response(_stats())


def _fault_response(status: int) -> web.Response:
    message = (
        "Too many requests hit the API too quickly (injected by stripe-local)."
        if status == 429
        else f"An error occurred on the API server (injected by stripe-local, HTTP {status})."
    )
    response = _stripe_error(status, message, type=FAULT_STATUSES[status]).to_response()
    response.headers["Stripe-Should-Retry"] = "true"
    if status == 429:
        response.headers["Retry-After"] = "0"
    return response


# --- middlewares, outermost first -----------------------------------------------------

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _outer_middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """Request-Id, and Stripe-shaped bodies for unknown URLs and unexpected errors."""
    request_id = "req_" + resources.random_id(14)
    token = _request_id.set(request_id)
    try:
        response = await handler(request)
    except web.HTTPException as e:
        if e.status < 400:
            raise
        message = (
            f"Unrecognized request URL ({request.method}: {request.path})."
            if e.status in (404, 405)
            else e.reason
        )
        response = _stripe_error(e.status, message).to_response()
    except Exception:
        _log.exception("%s %s failed", request.method, request.path)
        response = _stripe_error(500, "An unexpected error occurred.").to_response()
    finally:
        _request_id.reset(token)
    response.headers["Request-Id"] = request_id
    return response


@web.middleware
async def _faults_middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """Counts API requests and answers injected faults before a request has any effect."""
    if request.path.startswith("/v1/"):
        _state.requests["/".join(request.path.split("/")[:3])] += 1
        fault = _state.fault
        if fault is not None and request.path.startswith(fault.path_prefix):
            fault.seen += 1
            if fault.seen % fault.every == 0:
                _state.faults_injected += 1
                return _fault_response(fault.status)
    return await handler(request)


def _api_key(request: web.Request) -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme == "Bearer":
        return credentials.strip() or None
    if scheme == "Basic":  # curl -u sk_test_...:
        try:
            return base64.b64decode(credentials).decode().split(":")[0] or None
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


def _masked(key: str) -> str:
    prefix = key[: key.find("_", key.find("_") + 1) + 1] if key.count("_") >= 2 else ""
    return f"{prefix}{'*' * 12}{key[-4:]}"


# Stripe.js (and localstripe's stand-in) call these with a publishable key in the body.
_PUBLISHABLE_KEY_PATHS = re.compile(
    r"/v1/(tokens|sources|payment_methods|payment_intents/\w+/(_authenticate|confirm)"
    r"|setup_intents/\w+/(confirm|cancel))"
)
_CONFIRM_PATH = re.compile(r"/v1/payment_intents/(\w+)/confirm")


async def _auth_problem(request: web.Request) -> str | None:
    key = _api_key(request)
    if key is not None:
        if key.startswith(LIVE_KEY_PREFIXES):
            return (
                f"Invalid API Key provided: {_masked(key)}: this local server is test-mode "
                "only; use a test key (sk_test_... or rk_test_...)."
            )
        if key.startswith(TEST_KEY_PREFIXES) and len(key) > len("sk_test_"):
            return None
        return f"Invalid API Key provided: {_masked(key)}"
    if request.method == "POST" and _PUBLISHABLE_KEY_PATHS.fullmatch(request.path):
        data = await server.get_post_data(request, remove_auth=False) or {}
        if str(data.get("key", "")).startswith("pk_test_"):
            confirming = _CONFIRM_PATH.fullmatch(request.path)
            if confirming is None:
                return None
            # As at Stripe: a browser confirms with the publishable key and the client secret.
            intent = store.get("payment_intent:" + confirming.group(1))
            if intent is not None and data.get("client_secret") == intent.client_secret:
                return None
            return "The client secret does not match this PaymentIntent."
    return (
        "You did not provide an API key. You need to provide your API key in the "
        "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
        "YOUR_SECRET_KEY')."
    )


@web.middleware
async def _auth_middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
    if not request.path.startswith(("/js.stripe.com/", "/_config/")):
        problem = await _auth_problem(request)
        if problem is not None:
            return _stripe_error(401, problem).to_response()
    return await handler(request)


def _request_fingerprint(request: web.Request, body: bytes) -> str:
    """Method, path and parameters, independent of the order the parameters came in."""
    try:
        params: Any = json.loads(body) if body else None
    except ValueError:
        params = sorted(
            urllib.parse.parse_qsl(body.decode(errors="replace"), keep_blank_values=True)
        )
    query = sorted(request.query.items())
    canonical = json.dumps([request.method, request.path, query, params], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _idempotency_cache() -> dict[tuple[str, str], dict[str, Any]]:
    cache = _local_record(_IDEMPOTENCY_KEY, dict)
    expired = time.time() - IDEMPOTENCY_TTL_SECONDS
    while cache and next(iter(cache.values()))["saved_at"] < expired:  # oldest first
        del cache[next(iter(cache))]
    return cache


@web.middleware
async def _idempotency_middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """Stripe's idempotent requests: POSTs with an Idempotency-Key, keyed per API key."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:  # Stripe ignores keys on GET and DELETE
        return await handler(request)
    scope = (_api_key(request) or "", key)
    fingerprint = _request_fingerprint(request, await request.read())
    saved = _idempotency_cache().get(scope)
    if saved is not None:
        if saved["fingerprint"] != fingerprint:
            return _stripe_error(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type="idempotency_error",
            ).to_response()
        response = web.Response(
            status=saved["status"], body=saved["body"], content_type="application/json"
        )
        response.headers["Idempotent-Replayed"] = "true"
    elif scope in _state.in_flight:
        return _stripe_error(
            409,
            "There is currently another in-progress request using this Idempotency-Key "
            f"(that probably means you submitted twice, and the other request is still "
            f"going through): {key}. Please try again later.",
            type="idempotency_error",
        ).to_response()
    else:
        _state.in_flight.add(scope)
        token = _idempotency_key.set(key)
        try:
            response = await handler(request)
        finally:
            _idempotency_key.reset(token)
            _state.in_flight.discard(scope)
        # 5xx answers are not saved: Stripe lets the client retry them.
        if response.status < 500 and isinstance(response, web.Response):
            _idempotency_cache()[scope] = {
                "fingerprint": fingerprint,
                "status": response.status,
                "body": response.body,
                "saved_at": time.time(),
            }
            _state.dirty = True
    response.headers["Idempotency-Key"] = key
    return response


@web.middleware
async def _clock_middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """Backdating: objects created while serving the request get Stripe-Local-Now."""
    raw = request.headers.get(NOW_HEADER)
    now = None
    if raw is not None:
        now = try_convert_to_int(raw)
        if type(now) is not int:
            message = f"{NOW_HEADER} must be a unix timestamp in seconds, not {raw!r}."
            return _stripe_error(400, message).to_response()
    token = _now_override.set(now)
    try:
        return await handler(request)
    finally:
        _now_override.reset(token)


class _Clock:
    """Replaces the `time` module inside localstripe.resources (see _clock_middleware)."""

    def time(self) -> float:
        now = _now_override.get()
        return time.time() if now is None else float(now)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


_Override = Callable[..., Awaitable[web.StreamResponse]]

# Routes that replace localstripe's (its own handlers are bound when it is imported).
_OVERRIDES: list[tuple[str, re.Pattern[str], _Override]] = [
    ("GET", re.compile(r"/v1/charges"), functools.partial(_list_objects, object_type="charge")),
    ("GET", re.compile(r"/v1/refunds"), functools.partial(_list_objects, object_type="refund")),
    (
        "GET",
        re.compile(r"/v1/(balance_transactions|balance/history)"),
        functools.partial(_list_objects, object_type="balance_transaction"),
    ),
    (
        "GET",
        re.compile(r"/v1/payment_intents"),
        functools.partial(_list_objects, object_type="payment_intent"),
    ),
    ("GET", re.compile(r"/v1/events"), functools.partial(_list_objects, object_type="event")),
    ("GET", re.compile(r"/v1/balance"), _get_balance),
    ("POST", re.compile(r"/v1/payment_intents/(?P<id>[^/]+)/confirm"), _confirm_payment_intent),
    ("GET", re.compile(r"/js\.stripe\.com/v3/?"), _stripe_js),
]


@web.middleware
async def _override_middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
    for method, pattern, override in _OVERRIDES:
        match = pattern.fullmatch(request.path)
        if request.method == method and match:
            return await override(request, **match.groupdict())
    return await handler(request)


# --- assembly -------------------------------------------------------------------------


def _patch_localstripe() -> None:
    Store.__setitem__ = _store_setitem
    Store.__delitem__ = _store_delitem
    Store.clear = _store_clear
    Store.dump_to_disk = _store_mark_dirty
    Store.try_load_from_disk = _store_load
    resources.time = _Clock()
    UserError.__init__ = _init_user_error
    StripeObject._api_retrieve = classmethod(_retrieve)
    Event.__init__ = _init_event
    BalanceTransaction.__init__ = _init_balance_transaction
    PaymentMethod.__init__ = _init_payment_method
    PaymentMethod._try_get_canonical_test_article = classmethod(_test_payment_method)
    PaymentMethod._charging_is_declined = _charging_is_declined
    Charge.__init__ = _init_charge
    Charge._initialize_charge = _initialize_charge
    Charge._set_auth_failure = _set_auth_failure
    Charge._raise_failure = _raise_failure
    Charge.amount_refunded = property(_amount_refunded)
    Charge.refunded = property(lambda self: self.amount_refunded >= self.amount)
    Charge.refunds = property(_charge_refunds)
    Charge._export = _export_charge
    Charge.amount_captured = property(
        lambda self: self.amount if self.captured and self.status == "succeeded" else 0
    )
    PaymentIntent.__init__ = _init_payment_intent
    PaymentIntent._create_charge = _create_charge
    PaymentIntent._export = _export_payment_intent
    PaymentIntent.last_payment_error = property(_last_payment_error)
    Refund.__init__ = _init_refund


def build_app(store_path: Path | None = None) -> web.Application:
    """Patches localstripe (once per process) and returns its app with our additions."""
    _patch_localstripe()
    _state.store_path = store_path
    store.try_load_from_disk()

    app = server.app
    middlewares = app.middlewares
    middlewares.remove(server.auth_middleware)  # replaced by _auth_middleware
    for position, middleware in enumerate(
        (
            _outer_middleware,
            _faults_middleware,
            _auth_middleware,
            _idempotency_middleware,
            _clock_middleware,
        )
    ):
        middlewares.insert(position, middleware)
    # localstripe's error and store-saving middlewares stay around the handlers.
    middlewares.append(_override_middleware)

    app.router.add_get("/v1/account", _get_account)
    app.router.add_get("/v1/accounts/{id}", _get_account)
    app.router.add_post("/_config/refunds/{id}/status", _set_refund_status)
    app.router.add_post("/_config/account", _set_account)
    app.router.add_post("/_config/charges/{id}/dispute", _dispute_charge)
    app.router.add_post("/_config/faults", _set_faults)
    app.router.add_delete("/_config/faults", _clear_faults)
    app.router.add_get("/_config/stats", _get_stats)
    app.router.add_post("/_config/stats/reset", _reset_stats)
    return app


async def _serve(app: web.Application, host: str, port: int) -> None:
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family)
    await web.SockSite(runner, sock).start()
    shown_host = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"stripe-local listening on http://{shown_host}:{sock.getsockname()[1]}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    saver = asyncio.create_task(_autosave()) if _state.store_path else None
    try:
        await stop.wait()
    finally:
        if saver is not None:
            saver.cancel()
        await runner.cleanup()
        if _state.store_path is not None:
            _save_store()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m console.stripe_local",
        description="Local Stripe-compatible server (localstripe, patched) for demo and tests.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument(
        "--store", type=Path, help="pickle file to load at start and save to; default: memory"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(_serve(build_app(args.store), args.host, args.port))


if __name__ == "__main__":
    main()
