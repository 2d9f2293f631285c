"""The requests every local Stripe of a test session answered, and their audit.

Each server started while `STRIPE_LOCAL_RECORD` names a directory appends one JSON line
per API request to `<dir>/<pid>.jsonl`: {"method", "path", "params" (unflattened),
"status", "body"}. tests/conftest.py points the variable at a fresh directory before any
test runs, so the audit covers every request the console and the tests made, a new call
included the day it is written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import types
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

RECORD_ENV = "STRIPE_LOCAL_RECORD"
CONFORMANCE_TESTS = Path(__file__).with_name("test_conformance.py")
# Fixtures that start a local Stripe: a session that used one must have recorded requests.
STRIPE_FIXTURES = frozenset({"stripe_local", "fresh_stripe", "world_copy"})
REPORT_LINES = 200

# Answers given before Stripe reads the parameters: a bad key, a forbidden one, a rate limit.
_BEFORE_PARAMS = (401, 403, 429)
# The objects a Stripe error may carry (docs.stripe.com/api/errors).
_ERROR_OBJECTS = ("payment_intent", "payment_method", "setup_intent", "source")
# Strings that may be enum values (which the checks read), not ids, names or free text.
_ENUM_LIKE = re.compile(r"[a-z_.\-]{1,40}")


# -------------------------------------------------------------------- the session


def start(config: pytest.Config) -> None:
    """Points every local Stripe started from now on at a fresh directory (unless the
    environment names one already, which is then kept: pytest-xdist's workers get the
    directory of the session that started them)."""
    if not os.environ.get(RECORD_ENV):
        directory = tempfile.mkdtemp(prefix="stripe-local-record-")
        os.environ[RECORD_ENV] = directory
        config.stash[_CREATED] = directory


def stop(config: pytest.Config) -> None:
    directory = config.stash.get(_CREATED, None)
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.environ.pop(RECORD_ENV, None)


_CREATED = pytest.StashKey[str]()
# Left in the directory by a session whose tests start a local Stripe (see `note_use`).
_USED = ".used-local-stripe"


def run_conformance_last(items: list[pytest.Item]) -> None:
    """Moves the conformance tests after every other test (in place, order kept)."""
    items.sort(key=lambda item: item.path == CONFORMANCE_TESTS)


def note_use(items: Iterable[pytest.Item]) -> None:
    """Leaves a mark in the directory when these tests start a local Stripe: the
    conformance tests may run in another process of the session, which collected only
    them (pytest-xdist's controller: see `run_conformance_in_controller`)."""
    directory = os.environ.get(RECORD_ENV)
    if directory and used_local_stripe(items):
        Path(directory, _USED).touch()


def used_local_stripe(items: Iterable[pytest.Item]) -> bool:
    """Whether tests outside the conformance file start a local Stripe (these, or those of
    a process of this session that marked the directory: `note_use`)."""
    directory = os.environ.get(RECORD_ENV)
    return any(
        item.path != CONFORMANCE_TESTS and STRIPE_FIXTURES & set(getattr(item, "fixturenames", ()))
        for item in items
    ) or bool(directory and Path(directory, _USED).exists())


# ------------------------------------------------------- under pytest-xdist (-n N)
#
# The workers share the session's directory, and none of them can tell when the others
# are done. So they leave the conformance tests out and tell the controller which they
# left out; the controller (which runs no test otherwise) collects and runs those once
# every worker is done: after every other test, as in a session of one process.

_LEFT_OUT = "conformance_tests"  # the key of a worker's `workeroutput`
_CONFORMANCE_ARGS = pytest.StashKey[list[str]]()


def is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def leave_conformance_out(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a worker: the conformance tests are the controller's to run."""
    # In the file's order (the workers' order is tests/parallel.py's).
    left_out = sorted(
        (item for item in items if item.path == CONFORMANCE_TESTS),
        key=lambda item: item.location[1] or 0,
    )
    items[:] = [item for item in items if item.path != CONFORMANCE_TESTS]
    config.workeroutput[_LEFT_OUT] = [str(config.rootpath / item.nodeid) for item in left_out]


def note_left_out(config: pytest.Config, workeroutput: dict[str, Any] | None) -> None:
    """In the controller, as a worker finishes: the conformance tests it left out."""
    args = config.stash.setdefault(_CONFORMANCE_ARGS, [])
    for arg in (workeroutput or {}).get(_LEFT_OUT, ()):
        if arg not in args:
            args.append(arg)


def run_conformance_in_controller(session: pytest.Session) -> None:
    """In the controller, once every worker is done: runs the conformance tests the
    workers left out (none after a failure stopped the session, as without workers)."""
    args = session.config.stash.get(_CONFORMANCE_ARGS, [])
    if not args or session.shouldfail or session.shouldstop:
        return
    collected = session.testscollected  # the workers' (perform_collect resets it)
    items = session.perform_collect(args)
    session.testscollected = collected + len(items)
    for index, item in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else None
        item.ihook.pytest_runtest_protocol(item=item, nextitem=following)
        if session.shouldfail or session.shouldstop:
            break


def records(directory: Path) -> Iterator[dict[str, Any]]:
    """Every recorded request, streamed line by line."""
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                # A server killed mid-write leaves a last line without its newline.
                if line.endswith("\n"):
                    yield json.loads(line)


# ---------------------------------------------------------------------- the audit


@dataclass
class Divergences:
    """Problems grouped by where they happen ("POST /v1/refunds"), with how often."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, where: str, problem: str) -> None:
        self.counts[where, problem] = self.counts.get((where, problem), 0) + 1

    def __bool__(self) -> bool:
        return bool(self.counts)

    def report(self, title: str) -> str:
        lines = [f"{title}: {len(self.counts)} distinct divergences"]
        where_before = None
        for (where, problem), count in sorted(self.counts.items()):
            if where != where_before:
                lines.append(where)
                where_before = where
            lines.append(f"  - {problem}" + (f"  (x{count})" if count > 1 else ""))
        if len(lines) > REPORT_LINES:
            lines[REPORT_LINES:] = [f"... and {len(lines) - REPORT_LINES} more lines"]
        return "\n".join(lines)


@dataclass
class Audit:
    requests: Divergences = field(default_factory=Divergences)
    objects: Divergences = field(default_factory=Divergences)
    count: int = 0
    # The problems of each shape of request and object already checked (see `shape`).
    _seen: dict[Hashable, list[str]] = field(default_factory=dict, repr=False)

    def check(self, record: dict[str, Any]) -> None:
        """Audits one recorded request and its answer."""
        self.count += 1
        method, path = record["method"].upper(), record["path"]
        route = _contract().route_for(method, path)
        where = f"{method} {route.template if route else path}"
        params, status, body = record.get("params") or {}, record["status"], record.get("body")
        key = (where, shape(params), status, shape(_error_of(body)))
        if key not in self._seen:
            self._seen[key] = _request_divergences(method, path, params, status, body)
        for problem in self._seen[key]:
            self.requests.add(where, problem)
        for served in _served_objects(status, body):
            key = (where, shape(served))
            if key not in self._seen:
                self._seen[key] = _served_problems(method, path, status, served)
            for problem in self._seen[key]:
                self.objects.add(where, problem)


def audit(lines: Iterable[dict[str, Any]]) -> Audit:
    result = Audit()
    for record in lines:
        result.check(record)
    return result


def _contract() -> types.ModuleType:
    # Imported when the audit runs: tests/conftest.py loads this module before any test,
    # and a broken server package should fail its own tests, not the whole session.
    from console.devtools.stripe_local import contract

    return contract


def _error_of(body: Any) -> Any:
    return body.get("error") if isinstance(body, dict) else None


def _served_objects(status: int, body: Any) -> list[dict[str, Any]]:
    """A 2xx body; for an error, the objects Stripe puts in it (a declined card's
    PaymentIntent, for one)."""
    if 200 <= status < 300:
        return [body] if isinstance(body, dict) else []
    error = _error_of(body)
    if not isinstance(error, dict):
        return []
    return [error[key] for key in _ERROR_OBJECTS if isinstance(error.get(key), dict)]


def _served_problems(method: str, path: str, status: int, served: dict[str, Any]) -> list[str]:
    if 200 <= status < 300:
        return _contract().response_problems(method, path, served)
    return _contract().object_problems(served)


def _request_divergences(
    method: str, path: str, params: dict[str, Any], status: int, body: Any
) -> list[str]:
    """Every error has Stripe's shape; a request Stripe refuses is refused (its status, and
    its code or the same parameter); one it takes is not refused for a parameter."""
    error = _error_of(body)
    if status >= 400 and not (
        isinstance(error, dict)
        and isinstance(error.get("type"), str)
        and isinstance(error.get("message"), str)
    ):
        return [f"answered {status} without Stripe's error shape: {json.dumps(body)[:200]}"]
    if error and error.get("code") and error["code"] not in _contract().error_codes():
        said = f"{error['code']} ({error['message'][:80]})"
        return [f"answered {status} with {said}: {error['code']} is not a Stripe error code"]
    if status in _BEFORE_PARAMS or status >= 500:
        return []
    problems = _contract().request_problems(method, path, params)
    if problems:
        first = problems[0]
        if status == first.status and _names_a_problem(error, problems):
            return []
        said = f"{error.get('code') or 'no code'}: {error.get('message')}" if error else "no error"
        expected = f"{first.code or 'no code'}: {first.message}"
        return [f"Stripe answers {first.status} ({expected[:120]}); got {status} ({said[:120]})"]
    if error and _contract().is_parameter_error(error):
        return [f"refused a request its Params type allows: {status} {error.get('message')}"]
    return []


def _names_a_problem(error: Any, problems: list[Any]) -> bool:
    # Another of Stripe's codes for the same parameter (payment_intent_invalid_parameter) is fine.
    if not error:
        return False
    return error.get("code") in {p.code for p in problems} or error.get("param") in {
        p.param for p in problems if p.param
    }


def shape(value: Any) -> Hashable:
    """What the checks can tell apart in a value: its keys and types, and strings that may
    be enum values; so 100,000 charges that differ only in ids and amounts are one check.
    (A wrong enum value that has a digit or a capital in it may hide behind a right one.)"""
    if isinstance(value, dict):
        return frozenset((key, shape(item)) for key, item in value.items())
    if isinstance(value, list):
        return ("list", frozenset(map(shape, value)))
    if isinstance(value, str):
        if value in ("", "true", "false") or _ENUM_LIKE.fullmatch(value):
            return value
        return "#" if value.lstrip("-").isdigit() else "str"
    return type(value)
