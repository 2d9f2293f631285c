"""Stripe -> DuckDB sync.

Full (backfill): every mirrored list, split into `created` windows read several at once,
as fast as Stripe's request rate allows (console/sync_windows.py, console/sync_rate.py).
Each write commits rows with the state of every open window, so a killed backfill resumes
at the windows it had not finished. Before it starts, it notes where Stripe's event stream
and balance history stand (the anchor); whatever changes during and after the backfill is
read from there.

Incremental: objects change after they are created (a refund today on a charge from
April, a refund that fails a week later), so one `created` cursor per list would miss
them. Instead it reads Stripe's events since the last run, each carrying the object's
state at that moment, and applies the newest state of each object. Balance transactions
have no events, but they never change once written, so a `created` cursor over their
own list catches every new one, late ones included. With nothing new: two requests; with
k changes, about k/100 (both lists go through the same windows).
"""

from __future__ import annotations

import fcntl
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import stripe
import tenacity

from console.settings import (
    CURSOR_OVERLAP_SECONDS,
    EVENT_RETENTION_SECONDS,
    REFUND_CHANGE_EVENTS,
    STREAMS,
    StripeSettings,
    stripe_settings,
)
from console.store import db, rollups, sync_state
from console.stripe_api import gateway, mirror, sync_rate
from console.stripe_api.sync_windows import (
    FLOOR,
    OpenWindows,
    Page,
    Window,
    WindowReader,
    windows_from_json,
    windows_to_json,
)

# Objects gathered before one write: few, short transactions keep the file free for others.
WRITE_BATCH_OBJECTS = 2000
# Our own back-off on top of the SDK's retries, for 429s and 5xx that outlast those;
# after the last pause the run stops with Stripe's reason.
BACKOFF_SECONDS = (1, 2, 4, 8)
# How often the estimate of time left is worked out again.
ESTIMATE_EVERY_SECONDS = 0.5


class SyncError(RuntimeError):
    """A sync that stopped; the message is one line a person can act on."""


class SyncAlreadyRunning(SyncError):
    pass


@dataclass
class SyncProgress:
    phase: str
    objects: int = 0
    requests: int = 0
    started: float = field(default_factory=time.monotonic)
    # Backfill only: what is left at the rate so far; None until there is a first estimate.
    estimated_seconds_left: float | None = None
    throttled: int = 0  # 429 answers so far

    @property
    def requests_per_second(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.requests / elapsed if elapsed > 0 else 0.0

    @property
    def objects_per_second(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.objects / elapsed if elapsed > 0 else 0.0


@dataclass(frozen=True)
class SyncResult:
    run_id: str
    mode: str
    objects: int
    requests: int
    seconds: float

    def summary(self) -> str:
        return (
            f"{self.mode} sync: {self.objects} objects in {self.requests} requests, "
            f"{self.seconds:.1f} s"
        )


ProgressCallback = Callable[[SyncProgress], None]


class _Session:
    """One run: the paced Stripe client, request counts, progress reporting."""

    def __init__(
        self,
        settings: StripeSettings,
        on_progress: ProgressCallback | None,
        requests_per_second: float | None,
        max_concurrency: int | None,
    ):
        rate = requests_per_second or sync_rate.configured_rate(settings)
        self.workers = max_concurrency or sync_rate.default_concurrency(rate)
        self.governor = sync_rate.RateGovernor(rate, self.workers)
        http_client = sync_rate.GovernedHTTPClient(self.governor)
        self.client = gateway.client(settings, http_client=http_client)
        self.livemode = settings.livemode
        self.progress = SyncProgress(phase="starting")
        self._on_progress = on_progress
        self._estimated_at = 0.0

    def report(self, phase: str | None = None, objects: int = 0) -> None:
        if phase:
            self.progress.phase = phase
        self.progress.objects += objects
        self.progress.requests = self.governor.requests
        self.progress.throttled = self.governor.throttled
        if self._on_progress:
            self._on_progress(self.progress)

    def estimate(self, objects_left: Callable[[], float], since: float, objects: int) -> None:
        """Time left at the objects-per-second rate since `since`, now and then."""
        now = time.monotonic()
        if now - self._estimated_at < ESTIMATE_EVERY_SECONDS or now <= since or not objects:
            return
        self._estimated_at = now
        self.progress.estimated_seconds_left = objects_left() / (objects / (now - since))

    def list_page(self, resource: str, params: dict) -> dict:
        outlast_stripe = tenacity.Retrying(
            retry=tenacity.retry_if_exception(
                lambda e: isinstance(e, gateway.StripeProblem) and e.retryable
            ),
            wait=tenacity.wait_chain(*map(tenacity.wait_fixed, BACKOFF_SECONDS)),
            stop=tenacity.stop_after_attempt(len(BACKOFF_SECONDS) + 1),
            reraise=True,
        )
        try:
            return outlast_stripe(gateway.list_page, self.client, resource, params)
        except gateway.StripeProblem as problem:
            raise SyncError(str(problem)) from None

    def read(self, windows: list[Window]) -> WindowReader:
        """A reader of these windows at this run's pace; `params` are added per stream."""

        def fetch(stream: str, window_params: dict) -> dict:
            return self.list_page(stream, window_params)

        return WindowReader(windows, fetch, self.workers, self.governor.wanted_in_flight)


# --- state: the cursors and runs are kept by store/sync_state.py ---------------------------


def _write(session: _Session, batch: mirror.Batch, state: dict[str, str | None]) -> None:
    """Rows and the cursors that cover them, in one transaction."""
    with db.connect(write=True) as con:
        batch.write(con)
        sync_state.set_states(con, session.livemode, state)


# --- run bookkeeping -------------------------------------------------------------------


@contextmanager
def _exclusive_run(settings: StripeSettings) -> Iterator[None]:
    """One sync at a time per database, whichever process started it."""
    lock_path = db.database_path().with_suffix(".sync.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncAlreadyRunning(
                "A sync is already running; wait for it to finish, then look again."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _finish_run(run_id: str, progress: SyncProgress, error: str | None) -> None:
    sync_state.finish_run(run_id, progress.objects, progress.requests, error)


# --- backfill ----------------------------------------------------------------------------


def _newest_created(session: _Session, resource: str) -> int | None:
    page = session.list_page(resource, {"limit": 1})
    data = page.get("data") or []
    return data[0]["created"] if data else None


def _take_anchor(session: _Session, state: dict[str, str]) -> dict:
    """Where the event stream and balance history stand before the backfill reads them;
    `until` bounds the windows, and what comes later arrives through events."""
    if "backfill_anchor" in state:
        return json.loads(state["backfill_anchor"])
    now = int(time.time())
    events_from = _newest_created(session, "events")
    balance_from = _newest_created(session, "balance_transactions")
    anchor = {
        "events": events_from or now,
        "balance_transactions": balance_from or now,
        "until": now + 1,
    }
    with db.connect(write=True) as con:
        sync_state.clear_backfill_state(con, session.livemode)
        windows = {
            f"backfill:{stream}": windows_to_json([Window(stream, FLOOR, anchor["until"])])
            for stream, _table in STREAMS
        }
        sync_state.set_states(
            con, session.livemode, {"backfill_anchor": json.dumps(anchor), **windows}
        )
    return anchor


def _open_windows(state: dict[str, str], anchor: dict) -> list[Window]:
    """The windows a backfill has still to read, as its last write left them."""
    windows = []
    for stream, _table in STREAMS:
        saved = state.get(f"backfill:{stream}")
        if saved == "done":
            continue
        if saved and saved.startswith("["):
            windows += windows_from_json(saved)
        else:  # not started, or a list cursor written before windows existed
            windows.append(Window(stream, FLOOR, anchor.get("until"), after=saved))
    return windows


def _window_state(streams: set[str], open_windows: OpenWindows) -> dict[str, str]:
    state = {}
    for stream in sorted(streams):
        windows = open_windows.of_stream(stream)
        state[f"backfill:{stream}"] = windows_to_json(windows) if windows else "done"
    return state


def _read_windows(session: _Session, windows: list[Window]) -> None:
    """Pages as they come from the workers; each write carries the windows still open."""
    streams = {window.stream for window in windows}
    reader = session.read(windows)
    open_windows = OpenWindows(reader.initial)
    batch = mirror.Batch(session.livemode)
    started, objects = time.monotonic(), 0
    try:
        for page in reader.pages():
            for stripe_object in page.objects:
                batch.add(stripe_object, page.read_at)
            open_windows.follow(page)
            objects += len(page.objects)
            session.estimate(open_windows.estimated_objects, started, objects)
            session.report(objects=len(page.objects))
            if len(batch) >= WRITE_BATCH_OBJECTS:
                _write(session, batch, _window_state(streams, open_windows))
                batch = mirror.Batch(session.livemode)
    finally:
        reader.stop()
    _write(session, batch, _window_state(streams, open_windows))
    session.progress.estimated_seconds_left = 0.0


def _backfill(session: _Session, state: dict[str, str]) -> None:
    anchor = _take_anchor(session, state)
    state = sync_state.read_state(session.livemode)
    session.report(phase="backfill")
    _read_windows(session, _open_windows(state, anchor))
    with db.connect(write=True) as con:
        sync_state.clear_backfill_state(con, session.livemode)
        sync_state.set_states(
            con,
            session.livemode,
            {
                "events_cursor": str(anchor["events"]),
                "events_read_at": str(int(time.time())),
                "balance_cursor": str(anchor["balance_transactions"]),
                "streams": json.dumps([stream for stream, _table in STREAMS]),
            },
        )


# What a mirror synced before the `streams` state existed holds in full.
STREAMS_BEFORE_PAYOUTS = [
    "charges",
    "refunds",
    "balance_transactions",
    "payment_intents",
    "disputes",
]


def _backfill_new_streams(session: _Session, state: dict[str, str]) -> None:
    """Lists a newer release mirrors that this mirror has never read (payouts, for a file
    synced before them) are read whole, once, inside an incremental run: upgrading never
    asks for a full sync. A killed read resumes at its open windows."""
    held = json.loads(state.get("streams") or json.dumps(STREAMS_BEFORE_PAYOUTS))
    new = [stream for stream, _table in STREAMS if stream not in held]
    if not new:
        return
    windows = []
    for stream in new:
        saved = state.get(f"backfill:{stream}")
        if saved and saved.startswith("["):
            windows += windows_from_json(saved)
        elif saved != "done":
            windows.append(Window(stream, FLOOR, None))
    session.report(phase="backfill")
    _read_windows(session, windows)
    with db.connect(write=True) as con:
        sync_state.clear_backfill_state(con, session.livemode)
        sync_state.set_states(
            con, session.livemode, {"streams": json.dumps([s for s, _table in STREAMS])}
        )


# --- incremental -------------------------------------------------------------------------


class _Changes:
    """What an incremental run gathers: the newest state of each object, and cursors."""

    def __init__(self, events_since: int, balance_since: int) -> None:
        self.newest = {"events": events_since, "balance_transactions": balance_since}
        self.seen: dict[str, int] = {}  # object id -> `created` of the state taken
        self.disputed_charges: set[str] = set()
        # What refund events said: charge -> its amount refunded; refund -> (charge, status).
        self.refunded_charges: dict[str, int | None] = {}
        self.updated_refunds: dict[str, tuple[str | None, str | None]] = {}

    def refund_changes(self) -> dict[str, set[str | None]]:
        """Charges whose refunds changed since the mirror last saw them, with the refund
        each event named (None: a new refund). The overlap re-reads events a run has
        already applied: those are left out, so a quiet run reads nothing more."""
        with db.connect() as con:
            known_charges = dict(
                con.execute(
                    "SELECT id, CAST(raw->>'amount_refunded' AS BIGINT) FROM stripe_charges "
                    "WHERE list_contains($ids, id)",
                    {"ids": list(self.refunded_charges)},
                ).fetchall()
            )
            known_refunds = dict(
                con.execute(
                    "SELECT id, status FROM stripe_refunds WHERE list_contains($ids, id)",
                    {"ids": list(self.updated_refunds)},
                ).fetchall()
            )
        changes: dict[str, set[str | None]] = {}
        for charge, refunded in self.refunded_charges.items():
            if known_charges.get(charge, -1) != refunded:
                changes.setdefault(charge, set()).add(None)
        for refund, (charge, status) in self.updated_refunds.items():
            if charge and known_refunds.get(refund) != status:
                changes.setdefault(charge, set()).add(refund)
        return changes

    def add(self, batch: mirror.Batch, page: Page) -> None:
        for stripe_object in page.objects:
            self.newest[page.stream] = max(self.newest[page.stream], stripe_object["created"])
        if page.stream == "balance_transactions":
            for txn in page.objects:
                batch.add(txn, page.read_at)
            return
        for event in page.objects:
            stripe_object = event["data"]["object"]
            self._note(event, stripe_object)
            # Windows come in any order, but within one the newest comes first: a state
            # is taken unless one as new or newer was (a tie lies within one window).
            if self.seen.get(stripe_object["id"], -1) >= event["created"]:
                continue
            if batch.add(stripe_object, event["created"]):
                self.seen[stripe_object["id"]] = event["created"]

    def _note(self, event: dict, stripe_object: dict) -> None:
        kind = stripe_object.get("object")
        if kind == "dispute":
            # The charge's `disputed` and refundability change with it.
            self.disputed_charges.add(mirror.object_id(stripe_object["charge"]))
        elif event["type"] in REFUND_CHANGE_EVENTS and kind == "charge":
            self.refunded_charges[stripe_object["id"]] = stripe_object.get("amount_refunded")
        elif event["type"] in REFUND_CHANGE_EVENTS and kind == "refund":
            charge = mirror.object_id(stripe_object.get("charge"))
            self.updated_refunds[stripe_object["id"]] = (charge, stripe_object.get("status"))


def _read_changed_refunds(
    session: _Session, changes: _Changes, batch: mirror.Batch, since: int
) -> None:
    """Refunds of the charges that events say changed, as Stripe has them at the pinned
    version: new ones from one list of recent refunds, older ones charge by charge."""
    changed = changes.refund_changes()
    if not changed:
        return
    window = Window("refunds", max(0, since - CURSOR_OVERLAP_SECONDS), None)
    reader = session.read([window])
    read: dict[str, set[str]] = {}
    try:
        for page in reader.pages():
            for refund in page.objects:
                batch.add(refund, page.read_at)
                read.setdefault(mirror.object_id(refund["charge"]), set()).add(refund["id"])
            session.report(objects=len(page.objects))
    finally:
        reader.stop()
    for charge_id, refund_ids in sorted(changed.items()):
        found = read.get(charge_id, set())
        if found and all(refund is None or refund in found for refund in refund_ids):
            continue
        refunds = gateway.every_object(
            session.client,
            "refunds",
            {"charge": charge_id},
            on_page=lambda count: session.report(objects=count),
            fetch=session.list_page,
        )
        for refund in refunds:
            batch.add(refund, int(time.time()))


def _incremental(session: _Session, state: dict[str, str]) -> None:
    _backfill_new_streams(session, state)
    changes = _Changes(int(state["events_cursor"]), int(state["balance_cursor"]))
    windows = [
        Window(stream, max(0, since - CURSOR_OVERLAP_SECONDS), None)
        for stream, since in changes.newest.items()
    ]
    session.report(phase="events")
    reader = session.read(windows)
    batch = mirror.Batch(session.livemode)
    try:
        for page in reader.pages():
            changes.add(batch, page)
            session.report(objects=len(page.objects))
            if len(batch) >= WRITE_BATCH_OBJECTS:
                _write(session, batch, {})
                batch = mirror.Batch(session.livemode)
    finally:
        reader.stop()
    _read_changed_refunds(session, changes, batch, int(state["events_cursor"]))
    for charge_id in sorted(changes.disputed_charges):
        charge = gateway.retrieve_charge(session.client, charge_id)
        batch.add(charge, int(time.time()))
    # The cursors move only with the last rows they cover.
    cursors = {
        "events_cursor": str(changes.newest["events"]),
        "events_read_at": str(int(time.time())),
        "balance_cursor": str(changes.newest["balance_transactions"]),
    }
    _write(session, batch, cursors)


# --- payouts: where each went, and what each holds ----------------------------------------


def _read_payouts(session: _Session) -> None:
    """Each new automatic payout's balance transactions (one list per payout, several at
    once), and the bank account of any payout read without it (events do not expand it)."""
    with db.connect() as con:
        unread, unknown_destinations = mirror.payouts_to_read(con, session.livemode)
    if not unread and not unknown_destinations:
        return
    session.report(phase="payouts")
    batch = mirror.Batch(session.livemode)

    def contents(payout_id: str) -> list[dict]:
        return list(gateway.payout_transactions(session.client, payout_id, session.list_page))

    # A few payouts ahead of the writer at a time: a first sync of a large account does not
    # hold every payout's transactions in memory at once.
    step = session.workers * 4
    with ThreadPoolExecutor(session.workers) as pool:
        for start in range(0, len(unread), step):
            chunk = unread[start : start + step]
            for payout_id, transactions in zip(chunk, pool.map(contents, chunk), strict=True):
                batch.add_payout_contents(payout_id, transactions, int(time.time()))
                session.report(objects=len(transactions))
                if len(batch) >= WRITE_BATCH_OBJECTS:
                    _write(session, batch, {})
                    batch = mirror.Batch(session.livemode)
    for payout_id in unknown_destinations:
        try:
            batch.add(gateway.retrieve_payout(session.client, payout_id), int(time.time()))
        except gateway.StripeProblem as problem:
            raise SyncError(str(problem)) from None
    _write(session, batch, {})


def _needs_backfill(state: dict[str, str]) -> bool:
    if "events_cursor" not in state or "backfill_anchor" in state:
        return True
    # Stripe keeps events 30 days: after a longer pause, some changes are gone from them.
    return int(state["events_read_at"]) < time.time() - EVENT_RETENTION_SECONDS


# --- entry point -------------------------------------------------------------------------


def run_sync(
    full: bool = False,
    settings: StripeSettings | None = None,
    on_progress: ProgressCallback | None = None,
    *,
    requests_per_second: float | None = None,
    max_concurrency: int | None = None,
) -> SyncResult:
    """Bring the mirror up to date with Stripe. Raises SyncError with a one-line reason.

    `requests_per_second` overrides the configured rate (SYNC_REQUESTS_PER_SECOND, else
    90 live, 22 test); `max_concurrency` caps the requests in flight (1: one at a time).
    """
    settings = settings or stripe_settings()
    try:
        session = _Session(settings, on_progress, requests_per_second, max_concurrency)
    except (gateway.StripeNotConfigured, ValueError) as problem:
        raise SyncError(str(problem)) from None
    with _exclusive_run(settings):
        state = sync_state.read_state(session.livemode)
        mode = "full" if full or _needs_backfill(state) else "incremental"
        if full and "backfill_anchor" not in state:
            with db.connect(write=True) as con:
                sync_state.clear_backfill_state(con, session.livemode)
            state = {k: v for k, v in state.items() if not k.startswith("backfill:")}
        run_id = sync_state.start_run(session.livemode, mode)
        started = time.monotonic()
        try:
            if mode == "full":
                _backfill(session, state)
            else:
                _incremental(session, state)
            _read_payouts(session)
        except (SyncError, stripe.StripeError, gateway.StripeProblem, db.DatabaseBusy) as e:
            session.report()
            _finish_run(run_id, session.progress, str(e))
            raise SyncError(str(e)) from None
        except BaseException as error:
            session.progress.requests = session.governor.requests
            _finish_run(run_id, session.progress, f"interrupted: {error.__class__.__name__}")
            raise
        session.report(phase="totals")
        with db.connect(write=True) as con:
            rollups.rebuild(con)
        _finish_run(run_id, session.progress, None)
        session.report(phase="done")
        return SyncResult(
            run_id=run_id,
            mode=mode,
            objects=session.progress.objects,
            requests=session.progress.requests,
            seconds=time.monotonic() - started,
        )


def last_run(livemode: bool) -> dict | None:
    """The latest sync run for this mode, for status displays."""
    return sync_state.last_run(livemode)


def last_success_at(livemode: bool) -> datetime | None:
    return sync_state.last_success_at(livemode)


def sync_in_progress() -> bool:
    """Whether some process holds the sync lock right now."""
    lock_path = db.database_path().with_suffix(".sync.lock")
    if not lock_path.exists():
        return False
    with lock_path.open("r") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def recent_runs(livemode: bool, limit: int = 20):
    """The latest runs, newest first; a 'running' run nobody is running was interrupted."""
    runs = sync_state.recent_runs(livemode, limit)
    if not sync_in_progress():
        runs.loc[runs["status"] == sync_state.RUNNING, "status"] = "interrupted"
    return runs
