"""console/ui/registration_view.py through AppTest: which webinar a visitor registers for,
its announcement in the visitor's time zone, the form (a free webinar registers at once; a
paid one starts a PaymentIntent at the local Stripe and shows the card form), and what comes
of the payment the browser reports (Stripe.js runs in the browser: tests/browser/ drives it;
here the PaymentIntent is confirmed at the local Stripe as Stripe.js would, and the browser's
report is delivered to the page as the component's trigger)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import stripe
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Session, Webinar
from console.services import registration
from console.services.registration import TEST_CARDS, Checkout, registrant_id_for
from console.settings import StripeSettings
from console.store import catalog, db
from tests.ui.support import run_piece

SESSIONS = (
    Session(datetime(2027, 3, 1, 16, 0, tzinfo=UTC), 90),
    Session(datetime(2027, 7, 5, 8, 30, tzinfo=UTC), 60),
)
FREE = Webinar(
    "wb_free",
    "Open hour",
    "ann@example.org",
    description="Bring questions.\nNo refunds: it is free.",
    sessions=SESSIONS,
)
PAID = Webinar(
    "wb_paid",
    "Fees 101",
    "ann@example.org",
    description="Refunds up to 7 days before.",
    price_amount=4900,
    price_currency="eur",
    sessions=SESSIONS,
)
LATER = Webinar(
    "wb_later",
    "Later",
    "bob@example.org",
    sessions=(Session(datetime(2028, 1, 1, tzinfo=UTC), 60),),
)
PAST = Webinar(
    "wb_past", "Past", "bob@example.org", sessions=(Session(datetime(2020, 1, 1, tzinfo=UTC), 60),)
)
CALLED_OFF = Webinar(
    "wb_off", "Called off", "bob@example.org", status="cancelled", sessions=SESSIONS
)
TEST_SETTINGS = StripeSettings("sk_test_x", "http://127.0.0.1:12111", "pk_test_x")
LIVE_SETTINGS = StripeSettings("sk_live_x", "https://api.stripe.com", "pk_live_x")
NO_KEY = StripeSettings(None, "https://api.stripe.com")


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    monkeypatch.delenv("SMTP_HOST", raising=False)
    with db.connect(write=True) as con:
        catalog.save_webinars(con, [FREE, PAID, LATER, PAST, CALLED_OFF])
    return tmp_path


_run = run_piece


def _column(name: str) -> list[tuple]:
    with db.connect() as con:
        return con.execute(f"SELECT {name} FROM registrants").fetchall()  # noqa: S608


def _registrations() -> list[tuple]:
    with db.connect() as con:
        return con.execute(
            "SELECT webinar_id, name, email, status FROM registrants ORDER BY webinar_id, email"
        ).fetchall()


# --- which webinar ---------------------------------------------------------------------------


def choice_page() -> None:
    import streamlit as st

    from console.services import registration
    from console.ui.registration_view import open_webinar_id

    st.markdown(f"Registering for {open_webinar_id(registration.open_webinars())}")


def test_a_visitor_chooses_among_the_webinars_open_for_registration():
    app = _run(choice_page)
    choice = app.selectbox(key="register_choice")
    assert choice.label == "Webinar"
    assert choice.options == ["Open hour", "Fees 101", "Later"]  # not past, not cancelled
    choice.set_value("wb_later").run()
    assert [m.value for m in app.markdown] == ["Registering for wb_later"]


def test_the_link_names_the_webinar_without_a_choice():
    app = _run(choice_page, query={"webinar": "wb_paid"})
    assert not app.selectbox
    assert [m.value for m in app.markdown] == ["Registering for wb_paid"]


def test_with_nothing_open_the_page_says_so_and_stops():
    with db.connect(write=True) as con:
        for webinar_id in ("wb_free", "wb_paid", "wb_later"):
            catalog.cancel_webinar(con, webinar_id)
    app = _run(choice_page)
    assert [i.value for i in app.info] == ["There is no webinar open for registration right now."]
    assert not app.selectbox and not app.markdown


# --- the announcement ------------------------------------------------------------------------


def announcement_page(webinar, settings) -> None:
    from console.ui.registration_view import announcement

    announcement(webinar, settings)


def test_sessions_are_shown_in_the_webinars_and_the_visitors_time_zones():
    paris = replace(FREE, time_zone="Europe/Paris")
    app = _run(announcement_page, paris, NO_KEY, context={"timezone": "America/New_York"})
    assert [t.value for t in app.title] == ["Open hour"]
    assert [m.value for m in app.markdown] == [
        "**Session 1 of 2:** Monday, March 1, 2027, 17:00 (Europe/Paris), 90 minutes  \n"
        "Your time: Monday, March 1, 2027, 11:00 (America/New_York)",
        "**Session 2 of 2:** Monday, July 5, 2027, 10:30 (Europe/Paris), 60 minutes  \n"
        "Your time: Monday, July 5, 2027, 04:30 (America/New_York)",
        "Bring questions.  \nNo refunds: it is free.",  # a line break for each new line
    ]
    assert [s.value for s in app.subheader] == ["Price: Free"]


def test_a_visitor_in_the_webinars_zone_sees_one_time():
    app = _run(announcement_page, PAID, NO_KEY, context={"timezone": "UTC"})
    assert app.markdown[0].value == (
        "**Session 1 of 2:** Monday, March 1, 2027, 16:00 (UTC), 90 minutes"
    )
    assert [s.value for s in app.subheader] == ["Price: €49.00"]


def test_without_a_browser_time_zone_the_visitor_is_taken_for_utc():
    app = _run(announcement_page, replace(PAID, time_zone="Asia/Tokyo"), NO_KEY)
    assert app.markdown[0].value.endswith("Your time: Monday, March 1, 2027, 16:00 (UTC)")


def test_test_mode_is_announced_and_live_mode_is_not():
    tested = _run(announcement_page, PAID, TEST_SETTINGS)
    assert [w.value for w in tested.warning] == [
        "TEST MODE: no real money moves. Use one of Stripe's test cards below."
    ]
    assert not _run(announcement_page, PAID, LIVE_SETTINGS).warning
    assert not _run(announcement_page, PAID, NO_KEY).warning


# --- registering -----------------------------------------------------------------------------


def register_page(webinar_id: str, settings) -> None:
    """The register page past the announcement: the form, then the card checkout."""
    from console.services import registration
    from console.settings import stripe_settings
    from console.ui.registration_view import card_checkout, registration_form

    settings = settings or stripe_settings()
    webinar = registration.public_webinar(webinar_id)
    registration_form(webinar, settings)
    card_checkout(webinar, settings)


def _register(webinar_id: str, name: str, email: str, settings=None) -> AppTest:
    app = _run(register_page, webinar_id, settings)
    app.text_input(key="register_name").input(name)
    app.text_input(key="register_email").input(email)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def _card_form(app: AppTest):
    forms = [e for e in app.main.children.values() if e.type == "bidi_component"]
    return forms[0].proto if forms else None


def test_the_form_asks_for_name_and_email():
    free = _run(register_page, "wb_free", NO_KEY)
    assert [f.label for f in free.text_input] == ["Your name", "Your e-mail"]
    assert [b.label for b in free.button] == ["Register"]
    paid = _run(register_page, "wb_paid", NO_KEY)
    assert [b.label for b in paid.button] == ["Continue to payment"]
    assert _card_form(paid) is None


def test_a_free_webinar_registers_at_once_and_sends_a_confirmation(database):
    app = _register("wb_free", " Ada ", "Ada@Example.org ", NO_KEY)
    # The page switches to the confirmation: its link is in the address from now on.
    [token] = [row[0] for row in _column("return_token")]
    assert app.query_params["registration"] == token
    assert _registrations() == [("wb_free", "Ada", "ada@example.org", "registered")]
    registrant = registrant_id_for("wb_free", "ada@example.org")
    assert (database / "outbox" / f"confirmation-{registrant}.eml").is_file()


def test_a_refused_registration_says_why_and_saves_nothing():
    app = _register("wb_free", "", "ada@example.org", NO_KEY)
    assert [e.value for e in app.error] == ["Please give your name."]
    assert not app.success and _registrations() == []


def test_registering_twice_is_refused():
    _register("wb_free", "Ada", "ada@example.org", NO_KEY)
    again = _register("wb_free", "Ada", "ada@example.org", NO_KEY)
    [error] = [e.value for e in again.error]
    assert error.startswith("ada@example.org is already registered for this webinar.")


def test_a_paid_webinar_without_stripe_says_payment_is_unavailable():
    app = _register("wb_paid", "Ada", "ada@example.org", NO_KEY)
    assert [e.value for e in app.error] == [
        "Payment is not available right now: No Stripe key is configured. Set STRIPE_API_KEY "
        "in the environment or in .streamlit/secrets.toml (see the README, “Connect a real "
        "Stripe account”)."
    ]
    assert _card_form(app) is None and _registrations() == []


# --- paying by card, against the local Stripe ------------------------------------------------


@pytest.fixture
def paying(database, fresh_stripe, monkeypatch):
    """The local Stripe, with a publishable key for the card form, and the webinars again:
    fresh_stripe put an empty database where `database` had saved them."""
    monkeypatch.setenv("STRIPE_PUBLISHABLE_KEY", "pk_test_local")
    db._close_all()  # this process may still hold the file fresh_stripe replaced
    with db.connect(write=True) as con:
        catalog.save_webinars(con, [FREE, PAID, LATER, PAST, CALLED_OFF])
    return fresh_stripe


def _browser_reports(app: AppTest, outcome: dict) -> AppTest:
    """What Stripe.js hands back after the person pressed Pay: the card form's one trigger,
    sent with the page's widgets as the browser sends it."""
    states = app._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = _make_trigger_id(_card_form(app).id, "events")
    trigger.json_trigger_value = json.dumps([{"event": "outcome", "value": outcome}])
    app._run(states)
    assert not app.exception, app.exception
    return app


def _intent_id(app: AppTest) -> str:
    return app.session_state["checkout"][0].payment_intent_id


def test_a_paid_registration_opens_the_card_form_for_its_payment_intent(paying):
    app = _register("wb_paid", "Ada", "Ada@Example.org")
    assert not app.success and not app.error
    assert [s.value for s in app.subheader] == ["Pay by card"]
    assert app.markdown[-1].value.startswith("Visa, Mastercard, American Express and Discover.")
    form = json.loads(_card_form(app).json)
    intent = paying.client().v1.payment_intents.retrieve(_intent_id(app))
    assert form == {
        "client_secret": intent.client_secret,
        "publishable_key": "pk_test_local",
        "stripe_js_url": f"{paying.base_url}/js.stripe.com/v3/",
        "name": "Ada",
        "email": "ada@example.org",
        "label": "Pay €49.00",
        "locale": "en",
        "failed": "The payment failed.",
    }
    assert (intent.amount, intent.currency, intent.status) == (
        4900,
        "eur",
        "requires_payment_method",
    )
    assert _registrations() == [("wb_paid", "Ada", "ada@example.org", "pending_payment")]
    cards = app.table[0].value
    assert list(cards.columns) == ["Card", "Number (any future date, any CVC)", "Result"]
    assert [tuple(row) for row in cards.values.tolist()] == list(TEST_CARDS)


def test_a_confirmed_payment_registers_the_person(paying, database):
    app = _register("wb_paid", "Ada", "ada@example.org")
    intent_id = _intent_id(app)
    paying.client().v1.payment_intents.confirm(intent_id, params={"payment_method": "pm_card_visa"})

    _browser_reports(app, {"payment_intent": intent_id, "status": "succeeded"})

    [token] = [row[0] for row in _column("return_token")]
    assert app.query_params["registration"] == token  # the page turns to the confirmation
    assert _registrations() == [("wb_paid", "Ada", "ada@example.org", "registered")]
    assert "checkout" not in app.session_state
    registrant = registrant_id_for("wb_paid", "ada@example.org")
    assert (database / "outbox" / f"confirmation-{registrant}.eml").is_file()
    app.run()
    assert _card_form(app) is None and not app.success  # done: no card form any more


def test_a_payment_stripe_has_not_confirmed_does_not_register(paying):
    app = _register("wb_paid", "Ada", "ada@example.org")
    intent_id = _intent_id(app)  # never confirmed at Stripe

    _browser_reports(app, {"payment_intent": intent_id, "status": "succeeded"})

    assert [w.value for w in app.warning] == [
        "Stripe has not confirmed the payment yet. You will get an e-mail as soon as it does."
    ]
    assert not app.success
    assert _registrations() == [("wb_paid", "Ada", "ada@example.org", "pending_payment")]
    assert _card_form(app) is not None  # the person can still pay


def test_a_declined_card_says_why_and_asks_for_another(paying):
    app = _register("wb_paid", "Ada", "ada@example.org")
    intent_id = _intent_id(app)
    with pytest.raises(stripe.CardError) as declined:
        paying.client().v1.payment_intents.confirm(
            intent_id, params={"payment_method": "pm_card_chargeDeclined"}
        )
    message = declined.value.user_message

    _browser_reports(app, {"error": message, "code": "card_declined"})

    assert [e.value for e in app.error] == [f"{message} Try another card."]
    assert not app.success
    assert _registrations() == [("wb_paid", "Ada", "ada@example.org", "pending_payment")]


# --- the card form's conditions --------------------------------------------------------------


def checkout_page(webinar, settings) -> None:
    import streamlit as st

    from console.ui.registration_view import card_checkout

    card_checkout(webinar, settings)
    st.markdown("after the checkout")


CHECKOUT = (
    Checkout("reg_1", "pi_123", "pi_123_secret_abc", 4900, "eur", "tok_1"),
    "Ada",
    "ada@example.org",
)


def test_live_mode_shows_no_test_cards():
    app = _run(checkout_page, PAID, LIVE_SETTINGS, checkout=CHECKOUT)
    form = json.loads(_card_form(app).json)
    assert (form["publishable_key"], form["stripe_js_url"]) == (
        "pk_live_x",
        "https://js.stripe.com/v3/",
    )
    assert not app.table


def test_without_a_publishable_key_card_payment_is_not_set_up():
    settings = StripeSettings("sk_test_x", "http://127.0.0.1:12111")
    app = _run(checkout_page, PAID, settings, checkout=CHECKOUT)
    assert [e.value for e in app.error] == [
        "Card payment is not set up: an admin sets STRIPE_PUBLISHABLE_KEY."
    ]
    assert _card_form(app) is None and not app.markdown  # the page stops


def test_no_card_form_without_a_started_checkout_or_for_a_free_webinar():
    assert _card_form(_run(checkout_page, PAID, TEST_SETTINGS)) is None
    free = _run(checkout_page, FREE, TEST_SETTINGS, checkout=CHECKOUT)
    assert _card_form(free) is None and not free.subheader
    assert [m.value for m in free.markdown] == ["after the checkout"]


def test_a_hold_that_ran_out_says_nothing_was_charged_and_how_to_pay_now(paying):
    app = _register("wb_paid", "Ada", "ada@example.org")
    intent_id = _intent_id(app)
    with db.connect(write=True) as con:  # fifteen minutes later
        con.execute("UPDATE registrants SET seat_held_until = now() - INTERVAL 1 SECOND")
    assert registration.release_expired_holds() == 1  # the background round
    with pytest.raises(stripe.InvalidRequestError) as refused:  # Pay, pressed too late
        paying.client().v1.payment_intents.confirm(
            intent_id, params={"payment_method": "pm_card_visa"}
        )

    _browser_reports(app, {"error": refused.value.user_message, "code": refused.value.code})

    assert refused.value.code == "payment_intent_unexpected_state"
    assert [e.value for e in app.error] == [
        "Your seat was held for 15 minutes and the time ran out, so nothing was charged. "
        "Continue to payment again to pay now."
    ]
    assert "checkout" not in app.session_state
    assert _registrations() == [("wb_paid", "Ada", "ada@example.org", "payment_failed")]
