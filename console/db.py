"""DuckDB access: short-lived connections, so a sync in one process never locks out another.

DuckDB lets one process at a time hold a database file open for writing. The console
(Streamlit), `console sync` run by hand or by a schedule, and the demo are separate
processes, so nobody keeps the file open: each unit of work opens it, does its work
in one transaction and closes it. A process that finds the file locked waits and
retries. The sync writes in batches, so the lock is held for milliseconds at a time.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from console.schema import SCHEMA_STATEMENTS

DEFAULT_DB = "data/console.duckdb"
# How long a caller waits for another process's lock before giving up.
LOCK_WAIT_SECONDS = 60.0


class DatabaseBusy(RuntimeError):
    """The database stayed locked by another process for too long."""


def database_path() -> Path:
    return Path(os.environ.get("CONSOLE_DB") or DEFAULT_DB)


_initialised: set[Path] = set()


def _is_lock_conflict(error: duckdb.Error) -> bool:
    text = str(error)
    return "Could not set lock" in text or "Conflicting lock" in text


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    # Always read-write: within one process DuckDB shares one instance per file only
    # when every connection uses the same configuration.
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    delay = 0.005
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as error:
            if not _is_lock_conflict(error):
                raise
            if time.monotonic() > deadline:
                raise DatabaseBusy(
                    f"The database {path} is busy (another process holds it). "
                    "Try again in a minute."
                ) from None
            time.sleep(delay + random.uniform(0, delay))
            delay = min(delay * 2, 0.2)


def ensure_schema(path: Path | None = None) -> None:
    path = path or database_path()
    if path in _initialised and path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path)
    try:
        for statement in SCHEMA_STATEMENTS:
            con.execute(statement)
    finally:
        con.close()
    _initialised.add(path)


@contextmanager
def connect(write: bool = False, path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one unit of work. With `write`, it runs in one transaction."""
    path = path or database_path()
    ensure_schema(path)
    con = _open(path)
    try:
        if write:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        else:
            yield con
    finally:
        con.close()
