"""The price history's repository: one line per change, written with the change."""

from __future__ import annotations

import pytest

from console.store import db, price_changes


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))


def test_changes_of_a_webinar_newest_first():
    for old, new in (((None, None), (4900, "usd")), ((4900, "usd"), (None, None))):
        with db.connect(write=True) as con:
            price_changes.record_change(con, "wb_1", "ann@example.org", old=old, new=new)
    with db.connect(write=True) as con:
        price_changes.record_change(con, "wb_2", "bob@example.org", (None, None), (500, "jpy"))

    history = price_changes.of_webinar("wb_1")

    assert history.columns.tolist() == [
        "changed_at",
        "changed_by",
        "old_amount",
        "old_currency",
        "new_amount",
        "new_currency",
    ]
    rows = history.astype(object).where(history.notna(), None).to_dict("records")
    assert [
        (r["old_amount"], r["old_currency"], r["new_amount"], r["new_currency"]) for r in rows
    ] == [
        (4900, "usd", None, None),  # back to free
        (None, None, 4900, "usd"),
    ]
    assert {r["changed_by"] for r in rows} == {"ann@example.org"}


def test_a_change_is_not_kept_when_the_callers_transaction_fails():
    with pytest.raises(RuntimeError), db.connect(write=True) as con:
        price_changes.record_change(con, "wb_1", "ann@example.org", (None, None), (4900, "usd"))
        raise RuntimeError("the price itself could not be saved")
    assert price_changes.of_webinar("wb_1").empty
