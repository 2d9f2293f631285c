// A Stripe.js stand-in served by the local Stripe (console/stripe_local.py) at
// /js.stripe.com/v3/. It offers the part of Stripe.js the console uses: a card Element and
// confirmCardPayment. As with Stripe.js, card details go from the browser straight to the
// (local) Stripe API with the publishable key; they never reach the console's server.
(function () {
  const BASE = (document.currentScript && document.currentScript.src || "")
    .replace(/\/js\.stripe\.com\/v3\/?$/, "");

  function encode(params, prefix, parts) {
    parts = parts || [];
    Object.keys(params).forEach(function (name) {
      const value = params[name];
      const key = prefix ? prefix + "[" + name + "]" : name;
      if (value === undefined || value === null) return;
      if (typeof value === "object") encode(value, key, parts);
      else parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(value));
    });
    return parts.join("&");
  }

  async function post(path, params) {
    const response = await fetch(BASE + path, {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded"},
      body: encode(params),
    });
    const body = await response.json().catch(function () { return {}; });
    return {ok: response.ok && !body.error, body: body};
  }

  function field(placeholder, testId, autocomplete) {
    const input = document.createElement("input");
    input.placeholder = placeholder;
    input.setAttribute("data-testid", testId);
    input.setAttribute("aria-label", placeholder);
    input.autocomplete = autocomplete;
    input.inputMode = "numeric";
    input.style.cssText = "border:none;outline:none;font:inherit;padding:4px;min-width:0;";
    return input;
  }

  function CardElement() {
    this.inputs = null;
  }
  CardElement.prototype.mount = function (target) {
    const host = typeof target === "string" ? document.querySelector(target) : target;
    const box = document.createElement("div");
    box.style.cssText = "display:flex;gap:8px;border:1px solid #ccc;border-radius:6px;" +
      "padding:8px;background:#fff;";
    this.inputs = {
      number: field("Card number", "card-number", "cc-number"),
      expiry: field("MM / YY", "card-expiry", "cc-exp"),
      cvc: field("CVC", "card-cvc", "cc-csc"),
    };
    this.inputs.number.style.flex = "3";
    this.inputs.expiry.style.flex = "1";
    this.inputs.cvc.style.flex = "1";
    box.append(this.inputs.number, this.inputs.expiry, this.inputs.cvc);
    host.appendChild(box);
  };
  CardElement.prototype.values = function () {
    const number = this.inputs.number.value.replace(/\D/g, "");
    const expiry = this.inputs.expiry.value.replace(/\s/g, "").split("/");
    const cvc = this.inputs.cvc.value.replace(/\D/g, "");
    if (number.length < 13) return {error: "Your card number is incomplete."};
    if (expiry.length !== 2 || !/^\d{1,2}$/.test(expiry[0]) || !/^\d{2,4}$/.test(expiry[1])) {
      return {error: "Your card's expiration date is incomplete."};
    }
    if (cvc.length < 3) return {error: "Your card's security code is incomplete."};
    const year = expiry[1].length === 2 ? 2000 + Number(expiry[1]) : Number(expiry[1]);
    return {number: number, exp_month: Number(expiry[0]), exp_year: year, cvc: cvc};
  };

  window.Stripe = function (publishableKey) {
    let card = null;
    return {
      elements: function () {
        return {
          create: function () { card = new CardElement(); return card; },
          getElement: function () { return card; },
        };
      },
      confirmCardPayment: async function (clientSecret, data) {
        const intent = clientSecret.match(/^(pi_[A-Za-z0-9]+)_secret_/)[1];
        const details = data.payment_method.card.values();
        if (details.error) {
          return {error: {type: "validation_error", message: details.error}};
        }
        const method = await post("/v1/payment_methods", {
          key: publishableKey, type: "card", card: details,
          billing_details: data.payment_method.billing_details || {},
        });
        if (!method.ok) return {error: method.body.error};
        const confirmed = await post("/v1/payment_intents/" + intent + "/confirm", {
          key: publishableKey, client_secret: clientSecret, payment_method: method.body.id,
        });
        if (!confirmed.ok) return {error: confirmed.body.error};
        if (confirmed.body.status === "requires_action") {
          const success = window.confirm("3D Secure: complete the authentication?");
          const authenticated = await post(
            "/v1/payment_intents/" + intent + "/_authenticate?success=" + success,
            {key: publishableKey, client_secret: clientSecret});
          if (!authenticated.ok) return {error: authenticated.body.error};
          if (authenticated.body.status !== "succeeded") {
            return {error: {type: "card_error", code: "payment_intent_authentication_failure",
                            message: "We are unable to authenticate your payment method."}};
          }
          return {paymentIntent: authenticated.body};
        }
        return {paymentIntent: confirmed.body};
      },
    };
  };
})();
