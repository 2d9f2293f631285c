"""pages/register.py through AppTest: the public registration page, the same for a visitor
who is not signed in and for every role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.services import webinars
from console.store import db
from tests.pages.support import ADMIN_ACTOR, ANN, FIN, open_app


@pytest.fixture
def free_webinar(fresh_stripe) -> str:
    """A free webinar, open for registration: its one session is in a month."""
    starts = datetime.now(UTC) + timedelta(days=30)
    return webinars.create_webinar(
        ANN,
        webinars.WebinarDraft(
            "Open hour",
            "ann@example.org",
            f"{starts:%Y-%m-%d %H:%M}, 45",
            "20",
            "Questions and answers.",
        ),
    )


def _submit(app):
    [button] = [b for b in app.button if b.label in ("Register", "Continue to payment")]
    return button


@pytest.mark.parametrize(
    "actor", [None, ADMIN_ACTOR, ANN, FIN], ids=["visitor", "admin", "organizer", "finance"]
)
def test_register_page_is_the_same_for_visitors_and_every_role(free_webinar, actor):
    app = open_app("pages/register.py", actor=actor, webinar=free_webinar)

    assert app.title[0].value == "Open hour"
    assert "TEST MODE" in app.warning[0].value
    assert any(m.value.startswith("**Session 1:**") for m in app.markdown)
    assert any("45 minutes" in m.value for m in app.markdown)
    assert app.subheader[0].value == "Price: Free"
    assert _submit(app).label == "Register"
    assert app.text_input(key="register_name") and app.text_input(key="register_email")
    assert not app.dataframe and not app.metric  # no console data on the public page


def test_a_visitor_registers_for_a_free_webinar(free_webinar, smtp_server):
    app = open_app("pages/register.py", actor=None)  # no link: the one open webinar is chosen
    assert app.selectbox(key="register_choice").value == free_webinar
    app.text_input(key="register_name").input("Grace")
    app.text_input(key="register_email").input("Grace@Example.org ")
    _submit(app).click().run()

    assert not app.exception
    assert "You are registered" in app.success[0].value
    with db.connect() as con:
        rows = con.execute("SELECT name, email, status FROM registrants").fetchall()
    assert rows == [("Grace", "grace@example.org", "registered")]
    [message] = smtp_server.messages
    assert message["To"] == "grace@example.org"

    _submit(app).click().run()  # the same person again
    assert "already registered" in app.error[0].value
    assert len(smtp_server.messages) == 1


def test_register_page_without_an_open_webinar_or_with_a_wrong_link(fresh_stripe):
    app = open_app("pages/register.py", actor=None)
    assert "no webinar open for registration" in app.info[0].value
    assert not app.text_input

    app = open_app("pages/register.py", actor=None, webinar="wb_nope")
    assert "This webinar does not exist" in app.error[0].value
    assert not app.text_input
