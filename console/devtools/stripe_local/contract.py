"""Stripe's API contract at the pinned version, read from the installed stripe-python.

stripe-python is generated from Stripe's OpenAPI spec: its services name every route
and the `*Params` TypedDict of each, and its resource classes annotate every field of
every object. This module turns them into checks, with no hand-written table:

- `route_for(method, path)`: the route a request goes to (params type, what it returns);
- `request_problems(method, path, params)`: what Stripe would refuse in a request, as
  `ParamProblem`s in Stripe's codes and wording; `error_response` renders the first;
  `error_codes()` lists every code a Stripe error may have;
- `object_problems(obj)` / `response_problems(method, path, body)`: where a served
  object has a field its class does not annotate, lacks one it does, or has a value of
  another type.

Pure functions; everything derived from the SDK is built once and cached.
"""

from __future__ import annotations

import ast
import builtins
import decimal
import functools
import importlib
import importlib.util
import json
import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import stripe
import typing_extensions
from stripe._list_object import ListObject
from stripe._object_classes import OBJECT_CLASSES
from stripe._request_options import RequestOptions
from stripe._search_result_object import SearchResultObject
from stripe._stripe_object import StripeObject, UntypedStripeObject

# ---------------------------------------------------------------------------- routes


@dataclass(frozen=True)
class Route:
    """One API method as the SDK calls it (a service's method, or a resource class's)."""

    method: str  # "get", "post", "delete"
    template: str  # "/v1/payment_intents/{intent}/confirm"
    params_name: str | None  # "PaymentIntentConfirmParams"; None: the method takes none
    returns: str  # "PaymentIntent", "ListObject[Charge]"
    caller: str  # the SDK method that makes it: "PaymentIntentService.confirm"
    module: str  # the caller's module, whose imports resolve the two names above
    base_address: str  # "api", "files", "connect", "meter_events"

    @property
    def params(self) -> type | None:
        """The `*Params` TypedDict of the method."""
        return _eval(self.params_name, self.module) if self.params_name else None


_VARIABLE = "{}"  # trie key of a path segment that is a template variable
_LEAF = None  # trie key of the route that ends at a node


@functools.lru_cache(maxsize=1)
def routes() -> dict[tuple[str, str], Route]:
    """Every route the SDK calls, keyed by (method, template): those of its services
    (StripeClient's), then those only a resource class calls (Charge.list_refunds)."""
    table: dict[tuple[str, str], Route] = {}
    known: set[str] = set()
    root = Path(stripe.__file__).parent
    services = sorted(root.rglob("*_service.py"))
    for path in services + sorted(set(root.rglob("*.py")) - set(services)):
        source = path.read_text()
        # Parsing is the cost: a resource's file is parsed only for a path no service has.
        paths = set(map(_generic, _PATH.findall(source)))
        if path.name.endswith("_service.py") or not paths <= known:
            module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
            for route in _routes_in(module, ast.parse(source)):
                table.setdefault((route.method, route.template), route)
                known.add(_generic(route.template))
    return table


_PATH = re.compile(r'"(/v\d/[^"]*)"')


def _generic(template: str) -> str:
    return re.sub(r"\{\w*\}", "{}", template)


def route_for(method: str, path: str) -> Route | None:
    """The route of a request (`path` without its query string), or None if Stripe has none."""
    node = _trie().get(method.lower())
    segments = path.split("?", 1)[0].strip("/").split("/")
    return _match(node, segments, 0) if node else None


def _routes_in(module: str, tree: ast.Module) -> Iterator[Route]:
    for cls in ast.walk(tree):
        if isinstance(cls, ast.ClassDef):
            for function in cls.body:
                # The async twin of each method makes the same request.
                if isinstance(function, ast.FunctionDef) and function.returns:
                    call = next(filter(_is_request_call, ast.walk(function)), None)
                    if call is not None:
                        yield _route(module, f"{cls.name}.{function.name}", function, call)


_REQUESTS = ("_request", "_request_stream", "_static_request", "_static_request_stream")


def _is_request_call(node: ast.AST) -> bool:
    # self._request("post", "/v1/refunds", ...) in a service; cls._static_request(...) in a
    # resource: a method and a literal path (or a literal .format()ed).
    if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) in _REQUESTS):
        return False
    path = node.args[1] if len(node.args) > 1 else None
    if isinstance(path, ast.Call) and getattr(path.func, "attr", None) == "format":
        path = path.func.value
    return isinstance(path, ast.Constant) and isinstance(node.args[0], ast.Constant)


def _route(module: str, caller: str, function: ast.FunctionDef, call: ast.Call) -> Route:
    method, path = call.args[:2]
    if isinstance(path, ast.Call):  # "/v1/charges/{charge}".format(charge=...)
        path = path.func.value
    arguments = [*function.args.args, function.args.kwarg]  # params, or **params
    params = next((a for a in arguments if a and a.arg == "params" and a.annotation), None)
    base = next((kw.value.value for kw in call.keywords if kw.arg == "base_address"), "api")
    return Route(
        method=method.value,
        template=path.value,
        params_name=_annotation_text(params.annotation) if params else None,
        returns=_annotation_text(function.returns),
        caller=caller,
        module=module,
        base_address=base,
    )


def _annotation_text(node: ast.expr) -> str:
    # Optional["XParams"] or Unpack["XParams"] -> "XParams": no params is a call with {}.
    if isinstance(node, ast.Subscript) and getattr(node.value, "id", None) in _WRAPPERS:
        node = node.slice
    return node.value if isinstance(node, ast.Constant) else ast.unparse(node)


_WRAPPERS = ("Optional", "Unpack")


@functools.lru_cache(maxsize=1)
def _trie() -> dict[str, dict]:
    root: dict[str, dict] = {}
    for (method, template), route in routes().items():
        node = root.setdefault(method, {})
        for segment in template.strip("/").split("/"):
            node = node.setdefault(_VARIABLE if segment.startswith("{") else segment, {})
        node[_LEAF] = route
    return root


def _match(node: dict, segments: list[str], index: int) -> Route | None:
    if index == len(segments):
        return node.get(_LEAF)
    # A literal segment wins over a variable: /v1/charges/search is not a charge id.
    for key in (segments[index], _VARIABLE):
        child = node.get(key)
        found = _match(child, segments, index + 1) if child is not None else None
        if found is not None:
            return found
    return None


# ----------------------------------------------------------- annotations as schemas


@functools.cache
def _imports(module: str) -> dict[str, tuple[str, str]]:
    """Names a module imports, those under TYPE_CHECKING too: name -> (module, attribute)."""
    tree = ast.parse(Path(importlib.util.find_spec(module).origin).read_text())
    return {
        alias.asname or alias.name: (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and not node.level
        for alias in node.names
    }


class _Namespace(dict):
    """A module's names for `eval`, importing its TYPE_CHECKING-only names on demand."""

    def __init__(self, module: str):
        super().__init__()
        self.module = module

    def __missing__(self, name: str) -> Any:
        origin = _imports(self.module).get(name)
        owner = importlib.import_module(origin[0] if origin else self.module)
        attribute = origin[1] if origin else name
        if not hasattr(owner, attribute):
            raise KeyError(name)  # eval then looks in builtins (str, int, ...)
        self[name] = getattr(owner, attribute)
        return self[name]


@functools.cache
def _namespace(module: str) -> _Namespace:
    return _Namespace(module)


@functools.cache
def _eval(expression: str, module: str) -> Any:
    # The SDK's own annotation strings, e.g. "Literal['']|PaymentIntentCreateParamsShipping".
    return eval(expression, {"__builtins__": builtins}, _namespace(module))


@dataclass(frozen=True)
class _Scalar:
    kind: type  # str, int, bool, float or Decimal

    @property
    def label(self) -> str:
        return self.kind.__name__


@dataclass(frozen=True)
class _Enum:
    values: frozenset

    @functools.cached_property
    def wire(self) -> frozenset[str]:
        return frozenset(map(_wire, self.values))

    @property
    def label(self) -> str:
        values = sorted(map(json.dumps, self.values))
        return f"one of {_one_of(values)}" if len(values) > 1 else values[0]


@dataclass(frozen=True)
class _OneOf:
    options: tuple
    nullable: bool

    @functools.cached_property
    def request_options(self) -> tuple:
        # "Literal['manual', ...]|str": the SDK leaves enums open for new values; the API
        # refuses values outside the enum, so a request may not use the `str`.
        closed = any(type(o) is _Enum and o.values - {""} for o in self.options)
        return tuple(o for o in self.options if not (closed and o == _Scalar(str)))

    @property
    def label(self) -> str:
        return " or ".join(option.label for option in self.options)


@dataclass(frozen=True)
class _ListOf:
    item: Any
    label = "list"


@dataclass(frozen=True)
class _MapOf:
    value: Any
    label = "object"


@dataclass(frozen=True)
class _Fields:
    cls: type  # a `*Params` TypedDict, or a resource class or one nested in it

    @property
    def label(self) -> str:
        return getattr(self.cls, "OBJECT_NAME", None) or self.cls.__qualname__


@dataclass(frozen=True)
class _Page:
    """A list object ("list" or "search_result") whose `data` holds items of one schema."""

    object: str
    item: Any

    @property
    def label(self) -> str:
        return f"{self.object} object"


class _ByObject:
    """Any object, checked against the class its "object" field names."""

    label = "object"


_ANY = _Scalar(object)
_BY_OBJECT = _ByObject()
_EXPAND = _ListOf(_Scalar(str))
_NONE = type(None)


@functools.cache
def _node(annotation: Any, module: str) -> Any:
    """The schema of an annotation (written in `module`)."""
    if isinstance(annotation, str):
        return _node(_eval(annotation, module), module)
    if isinstance(annotation, typing.ForwardRef):
        return _node(_eval(annotation.__forward_arg__, module), module)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.NotRequired, typing.Required, typing.ClassVar):
        return _node(args[0], module)
    if origin is typing.Literal:
        return _Enum(frozenset(args))
    if origin in (typing.Union, types.UnionType):
        return _union(args, module)
    if origin is list:
        return _ListOf(_node(args[0], module))
    if origin in (dict, Mapping):
        return _MapOf(_node(args[1], module))
    if annotation is Any:
        return _ANY
    if annotation in (str, int, bool, float, decimal.Decimal):
        return _Scalar(annotation)
    return _class_node(origin or annotation, args, module)


def _class_node(cls: type, args: tuple, module: str) -> Any:
    item = _node(args[0], module) if args else _ANY
    if issubclass(cls, ListObject):
        return _Page("list", item)
    if issubclass(cls, SearchResultObject):
        return _Page("search_result", item)
    if issubclass(cls, UntypedStripeObject):
        return _MapOf(item)
    if issubclass(cls, StripeObject) or typing_extensions.is_typeddict(cls):
        return _Fields(cls)
    raise TypeError(f"stripe_local.contract cannot read the annotation {cls!r}")


def _union(args: tuple, module: str) -> Any:
    options: list = []
    nullable = False
    for arg in args:
        node = None if arg is _NONE else _node(arg, module)
        nested = type(node) is _OneOf
        nullable = nullable or node is None or (nested and node.nullable)
        options += node.options if nested else [node] if node is not None else []
    if len(options) == 1 and not nullable:
        return options[0]
    return _OneOf(tuple(dict.fromkeys(options)), nullable)


def _wire(value: Any) -> str:
    """A value as a form-encoded request carries it."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _one_of(values: list[str]) -> str:
    return ", ".join(values[:-1]) + f", or {values[-1]}" if len(values) > 2 else " or ".join(values)


# ------------------------------------------------------------------------ requests


@dataclass(frozen=True)
class ParamProblem:
    """What Stripe refuses in a request: `param` in its bracket notation, Stripe's error
    `code` (None where Stripe sends none: enums, booleans, unknown URLs), its message."""

    param: str | None
    code: str | None
    message: str
    status: int = 400


# Parameters this API version removed that Stripe refuses with a code of their own, not as
# unknown: (route templates, parameter) -> (code, message).
# https://docs.stripe.com/changelog/endive/2026-09-30/removes-the-payment-method-types-parameter-from-payment-intents-and-setup-intents
REMOVED_PARAMETERS = {
    (
        frozenset(
            {
                ("post", "/v1/payment_intents"),
                ("post", "/v1/payment_intents/{intent}"),
                ("post", "/v1/payment_intents/{intent}/confirm"),
                ("post", "/v1/setup_intents"),
                ("post", "/v1/setup_intents/{intent}"),
            }
        ),
        "payment_method_types",
    ): (
        "payment_method_types_no_longer_supported",
        "The payment_method_types parameter is no longer supported on this API version. Use "
        "allowed_payment_method_types, excluded_payment_method_types or dynamic payment "
        "methods instead.",
    ),
}
# Limits the docs state that the Params types cannot express: (method, template) -> {list
# parameter: most items}. EventListParams.types: "An array of up to 20 strings"
# (https://docs.stripe.com/api/events/list).
LIST_LIMITS = {("get", "/v1/events"): {"types": 20}}
# The codes `request_problems` gives (Stripe has more, e.g. parameters_exclusive: rules that
# the Params types do not express).
PARAMETER_CODES = frozenset(
    {
        "parameter_unknown",
        "parameter_missing",
        "parameter_invalid_integer",
        "parameter_invalid_empty",
        *(code for code, _message in REMOVED_PARAMETERS.values()),
    }
)
# The refusals above that Stripe sends without a code, by the message this module writes.
_CODELESS_REFUSAL = re.compile(
    r"Invalid (integer|boolean|decimal|string|array|object)\b|Invalid \S+: must be one of "
    r"|Unrecognized request URL "
)
_INTEGER = re.compile(r"-?\d+")


def request_problems(method: str, path: str, params: Mapping[str, Any]) -> list[ParamProblem]:
    """What Stripe would refuse in this request: unknown (or removed) parameters at any
    depth, missing required ones, values of the wrong type or outside an enum. `params`
    is the unflattened body or query string, values as strings off the wire."""
    route = route_for(method, path)
    if route is None:
        message = (
            f"Unrecognized request URL ({method.upper()}: {path}). Please see "
            "https://stripe.com/docs or we can help at https://support.stripe.com/."
        )
        return [ParamProblem(None, None, message, 404)]
    problems: list[ParamProblem] = []
    fields, required = _route_fields(route)
    _check_fields(params, fields, required, "", problems)
    problems += _over_limits(route, params)
    # Stripe names unknown (and removed) parameters first, then missing ones, then bad values.
    order = {"parameter_unknown": 0, "parameter_missing": 1}
    problems.sort(key=lambda problem: order.get(problem.code, 2))
    return [_as_removed(route, problem) for problem in problems]


def _over_limits(route: Route, params: Mapping[str, Any]) -> list[ParamProblem]:
    problems = []
    for param, most in LIST_LIMITS.get((route.method, route.template), {}).items():
        value = params.get(param)
        count = len(value) if isinstance(value, list | dict) else 0
        if count > most:
            message = (
                f"Invalid array: {param} must contain at most {most} elements "
                f"(it contains {count})."
            )
            problems.append(ParamProblem(param, None, message))
    return problems


def _as_removed(route: Route, problem: ParamProblem) -> ParamProblem:
    if problem.code != "parameter_unknown":
        return problem
    for (routes, param), (code, message) in REMOVED_PARAMETERS.items():
        if param == problem.param and (route.method, route.template) in routes:
            return ParamProblem(param, code, message)
    return problem


def error_response(problems: list[ParamProblem]) -> tuple[int, dict[str, Any]]:
    """The HTTP status and Stripe error body for a refused request (its first problem)."""
    first = problems[0]
    error: dict[str, Any] = {"message": first.message, "type": "invalid_request_error"}
    if first.param:
        error["param"] = first.param
    if first.code:
        error["code"] = first.code
        error["doc_url"] = "https://stripe.com/docs/error-codes/" + first.code.replace("_", "-")
    return first.status, {"error": error}


def is_parameter_error(error: Mapping[str, Any]) -> bool:
    """Whether a Stripe error (the body's "error") refuses a parameter or the URL, as
    `request_problems` does, rather than the state of an object or a card."""
    code = error.get("code")
    if code:
        return code in PARAMETER_CODES
    return bool(_CODELESS_REFUSAL.match(error.get("message") or ""))


@functools.cache
def error_codes() -> frozenset[str]:
    """Every error code of the API at this version: the spec's enum of error codes, which
    the SDK writes out on each `last_payment_error`."""
    node = _object_fields(stripe.PaymentIntent.LastPaymentError)["code"]
    documented = {code for code, _message in REMOVED_PARAMETERS.values()}  # changelog codes
    return (
        frozenset(
            code for option in node.options if type(option) is _Enum for code in option.values
        )
        | documented
    )


@functools.cache
def _route_fields(route: Route) -> tuple[dict[str, Any], tuple[str, ...]]:
    fields, required = _param_fields(route.params) if route.params else ({}, ())
    return {**fields, "expand": fields.get("expand", _EXPAND)}, required  # always accepted


@functools.cache
def _param_fields(cls: type) -> tuple[dict[str, Any], tuple[str, ...]]:
    options = set(RequestOptions.__annotations__) if _is_request_options(cls) else set()
    fields = {
        name: _node(annotation, cls.__module__)
        for name, annotation in cls.__annotations__.items()
        if name not in options  # api_key, idempotency_key...: the SDK's, not the API's
    }
    return fields, tuple(sorted(cls.__required_keys__ - options))


def _is_request_options(cls: type) -> bool:
    bases = getattr(cls, "__orig_bases__", ())
    return any(base is RequestOptions or _is_request_options(base) for base in bases)


def _param(prefix: str, key: Any) -> str:
    return f"{prefix}[{key}]" if prefix else str(key)


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _check_fields(
    value: Mapping[str, Any],
    fields: dict[str, Any],
    required: tuple[str, ...],
    prefix: str,
    out: list[ParamProblem],
) -> None:
    for key, item in value.items():
        name = _param(prefix, key)
        node = fields.get(key)
        if node is None:
            out.append(
                ParamProblem(name, "parameter_unknown", f"Received unknown parameter: {name}")
            )
        else:
            _check_param(item, node, name, out)
    for key in required:
        if key not in value:
            name = _param(prefix, key)
            out.append(ParamProblem(name, "parameter_missing", f"Missing required param: {name}."))


def _check_param(value: Any, node: Any, name: str, out: list[ParamProblem]) -> None:
    if node is _ANY:
        return
    if value == "" and not _accepts_empty(node):
        out.append(ParamProblem(name, "parameter_invalid_empty", _empty_message(name)))
        return
    kind = type(node)
    if kind is _OneOf:
        _check_param_one_of(value, node, name, out)
    elif kind is _Scalar:
        _check_param_scalar(value, node.kind, name, out)
    elif kind is _Enum:
        if _wire(value) not in node.wire:
            out.append(ParamProblem(name, None, f"Invalid {name}: must be {_must_be(node)}"))
    elif kind is _ListOf:
        _check_param_list(value, node, name, out)
    elif kind is _MapOf:
        _check_param_map(value, node, name, out)
    else:
        _check_param_fields(value, node, name, out)


def _accepts_empty(node: Any) -> bool:
    # Literal[''] in a union: an empty string unsets the parameter.
    options = node.options if type(node) is _OneOf else (node,)
    return any(type(option) is _Enum and "" in option.values for option in options)


def _empty_message(name: str) -> str:
    return (
        f"You passed an empty string for '{name}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{name}' cannot be unset. You should remove '{name}' "
        "from your request or supply a non-empty value."
    )


def _must_be(node: _Enum) -> str:
    values = sorted(map(_wire, node.values - {""}))
    if not values:  # only "" (e.g. metadata="" unsets all of it)
        return "an empty string"
    return f"one of {_one_of(values)}" if len(values) > 1 else values[0]


def _check_param_one_of(value: Any, node: _OneOf, name: str, out: list[ParamProblem]) -> None:
    if value is None and node.nullable:
        return
    options = node.request_options
    # The first option of the value's shape names the problem, as Stripe's would.
    fitting = [option for option in options if _param_fits(value, option)] or options[:1]
    first: list[ParamProblem] | None = None
    for option in fitting:
        problems: list[ParamProblem] = []
        _check_param(value, option, name, problems)
        if not problems:
            return
        first = first or problems
    out.extend(first)


def _param_fits(value: Any, node: Any) -> bool:
    kind = type(node)
    if isinstance(value, list):
        return kind is _ListOf
    if isinstance(value, dict):
        return kind in (_Fields, _MapOf) or (kind is _ListOf and all(map(str.isdigit, value)))
    return kind in (_Scalar, _Enum) and not (kind is _Enum and node.values <= {""})


def _check_param_scalar(value: Any, kind: type, name: str, out: list[ParamProblem]) -> None:
    if kind is str:
        if not isinstance(value, str):
            out.append(ParamProblem(name, None, f"Invalid string: {_show(value)}"))
    elif kind is int:
        if not (type(value) is int or isinstance(value, str) and _INTEGER.fullmatch(value)):
            message = f"Invalid integer: {_show(value)}"
            out.append(ParamProblem(name, "parameter_invalid_integer", message))
    elif kind is bool:
        if not (type(value) is bool or value in ("true", "false")):
            out.append(ParamProblem(name, None, f"Invalid boolean: {_show(value)}"))
    elif not _is_decimal(value):  # float and Decimal
        out.append(ParamProblem(name, None, f"Invalid decimal: {_show(value)}"))


def _is_decimal(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    try:
        return decimal.Decimal(value).is_finite()
    except decimal.InvalidOperation:
        return False


def _check_param_list(value: Any, node: _ListOf, name: str, out: list[ParamProblem]) -> None:
    # A list arrives as a[]=x (a list) or as a[0]=x (a dict of indexes; stripe-python's way).
    if isinstance(value, dict) and all(map(str.isdigit, value)):
        items = sorted(value.items(), key=lambda item: int(item[0]))
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        out.append(ParamProblem(name, None, "Invalid array"))
        return
    for index, item in items:
        _check_param(item, node.item, f"{name}[{index}]", out)


def _check_param_map(value: Any, node: _MapOf, name: str, out: list[ParamProblem]) -> None:
    if not isinstance(value, dict):
        out.append(ParamProblem(name, None, "Invalid object"))
        return
    for key, item in value.items():
        if item != "":  # metadata[key]= (empty) deletes that key
            _check_param(item, node.value, f"{name}[{key}]", out)


def _check_param_fields(value: Any, node: _Fields, name: str, out: list[ParamProblem]) -> None:
    if not isinstance(value, dict):
        out.append(ParamProblem(name, None, "Invalid object"))
        return
    fields, required = _param_fields(node.cls)
    _check_fields(value, fields, required, name, out)


# ------------------------------------------------------------------------- objects


def object_problems(obj: Mapping[str, Any]) -> list[str]:
    """Where a served object (a resource, a list, a search result; recursively, and an
    event's `data.object` too) differs from its class: missing or unexpected fields and
    values of another type, as "charge.outcome.risk_score: expected int, got str"."""
    out: list[str] = []
    _check(obj, _BY_OBJECT, str(obj.get("object", "object")), out)
    return out


def response_problems(method: str, path: str, body: Mapping[str, Any]) -> list[str]:
    """`object_problems` of a 2xx body, which must also be what its route returns."""
    route = route_for(method, path)
    node = _node(route.returns, route.module) if route else _BY_OBJECT
    out: list[str] = []
    _check(body, node, str(body.get("object", "object")), out)
    return out


@functools.cache
def _object_node(name: str) -> Any:
    if name in ("list", "search_result"):
        return _Page(name, _BY_OBJECT)
    module, cls = OBJECT_CLASSES.get(name, (None, None))
    return _Fields(getattr(importlib.import_module(module), cls)) if module else None


@functools.cache
def _object_fields(cls: type) -> dict[str, Any]:
    remapped = getattr(cls, "_field_remappings", {})  # "from_" in Python is "from" in JSON
    annotations: dict[str, tuple[Any, str]] = {}
    for klass in reversed(cls.__mro__):
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if not name.startswith("_") and not _is_class_var(annotation):
                annotations[remapped.get(name, name)] = (annotation, klass.__module__)
    return {name: _node(*annotation) for name, annotation in annotations.items()}


def _is_class_var(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    return typing.get_origin(annotation) is typing.ClassVar


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    names = {dict: "object", list: "list", bool: "bool", int: "int", float: "float", str: "str"}
    return names.get(type(value), type(value).__name__)


# The envelopes of list objects, which the SDK's hand-written ListObject and
# SearchResultObject do not annotate as Stripe sends them (next_page is null on the last).
_PAGE_FIELDS = {
    "list": {"object": _Enum(frozenset({"list"})), "has_more": _Scalar(bool), "url": _Scalar(str)},
    "search_result": {
        "object": _Enum(frozenset({"search_result"})),
        "has_more": _Scalar(bool),
        "next_page": _OneOf((_Scalar(str),), nullable=True),
        "url": _Scalar(str),
    },
}


def _check(value: Any, node: Any, path: str, out: list[str]) -> None:
    kind = type(node)
    if node is _ANY:
        return
    if kind is _OneOf:
        _check_one_of(value, node, path, out)
    elif value is None:
        out.append(f"{path}: expected {node.label}, got null")
    elif kind is _Scalar:
        if not _is_instance(value, node.kind):
            out.append(f"{path}: expected {node.label}, got {_json_type(value)}")
    elif kind is _Enum:
        if not any(value == v and type(value) is type(v) for v in node.values):
            out.append(f"{path}: {json.dumps(value)} is not {node.label}")
    elif not isinstance(value, list if kind is _ListOf else dict):
        out.append(f"{path}: expected {node.label}, got {_json_type(value)}")
    elif kind is _ListOf:
        for item in value:
            _check(item, node.item, f"{path}[]", out)
    elif kind is _MapOf:
        for key, item in value.items():
            _check(item, node.value, f"{path}.{key}", out)
    elif kind is _Fields:
        _check_object(value, node.cls, path, out)
    elif kind is _Page:
        _check_page(value, node, path, out)
    else:
        _check_by_object(value, path, out)


def _is_instance(value: Any, kind: type) -> bool:
    if kind is object:
        return True
    if isinstance(value, bool) or kind is bool:
        return type(value) is kind
    if kind is float:  # JSON writes 2.0 as 2
        return isinstance(value, int | float)
    if kind is decimal.Decimal:  # a decimal_string field, or a number
        return isinstance(value, str | int | float)
    return isinstance(value, kind)


def _check_one_of(value: Any, node: _OneOf, path: str, out: list[str]) -> None:
    if value is None:
        if not node.nullable:
            out.append(f"{path}: expected {node.label}, got null")
        return
    candidates = [option for option in node.options if _fits(value, option)]
    best: list[str] | None = None
    for option in candidates:
        problems: list[str] = []
        _check(value, option, path, problems)
        if not problems:
            return
        if best is None or len(problems) < len(best):
            best = problems
    out.extend(best or [f"{path}: expected {node.label}, got {_json_type(value)}"])


def _fits(value: Any, node: Any) -> bool:
    """Whether a value has the JSON shape of a schema (the option of a union to check)."""
    kind = type(node)
    if isinstance(value, dict):
        if kind is _Fields:
            name = getattr(node.cls, "OBJECT_NAME", None)
            return name is None or value.get("object") == name
        return kind in (_MapOf, _Page, _ByObject)
    if isinstance(value, list):
        return kind is _ListOf
    if kind is _Enum:
        return any(type(value) is type(v) for v in node.values)
    return kind is _Scalar and _is_instance(value, node.kind)


def _check_object(value: dict, cls: type, path: str, out: list[str]) -> None:
    name = getattr(cls, "OBJECT_NAME", None)
    if name and value.get("object") != name:
        out.append(f"{path}: expected a {name}, got {json.dumps(value.get('object'))}")
        return
    # A resource is named by its type wherever it is served: in a list, expanded, in an event.
    path = name or path
    _check_fields_json(value, _object_fields(cls), path, out)
    if cls is stripe.Event:
        _check_event_object(value, path, out)


def _check_fields_json(value: dict, fields: dict[str, Any], path: str, out: list[str]) -> None:
    out.extend(f"{path}: missing field {name}" for name in sorted(fields.keys() - value.keys()))
    out.extend(f"{path}: unexpected field {name}" for name in sorted(value.keys() - fields.keys()))
    for name, item in value.items():
        node = fields.get(name)
        if node is not None:
            _check(item, node, f"{path}.{name}", out)


def _check_event_object(event: dict, path: str, out: list[str]) -> None:
    # Event.data.object is untyped in the SDK; it is a whole object of its own class.
    data = event.get("data")
    if isinstance(data, dict) and isinstance(data.get("object"), dict):
        _check_by_object(data["object"], f"{path}.data.object", out)


def _check_page(value: dict, node: _Page, path: str, out: list[str]) -> None:
    fields = {**_PAGE_FIELDS[node.object], "data": _ListOf(node.item)}
    if node.object == "search_result" and "total_count" in value:  # expand[]=total_count
        fields["total_count"] = _Scalar(int)
    _check_fields_json(value, fields, path, out)


def _check_by_object(value: dict, path: str, out: list[str]) -> None:
    name = value.get("object")
    node = _object_node(name) if isinstance(name, str) else None
    if node is None:
        out.append(f"{path}: unknown object type {json.dumps(name)}")
    else:
        _check(value, node, path, out)
