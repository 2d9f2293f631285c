"""Opening the public site through AppTest, as a visitor's browser would."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from console.domain.catalog import Webinar
from console.store import catalog, db
from tests import REPO

PUBLIC_APP = REPO / "public_app.py"


def open_public(browser: dict | None = None, **query) -> AppTest:
    """The public site as a browser with `browser` context (locale, timezone) opens it,
    with `query` in the URL; it must not raise."""
    app = AppTest.from_file(str(PUBLIC_APP), default_timeout=60)
    app.context = {"locale": "en-US", "timezone": "UTC", **(browser or {})}
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


def saved(*webinars: Webinar) -> None:
    with db.connect(write=True) as con:
        catalog.save_webinars(con, webinars)
