"""Migration 3: a seat is held while its payment is under way.

`registrants.seat_held_until`: a registration waiting for its card payment holds a seat
until then, so two people cannot both pay for the last one. Rows written before hold
none (NULL).
"""

import duckdb

NAME = "seat holds for registrations waiting for their payment"


def apply(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("ALTER TABLE registrants ADD COLUMN seat_held_until TIMESTAMPTZ")
