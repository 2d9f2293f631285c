"""pages/webinar.py through AppTest: one webinar's sessions on the clocks of its time zone
(shown, and edited with the pickers), its price (previewed, confirmed, recorded) and its
cancellation, with the refunds it makes in the local Stripe; in English and in French.

Every refused input must say why and leave DuckDB exactly as it was.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.money import MoneyError
from console.services import cancellations, pricing, reports, webinars
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.services.connection import NotVerified
from console.store import db
from tests.accounts import signed_in
from tests.pages.support import ADMIN_ACTOR, ANN, APP, catalog_snapshot, open_app
from tests.payments import all_objects
from tests.stripe_local_fixture import UNVERIFIED_ACCOUNT as UNVERIFIED


@pytest.fixture
def webinar_id(fresh_stripe) -> str:
    return webinars.create_webinar(
        ANN,
        webinars.WebinarDraft(
            "Pricing 101",
            "ann@example.org",
            "2027-01-12 16:00, 90",
            "50",
            "Refunds up to 7 days before the session.",
        ),
    )


def test_organizers_manage_only_their_own_webinars(webinar_id):
    bob = Actor("bob@example.org", ORGANIZER)
    before = catalog_snapshot()
    with pytest.raises(PermissionDenied):
        cancellations.start_cancellation(bob, webinar_id, "not mine")
    with pytest.raises(PermissionDenied):
        pricing.plan_price(bob, webinar_id, "49", "eur")
    with pytest.raises(PermissionDenied):
        webinars.create_webinar(
            bob, webinars.WebinarDraft("X", "ann@example.org", "2027-01-01 10:00, 60")
        )
    with pytest.raises(PermissionDenied):
        webinars.update_webinar(
            Actor("fin@example.org", FINANCE),
            webinar_id,
            webinars.WebinarDraft("X", "ann@example.org", "2027-01-01 10:00, 60"),
        )
    assert catalog_snapshot() == before


# --- sessions ------------------------------------------------------------------------------


@pytest.fixture
def paris_webinar(fresh_stripe) -> str:
    return webinars.create_webinar(
        ANN,
        webinars.WebinarDraft(
            "Atelier TVA",
            "ann@example.org",
            [webinars.SessionDraft(date(2026, 10, 25), time(10, 0), 90)],
            time_zone="Europe/Paris",
        ),
    )


@pytest.fixture(autouse=True)
def _language_of_the_entry_point(monkeypatch):
    """Speak the language the sidebar keeps (session state "locale") on every page run, as
    streamlit_app.py does: AppTest runs a page it switched to without the entry point, since
    this repository has a pages/ folder (it resets PagesManager.uses_pages_directory before
    each run, so Streamlit's first-version multipage mode runs the page file alone)."""
    import streamlit as st

    from console.formatting import i18n
    from console.ui import auth

    guard = auth.page_guard

    def page_guard(*roles):
        i18n.use(st.session_state.get("locale"))
        return guard(*roles)

    monkeypatch.setattr(auth, "page_guard", page_guard)


def _open_in(language: str, webinar_id: str, time_zone: str) -> AppTest:
    """The Webinar page as ann opens it, in `language`, from a browser in `time_zone`."""
    app = AppTest.from_file(str(APP), default_timeout=60)
    signed_in(app, ANN)
    app.session_state["locale"] = language  # as the sidebar's language switch keeps it
    app.context = {"timezone": time_zone}
    app.query_params["webinar"] = webinar_id
    app.run()
    app.switch_page("pages/webinar.py").run()
    assert not app.exception, app.exception
    return app


def test_the_page_shows_the_sessions_on_the_clocks_of_the_webinars_zone(paris_webinar):
    app = _open_in("en", paris_webinar, "Europe/Paris")
    assert "**1 session**\n\n- Sunday, October 25, 2026, 10:00 (Europe/Paris), 90 minutes" in [
        m.value for m in app.markdown
    ]
    assert app.selectbox(key=f"edit_{paris_webinar}_zone").value == "Europe/Paris"
    assert app.time_input(key=f"edit_{paris_webinar}_start_0").value == time(10, 0)


def test_a_session_moved_on_the_page_is_stored_in_utc(paris_webinar):
    app = _open_in("en", paris_webinar, "America/New_York")
    app.date_input(key=f"edit_{paris_webinar}_date_0").set_value(date(2026, 10, 24)).run()
    app.button(key="save_webinar").click().run()

    assert [s.value for s in app.success] == ["Saved."]
    assert webinars.get_webinar(ANN, paris_webinar).sessions[0].starts_at == datetime(
        2026, 10, 24, 8, 0, tzinfo=UTC
    )
    assert (
        "**1 session**\n\n- Saturday, October 24, 2026, 10:00 (Europe/Paris), 90 minutes — "
        "for you: Saturday, October 24, 2026, 04:00 (America/New_York)"
    ) in [m.value for m in app.markdown]


def test_the_page_speaks_french(paris_webinar):
    app = _open_in("fr", paris_webinar, "Europe/Paris")
    assert "**1 session**\n\n- dimanche 25 octobre 2026, 10:00 (Europe/Paris), 90 minutes" in [
        m.value for m in app.markdown
    ]
    assert "Détails" in [s.value for s in app.subheader]
    assert app.caption[0].value.endswith(" · Programmé · Gratuit")


# --- cancellation --------------------------------------------------------------------------


def test_cancel_webinar(webinar_id):
    app = open_app("pages/webinar.py", webinar=webinar_id)
    app.checkbox(key="confirm_cancel").check().run()
    app.button(key="cancel_webinar").click().run()
    assert "Give a reason" in app.error[0].value
    assert webinars.get_webinar(ADMIN_ACTOR, webinar_id).status == "scheduled"

    app.text_input(key="cancel_webinar_reason").input("speaker ill").run()
    app.button(key="cancel_webinar").click().run()
    assert not app.exception
    assert webinars.get_webinar(ADMIN_ACTOR, webinar_id).status == "cancelled"
    assert any("complete" in s.value for s in app.success)


def test_cancel_the_webinar_refunds_everyone_and_offers_the_summary(refund_shop):
    client, inbox = refund_shop
    app = AppTest.from_file(str(APP), default_timeout=120)
    signed_in(app, Actor("admin@example.org", ADMIN))
    app.query_params["webinar"] = "wb_r"
    app.run()
    app.switch_page("pages/webinar.py").run()
    app.text_input(key="cancel_webinar_reason").input("speaker ill")
    app.checkbox(key="confirm_cancel").check().run()
    app.button(key="cancel_webinar").click().run()

    assert not app.exception
    assert len(all_objects(client, "refunds")) == 2
    assert any("Refunded **2**" in m.value for m in app.markdown)
    assert app.get("download_button")
    log = app.dataframe[-1].value
    assert {"cancel webinar", "refund"} <= set(log["action"])
    assert len(inbox.messages) == 2
    with db.connect() as con:
        assert con.execute("SELECT status FROM webinars").fetchone() == ("cancelled",)


# --- prices --------------------------------------------------------------------------------


def _set_price(app: AppTest, amount: str, currency: str) -> AppTest:
    app.text_input(key="price_amount").input(amount)
    app.selectbox(key="price_currency").select(currency)
    app.button(key="review_price").click().run()
    assert not app.exception
    return app


def test_price_is_previewed_confirmed_saved_and_recorded(webinar_id):
    app = open_app("pages/webinar.py", actor=ANN, webinar=webinar_id)
    _set_price(app, "49.90", "eur")

    [pays] = [c.value for c in app.caption if "A registrant pays" in c.value]
    assert "A registrant pays €49.90" in pays
    assert "keeps about €48.90" in pays  # 1.5% + €0.25 = €1.00
    assert any("from Free to €49.90" in m.value for m in app.markdown)
    assert catalog_snapshot()["price_changes"] == []  # nothing before confirmation

    app.button(key="confirm_price").click().run()

    with db.connect() as con:
        assert con.execute("SELECT price_amount, price_currency FROM webinars").fetchone() == (
            4990,
            "eur",
        )
    history = pricing.price_history(ADMIN_ACTOR, webinar_id)
    assert [
        list(r.values())
        for r in reports.records(
            history[["changed_by", "old_amount", "new_amount", "new_currency"]]
        )
    ] == [["ann@example.org", None, 4990, "eur"]]

    app = open_app("pages/webinar.py", actor=ADMIN_ACTOR, webinar=webinar_id)
    _set_price(app, "5000", "jpy")
    app.button(key="confirm_price").click().run()
    app.button(key="make_free").click().run()
    app.button(key="confirm_price").click().run()
    history = pricing.price_history(ADMIN_ACTOR, webinar_id)
    assert [
        list(r.values())
        for r in reports.records(
            history[["changed_by", "old_amount", "old_currency", "new_amount"]]
        )
    ] == [
        ["admin@example.org", 5000, "jpy", None],
        ["admin@example.org", 4990, "eur", 5000],
        ["ann@example.org", None, None, 4990],
    ]
    assert webinars.get_webinar(ADMIN_ACTOR, webinar_id).is_free


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("0.10", "eur", "minimum charge in EUR is €0.50"),
        ("0.20", "gbp", "minimum charge in GBP is £0.30"),
        ("49", "jpy", "minimum charge in JPY is ¥50"),
        ("1000000", "eur", "maximum charge in EUR"),
        ("49.999", "eur", "at most 2 decimals"),
        ("5000.5", "jpy", "JPY has no decimals"),
        ("1.235", "bhd", "last of the three decimals to be 0"),
        ("2.3456", "kwd", "at most 3 decimals"),
        ("-5", "eur", "cannot be negative"),
        ("forty", "eur", "is not an amount"),
    ],
)
def test_price_form_refuses_bad_amounts(webinar_id, amount, currency, message):
    before = catalog_snapshot()
    app = _set_price(open_app("pages/webinar.py", webinar=webinar_id), amount, currency)
    assert any(message in e.value for e in app.error), [e.value for e in app.error]
    assert "confirm_price" not in [button.key for button in app.button]
    assert "planned_price" not in app.session_state
    assert catalog_snapshot() == before


def test_price_refuses_an_unsupported_currency(webinar_id):
    before = catalog_snapshot()
    with pytest.raises(MoneyError, match="not a currency this console can charge in"):
        pricing.plan_price(ADMIN_ACTOR, webinar_id, "10", "xyz")
    assert catalog_snapshot() == before


def test_no_price_while_the_account_is_not_verified(webinar_id, fresh_stripe):
    fresh_stripe.config("/_config/account", **UNVERIFIED)
    before = catalog_snapshot()
    app = _set_price(open_app("pages/webinar.py", webinar=webinar_id), "49", "eur")
    app.button(key="confirm_price").click().run()

    assert "not verified yet, so it cannot charge" in app.error[0].value
    assert "external_account" in app.error[0].value
    assert catalog_snapshot() == before
    with pytest.raises(NotVerified):
        pricing.save_price(ADMIN_ACTOR, pricing.plan_price(ADMIN_ACTOR, webinar_id, "49", "eur"))


def test_no_price_without_a_stripe_key(webinar_id, monkeypatch):
    monkeypatch.delenv("STRIPE_API_KEY")
    before = catalog_snapshot()
    with pytest.raises(NotVerified, match="No Stripe account is connected"):
        pricing.save_price(ADMIN_ACTOR, pricing.plan_price(ADMIN_ACTOR, webinar_id, "49", "eur"))
    assert catalog_snapshot() == before
