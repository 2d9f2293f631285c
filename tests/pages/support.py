"""What the page tests share: the entry point, the actors, an unverified account, opening a
page through AppTest as a person would, and a snapshot of the catalog tables."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor
from console.store import db
from tests import REPO
from tests.accounts import signed_in

APP = REPO / "streamlit_app.py"
ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)


def open_app(page: str | None = None, actor: Actor | None = ADMIN_ACTOR, **query) -> AppTest:
    """The app run from its entry point by `actor` (None: signed out) with `query` in the
    URL, then switched to `page` when one is given; it must not raise."""
    app = AppTest.from_file(str(APP), default_timeout=60)
    if actor is not None:
        signed_in(app, actor)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    if page:
        app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def catalog_snapshot() -> dict[str, list[tuple]]:
    """Every row of the catalog tables, to check that a refused input changed nothing."""
    with db.connect() as con:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608
            for table in ("webinars", "webinar_sessions", "price_changes")
        }
