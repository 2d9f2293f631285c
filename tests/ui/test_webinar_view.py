"""console/ui/webinar_view.py through AppTest: which webinar the Webinar page opens (the
link's, else the one opened last, else a pointer to the Webinars page), its heading, and its
sessions on the clocks of its time zone (and of the viewer's); in English and French."""

from __future__ import annotations

import functools
from dataclasses import replace
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
IN_PARIS = Webinar(
    "wb_paris",
    "Atelier",
    "ann@example.org",
    sessions=(
        Session(datetime(2026, 10, 24, 8, 0, tzinfo=UTC), 90),  # 10:00 in Paris, summer time
        Session(datetime(2026, 10, 25, 9, 0, tzinfo=UTC), 1),  # 10:00 in Paris, winter time
    ),
    time_zone="Europe/Paris",
)


def chosen_page(language: str = "en") -> None:
    import streamlit as st

    from console.formatting import i18n
    from console.ui.webinar_view import chosen_webinar_id

    i18n.use(language)
    st.markdown(f"Showing {chosen_webinar_id()}")


def heading_page(webinar, language: str = "en") -> None:
    from console.formatting import i18n
    from console.ui.webinar_view import webinar_heading

    i18n.use(language)
    webinar_heading(webinar)


def sessions_page(webinar, language: str = "en") -> None:
    from console.formatting import i18n
    from console.ui.webinar_view import webinar_sessions

    i18n.use(language)
    webinar_sessions(webinar)


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


def test_the_heading_has_the_title_and_the_essentials():
    app = _run(heading_page, FREE)
    assert [t.value for t in app.title] == ["Open hour"]
    assert [c.value for c in app.caption] == ["wb_free · ann@example.org · Scheduled · Free"]
    assert not app.success


def test_a_paid_webinars_price_is_written_in_the_chosen_language():
    assert _run(heading_page, PAID).caption[0].value == (
        "wb_paid · ann@example.org · Scheduled · €49.00"
    )
    assert _run(heading_page, PAID, "fr").caption[0].value == (
        "wb_paid · ann@example.org · Programmé · 49,00\xa0€"
    )


def test_a_cancelled_webinar_says_so():
    cancelled = replace(FREE, status="cancelled")
    assert _run(heading_page, cancelled).caption[0].value.split(" · ")[2] == "Cancelled"
    assert _run(heading_page, cancelled, "fr").caption[0].value.split(" · ")[2] == "Annulé"


def test_what_the_last_action_did_is_said_once():
    app = _run(heading_page, PAID, webinar_flash="Price saved.")
    assert [s.value for s in app.success] == ["Price saved."]
    assert "webinar_flash" not in app.session_state
    app.run()
    assert not app.success


# --- the sessions ----------------------------------------------------------------------------


def test_sessions_are_shown_on_the_clocks_of_the_webinars_zone_named():
    app = _run(sessions_page, IN_PARIS, context={"timezone": "Europe/Paris"})
    assert [m.value for m in app.markdown] == [
        "**2 sessions**\n\n"
        "- Saturday, October 24, 2026, 10:00 (Europe/Paris), 90 minutes\n"
        "- Sunday, October 25, 2026, 10:00 (Europe/Paris), 1 minute"
    ]


def test_a_viewer_in_another_zone_also_sees_their_own_time():
    app = _run(sessions_page, IN_PARIS, context={"timezone": "America/New_York"})
    assert app.markdown[0].value.split("\n")[2] == (
        "- Saturday, October 24, 2026, 10:00 (Europe/Paris), 90 minutes — for you: "
        "Saturday, October 24, 2026, 04:00 (America/New_York)"
    )


def test_a_webinar_typed_before_zones_shows_its_sessions_in_utc():
    app = _run(sessions_page, FREE)
    assert app.markdown[0].value == (
        "**1 session**\n\n- Monday, March 1, 2027, 16:00 (UTC), 60 minutes"
    )


def test_a_webinar_without_sessions_says_so():
    app = _run(sessions_page, PAID)
    assert [i.value for i in app.info] == ["No sessions are planned."]


def test_the_sessions_speak_french():
    app = _run(sessions_page, IN_PARIS, "fr", context={"timezone": "America/New_York"})
    assert app.markdown[0].value == (
        "**2 sessions**\n\n"
        "- samedi 24 octobre 2026, 10:00 (Europe/Paris), 90 minutes — pour vous : "
        "samedi 24 octobre 2026, 04:00 (America/New_York)\n"
        "- dimanche 25 octobre 2026, 10:00 (Europe/Paris), 1 minute — pour vous : "
        "dimanche 25 octobre 2026, 05:00 (America/New_York)"
    )
    assert _run(chosen_page, "fr").info[0].value == (
        "Choisissez un webinaire sur la page Webinaires."
    )
