"""The console's own catalog: webinars, their sessions and their registrants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import duckdb
import pandas as pd
import pyarrow as pa

from console.domain.catalog import (
    SEATED,
    Registration,
    RegistrationStatus,
    Session,
    Webinar,
)
from console.store import db


def save_webinars(con: duckdb.DuckDBPyConnection, webinars: Iterable[Webinar]) -> None:
    """Insert or update webinars and replace their sessions, in the caller's transaction."""
    for webinar in webinars:
        con.execute(
            "INSERT INTO webinars (webinar_id, title, organizer_email, description, capacity, "
            "status, price_amount, price_currency, join_url, time_zone) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (webinar_id) DO UPDATE SET title = excluded.title, "
            "organizer_email = excluded.organizer_email, description = excluded.description, "
            "capacity = excluded.capacity, status = excluded.status, "
            "price_amount = excluded.price_amount, price_currency = excluded.price_currency, "
            "join_url = excluded.join_url, time_zone = excluded.time_zone, updated_at = now()",
            [
                webinar.webinar_id,
                webinar.title,
                webinar.organizer_email,
                webinar.description,
                webinar.capacity,
                webinar.status,
                webinar.price_amount,
                webinar.price_currency,
                webinar.join_url,
                webinar.time_zone,
            ],
        )
        con.execute("DELETE FROM webinar_sessions WHERE webinar_id = ?", [webinar.webinar_id])
        for number, session in enumerate(webinar.sessions, start=1):
            con.execute(
                "INSERT INTO webinar_sessions (webinar_id, session_no, starts_at, "
                "duration_minutes) VALUES (?, ?, ?, ?)",
                [webinar.webinar_id, number, session.starts_at, session.duration_minutes],
            )


def save_registrations(
    con: duckdb.DuckDBPyConnection, registrations: Iterable[Registration]
) -> None:
    """Insert or update registrations in one statement, in the caller's transaction."""
    rows = [vars(registration) for registration in registrations]
    if not rows:
        return
    incoming = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB's replacement scan
    con.execute(
        "INSERT INTO registrants (registrant_id, webinar_id, name, email, status, payment_intent, "
        "registered_at, seat_held_until, language, return_token) SELECT registrant_id, webinar_id, "
        "name, email, status, payment_intent, registered_at, seat_held_until, language, "
        "return_token FROM incoming "
        "ON CONFLICT (registrant_id) DO UPDATE SET status = excluded.status, "
        # A new seat hold does not forget the payment of the last one until it has its own.
        "payment_intent = coalesce(excluded.payment_intent, registrants.payment_intent), "
        "seat_held_until = excluded.seat_held_until, language = excluded.language, "
        "return_token = coalesce(registrants.return_token, excluded.return_token)"
    )


def load_webinar(webinar_id: str) -> Webinar | None:
    with db.connect() as con:
        row = con.execute(
            "SELECT webinar_id, title, organizer_email, description, capacity, status, "
            "price_amount, price_currency, join_url, time_zone FROM webinars WHERE webinar_id = ?",
            [webinar_id],
        ).fetchone()
        if row is None:
            return None
        sessions = con.execute(
            "SELECT starts_at, duration_minutes FROM webinar_sessions WHERE webinar_id = ? "
            "ORDER BY session_no",
            [webinar_id],
        ).fetchall()
    return Webinar(
        *row[:-2],
        sessions=tuple(Session(starts, minutes) for starts, minutes in sessions),
        join_url=row[-2],
        time_zone=row[-1],
    )


def webinars_frame() -> pd.DataFrame:
    """Every webinar with its price, first session and registration count."""
    return db.query_frame(
        """
        SELECT w.webinar_id, w.title, w.organizer_email, w.status, w.price_amount,
               w.price_currency, min(s.starts_at) AS first_session,
               (SELECT count(*) FROM registrants r
                 WHERE r.webinar_id = w.webinar_id AND list_contains($seated, r.status))
                   AS registrations
        FROM webinars w LEFT JOIN webinar_sessions s USING (webinar_id)
        GROUP BY ALL ORDER BY first_session NULLS LAST, w.webinar_id
        """,
        {"seated": list(SEATED)},
    )


def count_webinars(prefix: str = "") -> int:
    with db.connect() as con:
        row = con.execute(
            "SELECT count(*) FROM webinars WHERE starts_with(webinar_id, ?)", [prefix]
        ).fetchone()
    return int(row[0]) if row else 0


# --- status and price changes: the only writes to these tables outside a save -------------


def cancel_webinar(con: duckdb.DuckDBPyConnection, webinar_id: str) -> None:
    con.execute(
        "UPDATE webinars SET status = 'cancelled', updated_at = now() WHERE webinar_id = ?",
        [webinar_id],
    )


def cancel_session(con: duckdb.DuckDBPyConnection, webinar_id: str, session_no: int) -> None:
    con.execute(
        "UPDATE webinar_sessions SET cancelled = true WHERE webinar_id = ? AND session_no = ?",
        [webinar_id, session_no],
    )


def set_price(
    con: duckdb.DuckDBPyConnection, webinar_id: str, amount: int | None, currency: str | None
) -> None:
    con.execute(
        "UPDATE webinars SET price_amount = ?, price_currency = ?, updated_at = now() "
        "WHERE webinar_id = ?",
        [amount, currency, webinar_id],
    )


def cancel_registration(con: duckdb.DuckDBPyConnection, registrant_id: str) -> None:
    con.execute(
        "UPDATE registrants SET status = ? WHERE registrant_id = ?",
        [RegistrationStatus.CANCELLED, registrant_id],
    )


def cancel_registration_of_charge(con: duckdb.DuckDBPyConnection, charge_id: str) -> None:
    """The registration a payment was for, by whom the payment is attributed to."""
    payer = con.execute(
        "SELECT registrant_id, webinar_id, registrant_email FROM charge_attribution WHERE id = ?",
        [charge_id],
    ).fetchone()
    if payer is not None:
        cancel_registration_of_payer(con, *payer)


def cancel_registration_of_payer(
    con: duckdb.DuckDBPyConnection,
    registrant_id: str | None,
    webinar_id: str | None,
    email: str | None,
) -> None:
    """The registration a payment was for: by the console's id, else by webinar and e-mail
    (a payment's charge_attribution)."""
    con.execute(
        "UPDATE registrants SET status = $cancelled WHERE registrant_id = $registrant "
        "OR (webinar_id = $webinar AND lower(email) = lower($email))",
        {
            "cancelled": RegistrationStatus.CANCELLED,
            "registrant": registrant_id,
            "webinar": webinar_id,
            "email": email,
        },
    )


def cancel_registrations_by_email(
    con: duckdb.DuckDBPyConnection, webinar_id: str, email: str
) -> list[tuple[str, str]]:
    """Cancels the e-mail's active registrations for the webinar: (registrant_id, name)."""
    return con.execute(
        "UPDATE registrants SET status = $cancelled WHERE webinar_id = $webinar AND "
        "lower(email) = lower($email) AND status <> $cancelled RETURNING registrant_id, name",
        {"cancelled": RegistrationStatus.CANCELLED, "webinar": webinar_id, "email": email},
    ).fetchall()


def seats_taken(con: duckdb.DuckDBPyConnection, webinar_id: str, besides: str) -> int:
    """Seats of the webinar taken by anyone but registrant `besides`: registered, or
    paying with a hold that has not run out (live_hold)."""
    return con.execute(
        "SELECT count(*) FROM registrants WHERE webinar_id = ? AND registrant_id <> ? "
        "AND (status = ? OR (status = ? AND seat_held_until > now()))",
        [webinar_id, besides, RegistrationStatus.REGISTERED, RegistrationStatus.PENDING_PAYMENT],
    ).fetchone()[0]


def live_hold(con: duckdb.DuckDBPyConnection, registrant_id: str) -> datetime | None:
    """When the registrant's seat hold runs out, if they are paying with one now."""
    row = con.execute(
        "SELECT seat_held_until FROM registrants WHERE registrant_id = ? AND status = ? "
        "AND seat_held_until > now()",
        [registrant_id, RegistrationStatus.PENDING_PAYMENT],
    ).fetchone()
    return row[0] if row else None


def expired_holds(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(registrant_id, payment_intent) of payments under way whose seat hold ran out."""
    return con.execute(
        "SELECT registrant_id, payment_intent FROM registrants WHERE status = ? "
        "AND seat_held_until <= now() AND payment_intent IS NOT NULL",
        [RegistrationStatus.PENDING_PAYMENT],
    ).fetchall()


def forget_hold(con: duckdb.DuckDBPyConnection, registrant_id: str) -> None:
    """A hold whose payment could not even be started: as if it had never been."""
    con.execute(
        "DELETE FROM registrants WHERE registrant_id = ? AND status = ? AND payment_intent IS NULL",
        [registrant_id, RegistrationStatus.PENDING_PAYMENT],
    )
    release_seat(con, registrant_id)


def release_seat(con: duckdb.DuckDBPyConnection, registrant_id: str) -> None:
    """The payment will not happen: the registration failed and its seat is free."""
    con.execute(
        "UPDATE registrants SET status = ?, seat_held_until = NULL "
        "WHERE registrant_id = ? AND status = ?",
        [RegistrationStatus.PAYMENT_FAILED, registrant_id, RegistrationStatus.PENDING_PAYMENT],
    )


def mark_paid(con: duckdb.DuckDBPyConnection, registrant_id: str) -> tuple[str, str, str] | None:
    """A registration waiting for its payment becomes registered: (webinar_id, name, email),
    or None when it already was (a reload, or the sync got there first)."""
    return con.execute(
        "UPDATE registrants SET status = ?, seat_held_until = NULL WHERE registrant_id = ? "
        "AND list_contains(?, status) RETURNING webinar_id, name, email",
        [
            RegistrationStatus.REGISTERED,
            registrant_id,
            # Paid after its hold was released: Stripe has the money, so the seat is theirs.
            [RegistrationStatus.PENDING_PAYMENT, RegistrationStatus.PAYMENT_FAILED],
        ],
    ).fetchone()


_REGISTRANT = (
    "SELECT registrant_id, webinar_id, name, email, status, payment_intent, registered_at, "
    "seat_held_until, language, return_token FROM registrants "
)


def registrant(con: duckdb.DuckDBPyConnection, registrant_id: str) -> Registration:
    row = con.execute(_REGISTRANT + "WHERE registrant_id = ?", [registrant_id]).fetchone()
    return Registration(*row)


def registrant_by_return_token(
    con: duckdb.DuckDBPyConnection, return_token: str
) -> Registration | None:
    """The registration a return link leads to (None: no such link)."""
    row = con.execute(_REGISTRANT + "WHERE return_token = ?", [return_token]).fetchone()
    return Registration(*row) if row else None


def return_token(con: duckdb.DuckDBPyConnection, registrant_id: str) -> str:
    return con.execute(
        "SELECT return_token FROM registrants WHERE registrant_id = ?", [registrant_id]
    ).fetchone()[0]


def language_of(webinar_id: str, email: str | None) -> str:
    """The language a person registered for a webinar in (their e-mails are in it);
    English for someone the console has no registration of (a payment made elsewhere)."""
    with db.connect() as con:
        row = con.execute(
            "SELECT language FROM registrants WHERE webinar_id = ? AND lower(email) = lower(?) "
            "ORDER BY registered_at DESC LIMIT 1",
            [webinar_id, email or ""],
        ).fetchone()
    return row[0] if row else "en"
