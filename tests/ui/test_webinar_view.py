"""console/ui/webinar_view.py through AppTest: which webinar the Webinar page opens (the
link's, else the one opened last, else a pointer to the Webinars page), and its heading."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from console.domain.catalog import Session, Webinar
from tests.ui.support import run_piece

FREE = Webinar(
    "wb_free",
    "Open hour",
    "ann@example.org",
    sessions=(Session(datetime(2027, 3, 1, 16, 0, tzinfo=UTC), 60),),
)
PAID = Webinar("wb_paid", "Fees 101", "ann@example.org", price_amount=4900, price_currency="eur")


def chosen_page() -> None:
    import streamlit as st

    from console.ui.webinar_view import chosen_webinar_id

    st.markdown(f"Showing {chosen_webinar_id()}")


def heading_page(webinar) -> None:
    from console.ui.webinar_view import webinar_heading

    webinar_heading(webinar)


_run = functools.partial(run_piece, timeout=30)


# --- which webinar ---------------------------------------------------------------------------


def test_the_link_names_the_webinar():
    app = _run(chosen_page, query={"webinar": "wb_link"}, webinar_page_id="wb_last")
    assert [m.value for m in app.markdown] == ["Showing wb_link"]  # the link wins
    assert not app.info


def test_without_a_link_the_webinar_opened_last_is_shown():
    app = _run(chosen_page, webinar_page_id="wb_last")
    assert [m.value for m in app.markdown] == ["Showing wb_last"]


def test_with_no_webinar_chosen_the_page_points_to_the_webinars_page_and_stops():
    app = _run(chosen_page)
    assert [i.value for i in app.info] == ["Choose a webinar on the Webinars page."]
    assert not app.markdown


# --- the heading -----------------------------------------------------------------------------


def test_the_heading_has_the_title_the_public_link_and_the_essentials():
    app = _run(heading_page, FREE)
    assert [t.value for t in app.title] == ["Open hour"]
    assert [m.value for m in app.markdown] == [
        "[Open the public registration page ↗](/register?webinar=wb_free) — share this link "
        "with registrants, or use it to test the paid flow yourself."
    ]
    assert [c.value for c in app.caption] == ["wb_free · ann@example.org · scheduled · Free"]
    assert not app.success


def test_a_paid_webinars_price_is_written_in_the_chosen_language():
    assert _run(heading_page, PAID).caption[0].value == (
        "wb_paid · ann@example.org · scheduled · €49.00"
    )
    assert _run(heading_page, PAID, locale="fr").caption[0].value == (
        "wb_paid · ann@example.org · scheduled · 49,00\xa0€"
    )


def test_what_the_last_action_did_is_said_once():
    app = _run(heading_page, PAID, webinar_flash="Price saved.")
    assert [s.value for s in app.success] == ["Price saved."]
    assert "webinar_flash" not in app.session_state
    app.run()
    assert not app.success
