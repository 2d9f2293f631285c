"""Report figures against totals computed from the local Stripe's API alone, in the cases
where presentment and settlement differ, in live mode, and with disputes and refunds that
fail or wait (DESIGN.md, "Ledger").

Every case checks the same three things: each revenue row equals Stripe's figures for that
webinar and currency; each registrant row equals Stripe's figures for that charge; and a
webinar's registrants add up to its row.
"""

from __future__ import annotations

import json
import time

from console import cli
from console.services import reports
from console.store import db
from console.stripe_api import sync
from tests.payments import REVENUE_FIGURES, pay, refund, stripe_ledger, stripe_revenue
from tests.stripe_local_fixture import StripeLocal

DAY = 86400
LIVE_KEY = "sk_live_local_console"


def _account(local: StripeLocal, country: str, currency: str) -> None:
    local.config("account", country=country, default_currency=currency)


def _json_report(capsys, *args: str) -> list[dict]:
    assert cli.main(["report", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _assert_reports_equal_stripe(client, capsys) -> list[dict]:
    revenue = _json_report(capsys, "revenue")
    expected = stripe_revenue(client)
    got = {(r["webinar_id"], r["currency"]): {k: r[k] for k in REVENUE_FIGURES} for r in revenue}
    assert got == expected
    ledger = stripe_ledger(client)
    for row in revenue:
        registrants = _json_report(capsys, "registrants", "--webinar", row["webinar_id"])
        registrants = [r for r in registrants if r["currency"] == row["currency"]]
        for registrant in registrants:
            charge = ledger[registrant["charge_id"]]
            assert {k: registrant[k] for k in _REGISTRANT_FIGURES} == {
                k: charge[k] for k in _REGISTRANT_FIGURES
            }, registrant["charge_id"]
        # A webinar's registrants add up to its row.
        assert sum(r["amount_paid"] for r in registrants) == row["gross"]
        assert sum(r["amount_refunded"] for r in registrants) == row["refunded"]
        assert sum(r["fee"] for r in registrants) == row["fees"]
        assert sum(r["net"] for r in registrants) == row["net"]
    return revenue


_REGISTRANT_FIGURES = (
    "currency",
    "amount_paid",
    "amount_refunded",
    "settlement_currency",
    "fee",
    "net",
    "dispute_status",
)


def test_a_usd_account_receiving_eur_and_jpy(fresh_stripe, capsys):
    _account(fresh_stripe, "US", "usd")
    client = fresh_stripe.client()
    now = int(time.time())
    pay(client, "wb_usd", 4900, "usd", at=now - 30 * DAY, email="a@example.org")
    eur = pay(client, "wb_eur", 3900, "eur", at=now - 20 * DAY, email="b@example.org")
    jpy = pay(client, "wb_jpy", 5000, "jpy", at=now - 10 * DAY, email="c@example.org")
    refund(client, eur.id, amount=900, at=now - 19 * DAY)
    refund(client, jpy.id, at=now - 9 * DAY)
    sync.run_sync()

    revenue = _assert_reports_equal_stripe(client, capsys)

    assert {r["currency"]: r["settlement_currency"] for r in revenue} == {
        "usd": "usd",
        "eur": "usd",
        "jpy": "usd",
    }
    jpy_row = next(r for r in revenue if r["currency"] == "jpy")
    assert jpy_row["gross"] == 5000 and jpy_row["refunded"] == 5000
    # Converted at Stripe's rate: the fee is cents of a dollar, not yen.
    txn = client.v1.balance_transactions.retrieve(
        client.v1.charges.retrieve(jpy.latest_charge).balance_transaction
    )
    assert txn.currency == "usd" and txn.exchange_rate and jpy_row["fees"] == txn.fee


def test_a_eur_account_receiving_usd_and_jpy(fresh_stripe, capsys):
    _account(fresh_stripe, "FR", "eur")
    client = fresh_stripe.client()
    now = int(time.time())
    pay(client, "wb_eur", 3900, "eur", card="pm_card_fr", at=now - 30 * DAY, email="a@example.org")
    usd = pay(client, "wb_usd", 4900, "usd", at=now - 20 * DAY, email="b@example.org")
    pay(client, "wb_jpy", 12000, "jpy", at=now - 10 * DAY, email="c@example.org")
    refund(client, usd.id, amount=1000, at=now - 19 * DAY)
    sync.run_sync()

    revenue = _assert_reports_equal_stripe(client, capsys)

    assert {r["settlement_currency"] for r in revenue} == {"eur"}
    fees = _json_report(capsys, "fees")
    assert {r["settlement_currency"] for r in fees} == {"eur"}
    assert sum(r["fees"] for r in fees) == sum(r["fees"] for r in revenue)
    assert sum(r["net"] for r in fees) == sum(r["net"] for r in revenue)


def test_a_live_mode_key_files_everything_as_live(fresh_stripe, capsys, monkeypatch):
    live = StripeLocal(fresh_stripe.base_url, api_key=LIVE_KEY)
    monkeypatch.setenv("STRIPE_API_KEY", LIVE_KEY)
    client = live.client()
    intent = pay(client, "wb_live", 4900, "eur", card="pm_card_fr", email="a@example.org")
    refund(client, intent.id, amount=1900)
    sync.run_sync()

    revenue = _assert_reports_equal_stripe(client, capsys)

    assert revenue[0]["refunded"] == 1900 and revenue[0]["fees"] > 0
    assert _json_report(capsys, "fees")  # the live Fees report is not empty
    with db.connect() as con:
        modes = con.execute(
            "SELECT DISTINCT livemode FROM (SELECT livemode FROM stripe_charges UNION ALL "
            "SELECT livemode FROM stripe_refunds UNION ALL "
            "SELECT livemode FROM stripe_balance_transactions)"
        ).fetchall()
    assert modes == [(True,)]
    assert reports.revenue(livemode=False).empty  # nothing leaks into test mode


def _disputed_payment(client, webinar_id: str, email: str):
    intent = pay(client, webinar_id, 4900, "eur", card="pm_card_createDispute", email=email)
    [dispute] = client.v1.disputes.list(params={"charge": intent.latest_charge}).data
    return intent, dispute


def test_a_lost_and_a_won_dispute(fresh_stripe, capsys):
    client = fresh_stripe.client()
    pay(client, "wb_d", 4900, "eur", card="pm_card_fr", email="calm@example.org")
    _, won = _disputed_payment(client, "wb_d", "won@example.org")
    _, lost = _disputed_payment(client, "wb_d", "lost@example.org")
    sync.run_sync()
    opened = _assert_reports_equal_stripe(client, capsys)
    assert opened[0]["disputed"] == 2 * 4900  # both withdrawn, not reinstated yet

    client.v1.disputes.update(
        won.id, params={"evidence": {"uncategorized_text": "winning_evidence"}, "submit": True}
    )
    client.v1.disputes.close(lost.id)
    sync.run_sync()  # incremental: the outcomes arrive through events

    revenue = _assert_reports_equal_stripe(client, capsys)
    assert revenue[0]["disputed"] == 4900
    registrants = {r["email"]: r for r in _json_report(capsys, "registrants", "--webinar", "wb_d")}
    assert registrants["won@example.org"]["dispute_status"] == "won"
    assert registrants["lost@example.org"]["dispute_status"] == "lost"
    assert registrants["calm@example.org"]["dispute_status"] is None
    fees = _json_report(capsys, "fees")
    assert sum(r["disputed"] for r in fees) > 0
    assert sum(r["net"] for r in fees) == revenue[0]["net"]


def test_a_failed_refund_and_a_pending_one_that_later_succeeds(fresh_stripe, capsys):
    client = fresh_stripe.client()
    failing = pay(client, "wb_r", 4900, "eur", card="pm_card_refundFail", email="f@example.org")
    waiting = pay(client, "wb_r", 4900, "eur", card="pm_card_pendingRefund", email="p@example.org")
    doomed = refund(client, failing.id)
    slow = refund(client, waiting.id)
    assert slow.status == "pending"
    fresh_stripe.config(f"/_config/refunds/{doomed.id}/status", status="failed")
    sync.run_sync()

    revenue = _assert_reports_equal_stripe(client, capsys)
    assert revenue[0]["refunded"] == 0  # failed gives it back; pending is not refunded yet
    rows = {r["email"]: r for r in reports.records(reports.registrants(False, "wb_r"))}
    assert rows["p@example.org"]["status"] == "paid"

    fresh_stripe.config(f"/_config/refunds/{slow.id}/status", status="succeeded")
    sync.run_sync()

    revenue = _assert_reports_equal_stripe(client, capsys)
    assert revenue[0]["refunded"] == 4900


def test_a_refund_made_outside_the_console_is_seen_through_charge_refunded(fresh_stripe, capsys):
    client = fresh_stripe.client()
    intent = pay(client, "wb_o", 4900, "eur", card="pm_card_fr", email="o@example.org")
    sync.run_sync()
    # An account on an older API version gets no refund.* events: only charge.refunded.
    fresh_stripe.config("/_config/events/suppress", types=["refund.*"])
    refund(client, intent.id, amount=1500)
    types = {e.type for e in client.v1.events.list(params={"limit": 100}).data}
    assert "charge.refunded" in types and not any(t.startswith("refund.") for t in types)

    result = sync.run_sync()

    assert result.mode == "incremental"
    revenue = _assert_reports_equal_stripe(client, capsys)
    assert revenue[0]["refunded"] == 1500
