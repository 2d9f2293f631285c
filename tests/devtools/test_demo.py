"""`console demo`: realistic data through Stripe's API, once, never on a live key; its
webinars planned in their country's time zone at sensible local hours."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest

from console import cli
from console.devtools import demo
from console.services import disputes, payouts
from console.services.access import FINANCE, Actor
from console.store import catalog, db
from console.stripe_api import sync
from tests.payments import all_objects, stripe_payouts
from tests.worlds import World, seed_world

SIX_MONTHS = 183 * 86400


@pytest.fixture(scope="module")
def demo_world(tmp_path_factory) -> World:
    """`console demo`'s data, seeded once for the module into a new local Stripe and an
    empty database."""
    return seed_world(tmp_path_factory.mktemp("demo"), lambda local: demo.seed_demo())


@pytest.fixture
def seeded(demo_world, world_copy):
    """A local Stripe and a database of this test's own, as `demo.seed_demo()` left them,
    and the summary it returned."""
    return world_copy(demo_world), demo_world.seeded


def test_demo_creates_webinars_and_paid_registrations(seeded):
    local, summary = seeded
    client = local.client()
    assert summary.webinars == 12
    assert summary.registrations == 1500
    assert 900 <= summary.paid <= 1100
    assert summary.declined > 0

    webinars = catalog.webinars_frame()
    assert len(webinars) == 12
    assert webinars["price_amount"].isna().sum() == 1  # one free webinar
    assert set(webinars["price_currency"].dropna()) == {"usd", "eur", "gbp", "jpy"}
    now = time.time()
    assert (webinars["first_session"].map(lambda t: t.timestamp()) < now).sum() >= 6
    assert (webinars["first_session"].map(lambda t: t.timestamp()) > now).sum() >= 3

    charges = all_objects(client, "charges")
    statuses = Counter(charge.status for charge in charges)
    assert statuses["succeeded"] == summary.paid
    assert statuses["failed"] == summary.declined
    created = [charge.created for charge in charges]
    assert now - min(created) > 150 * 86400  # spread over about six months
    assert now - min(created) <= SIX_MONTHS

    refunds = all_objects(client, "refunds")
    by_charge = {charge.id: charge for charge in charges}
    full = [r for r in refunds if r.amount == by_charge[r.charge].amount]
    partial = [r for r in refunds if r.amount < by_charge[r.charge].amount]
    assert 0.03 <= len(full) / summary.paid <= 0.07  # about 5% full refunds
    assert partial

    intents = all_objects(client, "payment_intents")
    for intent in intents:
        metadata = intent.metadata.to_dict()
        assert set(metadata) == {
            "webinar_id",
            "registrant_email",
            "registrant_name",
            "registrant_id",
        }
        assert metadata["webinar_id"].startswith("wb_demo_")
        assert "@" in metadata["registrant_email"]
    names = [intent.metadata["registrant_name"] for intent in intents]
    assert any(ch in "".join(names) for ch in "éèçëï")  # French names too


def test_demo_is_paid_out_daily_and_one_payout_failed(seeded):
    local, _ = seeded
    client = local.client()
    payouts = all_objects(client, "payouts")
    assert len(payouts) > 100  # daily, over about six months of payments
    assert all(p.automatic and p.currency == "eur" for p in payouts)
    [failed] = [p for p in payouts if p.status == "failed"]
    assert failed.failure_code == "account_closed"
    assert failed.id in {p.id for p in payouts[:4]}  # paid a day or two ago, then returned
    for payout in [failed, *payouts[-3:]]:
        lines = list(
            client.v1.balance_transactions.list(
                params={"payout": payout.id, "limit": 100}
            ).auto_paging_iter()
        )
        assert sum(t.net for t in lines) == 0  # its own line takes out what the others hold
        assert sum(t.net for t in lines if t.source != payout.id) == payout.amount
    txns = all_objects(client, "balance_transactions")
    assert "payout_failure" in {t.type for t in txns}
    balance = {b.currency: b.amount for b in client.v1.balance.retrieve().available}
    assert balance == {"eur": sum(t.net for t in txns)}


def test_demo_webinars_are_saved_with_their_time_zones(seeded):
    zones = {f"wb_demo_{n:02d}": catalog.load_webinar(f"wb_demo_{n:02d}").time_zone for n in (1, 2)}
    assert zones == {"wb_demo_01": "America/New_York", "wb_demo_02": "Europe/Paris"}


def test_demo_webinars_are_planned_in_their_countrys_zone_at_local_hours():
    today = datetime(2026, 10, 30, 9, 0, tzinfo=UTC)
    webinars = demo.demo_webinars(today)
    expected = {
        "eur": ("Europe/Paris", clock(14, 0)),
        "usd": ("America/New_York", clock(12, 0)),
        "gbp": ("Europe/London", clock(13, 0)),
        "jpy": ("Asia/Tokyo", clock(19, 0)),
        None: ("America/New_York", clock(12, 0)),
    }
    for webinar in webinars:
        zone, start = expected[webinar.price_currency]
        assert webinar.time_zone == zone
        for session in webinar.sessions:
            local = session.starts_at.astimezone(ZoneInfo(zone))
            assert local.time() == start, (webinar.webinar_id, local)
            assert session.starts_at.utcoffset().total_seconds() == 0  # stored in UTC
    # wb_demo_09 (London) meets weekly across the night the clocks go back (25 October).
    london = next(w for w in webinars if w.webinar_id == "wb_demo_09")
    assert [s.starts_at for s in london.sessions] == [
        datetime(2026, 10, 20, 12, 0, tzinfo=UTC),  # 13:00 BST
        datetime(2026, 10, 27, 13, 0, tzinfo=UTC),  # 13:00 GMT
    ]


def test_demo_registrations_are_dated_as_before_the_webinars_had_zones():
    # Payments keep their dates (and the reports their figures): registrations are dated
    # against 16:00 UTC on the first session's day, the time every session had then.
    today = datetime(2026, 10, 30, 9, 41, 7, tzinfo=UTC)
    for number, (*_, offset, _language) in enumerate(demo.WEBINARS, 1):
        before_zones = (today + offset * demo.DAY).replace(hour=16, minute=0, second=0)
        assert demo._sales_anchor(number, today) == before_zones


def test_demo_twice_adds_nothing(seeded):
    local, first = seeded
    client = local.client()
    before = {kind: len(all_objects(client, kind)) for kind in ("payment_intents", "refunds")}

    again = demo.seed_demo()

    assert again.already_seeded
    after = {kind: len(all_objects(client, kind)) for kind in ("payment_intents", "refunds")}
    assert after == before
    assert len(catalog.webinars_frame()) == 12


def test_demo_then_sync_matches_stripe(seeded, capsys):
    sync.run_sync()
    assert cli.main(["report", "revenue", "--format", "json"]) == 0
    assert '"wb_demo_01"' in capsys.readouterr().out


def test_demo_payouts_hold_what_stripe_lists_with_refunds_a_lost_dispute_and_a_failure(seeded):
    """Six months of demo activity, synced: each payout's contents, summed by kind and by
    webinar, are what Stripe's API lists for it, to the unit."""
    local, _summary = seeded
    sync.run_sync()
    ours = {row["payout_id"]: row for row in payouts.report(False)}
    assert ours == stripe_payouts(local.client())
    # Today's payout is on its way: it arrives tomorrow.
    assert {row["status"] for row in ours.values()} == {"paid", "failed", "pending"}
    assert any(row["refunds"] for row in ours.values())
    assert any(row["disputes"] for row in ours.values())
    # The failed payout's money is back in the balance, for tomorrow's payout.
    [failed] = [row["payout_id"] for row in ours.values() if row["status"] == "failed"]
    with db.connect() as con:
        returned = con.execute(
            "SELECT b.amount, t.payout FROM stripe_payouts p "
            "JOIN stripe_balance_transactions b ON b.id = p.failure_balance_transaction "
            "LEFT JOIN stripe_payout_transactions t ON t.balance_transaction = b.id "
            "WHERE p.id = ?",
            [failed],
        ).fetchall()
    assert returned == [(ours[failed]["amount"], None)]
    assert all(row["net"] == row["amount"] for row in ours.values() if row["contents_listed"])


def test_demo_has_an_open_dispute_due_in_two_days(seeded):
    local, _summary = seeded
    sync.run_sync()
    finance = Actor("finance@example.org", FINANCE)
    [due] = disputes.due_soon(finance, False, int(time.time())).to_dict("records")
    assert not due["overdue"]
    assert 1.9 * 86400 < due["due_by"] - time.time() <= 2 * 86400
    [open_one] = disputes.open_disputes(finance, False, int(time.time())).to_dict("records")
    assert (open_one["dispute_id"], open_one["status"]) == (due["dispute_id"], "needs_response")


def test_demo_refuses_a_live_key(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_live_" + "x" * 24)
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "db.duckdb"))

    assert cli.main(["demo"]) == 1

    err = capsys.readouterr().err
    assert "refuses a live key" in err
    assert "x" * 24 not in err


def test_demo_creates_one_account_per_role_and_shows_passwords_once(seeded, capsys):
    from console.services import auth

    assert cli.main(["demo"]) == 0
    first = capsys.readouterr().out
    assert first.count("demo sign-in (") == 3
    email, password = first.split("demo sign-in (organizer): ")[1].split("\n")[0].split(" / ")
    assert auth.sign_in(email, password).role == "organizer"

    assert cli.main(["demo"]) == 0
    assert "demo sign-in" not in capsys.readouterr().out
    assert sorted(auth.local_users().values()) == ["admin", "finance", "organizer"]
