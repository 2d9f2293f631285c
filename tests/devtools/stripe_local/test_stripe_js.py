"""console/devtools/stripe_local/stripe_js.py: the Stripe.js stand-in is served, offers what the
console's card form (console/ui/card_payment.py) calls, and its 3D Secure endpoint."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from console.devtools.stripe_local import stripe_js
from tests import REPO
from tests.devtools.stripe_local.support import raw
from tests.stripe_local_fixture import StripeLocal

PUBLISHABLE_KEY = "pk_test_local"
CARD_FORM = REPO / "console" / "ui" / "card_payment.py"


@pytest.fixture(scope="module")
def script() -> str:
    return stripe_js.SCRIPT.read_text()


@pytest.mark.parametrize("path", ["/js.stripe.com/v3/", "/js.stripe.com/v3"])
def test_the_script_is_served_without_a_key(stripe_local: StripeLocal, script: str, path) -> None:
    status, headers, body = raw(stripe_local.base_url, path, key=None)
    assert status == 200
    assert headers["Content-Type"].startswith("application/javascript")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert body.decode() == script


def test_the_script_ships_with_the_package() -> None:
    assert stripe_js.SCRIPT.name == "stripe_js_v3.js"
    assert stripe_js.SCRIPT.is_file()
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '"console.devtools.stripe_local" = ["*.js"]' in pyproject


def test_it_offers_what_the_card_form_calls(script: str) -> None:
    form = CARD_FORM.read_text()
    # What console/ui/card_payment.py does with Stripe.js ...
    for call in (
        "window.Stripe(data.publishable_key, { locale: data.locale })",
        'stripe.elements({ locale: data.locale }).create("card")',
        "card.mount(",
        "stripe.confirmCardPayment(data.client_secret",
        "result.paymentIntent.id",
        "result.error.message",
    ):
        assert call in form, call
    # ... is what the stand-in defines.
    for definition in (
        "window.Stripe = function (publishableKey, options)",
        "elements: function (elementOptions)",
        "(options || {}).locale",  # the card form and its errors in the page's language
        "create: function ()",
        "CardElement.prototype.mount = function (target)",
        "confirmCardPayment: async function (clientSecret, data)",
        "{paymentIntent: confirmed.body}",
        "{paymentIntent: result}",
    ):
        assert definition in script, definition


def test_the_card_fields_have_the_ids_browser_tests_use(script: str) -> None:
    for test_id in ("card-number", "card-expiry", "card-cvc"):
        assert f'"{test_id}"' in script
    for test_id in ("threeds-modal", "threeds-complete", "threeds-fail"):
        assert f'"{test_id}"' in script


def test_it_calls_only_what_a_publishable_key_may_call(script: str) -> None:
    assert '"/v1/payment_methods"' in script
    assert '"/v1/payment_intents/" + intent + "/confirm"' in script
    assert '"/js.stripe.com/v3/authenticate/" + intent' in script
    assert '"Authorization": "Bearer " + key' in script


def test_incomplete_card_details_are_refused_in_the_browser(script: str) -> None:
    for message in (
        "Your card number is incomplete.",
        "Your card's expiration date is incomplete.",
        "Your card's security code is incomplete.",
    ):
        assert message in script


# --- the 3D Secure endpoint: what the stand-in sends after the challenge ---------------------


def _post_form(local: StripeLocal, path: str, params: dict) -> tuple[int, dict]:
    data = urllib.parse.urlencode(params).encode()
    status, _, body = raw(local.base_url, path, key=PUBLISHABLE_KEY, data=data)
    return status, json.loads(body)


def _authenticate(local: StripeLocal, intent_id: str, body: dict) -> tuple[int, dict]:
    status, _, answer = raw(
        local.base_url,
        f"/js.stripe.com/v3/authenticate/{intent_id}",
        key=PUBLISHABLE_KEY,
        data=json.dumps(body).encode(),
        content_type="application/json",
    )
    return status, json.loads(answer)


def _intent_needing_3ds(local: StripeLocal) -> dict:
    """What the stand-in does in the browser: a PaymentMethod, then confirm, with the
    publishable key and the client secret only."""
    intent = local.client().v1.payment_intents.create(
        params={"amount": 4900, "currency": "eur", "allowed_payment_method_types": ["card"]}
    )
    status, method = _post_form(
        local,
        "/v1/payment_methods",
        {
            "type": "card",
            "card[number]": "4000002760003184",
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
            "billing_details[name]": "Ada Lovelace",
        },
    )
    assert status == 200, method
    status, confirmed = _post_form(
        local,
        f"/v1/payment_intents/{intent.id}/confirm",
        {"payment_method": method["id"], "client_secret": intent.client_secret},
    )
    assert status == 200, confirmed
    assert confirmed["status"] == "requires_action"
    return confirmed


def test_completing_the_challenge_pays(stripe_local: StripeLocal) -> None:
    intent = _intent_needing_3ds(stripe_local)
    status, answer = _authenticate(
        stripe_local,
        intent["id"],
        {"client_secret": intent["client_secret"], "outcome": "complete"},
    )
    assert status == 200
    assert answer["payment_intent"]["id"] == intent["id"]
    assert answer["payment_intent"]["status"] == "succeeded"


def test_failing_the_challenge_asks_for_another_card(stripe_local: StripeLocal) -> None:
    intent = _intent_needing_3ds(stripe_local)
    status, answer = _authenticate(
        stripe_local, intent["id"], {"client_secret": intent["client_secret"], "outcome": "fail"}
    )
    assert status == 200
    assert answer["payment_intent"]["status"] == "requires_payment_method"


def test_the_challenge_needs_the_intents_client_secret(stripe_local: StripeLocal) -> None:
    intent = _intent_needing_3ds(stripe_local)
    status, answer = _authenticate(
        stripe_local, intent["id"], {"client_secret": "pi_other_secret_x", "outcome": "complete"}
    )
    assert status == 401
    assert answer["error"]["message"] == "The client secret does not match this PaymentIntent."
    retrieved = stripe_local.client().v1.payment_intents.retrieve(intent["id"])
    assert retrieved.status == "requires_action"  # nothing happened


def test_the_outcome_is_complete_or_fail(stripe_local: StripeLocal) -> None:
    intent = _intent_needing_3ds(stripe_local)
    status, answer = _authenticate(
        stripe_local, intent["id"], {"client_secret": intent["client_secret"], "outcome": "maybe"}
    )
    assert status == 400
    assert answer["error"]["message"] == "outcome must be complete or fail"
    assert answer["error"]["param"] == "outcome"


def test_the_challenge_of_an_unknown_intent(stripe_local: StripeLocal) -> None:
    status, answer = _authenticate(
        stripe_local, "pi_doesnotexist", {"client_secret": "x", "outcome": "complete"}
    )
    assert status == 404
    assert answer["error"]["message"] == "No such payment_intent: 'pi_doesnotexist'"
    assert (answer["error"]["code"], answer["error"]["param"]) == ("resource_missing", "intent")
