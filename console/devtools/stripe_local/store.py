"""The store of one server instance: test-mode and live-mode data kept apart, as at Stripe.

Each mode holds its objects by id, a timeline per object type (Stripe's list order), the
server-side facts that Stripe keeps private (a card's number, a refund's fate), and its
idempotency keys. The store lives in memory and, with --store PATH, is loaded at start and
saved in the background (every SAVE_INTERVAL_SECONDS when changed, and on SIGTERM).
"""

from __future__ import annotations

import asyncio
import bisect
import contextvars
import itertools
import logging
import os
import pickle
import secrets
import string
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import no_such

SAVE_INTERVAL_SECONDS = 2.0
_ID_ALPHABET = string.ascii_letters + string.digits
_log = logging.getLogger("console.devtools.stripe_local")


_ID_LENGTH = 24
_ID_CHOICES = len(_ID_ALPHABET) ** _ID_LENGTH


def new_id(prefix: str) -> str:
    """`prefix_` and 24 letters and digits, each drawn uniformly (one draw for all 24: a
    request makes several ids, and a draw per character was a third of its time)."""
    number = secrets.randbelow(_ID_CHOICES)
    characters = []
    for _ in range(_ID_LENGTH):
        number, digit = divmod(number, len(_ID_ALPHABET))
        characters.append(_ID_ALPHABET[digit])
    return f"{prefix}_{''.join(characters)}"


class Timeline:
    """The objects of one type in Stripe's list order: sorted by (created, insertion)."""

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []
        self.objects: list[dict[str, Any]] = []
        self.key_of: dict[str, tuple[int, int]] = {}

    @classmethod
    def of(cls, entries: Iterable[tuple[tuple[int, int], dict[str, Any]]]) -> Timeline:
        """A timeline of some objects of another, under the keys they have there."""
        timeline = cls()
        for key, obj in sorted(entries, key=lambda entry: entry[0]):
            timeline.keys.append(key)
            timeline.objects.append(obj)
            timeline.key_of[obj["id"]] = key
        return timeline

    def add(self, obj: dict[str, Any], sequence: int) -> None:
        key = (obj["created"], sequence)
        index = bisect.bisect(self.keys, key)
        self.keys.insert(index, key)
        self.objects.insert(index, obj)
        self.key_of[obj["id"]] = key

    def page(
        self,
        limit: int,
        gte: int | None,
        lte: int | None,
        starting_after: str | None,
        ending_before: str | None,
        matches: Callable[[dict[str, Any]], bool],
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page, newest first, and whether more objects lie beyond it."""
        # Bisection narrows to the created range and the cursor, so a page costs O(log n)
        # plus the objects it walks over, not a scan of the whole store.
        lo = 0 if gte is None else bisect.bisect_left(self.keys, (gte, -1))
        hi = len(self.keys) if lte is None else bisect.bisect_left(self.keys, (lte + 1, -1))
        walk: Iterable[int]
        if ending_before is not None:
            lo = max(lo, bisect.bisect_right(self.keys, self.key_of[ending_before]))
            walk = range(lo, hi)  # the objects just newer than the cursor
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
class ModeData:
    """One mode's data (test or live): Stripe keeps the two entirely apart."""

    livemode: bool
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    private: dict[str, dict[str, Any]] = field(default_factory=dict)
    timelines: dict[str, Timeline] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    balance: Counter[str] = field(default_factory=Counter)  # net of all transactions, by currency
    sequence: int = 0
    # The payout schedule's progress (payouts.py). Stores saved before it load with these
    # defaults (see __setstate__).
    payout_day: int | None = None  # 00:00 UTC of the last day the schedule ran
    payout_swept: int | None = None  # transactions created before it were up for a payout
    payout_waiting: list[str] = field(default_factory=list)  # of those, not paid out yet
    payout_arrivals: list[tuple[int, str]] = field(default_factory=list)  # pending, in order
    bank_account: str | None = None  # where payouts go (payouts.py makes it)
    fail_next_payout: str | None = None  # the failure code of the next payout to arrive

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A pickle from before a field existed lacks it: it takes its default.
        self.__dict__.update(vars(ModeData(livemode=state["livemode"])))
        self.__dict__.update(state)

    def add(self, obj: dict[str, Any], **private: Any) -> dict[str, Any]:
        """Stores a new object (and facts about it that the API never shows)."""
        self.objects[obj["id"]] = obj
        self.private[obj["id"]] = private
        self.timeline(obj["object"]).add(obj, self.sequence)
        self.sequence += 1
        return obj

    def timeline(self, object_type: str) -> Timeline:
        if object_type not in self.timelines:
            self.timelines[object_type] = Timeline()
        return self.timelines[object_type]

    def find(self, object_type: str, object_id: Any) -> dict[str, Any] | None:
        obj = self.objects.get(object_id) if isinstance(object_id, str) else None
        return obj if obj is not None and obj["object"] == object_type else None

    def get(self, object_type: str, object_id: Any, param: str = "id") -> dict[str, Any]:
        obj = self.find(object_type, object_id)
        if obj is None:
            raise no_such(object_type, str(object_id), param)
        return obj


@dataclass
class Fault:
    status: int
    every: int
    path_prefix: str
    seen: int = 0


class Store:
    """Everything one instance knows; only `modes` and the account are persisted."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.account_id = "acct_local" + new_id("x")[2:12]
        self.account_overrides: dict[str, Any] = {}
        self.modes = {False: ModeData(livemode=False), True: ModeData(livemode=True)}
        self.dirty = False
        self.requests: Counter[str] = Counter()
        self.fault: Fault | None = None
        self.faults_injected = 0
        self.in_flight: set[tuple[str, str]] = set()
        if path is not None and path.exists():
            self._load(path)

    def clear(self) -> None:
        self.modes = {False: ModeData(livemode=False), True: ModeData(livemode=True)}
        self.account_overrides = {}
        self.dirty = True

    def _load(self, path: Path) -> None:
        with path.open("rb") as f:
            saved = pickle.load(f)  # our own file, written by save()
        self.account_id = saved["account_id"]
        self.account_overrides = saved["account_overrides"]
        self.modes = saved["modes"]

    def save(self) -> None:
        assert self.path is not None
        self.dirty = False
        saved = {
            "account_id": self.account_id,
            "account_overrides": self.account_overrides,
            "modes": self.modes,
        }
        data = pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, self.path)  # atomic: a crash never leaves a half-written store

    async def autosave(self) -> None:
        while True:
            await asyncio.sleep(SAVE_INTERVAL_SECONDS)
            if self.dirty:
                try:
                    self.save()
                except Exception:
                    self.dirty = True
                    _log.exception("could not save the store to %s", self.path)


@dataclass(frozen=True)
class RequestContext:
    """What the request being served brings: its mode, clock and ids (for events)."""

    store: Store
    data: ModeData
    now: int | None = None
    request_id: str | None = None
    idempotency_key: str | None = None
    base_url: str = ""


_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("stripe_local")


def enter(context: RequestContext) -> contextvars.Token[RequestContext]:
    return _context.set(context)


def leave(token: contextvars.Token[RequestContext]) -> None:
    _context.reset(token)


def context() -> RequestContext:
    return _context.get()


def data() -> ModeData:
    """The mode of the request being served: test or live, by its API key."""
    return _context.get().data


def now() -> int:
    """Unix seconds; a request's Stripe-Local-Now header backdates what it creates."""
    override = _context.get().now
    return int(time.time()) if override is None else override


def changed() -> None:
    _context.get().store.dirty = True
