"""Stripe -> DuckDB sync.

Full (backfill): page through every mirrored list, newest first. Each write commits the
rows with the page cursor, so a killed backfill resumes where it stopped. Before it
starts, it notes where Stripe's event stream and balance history stand (the anchor);
whatever changes during and after the backfill is read from there.

Incremental: objects change after they are created (a refund today on a charge from
April, a refund that fails a week later), so one `created` cursor per list would miss
them. Instead it reads Stripe's events since the last run, each carrying the object's
state at that moment, and applies the newest state of each object. Balance transactions
have no events, but they never change once written, so a `created` cursor over their
own list catches every new one, late ones included. With nothing new: two requests.
"""

from __future__ import annotations

import fcntl
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import stripe

from console import db, mirror, rollups, stripe_gateway
from console.settings import (
    CURSOR_OVERLAP_SECONDS,
    EVENT_RETENTION_SECONDS,
    STREAMS,
    SYNC_EVENT_TYPES,
    StripeSettings,
    stripe_settings,
)

PAGE_SIZE = 100
# Objects gathered before one write: few, short transactions keep the file free for others.
WRITE_BATCH_OBJECTS = 2000
# Our own back-off on top of the SDK's retries, for 429s and 5xx that outlast those.
BACKOFF_SECONDS = (1, 2, 4, 8)


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

    @property
    def requests_per_second(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.requests / elapsed if elapsed > 0 else 0.0


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
    """One run: the Stripe client, a request counter, progress reporting."""

    def __init__(self, settings: StripeSettings, on_progress: ProgressCallback | None):
        self.client = stripe_gateway.client(settings)
        self.livemode = settings.livemode
        self.progress = SyncProgress(phase="starting")
        self._on_progress = on_progress

    def report(self, phase: str | None = None, objects: int = 0) -> None:
        if phase:
            self.progress.phase = phase
        self.progress.objects += objects
        if self._on_progress:
            self._on_progress(self.progress)

    def list_page(self, path: str, params: dict) -> dict:
        for attempt, pause in enumerate((*BACKOFF_SECONDS, None)):
            self.progress.requests += 1
            try:
                return stripe_gateway.list_page(self.client, path, params)
            except stripe_gateway.StripeProblem as problem:
                if not problem.retryable or pause is None:
                    raise SyncError(str(problem)) from None
                time.sleep(pause * (1 + attempt * 0.1))
        raise AssertionError("unreachable")

    def pages(self, path: str, params: dict) -> Iterator[list[dict]]:
        """Every page of a list, newest first, following `starting_after`."""
        params = {**params, "limit": PAGE_SIZE}
        while True:
            page = self.list_page(path, params)
            objects = page.get("data", [])
            if objects:
                yield objects
            if not page.get("has_more") or not objects:
                return
            params["starting_after"] = objects[-1]["id"]


# --- state -------------------------------------------------------------------------


def _read_state(livemode: bool) -> dict[str, str]:
    with db.connect() as con:
        rows = con.execute(
            "SELECT name, value FROM sync_state WHERE livemode = ?", [livemode]
        ).fetchall()
    return dict(rows)


def _set_state(con, livemode: bool, name: str, value: str | None) -> None:
    con.execute(
        "INSERT INTO sync_state (livemode, name, value, updated_at) VALUES (?, ?, ?, now()) "
        "ON CONFLICT (livemode, name) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at",
        [livemode, name, value],
    )


def _clear_backfill_state(con, livemode: bool) -> None:
    con.execute(
        "DELETE FROM sync_state WHERE livemode = ? AND (name LIKE 'backfill:%' "
        "OR name = 'backfill_anchor')",
        [livemode],
    )


def _write(session: _Session, batch: mirror.Batch, state: dict[str, str | None]) -> None:
    """Rows and the cursors that cover them, in one transaction."""
    with db.connect(write=True) as con:
        batch.write(con)
        for name, value in state.items():
            _set_state(con, session.livemode, name, value)


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


def _start_run(livemode: bool, mode: str) -> str:
    run_id = uuid.uuid4().hex
    with db.connect(write=True) as con:
        con.execute(
            "INSERT INTO sync_runs (run_id, livemode, mode, started_at, status) "
            "VALUES (?, ?, ?, now(), 'running')",
            [run_id, livemode, mode],
        )
    return run_id


def _finish_run(run_id: str, progress: SyncProgress, error: str | None) -> None:
    with db.connect(write=True) as con:
        con.execute(
            "UPDATE sync_runs SET finished_at = now(), status = ?, objects = ?, requests = ?, "
            "error = ? WHERE run_id = ?",
            [
                "failed" if error else "succeeded",
                progress.objects,
                progress.requests,
                error,
                run_id,
            ],
        )


# --- backfill ----------------------------------------------------------------------------


def _newest_created(session: _Session, path: str, extra: dict | None = None) -> int | None:
    page = session.list_page(path, {"limit": 1, **(extra or {})})
    data = page.get("data") or []
    return data[0]["created"] if data else None


def _take_anchor(session: _Session, state: dict[str, str]) -> dict:
    """Where the event stream and balance history stand before the backfill reads them."""
    if "backfill_anchor" in state:
        return json.loads(state["backfill_anchor"])
    now = int(time.time())
    events_from = _newest_created(session, "/v1/events", {"types": list(SYNC_EVENT_TYPES)})
    balance_from = _newest_created(session, "/v1/balance_transactions")
    anchor = {"events": events_from or now, "balance_transactions": balance_from or now}
    with db.connect(write=True) as con:
        _clear_backfill_state(con, session.livemode)
        _set_state(con, session.livemode, "backfill_anchor", json.dumps(anchor))
    return anchor


def _backfill_stream(session: _Session, stream: str, path: str, resume_after: str | None) -> None:
    params = {"starting_after": resume_after} if resume_after else {}
    batch = mirror.Batch()
    snapshot_at = int(time.time())
    for page in session.pages(path, params):
        for stripe_object in page:
            batch.add(stripe_object, snapshot_at)
        session.report(objects=len(page))
        if len(batch) >= WRITE_BATCH_OBJECTS:
            _write(session, batch, {f"backfill:{stream}": page[-1]["id"]})
            batch = mirror.Batch()
    _write(session, batch, {f"backfill:{stream}": "done"})


def _backfill(session: _Session, state: dict[str, str]) -> None:
    anchor = _take_anchor(session, state)
    for stream, path, _table in STREAMS:
        position = state.get(f"backfill:{stream}")
        if position == "done":
            continue
        session.report(phase=f"backfill {stream}")
        _backfill_stream(session, stream, path, position)
    with db.connect(write=True) as con:
        _clear_backfill_state(con, session.livemode)
        _set_state(con, session.livemode, "events_cursor", str(anchor["events"]))
        _set_state(con, session.livemode, "events_read_at", str(int(time.time())))
        _set_state(con, session.livemode, "balance_cursor", str(anchor["balance_transactions"]))


# --- incremental -------------------------------------------------------------------------


def _apply_events(session: _Session, since: int) -> None:
    session.report(phase="events")
    applied: set[str] = set()
    disputed_charges: set[str] = set()
    newest = since
    batch = mirror.Batch()
    params = {
        "types": list(SYNC_EVENT_TYPES),
        "created": {"gte": max(0, since - CURSOR_OVERLAP_SECONDS)},
    }
    for page in session.pages("/v1/events", params):
        for event in page:
            newest = max(newest, event["created"])
            stripe_object = event["data"]["object"]
            if stripe_object.get("object") == "dispute":
                disputed_charges.add(stripe_object["charge"])
                continue
            # Newest first: the first state seen of an object in this run is its latest.
            if stripe_object["id"] in applied:
                continue
            if batch.add(stripe_object, event["created"]):
                applied.add(stripe_object["id"])
        session.report(objects=len(page))
        if len(batch) >= WRITE_BATCH_OBJECTS:
            _write(session, batch, {})
            batch = mirror.Batch()
    for charge_id in sorted(disputed_charges - applied):
        charge = stripe_gateway.request(session.client, "get", f"/v1/charges/{charge_id}")
        session.progress.requests += 1
        batch.add(charge, int(time.time()))
    # The cursor moves only with the last rows it covers.
    _write(session, batch, {"events_cursor": str(newest), "events_read_at": str(int(time.time()))})


def _read_balance_transactions(session: _Session, since: int) -> None:
    session.report(phase="balance_transactions")
    newest = since
    batch = mirror.Batch()
    snapshot_at = int(time.time())
    params = {"created": {"gte": max(0, since - CURSOR_OVERLAP_SECONDS)}}
    for page in session.pages("/v1/balance_transactions", params):
        for txn in page:
            newest = max(newest, txn["created"])
            batch.add(txn, snapshot_at)
        session.report(objects=len(page))
    _write(session, batch, {"balance_cursor": str(newest)})


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
) -> SyncResult:
    """Bring the mirror up to date with Stripe. Raises SyncError with a one-line reason."""
    settings = settings or stripe_settings()
    try:
        session = _Session(settings, on_progress)
    except stripe_gateway.StripeNotConfigured as problem:
        raise SyncError(str(problem)) from None
    with _exclusive_run(settings):
        state = _read_state(session.livemode)
        mode = "full" if full or _needs_backfill(state) else "incremental"
        if full and "backfill_anchor" not in state:
            with db.connect(write=True) as con:
                _clear_backfill_state(con, session.livemode)
            state = {k: v for k, v in state.items() if not k.startswith("backfill:")}
        run_id = _start_run(session.livemode, mode)
        started = time.monotonic()
        try:
            if mode == "full":
                _backfill(session, state)
            else:
                _apply_events(session, int(state["events_cursor"]))
                _read_balance_transactions(session, int(state["balance_cursor"]))
        except (SyncError, stripe.StripeError, db.DatabaseBusy) as error:
            _finish_run(run_id, session.progress, str(error))
            raise SyncError(str(error)) from None
        except BaseException as error:
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
    with db.connect() as con:
        row = con.execute(
            "SELECT run_id, mode, started_at, finished_at, status, objects, requests, error "
            "FROM sync_runs WHERE livemode = ? ORDER BY started_at DESC LIMIT 1",
            [livemode],
        ).fetchone()
    if row is None:
        return None
    keys = ("run_id", "mode", "started_at", "finished_at", "status", "objects", "requests", "error")
    return dict(zip(keys, row, strict=True))


def last_success_at(livemode: bool) -> datetime | None:
    with db.connect() as con:
        row = con.execute(
            "SELECT max(finished_at) FROM sync_runs WHERE livemode = ? AND status = 'succeeded'",
            [livemode],
        ).fetchone()
    value = row[0] if row else None
    return value.astimezone(UTC) if value else None


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
    with db.connect() as con:
        runs = con.execute(
            "SELECT started_at, finished_at, mode, status, objects, requests, error "
            "FROM sync_runs WHERE livemode = ? ORDER BY started_at DESC LIMIT ?",
            [livemode, limit],
        ).df()
    if not sync_in_progress():
        runs.loc[runs["status"] == "running", "status"] = "interrupted"
    return runs
