"""DuckDB access that never locks another process out for long.

DuckDB lets one process at a time hold a database file open for writing. The console
(Streamlit), `console sync` run by hand or by a schedule, and the demo are separate
processes, so no process keeps the file open: it is opened for a burst of work (units of
work that follow each other closely share it, each on its own cursor and transaction),
and closed as soon as the process has been idle for a moment, or has held it for a
second. A process that finds the file locked waits and retries; the sync writes in
batches, so it holds the lock for milliseconds at a time.
"""

from __future__ import annotations

import atexit
import fcntl
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import duckdb
import tenacity

from console.formatting.i18n import _
from console.settings import setting
from console.store import migrations

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")
DEFAULT_DB = "data/console.duckdb"
# How long a caller waits for another process's lock before giving up.
LOCK_WAIT_SECONDS = 60.0
# Close the file after this much idleness, or at the first idle moment past the hold time.
IDLE_CLOSE_SECONDS = 0.2
MAX_HOLD_SECONDS = 1.0


class DatabaseBusy(RuntimeError):
    """The database stayed locked by another process for too long."""


DatabaseTooNew = migrations.DatabaseTooNew
# What a person is told about, rather than shown a traceback.
DATABASE_PROBLEMS = (DatabaseBusy, DatabaseTooNew)


def database_path() -> Path:
    return Path(setting("CONSOLE_DB") or DEFAULT_DB)


@dataclass
class _OpenFile:
    con: duckdb.DuckDBPyConnection
    opened: float = field(default_factory=time.monotonic)
    last_used: float = field(default_factory=time.monotonic)
    users: int = 0


_guard = threading.RLock()
_open_files: dict[Path, _OpenFile] = {}
_initialised: set[Path] = set()
_migrating = threading.Lock()
_closer: threading.Thread | None = None
_exiting = threading.Event()


def _is_lock_conflict(error: duckdb.Error) -> bool:
    text = str(error)
    return "Could not set lock" in text or "Conflicting lock" in text


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    # Another process holds the file for milliseconds at a time, and a busy one lets go
    # for only 10-30 ms (_release): try again within 10 ms, with jitter so waiting
    # processes do not knock together. (Waits of up to 0.2 s kept a sync out for 7.6 s.)
    waiting = tenacity.Retrying(
        retry=tenacity.retry_if_exception(
            lambda e: isinstance(e, duckdb.IOException) and _is_lock_conflict(e)
        ),
        wait=tenacity.wait_random_exponential(multiplier=0.005, max=0.01),
        stop=tenacity.stop_after_delay(LOCK_WAIT_SECONDS),
        reraise=True,
    )
    try:
        return waiting(duckdb.connect, str(path))
    except duckdb.IOException as error:
        if not _is_lock_conflict(error):
            raise
        raise DatabaseBusy(
            _(
                "The database {path} is busy (another process holds it). Try again in a minute.",
                path=path,
            )
        ) from None


def _close_idle_files() -> None:
    """Runs in the background while any file is open."""
    global _closer
    while not _exiting.wait(IDLE_CLOSE_SECONDS / 2):
        with _guard:
            now = time.monotonic()
            for path, held in list(_open_files.items()):
                if held.users == 0 and now - held.last_used >= IDLE_CLOSE_SECONDS:
                    held.con.close()
                    del _open_files[path]
            if not _open_files:
                _closer = None
                return


def _acquire(path: Path) -> duckdb.DuckDBPyConnection:
    global _closer
    with _guard:
        held = _open_files.get(path)
        if held is None:
            held = _open_files[path] = _OpenFile(_open(path))
            if _closer is None:
                _closer = threading.Thread(target=_close_idle_files, daemon=True)
                _closer.start()
        held.users += 1
        return held.con.cursor()


def _release(path: Path) -> None:
    with _guard:
        held = _open_files[path]
        held.users -= 1
        held.last_used = time.monotonic()
        if held.users == 0 and held.last_used - held.opened > MAX_HOLD_SECONDS:
            # A busy process lets the others in now and then.
            held.con.close()
            del _open_files[path]
            time.sleep(random.uniform(0.01, 0.03))


@atexit.register
def _at_exit() -> None:
    # Stop the closer first: a daemon thread still inside DuckDB when the interpreter
    # finalizes aborts the process ("FATAL: exception not rethrown").
    _exiting.set()
    closer = _closer
    if closer is not None:
        closer.join(timeout=5)
    _close_all()


def _close_all() -> None:
    with _guard:
        for held in _open_files.values():
            held.con.close()
        _open_files.clear()


def ensure_schema(path: Path | None = None) -> None:
    """Bring the file to this release's schema, once per process (a read when it is)."""
    path = path or database_path()
    if path in _initialised and path.exists():
        return
    with _migrating:
        if path in _initialised and path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if _version(path) != migrations.LATEST:
            with _migration_lock(path):
                _run(path, lambda cursor: migrations.upgrade(cursor, path))
        _initialised.add(path)


def _version(path: Path) -> int:
    version = _run(path, migrations.current_version)
    migrations.check_not_newer(version, path)
    return version


def _run(path: Path, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    cursor = _acquire(path)
    try:
        return work(cursor)
    finally:
        cursor.close()
        _release(path)


@contextmanager
def _migration_lock(path: Path) -> Iterator[None]:
    """One process migrates a file; the others wait, then find it current."""
    with path.with_suffix(".migrate.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def connect(write: bool = False, path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor for one unit of work. With `write`, it runs in one transaction."""
    path = path or database_path()
    ensure_schema(path)
    cursor = _acquire(path)
    try:
        if write:
            cursor.execute("BEGIN TRANSACTION")
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")
        else:
            yield cursor
    finally:
        cursor.close()
        _release(path)


def query_frame(sql: str, params: dict | list | None = None) -> pd.DataFrame:
    """One read, as a pandas DataFrame."""
    with connect() as con:
        return con.execute(sql, params or {}).df()
