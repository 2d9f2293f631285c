"""price_changes: every change of a webinar's price, with who made it."""

from __future__ import annotations

import duckdb
import pandas as pd

from console.store import db


def record_change(
    con: duckdb.DuckDBPyConnection,
    webinar_id: str,
    changed_by: str,
    old: tuple[int | None, str | None],
    new: tuple[int | None, str | None],
) -> None:
    """A history line for a price change, in the caller's transaction (with the change).
    `old` and `new` are (amount, currency); (None, None) is free."""
    con.execute(
        "INSERT INTO price_changes (webinar_id, changed_by, old_amount, old_currency, "
        "new_amount, new_currency) VALUES (?, ?, ?, ?, ?, ?)",
        [webinar_id, changed_by, *old, *new],
    )


def of_webinar(webinar_id: str) -> pd.DataFrame:
    """A webinar's price changes, newest first."""
    return db.query_frame(
        "SELECT changed_at, changed_by, old_amount, old_currency, new_amount, new_currency "
        "FROM price_changes WHERE webinar_id = ? ORDER BY changed_at DESC",
        [webinar_id],
    )
