"""console/store/rollups.py: the totals the pages read, rebuilt from the mirror. Daily
revenue sums the same lines as `revenue_lines`; the other tables copy their views; the
build time changes with every rebuild so cached pages notice."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from console.settings import StripeSettings
from console.store import db, rollups
from console.stripe_api import gateway, mirror, sync
from tests.payments import pay, refund
from tests.stripe_local_fixture import StripeLocal
from tests.worlds import module_world

LIVE_KEY = "sk_live_local_console"
FIGURES = ["gross", "refunded", "disputed", "fees", "net", "charges", "new_paid_registrants"]
KEYS = ["livemode", "webinar_id", "currency", "settlement_currency"]


def _at(month: int, day: int, hour: int = 12) -> int:
    return int(datetime(2026, month, day, hour, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def synced(fresh_servers, tmp_path_factory):
    """A US account: usd payments, a converted eur one, refunds, a dispute, the same
    registrant paying twice, and a live-mode payment; synced once."""
    with module_world(fresh_servers, tmp_path_factory.mktemp("rollups")) as local:
        local.config("account", country="US", default_currency="usd")
        client = local.client()
        first = pay(client, "wb_a", 4900, "usd", at=_at(1, 5), email="ada@example.org")
        refund(client, first.id, amount=900, at=_at(1, 6))
        pay(client, "wb_a", 4900, "usd", at=_at(1, 5, 18), email="bea@example.org")
        pay(client, "wb_a", 4900, "usd", at=_at(2, 1), email="ADA@example.org")
        pay(client, "wb_b", 2900, "eur", at=_at(2, 3), email="cy@example.org")
        pay(client, "wb_b", 2900, "eur", card="pm_card_createDispute", at=_at(2, 4))
        sync.run_sync()
        live = StripeLocal(local.base_url, LIVE_KEY).client()
        pay(live, "wb_a", 4900, "usd", at=_at(2, 5), email="live@example.org")
        sync.run_sync(settings=StripeSettings(LIVE_KEY, local.base_url))
        yield local


def _frame(sql: str) -> pd.DataFrame:
    return db.query_frame(sql)


def _table(name: str) -> pd.DataFrame:
    frame = _frame(f"SELECT * FROM {name}")  # noqa: S608
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_revenue_daily_sums_equal_the_revenue_lines(synced):
    daily = _frame(
        "SELECT livemode, webinar_id, currency, settlement_currency, sum(gross) AS gross, "
        "sum(refunded) AS refunded, sum(disputed) AS disputed, sum(fees) AS fees, "
        "sum(net) AS net, sum(charges) AS charges, "
        "sum(new_paid_registrants) AS new_paid_registrants FROM revenue_daily GROUP BY ALL"
    )
    lines = _frame(
        "SELECT livemode, webinar_id, currency, settlement_currency, sum(gross) AS gross, "
        "sum(refunded) AS refunded, sum(disputed) AS disputed, sum(fee) AS fees, "
        "sum(net) AS net, count(*) FILTER (WHERE kind = 'charge') AS charges, "
        "count(DISTINCT registrant_key) AS new_paid_registrants FROM revenue_lines GROUP BY ALL"
    )

    def normal(frame: pd.DataFrame) -> list[dict]:
        frame = frame.astype({column: "int64" for column in FIGURES})
        return frame.sort_values(KEYS).to_dict("records")

    assert normal(daily) == normal(lines)
    by_key = {(r["livemode"], r["webinar_id"]): r for r in normal(daily)}
    assert by_key[(False, "wb_a")]["gross"] == 3 * 4900
    assert by_key[(False, "wb_a")]["refunded"] == 900
    assert by_key[(False, "wb_a")]["new_paid_registrants"] == 2  # Ada paid twice
    assert by_key[(False, "wb_b")]["disputed"] == 2900
    assert by_key[(True, "wb_a")]["gross"] == 4900


def test_revenue_daily_files_each_line_on_its_own_day(synced):
    days = _frame(
        "SELECT strftime(day, '%m-%d') AS day, sum(gross)::BIGINT AS gross, "
        "sum(refunded)::BIGINT AS refunded, sum(charges)::BIGINT AS charges, "
        "sum(new_paid_registrants)::BIGINT AS newcomers "
        "FROM revenue_daily WHERE NOT livemode AND webinar_id = 'wb_a' GROUP BY ALL ORDER BY 1"
    ).to_dict("records")
    assert days == [
        {"day": "01-05", "gross": 9800, "refunded": 0, "charges": 2, "newcomers": 2},
        {"day": "01-06", "gross": 0, "refunded": 900, "charges": 0, "newcomers": 0},
        {"day": "02-01", "gross": 4900, "refunded": 0, "charges": 1, "newcomers": 0},
    ]


def test_the_other_tables_are_their_views_at_the_time_of_the_rebuild(synced):
    for table, view in (
        ("charge_facts", "paid_charges"),
        ("fees_by_month", "monthly_fees"),
        ("fees_by_type", "fee_types"),
    ):
        pd.testing.assert_frame_equal(_table(table), _table(view), obj=table)
    assert len(_table("charge_facts")) == 6


def test_charge_facts_are_stored_in_webinar_order(synced):
    facts = _frame("SELECT livemode, webinar_id, created FROM charge_facts")
    assert facts.equals(facts.sort_values(["livemode", "webinar_id", "created"]))


# --- without Stripe --------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))


def test_a_new_database_has_empty_totals_already_built(database):
    built = rollups.built_at()
    assert built != "never"
    assert datetime.fromisoformat(built) <= datetime.now(UTC)
    for table in ("revenue_daily", "charge_facts", "fees_by_month", "fees_by_type"):
        assert _frame(f"SELECT * FROM {table}").empty, table  # noqa: S608


def test_built_at_is_never_before_a_first_build(database):
    with db.connect(write=True) as con:
        con.execute("DELETE FROM rollup_state")
    assert rollups.built_at() == "never"
    with db.connect(write=True) as con:
        con.execute("DROP TABLE rollup_state")  # a file from before the totals were kept
    assert rollups.built_at() == "never"
    rollups.refresh()
    assert rollups.built_at() != "never"


def test_each_refresh_moves_built_at_on(database):
    first = rollups.built_at()
    rollups.refresh()
    second = rollups.built_at()
    assert datetime.fromisoformat(second) > datetime.fromisoformat(first)


def test_a_rebuild_stands_or_falls_with_the_callers_transaction(database):
    before = rollups.built_at()
    with pytest.raises(RuntimeError, match="the change failed"):
        with db.connect(write=True) as con:
            rollups.rebuild(con)
            raise RuntimeError("the change failed")
    assert rollups.built_at() == before


def test_a_change_outside_the_sync_counts_once_refreshed(fresh_stripe):
    client = fresh_stripe.client()
    intent = pay(client, "wb_r", 4900, "eur", card="pm_card_fr")
    sync.run_sync()

    def refunded() -> int:
        return int(_frame("SELECT coalesce(sum(refunded), 0) AS r FROM revenue_daily")["r"][0])

    made = refund(client, intent.id, amount=1500)
    with db.connect(write=True) as con:  # as a refund issued from the console is saved
        mirror.save(con, gateway.retrieve_refund(gateway.client(), made.id), False)
    assert refunded() == 0  # the pages' totals wait for a rebuild
    rollups.refresh()
    assert refunded() == 1500
