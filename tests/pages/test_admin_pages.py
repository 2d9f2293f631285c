"""Admin pages through AppTest: Stripe connection, webinars, prices.

Every refused input must say why and leave DuckDB exactly as it was.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.money import MoneyError
from console.services import cancellations, pricing, reports, webinars
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.services.connection import NotVerified
from console.store import db
from tests import REPO

APP = REPO / "streamlit_app.py"
ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
UNVERIFIED = {
    "charges_enabled": False,
    "details_submitted": False,
    "requirements": {
        "currently_due": ["external_account", "tos_acceptance.date"],
        "eventually_due": [],
        "past_due": [],
        "disabled_reason": None,
    },
}


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    import streamlit as st

    st.cache_data.clear()


def _snapshot() -> dict[str, list[tuple]]:
    with db.connect() as con:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608
            for table in ("webinars", "webinar_sessions", "price_changes")
        }


def _app(page: str, actor: Actor = ADMIN_ACTOR, **query) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.session_state["actor"] = actor
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


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


# --- connection ----------------------------------------------------------------------------


def test_connection_page_with_a_valid_key(fresh_stripe):
    app = _app("pages/connection.py")
    assert "test-mode key is configured: test secret key …sole" in app.success[0].value
    assert "sk_test_local_console" not in str(app._tree)  # the key itself is never shown

    app.button(key="check_connection").click().run()

    assert not app.exception
    values = {m.label: m.value for m in app.metric}
    assert values["Country"] == "FR"
    assert values["Default currency"] == "EUR"
    assert values["Verification"] == "Verified"
    assert values["Account"].startswith("acct_")
    assert any("every organizer" in i.value for i in app.info)


def test_connection_page_with_an_invalid_key(fresh_stripe, monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_bogus_000000000000wxyz")
    app = _app("pages/connection.py")
    app.button(key="check_connection").click().run()
    assert "Stripe refused the API key" in app.error[0].value
    assert "sk_bogus_000000000000wxyz" not in str(app._tree)


def test_connection_page_with_an_unverified_account(fresh_stripe):
    fresh_stripe.config("/_config/account", **UNVERIFIED)
    app = _app("pages/connection.py")
    app.button(key="check_connection").click().run()
    assert "not verified" in app.error[0].value
    assert "external_account, tos_acceptance.date" in app.error[0].value


def test_connection_page_when_stripe_is_unreachable(monkeypatch, tmp_path):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_unreachable")
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "db.duckdb"))
    app = _app("pages/connection.py")
    app.button(key="check_connection").click().run()
    assert "Could not reach Stripe" in app.error[0].value


def test_connection_page_is_for_admins_only(fresh_stripe):
    app = _app("pages/connection.py", actor=Actor("fin@example.org", FINANCE))
    assert app.title[0].value == "Not allowed"
    assert "does not give access" in app.error[0].value
    assert not app.button


# --- webinars ------------------------------------------------------------------------------


def test_create_webinar_form(fresh_stripe):
    app = _app("pages/webinars.py")
    app.text_input(key="new_title").input("Atelier TVA")
    app.text_input(key="new_organizer").input("ann@example.org")
    app.text_area(key="new_sessions").input("2027-02-01 09:00, 120\n2027-02-08 09:00, 60")
    app.text_input(key="new_capacity").input("40")
    app.text_area(key="new_description").input("Remboursement jusqu'à 7 jours avant.")
    app.button[0].click().run()  # the form's submit button

    assert "Created “Atelier TVA”" in app.success[0].value
    with db.connect() as con:
        row = con.execute(
            "SELECT title, capacity, price_amount, price_currency FROM webinars"
        ).fetchone()
        sessions = con.execute("SELECT count(*) FROM webinar_sessions").fetchone()[0]
    assert row == ("Atelier TVA", 40, None, None)  # free until someone sets a price
    assert sessions == 2
    listed = _app("pages/webinars.py").dataframe[0].value
    assert list(listed["title"]) == ["Atelier TVA"]
    assert list(listed["price"]) == ["Free"]
    assert list(listed["status"]) == ["upcoming"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("new_title", "", "Give the webinar a title"),
        ("new_organizer", "not-an-email", "is not an e-mail address"),
        ("new_sessions", "next tuesday", "is not “YYYY-MM-DD HH:MM, minutes”"),
        ("new_sessions", "2027-02-30 09:00, 60", "is not a real date"),
        ("new_sessions", "2027-02-01 09:00, 0", "between 1 and 1440 minutes"),
        ("new_capacity", "lots", "Capacity is a whole number"),
    ],
)
def test_create_webinar_form_refuses_bad_input(fresh_stripe, field, value, message):
    before = _snapshot()
    app = _app("pages/webinars.py")
    good = {
        "new_title": "T",
        "new_organizer": "ann@example.org",
        "new_sessions": "2027-02-01 09:00, 60",
        "new_capacity": "10",
    }
    good[field] = value
    for key, text in good.items():
        widget = app.text_area(key=key) if key == "new_sessions" else app.text_input(key=key)
        widget.input(text)
    app.button[0].click().run()

    assert message in app.error[0].value
    assert _snapshot() == before


def test_csv_import_all_or_nothing(fresh_stripe):
    good = (
        "title,organizer_email,sessions,capacity,description\n"
        'A,ann@example.org,"2027-03-01 10:00, 60; 2027-03-08 10:00, 60",20,Policy A\n'
        'B,ann@example.org,"2027-04-01 10:00, 45",,Policy B\n'
    )
    bad = good + (
        'C,nobody,"2027-04-01 10:00, 45",,x\n'
        ",ann@example.org,tomorrow,-3,y\n"
        'D,ann@example.org,"2027-04-01 10:00, 45",,z\n'
    )
    before = _snapshot()

    refused = webinars.import_webinars_csv(ADMIN_ACTOR, bad.encode())
    assert refused.created == []
    assert [p.split(":")[0] for p in refused.problems] == ["Row 4", "Row 5"]
    assert "“nobody” is not an e-mail address" in refused.problems[0]
    assert "title" in refused.problems[1] and "Capacity" in refused.problems[1]
    assert _snapshot() == before

    accepted = webinars.import_webinars_csv(ADMIN_ACTOR, good.encode())
    assert len(accepted.created) == 2 and not accepted.problems
    assert webinars.get_webinar(ADMIN_ACTOR, accepted.created[0]).sessions[1].duration_minutes == 60


def test_csv_import_refuses_a_wrong_header_and_prices(fresh_stripe):
    assert (
        "missing: sessions"
        in webinars.import_webinars_csv(
            ADMIN_ACTOR, b"title,organizer_email\nA,ann@example.org\n"
        ).problems[0]
    )
    priced = webinars.import_webinars_csv(
        ADMIN_ACTOR,
        (
            b"title,organizer_email,sessions,price,currency\n"
            b'A,ann@example.org,"2027-03-01 10:00, 60",49,eur\n'
        ),
    )
    assert "Prices are set on the webinar's page" in priced.problems[0]


def test_organizers_manage_only_their_own_webinars(webinar_id):
    bob = Actor("bob@example.org", ORGANIZER)
    before = _snapshot()
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
    assert _snapshot() == before


def test_cancel_webinar(webinar_id):
    app = _app("pages/webinar.py", webinar=webinar_id)
    app.checkbox(key="confirm_cancel").check().run()
    app.button(key="cancel_webinar").click().run()
    assert "Give a reason" in app.error[0].value
    assert webinars.get_webinar(ADMIN_ACTOR, webinar_id).status == "scheduled"

    app.text_input(key="cancel_webinar_reason").input("speaker ill").run()
    app.button(key="cancel_webinar").click().run()
    assert not app.exception
    assert webinars.get_webinar(ADMIN_ACTOR, webinar_id).status == "cancelled"
    assert any("complete" in s.value for s in app.success)


# --- prices --------------------------------------------------------------------------------


def _set_price(app: AppTest, amount: str, currency: str) -> AppTest:
    app.text_input(key="price_amount").input(amount)
    app.selectbox(key="price_currency").select(currency)
    app.button(key="review_price").click().run()
    assert not app.exception
    return app


def test_price_is_previewed_confirmed_saved_and_recorded(webinar_id):
    app = _app("pages/webinar.py", actor=ANN, webinar=webinar_id)
    _set_price(app, "49.90", "eur")

    assert "A registrant pays €49.90" in app.caption[1].value
    assert "keeps about €48.90" in app.caption[1].value  # 1.5% + €0.25 = €1.00
    assert any("from Free to €49.90" in m.value for m in app.markdown)
    assert _snapshot()["price_changes"] == []  # nothing before confirmation

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

    app = _app("pages/webinar.py", actor=ADMIN_ACTOR, webinar=webinar_id)
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
    before = _snapshot()
    app = _set_price(_app("pages/webinar.py", webinar=webinar_id), amount, currency)
    assert any(message in e.value for e in app.error), [e.value for e in app.error]
    assert "confirm_price" not in [button.key for button in app.button]
    assert "planned_price" not in app.session_state
    assert _snapshot() == before


def test_price_refuses_an_unsupported_currency(webinar_id):
    before = _snapshot()
    with pytest.raises(MoneyError, match="not a currency this console can charge in"):
        pricing.plan_price(ADMIN_ACTOR, webinar_id, "10", "xyz")
    assert _snapshot() == before


def test_no_price_while_the_account_is_not_verified(webinar_id, fresh_stripe):
    fresh_stripe.config("/_config/account", **UNVERIFIED)
    before = _snapshot()
    app = _set_price(_app("pages/webinar.py", webinar=webinar_id), "49", "eur")
    app.button(key="confirm_price").click().run()

    assert "not verified yet, so it cannot charge" in app.error[0].value
    assert "external_account" in app.error[0].value
    assert _snapshot() == before
    with pytest.raises(NotVerified):
        pricing.save_price(ADMIN_ACTOR, pricing.plan_price(ADMIN_ACTOR, webinar_id, "49", "eur"))


def test_no_price_without_a_stripe_key(webinar_id, monkeypatch):
    monkeypatch.delenv("STRIPE_API_KEY")
    before = _snapshot()
    with pytest.raises(NotVerified, match="No Stripe account is connected"):
        pricing.save_price(ADMIN_ACTOR, pricing.plan_price(ADMIN_ACTOR, webinar_id, "49", "eur"))
    assert _snapshot() == before
