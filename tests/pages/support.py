"""What the page tests share: the entry point, the actors, an unverified account, opening a
page through AppTest as a person would, and a snapshot of the catalog tables."""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor
from console.store import db
from tests import REPO
from tests.accounts import signed_in

APP = REPO / "streamlit_app.py"
ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)


class _NoPagesFolder(PagesManager):
    """Pages from st.navigation only, as console/ui/serve.py has the server do: AppTest sets
    Streamlit's first-version multipage mode again before each run when a pages/ folder
    sits beside the script, and that mode runs a page it switched to without the entry
    point (no sidebar, no language) from the second run on."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


class EntryPointApp(AppTest):
    """An AppTest whose every run goes through the entry point, as in the browser."""

    def _run(self, *args, **kwargs) -> AppTest:
        original = app_test.PagesManager
        app_test.PagesManager = _NoPagesFolder
        try:
            return super()._run(*args, **kwargs)
        finally:
            app_test.PagesManager = original


def open_app(
    page: str | None = None,
    actor: Actor | None = ADMIN_ACTOR,
    *,
    locale: str | None = None,
    **query,
) -> AppTest:
    """The app run from its entry point by `actor` (None: signed out) with `query` in the
    URL, in `locale` when given (as the sidebar's language switch keeps it), then switched
    to `page` when one is given; it must not raise. Every later run goes through the entry
    point too (its sidebar, its language), as in the browser."""
    app = EntryPointApp(str(APP), default_timeout=60)
    if actor is not None:
        signed_in(app, actor)
    if locale is not None:
        app.session_state["locale"] = locale
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
