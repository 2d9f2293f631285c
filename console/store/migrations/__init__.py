"""Numbered schema migrations: each runs once per database file, in order.

A process reads the file's version on its first connection (no DDL). Only a file that is
behind takes the migration lock, is copied aside, and gets what it misses in one
transaction, so a crash or a failing migration leaves it exactly as it was.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from types import ModuleType

import duckdb

from console.formatting.i18n import _
from console.store.migrations import (
    m0001_initial,
    m0002_ledger,
    m0003_seat_holds,
    m0004_time_zones_and_languages,
    m0005_payouts,
)

# Position + 1 is the version: append, never reorder or edit a released migration.
MIGRATIONS: tuple[ModuleType, ...] = (
    m0001_initial,
    m0002_ledger,
    m0003_seat_holds,
    m0004_time_zones_and_languages,
    m0005_payouts,
)
LATEST = len(MIGRATIONS)
# Copies of the file taken before migrating, kept beside it (the newest few).
KEEP_BACKUPS = 3


class DatabaseTooNew(RuntimeError):
    """The file was migrated by a newer release than this one."""


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    try:
        row = con.execute("SELECT max(version) FROM schema_migrations").fetchone()
    except duckdb.CatalogException:
        return 0  # a new file, or one written by 0.1.0 (before migrations)
    return row[0] or 0


def check_not_newer(version: int, path: Path) -> None:
    if version > LATEST:
        raise DatabaseTooNew(
            _(
                "The database {path} was written by a newer release of the console (schema "
                "version {version}; this release knows up to {latest}). Upgrade the console, "
                "or set CONSOLE_DB to another file.",
                path=path,
                version=version,
                latest=LATEST,
            )
        )


def upgrade(con: duckdb.DuckDBPyConnection, path: Path) -> list[int]:
    """Apply the missing migrations; the caller holds the migration lock. Returns the
    versions applied."""
    version = current_version(con)
    check_not_newer(version, path)
    if version == LATEST:
        return []
    if _has_tables(con):
        _back_up(con, path, version)
    applied = list(range(version + 1, LATEST + 1))
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
        )
        for number in applied:
            migration = MIGRATIONS[number - 1]
            migration.apply(con)
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                [number, migration.NAME],
            )
        if any(getattr(MIGRATIONS[n - 1], "REBUILDS_ROLLUPS", False) for n in applied):
            from console.store import rollups

            rollups.rebuild(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return applied


def backups(path: Path) -> list[Path]:
    """Copies taken before migrations, oldest first."""
    return sorted(path.parent.glob(f"{path.name}.v*.bak"), key=lambda p: p.stat().st_mtime)


def _has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0])


def _back_up(con: duckdb.DuckDBPyConnection, path: Path, version: int) -> None:
    # After a checkpoint the file holds everything; this process alone has it open.
    con.execute("CHECKPOINT")
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"{time.time_ns() % 10**9:09d}"
    shutil.copy2(path, path.with_name(f"{path.name}.v{version}-{stamp}.bak"))
    for old in backups(path)[:-KEEP_BACKUPS]:
        old.unlink()
