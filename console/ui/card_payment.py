"""The card form: Stripe.js in the page, so card details go from the browser to Stripe."""

from __future__ import annotations

import streamlit as st

from console.formatting.i18n import _
from console.services.registration import Checkout

_HTML = """
<div class="card-payment">
  <div class="card-element"></div>
  <button class="pay-button" type="button" data-testid="pay-button"></button>
  <div class="card-error" role="alert" data-testid="card-error"></div>
</div>
"""

_CSS = """
.card-payment { max-width: 36rem; font-family: inherit; }
.card-element { margin: 0.5rem 0 0.75rem; }
.pay-button { background: #635bff; color: #fff; border: 0; border-radius: 6px;
              padding: 0.6rem 1.2rem; font: inherit; cursor: pointer; }
.pay-button:disabled { opacity: 0.6; cursor: progress; }
.card-error { color: #b42318; margin-top: 0.5rem; min-height: 1.2rem; }
"""

# Loads Stripe.js once, mounts the card Element, confirms the PaymentIntent in the browser
# and hands Python only the outcome: the PaymentIntent id or the error message.
_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector(".card-payment");
  const button = root.querySelector(".pay-button");
  const errors = root.querySelector(".card-error");
  button.textContent = data.label;
  if (root.dataset.mountedFor === data.client_secret) return;
  root.dataset.mountedFor = data.client_secret;
  root.querySelector(".card-element").innerHTML = "";

  function loadStripe() {
    if (window.Stripe) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = data.stripe_js_url;
      script.onload = resolve;
      script.onerror = () => reject(new Error("Stripe.js could not be loaded."));
      document.head.appendChild(script);
    });
  }

  loadStripe().then(() => {
    const stripe = window.Stripe(data.publishable_key, { locale: data.locale });
    const card = stripe.elements({ locale: data.locale }).create("card");
    card.mount(root.querySelector(".card-element"));
    button.onclick = async () => {
      button.disabled = true;
      errors.textContent = "";
      const result = await stripe.confirmCardPayment(data.client_secret, {
        payment_method: { card: card, billing_details: { name: data.name, email: data.email } },
      });
      button.disabled = false;
      if (result.error) {
        errors.textContent = result.error.message || data.failed;
        setTriggerValue("outcome", { error: result.error.message || data.failed,
                                     code: result.error.code || null,
                                     decline_code: result.error.decline_code || null });
      } else {
        setTriggerValue("outcome", { payment_intent: result.paymentIntent.id,
                                     status: result.paymentIntent.status });
      }
    };
  }).catch((problem) => { errors.textContent = problem.message; });
}
"""

_card_form = st.components.v2.component(
    "webinar_console_card_payment", html=_HTML, css=_CSS, js=_JS, isolate_styles=False
)


def card_payment(
    checkout: Checkout,
    *,
    name: str,
    email: str,
    label: str,
    publishable_key: str,
    stripe_js_url: str,
    locale: str = "en",
) -> dict | None:
    """Show the card form; returns {"payment_intent", "status"} or {"error", …} once paid."""
    result = _card_form(
        key=f"card_{checkout.payment_intent_id}",
        data={
            "client_secret": checkout.client_secret,
            "publishable_key": publishable_key,
            "stripe_js_url": stripe_js_url,
            "name": name,
            "email": email,
            "label": label,
            "locale": locale,  # Stripe.js writes the card form and its errors in it
            "failed": _("The payment failed."),
        },
        on_outcome_change=lambda: None,
    )
    return getattr(result, "outcome", None)
