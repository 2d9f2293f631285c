// A Stripe.js stand-in served by the local Stripe (console/stripe_local/) at /js.stripe.com/v3/.
// It offers the part of Stripe.js the console uses: a card Element and confirmCardPayment.
// As with Stripe.js, card details go from the browser straight to the (local) Stripe API with
// the publishable key; they never reach the console's server. Every API request it makes is
// a public one (POST /v1/payment_methods, POST /v1/payment_intents/:id/confirm); the 3D Secure
// challenge, like Stripe's test page, reports the customer's answer to a private endpoint.
(function () {
  const BASE = (document.currentScript && document.currentScript.src || "")
    .replace(/\/js\.stripe\.com\/v3\/?$/, "");

  function encode(params, prefix, parts) {
    parts = parts || [];
    Object.keys(params).forEach(function (name) {
      const value = params[name];
      const key = prefix ? prefix + "[" + name + "]" : name;
      if (value === undefined || value === null || value === "") return;
      if (typeof value === "object") encode(value, key, parts);
      else parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(value));
    });
    return parts.join("&");
  }

  async function send(path, key, body, contentType) {
    const response = await fetch(BASE + path, {
      method: "POST",
      headers: {"Authorization": "Bearer " + key, "Content-Type": contentType},
      body: body,
    });
    const answer = await response.json().catch(function () { return {}; });
    return {ok: response.ok && !answer.error, body: answer};
  }

  function post(path, key, params) {
    return send(path, key, encode(params), "application/x-www-form-urlencoded");
  }

  // Stripe.js writes its card form and card errors in the locale given to Stripe() or
  // elements() (https://docs.stripe.com/js/appendix/supported_locales); here English
  // and French, in Stripe's own French wording.
  const WORDS = {
    en: {
      number: "Card number", expiry: "MM / YY", cvc: "CVC",
      incomplete_number: "Your card number is incomplete.",
      incomplete_expiry: "Your card's expiration date is incomplete.",
      incomplete_cvc: "Your card's security code is incomplete.",
    },
    fr: {
      number: "Numéro de carte", expiry: "MM / AA", cvc: "CVC",
      incomplete_number: "Votre numéro de carte est incomplet.",
      incomplete_expiry: "La date d'expiration de votre carte est incomplète.",
      incomplete_cvc: "Le code de sécurité de votre carte est incomplet.",
      card_declined: "Votre carte a été refusée.",
      expired_card: "Votre carte a expiré.",
      incorrect_cvc: "Le code de sécurité de votre carte est incorrect.",
      processing_error: "Une erreur est survenue lors du traitement de votre carte. " +
        "Veuillez réessayer.",
    },
  };
  function wordsFor(locale) {
    const language = String(locale || "en").toLowerCase().split("-")[0];
    return WORDS[language] || WORDS.en;
  }
  function localized(error, words) {
    return Object.assign({}, error, {message: words[error.code] || error.message});
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

  function CardElement(words) {
    this.inputs = null;
    this.words = words;
  }
  CardElement.prototype.mount = function (target) {
    const host = typeof target === "string" ? document.querySelector(target) : target;
    const box = document.createElement("div");
    box.style.cssText = "display:flex;gap:8px;border:1px solid #ccc;border-radius:6px;" +
      "padding:8px;background:#fff;";
    this.inputs = {
      number: field(this.words.number, "card-number", "cc-number"),
      expiry: field(this.words.expiry, "card-expiry", "cc-exp"),
      cvc: field(this.words.cvc, "card-cvc", "cc-csc"),
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
    if (number.length < 13) return {error: this.words.incomplete_number};
    if (expiry.length !== 2 || !/^\d{1,2}$/.test(expiry[0]) || !/^\d{2,4}$/.test(expiry[1])) {
      return {error: this.words.incomplete_expiry};
    }
    if (cvc.length < 3) return {error: this.words.incomplete_cvc};
    const year = expiry[1].length === 2 ? 2000 + Number(expiry[1]) : Number(expiry[1]);
    return {number: number, exp_month: Number(expiry[0]), exp_year: year, cvc: cvc};
  };

  // Stripe's test 3D Secure page, as a modal: the customer completes or fails the challenge.
  function challenge() {
    return new Promise(function (resolve) {
      const shade = document.createElement("div");
      shade.setAttribute("data-testid", "threeds-modal");
      shade.style.cssText = "position:fixed;inset:0;background:rgba(0,0,0,.45);z-index:2147483647;" +
        "display:flex;align-items:center;justify-content:center;font-family:sans-serif;";
      const panel = document.createElement("div");
      panel.style.cssText = "background:#fff;border-radius:8px;padding:24px;max-width:22rem;" +
        "box-shadow:0 8px 24px rgba(0,0,0,.3);text-align:center;";
      const title = document.createElement("h3");
      title.textContent = "3D Secure 2 Test Page";
      const text = document.createElement("p");
      text.textContent = "Complete or fail this test payment's authentication.";
      panel.append(title, text);
      [["Complete", "threeds-complete", "complete", "#635bff"],
       ["Fail", "threeds-fail", "fail", "#b42318"]].forEach(function (choice) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = choice[0];
        button.setAttribute("data-testid", choice[1]);
        button.style.cssText = "margin:0 6px;padding:8px 18px;border:0;border-radius:6px;" +
          "color:#fff;cursor:pointer;background:" + choice[3] + ";";
        button.onclick = function () { shade.remove(); resolve(choice[2]); };
        panel.appendChild(button);
      });
      shade.appendChild(panel);
      document.body.appendChild(shade);
    });
  }

  function failure(intent) {
    const error = Object.assign({}, intent.last_payment_error || {});
    error.payment_intent = intent;
    return {error: error};
  }

  window.Stripe = function (publishableKey, options) {
    let card = null;
    let words = wordsFor((options || {}).locale);
    return {
      elements: function (elementOptions) {
        if (elementOptions && elementOptions.locale) words = wordsFor(elementOptions.locale);
        return {
          create: function () { card = new CardElement(words); return card; },
          getElement: function () { return card; },
        };
      },
      confirmCardPayment: async function (clientSecret, data) {
        const intent = clientSecret.match(/^(pi_[A-Za-z0-9]+)_secret_/)[1];
        const details = data.payment_method.card.values();
        if (details.error) {
          return {error: {type: "validation_error", message: details.error}};
        }
        const method = await post("/v1/payment_methods", publishableKey, {
          type: "card", card: details,
          billing_details: data.payment_method.billing_details || {},
        });
        if (!method.ok) return {error: localized(method.body.error, words)};
        const confirmed = await post("/v1/payment_intents/" + intent + "/confirm",
          publishableKey, {payment_method: method.body.id, client_secret: clientSecret});
        if (!confirmed.ok) return {error: localized(confirmed.body.error, words)};
        if (confirmed.body.status !== "requires_action") return {paymentIntent: confirmed.body};
        const outcome = await challenge();
        const answered = await send("/js.stripe.com/v3/authenticate/" + intent, publishableKey,
          JSON.stringify({client_secret: clientSecret, outcome: outcome}), "application/json");
        if (!answered.ok) return {error: answered.body.error};
        const result = answered.body.payment_intent;
        return result.status === "succeeded" ? {paymentIntent: result} : failure(result);
      },
    };
  };
})();
