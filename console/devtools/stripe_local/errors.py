"""Stripe's error shape: {"error": {"type", "code", "message", "param", "doc_url", ...}}.

https://docs.stripe.com/api/errors: 400 invalid requests, 401 bad keys, 402 card errors,
404 missing objects, 409 idempotency conflicts, 429 rate limits, 5xx Stripe's own errors.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web


def _type_for(status: int) -> str:
    if status == 402:
        return "card_error"
    if status == 429:
        return "rate_limit_error"
    if status >= 500:
        return "api_error"
    return "invalid_request_error"


class StripeError(Exception):
    """An answer in Stripe's error shape; `validation` errors are never saved for replay."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        validation: bool = False,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.validation = validation
        self.error: dict[str, Any] = {"type": type or _type_for(status), "message": message}
        if code is not None:
            self.error["code"] = code
            # Stripe links each error code to its page (https://docs.stripe.com/error-codes).
            self.error["doc_url"] = "https://stripe.com/docs/error-codes/" + code.replace("_", "-")
        if param is not None:
            self.error["param"] = param
        self.error.update({key: value for key, value in extra.items() if value is not None})

    def response(self) -> web.Response:
        return web.json_response({"error": self.error}, status=self.status)


def invalid(message: str, param: str | None = None, code: str | None = None) -> StripeError:
    """A request Stripe refuses before doing anything (not saved for idempotent replay)."""
    return StripeError(400, message, code=code, param=param, validation=True)


def invalid_param(param: str, message: str) -> StripeError:
    # Stripe names the parameter but gives no code for a value it cannot take.
    return invalid(message, param=param)


def missing_param(param: str) -> StripeError:
    return invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")


def refused(message: str, code: str | None, param: str | None = None) -> StripeError:
    """A request that was understood but that the state of the objects forbids."""
    return StripeError(400, message, code=code, param=param)


def no_such(object_name: str, object_id: str, param: str = "id") -> StripeError:
    return StripeError(
        404,
        f"No such {object_name}: '{object_id}'",
        code="resource_missing",
        param=param,
        validation=True,
    )
