"""A local Stripe-compatible server for the demo and the tests, written from Stripe's docs and
the installed SDK (stripe-python pins the API version; its types are the reference).

Run it with ``python -m console.devtools.stripe_local --port N [--store PATH] [--host 127.0.0.1]``.
Once listening it prints one line, ``stripe-local listening on http://HOST:PORT``. It runs as
its own process: nothing else in ``console/`` imports this package.

One module per resource: account, payments (payment methods, PaymentIntents, charges,
3D Secure), refunds, disputes, balance (balance transactions, the balance), payouts (the
automatic payout schedule, which API requests on the real clock run), events, customers;
pricing and cards hold Stripe's fees and test cards; store, lists, render, shapes, params
and errors are the machinery; app assembles routes and middlewares.

Test-only controls, which have no Stripe equivalent:

- header ``Stripe-Local-Now: <unix seconds>`` backdates every object a request creates;
- ``POST /_config/refunds/{id}/status`` {"status", "failure_reason"?} moves a refund to
  pending, requires_action, succeeded or failed;
- ``POST /_config/refunds/{id}/advance`` does what the refund test cards do later;
- ``POST /_config/account`` {fields...} replaces fields of the account (country,
  default_currency, an unverified account, settings.payouts.schedule...); an empty body
  restores the default;
- ``POST /_config/payouts/run`` {"until"?} runs the payout schedule up to then;
  ``POST /_config/payouts/{id}/fail`` {"failure_code"?} fails a payout (pending or paid);
  ``POST /_config/payouts/fail_next`` {"failure_code"?} fails the next one to arrive;
- ``POST /_config/charges/{id}/dispute`` {"reason"?, "inquiry"?} disputes a charge;
- ``POST /_config/faults`` {"status", "every", "path_prefix"} / ``DELETE /_config/faults``
  inject 429/500/503 answers;
- ``GET /_config/stats`` / ``POST /_config/stats/reset`` count API requests;
- ``POST /_config/events/suppress`` {"types": [...]} stops sending those event types (as
  for an account whose API version predates them);
- ``DELETE /_config/data`` forgets every object;
- ``STRIPE_LOCAL_RECORD=<dir>`` appends each API request and its answer to <dir>/<pid>.jsonl.
"""
