"""The application: routes of every resource module, and the middlewares that make each
request answer as Stripe's API does (keys and modes, parameters, idempotency, errors).

Middlewares, outermost first: recording (only with STRIPE_LOCAL_RECORD), CORS for the
browser, Request-Id and Stripe-shaped errors, request counts and injected faults, API keys,
the request's context (mode, clock), parameters (refused as Stripe refuses them), and
idempotency.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from . import (
    account,
    balance,
    contract,
    customers,
    disputes,
    events,
    payments,
    payouts,
    refunds,
    store,
    stripe_js,
)
from .errors import StripeError, invalid_param
from .params import as_int, control_body, unflatten

NOW_HEADER = "Stripe-Local-Now"
RECORD_ENV = "STRIPE_LOCAL_RECORD"
IDEMPOTENCY_TTL_SECONDS = 24 * 3600  # https://docs.stripe.com/api/idempotent_requests
FAULT_TYPES = {429: "rate_limit_error", 500: "api_error", 503: "api_error"}
_KEY_MODES = {
    "sk_test_": False, "rk_test_": False, "pk_test_": False,
    "sk_live_": True, "rk_live_": True, "pk_live_": True,
}  # fmt: skip
# What a publishable key may do: what Stripe.js does (https://docs.stripe.com/keys).
_PUBLISHABLE = [
    ("POST", re.compile(r"/v1/payment_methods"), False),
    ("GET", re.compile(r"/v1/payment_intents/(?P<id>[^/]+)"), True),
    ("POST", re.compile(r"/v1/payment_intents/(?P<id>[^/]+)/confirm"), True),
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_log = logging.getLogger("console.devtools.stripe_local")


def _store(request: web.Request) -> store.Store:
    return request.app["store"]


# --- Request-Id and errors ------------------------------------------------------------


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request-Id on every answer; Stripe-shaped bodies for every error."""
    request["request_id"] = store.new_id("req")[:18]
    try:
        response = await handler(request)
    except StripeError as e:
        response = e.response()
    except web.HTTPException as e:
        if e.status < 400:
            raise
        message = (
            f"Unrecognized request URL ({request.method}: {request.path}). Please see "
            "https://stripe.com/docs or we can help at https://support.stripe.com/."
            if e.status in (404, 405)
            else e.reason
        )
        response = StripeError(e.status, message).response()
    except Exception:
        _log.exception("%s %s failed", request.method, request.path)
        response = StripeError(500, "An unexpected error occurred.").response()
    response.headers["Request-Id"] = request["request_id"]
    return response


# --- browsers ---------------------------------------------------------------------------

_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key, Stripe-Version",
    "Access-Control-Allow-Methods": "GET, POST, DELETE",
}


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Stripe.js calls the API from the page's origin, as browsers let it at Stripe."""
    if request.method == "OPTIONS":
        return web.Response(status=204, headers=_CORS)
    response = await handler(request)
    response.headers.update(_CORS)
    return response


# --- request counts and injected faults -----------------------------------------------


def _fault_response(status: int) -> web.Response:
    message = (
        "Too many requests hit the API too quickly (injected by stripe-local)."
        if status == 429
        else f"An error occurred on the API server (injected by stripe-local, HTTP {status})."
    )
    response = StripeError(status, message, type=FAULT_TYPES[status]).response()
    response.headers["Stripe-Should-Retry"] = "true"
    if status == 429:
        response.headers["Retry-After"] = "0"
    return response


@web.middleware
async def faults_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Counts API requests and answers injected faults before a request has any effect."""
    if request.path.startswith("/v1/"):
        state = _store(request)
        state.requests["/".join(request.path.split("/")[:3])] += 1
        fault = state.fault
        if fault is not None and request.path.startswith(fault.path_prefix):
            fault.seen += 1
            if fault.seen % fault.every == 0:
                state.faults_injected += 1
                return _fault_response(fault.status)
    return await handler(request)


# --- API keys -------------------------------------------------------------------------


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


def _key_mode(key: str) -> bool | None:
    """Live mode for live keys, test mode for test keys (docs.stripe.com/keys)."""
    for prefix, livemode in _KEY_MODES.items():
        if key.startswith(prefix) and len(key) > len(prefix):
            return livemode
    return None


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/v1/"):
        key = _api_key(request)
        if key is None:
            raise StripeError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
            )
        livemode = _key_mode(key)
        if livemode is None:
            raise StripeError(401, f"Invalid API Key provided: {_masked(key)}")
        request["api_key"] = key
        request["livemode"] = livemode
    return await handler(request)


# --- context: mode and clock ----------------------------------------------------------


def _control_mode(request: web.Request) -> bool:
    """A control names an object: it acts in that object's mode (test unless live)."""
    object_id = request.match_info.get("id")
    live = _store(request).modes[True]
    if object_id is not None:
        return object_id in live.objects
    key = _api_key(request)
    return bool(key and _key_mode(key))


@web.middleware
async def context_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The request's mode (by its key) and clock (Stripe-Local-Now backdates what it makes).
    An API request on the real clock first makes the payouts due by now in its mode: a
    backdated one is history being written, in any order, before the schedule runs."""
    raw = request.headers.get(NOW_HEADER)
    now = None
    if raw is not None:
        if not re.fullmatch(r"\d+", raw.strip()):
            raise StripeError(
                400, f"{NOW_HEADER} must be a unix timestamp in seconds, not {raw!r}."
            )
        now = int(raw)
    state = _store(request)
    livemode = request.get("livemode")
    if livemode is None:
        livemode = _control_mode(request)
    token = store.enter(
        store.RequestContext(
            store=state,
            data=state.modes[livemode],
            now=now,
            request_id=request["request_id"],
            base_url=f"{request.scheme}://{request.host}",
        )
    )
    try:
        if now is None and request.path.startswith("/v1/"):
            payouts.catch_up(int(time.time()))
        return await handler(request)
    finally:
        store.leave(token)


# --- parameters -----------------------------------------------------------------------


async def read_params(request: web.Request) -> dict[str, Any]:
    """The request's parameters, unflattened: the query string, or the form body of a POST."""
    if "params" not in request:
        pairs = list(request.query.items())
        if request.method == "POST" and request.can_read_body:
            body = await request.read()
            pairs += parse_qsl(body.decode(errors="replace"), keep_blank_values=True)
        request["params"] = unflatten(pairs)
    return request["params"]


def _check_publishable(request: web.Request, params: dict[str, Any]) -> None:
    """A publishable key may only do what Stripe.js does, with the client secret."""
    client_secret = params.pop("client_secret", None)
    params.pop("key", None)  # Stripe.js may also send the key in the body
    for method, pattern, needs_secret in _PUBLISHABLE:
        match = pattern.fullmatch(request.path)
        if request.method == method and match:
            if needs_secret:
                intent = store.data().find("payment_intent", match.group("id"))
                if intent is None or client_secret != intent["client_secret"]:
                    raise StripeError(
                        400,
                        "The client_secret provided does not match the client_secret associated "
                        "with the PaymentIntent.",
                        code="payment_intent_invalid_parameter",
                        param="client_secret",
                    )
            return
    raise StripeError(
        401,
        "This API call cannot be made with a publishable API key. Please use a secret API "
        "key. You can find a list of your API keys at https://dashboard.stripe.com/account/"
        "apikeys.",
    )


@web.middleware
async def params_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuses what Stripe refuses: unknown or removed parameters (nested ones too)."""
    if not request.path.startswith("/v1/"):
        return await handler(request)
    params = await read_params(request)
    if request["api_key"].startswith("pk_"):
        _check_publishable(request, params)
    problems = contract.request_problems(request.method, request.path, params)
    if problems:
        first = problems[0]
        raise StripeError(
            first.status, first.message, code=first.code, param=first.param, validation=True
        )
    return await handler(request)


# --- idempotency ----------------------------------------------------------------------


def _fingerprint(request: web.Request) -> str:
    canonical = json.dumps([request.method, request.path, request["params"]], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _saved_answers() -> dict[tuple[str, str], dict[str, Any]]:
    saved = store.data().idempotency
    expired = time.time() - IDEMPOTENCY_TTL_SECONDS
    while saved and next(iter(saved.values()))["saved_at"] < expired:  # oldest first
        del saved[next(iter(saved))]
    return saved


def _replay(saved: dict[str, Any], key: str, fingerprint: str) -> web.Response:
    if saved["fingerprint"] != fingerprint:
        raise StripeError(
            400,
            "Keys for idempotent requests can only be used with the same parameters they were "
            f"first used with. Try using a key other than '{key}' if you meant to execute a "
            "different request.",
            type="idempotency_error",
        )
    response = web.Response(
        status=saved["status"], body=saved["body"], content_type="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


@web.middleware
async def idempotency_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """https://docs.stripe.com/api/idempotent_requests: the first answer to a POST with an
    Idempotency-Key is saved and replayed; not when the parameters failed validation."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or not request.path.startswith("/v1/"):
        return await handler(request)
    scope = (request["api_key"], key)
    fingerprint = _fingerprint(request)
    saved = _saved_answers().get(scope)
    state = _store(request)
    if saved is not None:
        response = _replay(saved, key, fingerprint)
    elif scope in state.in_flight:
        raise StripeError(
            409,
            "There is currently another in-progress request using this Idempotency-Key (that "
            f"probably means you submitted twice, and the other request is still going "
            f"through): {key}. Please try again later.",
            type="idempotency_error",
        )
    else:
        state.in_flight.add(scope)
        token = store.enter(dataclasses.replace(store.context(), idempotency_key=key))
        try:
            response = await _answer(request, handler)
        finally:
            store.leave(token)
            state.in_flight.discard(scope)
        if not response.get("validation", False):
            _saved_answers()[scope] = {
                "fingerprint": fingerprint,
                "status": response.status,
                "body": response.body,
                "saved_at": time.time(),
            }
            state.dirty = True
    response.headers["Idempotency-Key"] = key
    return response


async def _answer(request: web.Request, handler: Handler) -> web.Response:
    """The handler's answer, errors included, marked when it is a validation failure."""
    try:
        response = await handler(request)
    except StripeError as e:
        response = e.response()
        response["validation"] = e.validation
    assert isinstance(response, web.Response)
    return response


# --- recording (the conformance suite reads it) ---------------------------------------


def _recorder(directory: Path) -> Callable[..., Awaitable[web.StreamResponse]]:
    directory.mkdir(parents=True, exist_ok=True)
    log = (directory / f"{os.getpid()}.jsonl").open("a", buffering=1)

    @web.middleware
    async def record_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        """One JSON line per API request: method, path, params, status and body."""
        response = await handler(request)
        # A CORS preflight (OPTIONS) is the browser's, not an API request.
        api_request = request.path.startswith("/v1/") and request.method != "OPTIONS"
        if api_request and isinstance(response, web.Response):
            try:
                params = await read_params(request)
            except StripeError:
                params = None
            body: Any = response.body.decode() if isinstance(response.body, bytes) else None
            try:
                body = json.loads(body) if body else body
            except ValueError:
                pass
            line = {
                "method": request.method,
                "path": request.path,
                "params": params,
                "status": response.status,
                "body": body,
            }
            log.write(json.dumps(line) + "\n")
        return response

    return record_middleware


# --- test controls --------------------------------------------------------------------

controls = web.RouteTableDef()


@controls.post("/_config/faults")
async def set_faults(request: web.Request) -> web.Response:
    """Test control: answer every `every`-th API request under `path_prefix` with `status`."""
    body = await control_body(request)
    status = as_int(body, "status")
    every = as_int(body, "every", 1)
    path_prefix = body.get("path_prefix", "/v1/")
    if status not in FAULT_TYPES:
        raise invalid_param("status", "status must be one of 429, 500, 503")
    if every is None or every < 1:
        raise invalid_param("every", "every must be a positive integer")
    if not isinstance(path_prefix, str):
        raise invalid_param("path_prefix", "path_prefix must be a string")
    _store(request).fault = store.Fault(status, every, path_prefix)
    return web.json_response({"status": status, "every": every, "path_prefix": path_prefix})


@controls.delete("/_config/faults")
async def clear_faults(request: web.Request) -> web.Response:
    _store(request).fault = None
    return web.json_response({})


def _stats(state: store.Store) -> dict[str, Any]:
    return {
        "requests": sum(state.requests.values()),
        "by_path": dict(state.requests),
        "faults_injected": state.faults_injected,
    }


@controls.get("/_config/stats")
async def get_stats(request: web.Request) -> web.Response:
    return web.json_response(_stats(_store(request)))


@controls.post("/_config/stats/reset")
async def reset_stats(request: web.Request) -> web.Response:
    state = _store(request)
    state.requests.clear()
    state.faults_injected = 0
    return web.json_response(_stats(state))


@controls.delete("/_config/data")
async def clear_data(request: web.Request) -> web.Response:
    """Test control: forget every object, in both modes."""
    _store(request).clear()
    return web.json_response({})


# --- assembly -------------------------------------------------------------------------


def build_app(store_path: Path | None = None) -> web.Application:
    middlewares: list[Any] = [
        cors_middleware,
        errors_middleware,
        faults_middleware,
        auth_middleware,
        context_middleware,
        params_middleware,
        idempotency_middleware,
    ]
    record_dir = os.environ.get(RECORD_ENV)
    if record_dir:
        middlewares.insert(0, _recorder(Path(record_dir)))
    app = web.Application(middlewares=middlewares)
    app["store"] = store.Store(store_path)
    resources = (account, balance, customers, disputes, events, payments, payouts, refunds)
    for module in (*resources, stripe_js):
        app.router.add_routes(module.routes)
    app.router.add_routes(controls)
    return app
