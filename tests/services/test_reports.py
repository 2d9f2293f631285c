"""Report figures from the CLI against totals computed from Stripe's API alone."""

from __future__ import annotations

import csv
import io
import json
import time

from console import cli
from console.store import db
from console.stripe_api import sync
from tests.payments import PAYOUT_KINDS, REVENUE_FIGURES, pay, refund, stripe_revenue

DAY = 86400


def _report(capsys, *args: str):
    assert cli.main(["report", *args]) == 0
    return capsys.readouterr().out


def _seed_mixed(local) -> dict[str, str]:
    """On a US account: payments in four currencies (three converted to USD), refunds full
    and partial, a decline, an orphan."""
    local.config("account", country="US", default_currency="usd")
    client = local.client()
    now = int(time.time())
    ids = {}
    ids["usd"] = pay(client, "wb_a", 4900, "usd", at=now - 90 * DAY, email="a@example.org").id
    pay(
        client,
        "wb_a",
        4900,
        "usd",
        card="pm_card_mastercard",
        at=now - 80 * DAY,
        email="b@example.org",
    )
    ids["eur"] = pay(
        client, "wb_b", 2900, "eur", card="pm_card_amex", at=now - 60 * DAY, email="c@example.org"
    ).id
    ids["gbp"] = pay(client, "wb_c", 3000, "gbp", at=now - 40 * DAY, email="d@example.org").id
    ids["jpy"] = pay(client, "wb_d", 5000, "jpy", at=now - 20 * DAY, email="e@example.org").id
    pay(client, None, 1500, "usd", at=now - 10 * DAY, email="orphan@example.org")
    refund(client, ids["usd"], at=now - 85 * DAY)
    refund(client, ids["eur"], amount=900, at=now - 50 * DAY)
    try:
        pay(client, "wb_a", 4900, "usd", card="pm_card_chargeDeclined", email="x@example.org")
    except Exception:  # noqa: BLE001 - a decline is expected here
        pass
    with db.connect(write=True) as con:
        con.execute(
            "INSERT INTO webinars (webinar_id, title, organizer_email) VALUES "
            "('wb_a', 'Fees 101', 'o@example.org'), ('wb_b', 'Atelier', 'o@example.org')"
        )
    return ids


def test_revenue_json_equals_stripe_to_the_unit(fresh_stripe, capsys):
    client = fresh_stripe.client()
    _seed_mixed(fresh_stripe)
    sync.run_sync()

    rows = json.loads(_report(capsys, "revenue", "--format", "json"))

    assert [list(row) for row in rows][0] == [
        "webinar_id",
        "title",
        "currency",
        "paid_registrants",
        "gross",
        "refunded",
        "disputed",
        "settlement_currency",
        "fees",
        "net",
    ]
    expected = stripe_revenue(client)
    got = {
        (row["webinar_id"], row["currency"]): {k: row[k] for k in REVENUE_FIGURES} for row in rows
    }
    assert got == expected
    by_key = {(row["webinar_id"], row["currency"]): row for row in rows}
    assert by_key[("wb_a", "usd")]["title"] == "Fees 101"
    assert by_key[("wb_c", "gbp")]["title"] is None  # not in the catalog: reported, not dropped
    assert ("unattributed", "usd") in by_key
    for row in rows:
        assert row["settlement_currency"] == "usd"
        assert all(isinstance(row[k], int) for k in ("gross", "refunded", "fees", "net"))
        if row["currency"] == "usd":  # only then may gross and net be compared
            assert row["net"] == row["gross"] - row["refunded"] - row["disputed"] - row["fees"]
    # Stripe's US pricing for US cards: 2.9% + 30c.
    assert by_key[("wb_a", "usd")]["fees"] == 2 * 172


def test_registrants_json_shape_and_status(fresh_stripe, capsys):
    ids = _seed_mixed(fresh_stripe)
    sync.run_sync()

    rows = json.loads(_report(capsys, "registrants", "--webinar", "wb_a", "--format", "json"))

    assert len(rows) == 2
    assert list(rows[0]) == [
        "name",
        "email",
        "charge_id",
        "currency",
        "amount_paid",
        "amount_refunded",
        "settlement_currency",
        "fee",
        "net",
        "status",
        "dispute_status",
        "paid_at",
    ]
    refunded = next(row for row in rows if row["email"] == "a@example.org")
    assert refunded["status"] == "refunded"
    assert refunded["amount_refunded"] == 4900
    assert refunded["fee"] == 172
    assert refunded["charge_id"].startswith("ch_")
    assert refunded["paid_at"].endswith("Z")
    partial = json.loads(_report(capsys, "registrants", "--webinar", "wb_b", "--format", "json"))
    assert partial[0]["status"] == "partially_refunded"
    assert partial[0]["amount_refunded"] == 900
    assert ids["eur"]


def test_fees_json_adds_up_per_month(fresh_stripe, capsys):
    client = fresh_stripe.client()
    _seed_mixed(fresh_stripe)
    sync.run_sync()

    rows = json.loads(_report(capsys, "fees", "--format", "json"))

    assert {row["settlement_currency"] for row in rows} == {"usd"}
    for row in rows:
        assert list(row) == [
            "settlement_currency",
            "month",
            "charges",
            "gross",
            "fees",
            "refunded",
            "disputed",
            "net",
        ]
        assert len(row["month"]) == 7
        assert row["net"] == row["gross"] - row["refunded"] - row["disputed"] - row["fees"]
    txns = list(client.v1.balance_transactions.list(params={"limit": 100}).auto_paging_iter())
    # The payments' money: not the payouts that took it to the bank.
    txns = [t for t in txns if t.reporting_category in PAYOUT_KINDS]
    assert txns
    for currency in ("usd",):
        assert sum(r["fees"] for r in rows if r["settlement_currency"] == currency) == sum(
            t.fee for t in txns if t.currency == currency
        )
        assert sum(r["net"] for r in rows if r["settlement_currency"] == currency) == sum(
            t.net for t in txns if t.currency == currency
        )


def test_table_and_csv_formats(fresh_stripe, capsys):
    _seed_mixed(fresh_stripe)
    sync.run_sync()

    table = _report(capsys, "revenue")
    assert "$98.00" in table and "¥5,000" in table and "£30.00" in table

    rows = list(csv.DictReader(io.StringIO(_report(capsys, "revenue", "--format", "csv"))))
    assert {row["currency"] for row in rows} == {"usd", "eur", "gbp", "jpy"}
    assert any(row["gross"] == "9800" for row in rows)


def test_registrants_report_needs_a_webinar(capsys):
    assert cli.main(["report", "registrants", "--format", "json"]) == 1
    assert "--webinar" in capsys.readouterr().err
