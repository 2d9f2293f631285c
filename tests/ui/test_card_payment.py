"""console/ui/card_payment.py through AppTest: the card form is Stripe.js in the browser;
Python hands it what it needs to confirm the PaymentIntent, never card details, and gets
back only the outcome. (Paying through it is driven in tests/browser/.)"""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from console.services.registration import Checkout

CHECKOUT = Checkout("reg_1", "pi_123", "pi_123_secret_abc", 4900, "usd", "tok_1")


def payment_page(checkout) -> None:  # the body runs as a script of its own
    import streamlit as st

    from console.ui.card_payment import card_payment

    outcome = card_payment(
        checkout,
        name="Ada Lovelace",
        email="ada@example.org",
        label="Pay $49.00",
        publishable_key="pk_test_local",
        stripe_js_url="http://127.0.0.1:12111/js.stripe.com/v3/",
    )
    st.markdown(f"Outcome: {outcome}")


def _form(app: AppTest):
    [form] = [e for e in app.main.children.values() if e.type == "bidi_component"]
    return form.proto


def _app(checkout: Checkout = CHECKOUT) -> AppTest:
    app = AppTest.from_function(payment_page, args=(checkout,), default_timeout=30).run()
    assert not app.exception, app.exception
    return app


def test_the_browser_gets_what_confirming_the_payment_needs_and_nothing_more():
    form = _form(_app())
    assert form.component_name == "webinar_console_card_payment"
    assert json.loads(form.json) == {
        "client_secret": "pi_123_secret_abc",
        "publishable_key": "pk_test_local",
        "stripe_js_url": "http://127.0.0.1:12111/js.stripe.com/v3/",
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "label": "Pay $49.00",
        "locale": "en",  # Stripe.js writes the card form and its errors in it
        "failed": "The payment failed.",
    }


def test_the_form_has_a_card_field_a_pay_button_and_a_place_for_errors():
    form = _form(_app())
    assert '<div class="card-element"></div>' in form.html_content
    assert 'data-testid="pay-button"' in form.html_content
    assert 'role="alert"' in form.html_content and 'data-testid="card-error"' in form.html_content
    # Stripe.js confirms the payment; Python hears back the PaymentIntent id or the error.
    assert "stripe.confirmCardPayment(data.client_secret" in form.js_content
    assert 'setTriggerValue("outcome"' in form.js_content
    assert not form.isolate_styles  # the page's font and colours apply


def test_nothing_is_returned_before_the_person_pays():
    assert [m.value for m in _app().markdown] == ["Outcome: None"]


def test_each_payment_intent_gets_a_form_of_its_own():
    first = _form(_app()).id
    other = _form(_app(Checkout("reg_2", "pi_456", "pi_456_secret_def", 2900, "eur", "tok_2"))).id
    assert first.endswith("card_pi_123") and other.endswith("card_pi_456")
