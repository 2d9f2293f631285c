"""pages/public/register.py through AppTest, from the public site's entry point: the
visitor's language and time zone, registering, and the confirmation that replaces the
form and comes back with the link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.domain.catalog import Session, Webinar
from console.store import db
from tests.pages.public.support import open_public, saved

STARTS = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=30)
OPEN_HOUR = Webinar(
    "wb_open",
    "Open hour",
    "ann@example.org",
    description="Questions and answers. Cancel any time: it is free.",
    capacity=20,
    sessions=(Session(STARTS, 45),),
    time_zone="Europe/Paris",
)


@pytest.fixture
def free_webinar(fresh_stripe) -> str:
    saved(OPEN_HOUR)
    return OPEN_HOUR.webinar_id


def _submit(app):
    [button] = [b for b in app.button if b.label in ("Register", "S'inscrire")]
    return button


def _texts(app) -> str:
    return "\n".join(e.value for part in (app.markdown, app.title, app.subheader) for e in part)


def test_a_visitor_sees_the_announcement_and_no_console_data(free_webinar):
    app = open_public(webinar=free_webinar)

    assert app.title[0].value == "Open hour"
    assert "TEST MODE" in app.warning[0].value
    assert "**Session 1 of 1:**" in _texts(app)
    assert "(Europe/Paris), 45 minutes" in _texts(app)
    assert "Your time:" in _texts(app) and "(UTC)" in _texts(app)
    assert app.subheader[0].value == "Price: Free"
    assert _submit(app).label == "Register"
    assert not app.dataframe and not app.metric and not app.sidebar.children


def test_the_browsers_french_gives_the_page_in_french_with_a_switch(free_webinar):
    app = open_public({"locale": "fr-FR", "timezone": "Europe/Paris"}, webinar=free_webinar)

    assert app.subheader[0].value == "Prix : Gratuit"
    assert "**Session 1 sur 1 :**" in _texts(app)
    assert "Votre heure" not in _texts(app)  # the visitor is in the webinar's zone
    assert _submit(app).label == "S'inscrire"

    app.session_state["locale"] = "en"
    app.run()
    assert app.subheader[0].value == "Price: Free"


def test_registering_shows_the_confirmation_and_a_reload_shows_it_again(free_webinar, smtp_server):
    app = open_public({"locale": "fr-FR"}, webinar=free_webinar)
    app.text_input(key="register_name").input("Grace")
    app.text_input(key="register_email").input("Grace@Example.org ")
    _submit(app).click().run()

    assert not app.exception
    token = app.query_params["registration"]
    assert "Vous êtes inscrit" in app.success[0].value
    assert not app.text_input  # the form gave way to the confirmation
    [message] = smtp_server.messages
    assert message["Subject"] == "Vous êtes inscrit : Open hour"
    with db.connect() as con:
        rows = con.execute("SELECT name, email, status, language FROM registrants").fetchall()
    assert rows == [("Grace", "grace@example.org", "registered", "fr")]

    again = open_public({"locale": "en-GB"}, registration=token)  # the link, another day
    assert "You are registered, Grace" in again.success[0].value
    assert [b.label for b in again.get("download_button")] == ["Add to calendar (.ics)"]
    assert "Cancel any time: it is free." in _texts(again)
    assert not again.text_input
    assert len(smtp_server.messages) == 1


def test_without_an_open_webinar_a_wrong_link_or_a_wrong_return_link(fresh_stripe):
    app = open_public()
    assert "no webinar open for registration" in app.info[0].value
    assert not app.text_input

    app = open_public(webinar="wb_nope")
    assert "This webinar does not exist" in app.error[0].value

    app = open_public({"locale": "fr-FR"}, registration="not-a-token")
    assert "Ce lien ne mène à aucune inscription" in app.error[0].value
