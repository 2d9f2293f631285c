"""Stripe lists read in `created` windows, several pages at once.

A list is split into windows [lo, hi) of `created`; each is paged newest first with
`starting_after`, so windows never overlap and together cover the list. Windows adapt:
when a page comes back with more behind it and a worker is idle, the rest of the window
below the page is split, sized by the density the page showed (a dense month splits into
days; the past beyond goes into ever wider windows, so an empty year costs one request).

Workers only fetch and split. Every page goes, in order, to the one consumer (the caller's
thread), together with the window's state after it; the consumer writes rows and that
state in one transaction, so a killed run resumes at the windows it had not finished.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace

PAGE_SIZE = 100
# Stripe does not say when a list's oldest object is: a backfill's windows reach back to
# the epoch, and splits reach into the unknown past in ever wider windows.
FLOOR = 0
# The newest window a split makes holds this many objects at the density seen, at least
# (so that its last, part-filled page is a small share of it) and at most (because the
# density of one page, stretched over years, says little).
MIN_WINDOW_OBJECTS = 200
MAX_WINDOW_OBJECTS = 4000


@dataclass(frozen=True)
class Window:
    """Objects of one list with lo <= created < hi (hi None: no bound) not yet read.

    With a cursor (`after`, created `after_created`), what is left are the objects after it
    in list order: lo <= created <= after_created.
    """

    stream: str
    lo: int
    hi: int | None
    after: str | None = None
    after_created: int | None = None
    density: float = 0.0  # objects per second, from the last page read

    def params(self) -> dict:
        created = {"gte": self.lo}
        if self.hi is not None:
            created["lt"] = self.hi
        params = {"created": created, "limit": PAGE_SIZE}
        if self.after:
            params["starting_after"] = self.after
        return params

    def top(self) -> int | None:
        """The newest `created` still to read (inclusive), if known."""
        if self.after is not None:
            return self.after_created
        return None if self.hi is None else self.hi - 1

    def estimated_objects(self) -> float:
        top = self.top()
        return 0.0 if top is None else self.density * max(0, top - self.lo + 1)


def windows_to_json(windows: list[Window]) -> str:
    return json.dumps([asdict(window) for window in windows], separators=(",", ":"))


def windows_from_json(text: str) -> list[Window]:
    return [Window(**fields) for fields in json.loads(text)]


def split(window: Window, pieces: int) -> list[Window]:
    """The window keeps the newest part of what it has left, about a share of it; the
    older part is cut into up to `pieces` new windows, each twice as wide as the one before,
    the last taking the rest. Where the objects are as dense as the page showed, the work
    spreads; where the past is empty, it costs a few requests, not one per share."""
    top = window.top()
    if pieces < 1 or top is None or window.density <= 0 or top <= window.lo:
        return [window]
    share = window.estimated_objects() / (pieces + 1)
    share = min(max(share, MIN_WINDOW_OBJECTS), MAX_WINDOW_OBJECTS)
    width = max(1, int(share / window.density))
    boundary = max(window.lo + 1, top + 1 - width)
    older = []
    while boundary > window.lo and len(older) < pieces:
        width *= 2
        lo = window.lo if len(older) == pieces - 1 else max(window.lo, boundary - width)
        older.append(replace(window, lo=lo, hi=boundary, after=None, after_created=None))
        boundary = lo
    return [replace(window, lo=older[0].hi if older else window.lo), *older]


@dataclass
class Page:
    """One page read, as the consumer receives it."""

    stream: str
    window_id: int
    objects: list[dict]
    read_at: int  # unix time the request was made: the rows' `snapshot_at`
    window: Window | None  # its state after this page; None when it is finished
    new_windows: dict[int, Window] = field(default_factory=dict)  # split off from it


class OpenWindows:
    """The consumer's view: the windows whose pages it has not all taken yet. Saved with the
    rows of the pages taken, it is where a killed run resumes."""

    def __init__(self, windows: dict[int, Window]) -> None:
        self.windows = dict(windows)

    def follow(self, page: Page) -> None:
        del self.windows[page.window_id]
        if page.window is not None:
            self.windows[page.window_id] = page.window
        self.windows.update(page.new_windows)

    def of_stream(self, stream: str) -> list[Window]:
        return [window for window in self.windows.values() if window.stream == stream]

    def estimated_objects(self) -> float:
        return sum(window.estimated_objects() for window in self.windows.values())


class StopReading(Exception):
    """The consumer stopped; workers leave."""


FetchPage = Callable[[str, dict], dict]  # (stream, params) -> Stripe list page


class WindowReader:
    """Reads windows with `workers` threads; iterate over `pages()` in the caller."""

    def __init__(
        self,
        windows: list[Window],
        fetch: FetchPage,
        workers: int,
        wanted_windows: Callable[[], int] | None = None,
    ) -> None:
        self._fetch = fetch
        self._workers = max(1, workers)
        # Windows worth having open: more than requests can be in flight only adds the
        # part-filled last pages of more windows.
        self._wanted_windows = wanted_windows or (lambda: self._workers)
        self._ids = itertools.count()
        self._ready: list[tuple[int, Window]] = [(next(self._ids), w) for w in windows]
        self.initial: dict[int, Window] = dict(self._ready)
        self._taken = 0  # windows a worker holds
        self._idle = 0  # workers waiting for a window
        self._lock = threading.Condition()
        self._out: queue.Queue = queue.Queue(maxsize=4 * self._workers)
        self._stopped = threading.Event()
        self._error: Exception | None = None
        self._threads: list[threading.Thread] = []

    def pages(self) -> Iterator[Page]:
        """Every page of every window; re-raises a worker's error here."""
        if not self._ready:
            return
        self._threads = [
            threading.Thread(target=self._work, name=f"sync-worker-{n}", daemon=True)
            for n in range(self._workers)
        ]
        for thread in self._threads:
            thread.start()
        try:
            while True:
                try:
                    item = self._out.get(timeout=0.1)
                except queue.Empty:
                    if self._error is not None:
                        raise self._error from None
                    continue
                if item is None:
                    return
                yield item
        finally:
            self.stop()

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            self._lock.notify_all()

    # --- workers ------------------------------------------------------------------------

    def _work(self) -> None:
        try:
            while (taken := self._take()) is not None:
                window_id, window = taken
                read_at = int(time.time())
                page = self._fetch(window.stream, window.params())
                self._settle(window_id, window, page, read_at)
        except StopReading:
            return
        except Exception as error:  # noqa: BLE001 - the consumer raises it
            self._error = error
            self.stop()

    def _take(self) -> tuple[int, Window] | None:
        with self._lock:
            self._idle += 1
            try:
                while not self._ready:
                    if self._stopped.is_set():
                        raise StopReading
                    if self._taken == 0:
                        self._lock.notify_all()
                        return None  # nothing left anywhere
                    self._lock.wait()
                if self._stopped.is_set():
                    raise StopReading
                self._taken += 1
                return self._ready.pop()
            finally:
                self._idle -= 1

    def _settle(self, window_id: int, window: Window, page: dict, read_at: int) -> None:
        objects = page.get("data") or []
        with self._lock:
            self._taken -= 1
            if not objects or not page.get("has_more"):
                after, new = None, {}
            else:
                after, new = self._advance(window, objects)
            self._emit(Page(window.stream, window_id, objects, read_at, after, new))
            if after is not None:
                self._ready.append((window_id, after))
            self._ready.extend(new.items())
            if self._taken == 0 and not self._ready:
                self._emit(None)  # the last window is done
            self._lock.notify_all()

    def _advance(self, window: Window, objects: list[dict]) -> tuple[Window, dict[int, Window]]:
        """The window after this page and, if workers are idle, windows split off it."""
        newest, oldest = objects[0]["created"], objects[-1]["created"]
        density = len(objects) / max(1, newest - oldest + 1)
        after = replace(window, after=objects[-1]["id"], after_created=oldest, density=density)
        open_windows = self._taken + len(self._ready) + 1
        wanted = min(self._idle - len(self._ready), self._wanted_windows() - open_windows)
        if wanted <= 0 or after.estimated_objects() < 2 * MIN_WINDOW_OBJECTS:
            return after, {}
        kept, *older = split(after, wanted)
        return kept, {next(self._ids): piece for piece in older}

    def _emit(self, item: Page | None) -> None:
        while not self._stopped.is_set():
            try:
                self._out.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise StopReading
