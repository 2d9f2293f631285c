"""console/ui/payouts_view.py through AppTest: the payouts table and its check column, the
opened payout's summary (adds up, off by, not listed, failed), per webinar, in English and
French. The rows are shaped as services/payouts.py returns them."""

from __future__ import annotations

import pandas as pd
import pytest

from console.formatting import i18n
from console.ui import payouts_view
from tests.ui.support import run_piece


def payout(**changes) -> dict:
    row = {
        "payout_id": "po_1",
        "arrival_date": "2026-11-20",
        "currency": "eur",
        "status": "paid",
        "amount": 123456,
        "charges": 130000,
        "refunds": -4900,
        "disputes": 0,
        "fees": 1644,
        "net": 123456,
        "other": 0,
        "transactions": 31,
        "destination_last4": "6789",
        "failure_code": None,
        "failure_message": None,
        "automatic": True,
        "contents_listed": True,
        "created": 1_763_600_000,
        "difference": 0,
    }
    return row | changes


def rows(*payouts: dict) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(payouts))


@pytest.mark.parametrize(
    ("changes", "english", "french"),
    [
        ({}, "✓", "✓"),
        ({"net": 123000, "difference": -456}, "off by -€4.56", "écart de -4,56\xa0€"),
        ({"contents_listed": False}, "listed once paid", "détaillé une fois payé"),
        (
            {"contents_listed": False, "automatic": False},
            "not listed by Stripe",
            "non détaillé par Stripe",
        ),
    ],
)
def test_the_check_column_says_whether_a_payout_adds_up(changes, english, french):
    row = pd.Series(payout(**changes))
    assert payouts_view.check_text(row) == english
    with i18n.speaking("fr"):
        assert payouts_view.check_text(row) == french


def test_the_bank_account_shows_its_last_four_only():
    assert payouts_view.destination_text("6789") == "•••• 6789"
    assert payouts_view.destination_text(None) == ""


def table_piece(frame) -> None:
    from console.ui.payouts_view import payouts_table

    payouts_table(frame)


def test_the_payouts_table_formats_money_in_the_payouts_currency():
    frame = rows(payout(), payout(payout_id="po_2", status="failed", failure_code="no_account"))
    app = run_piece(table_piece, frame)
    shown = app.dataframe[0].value
    assert list(shown["amount"]) == ["€1,234.56", "€1,234.56"]
    assert list(shown["status"]) == ["Paid", "Failed"]
    assert list(shown["refunds"]) == ["-€49.00", "-€49.00"]


def summary_piece(row) -> None:
    from console.ui.payouts_view import payout_summary

    payout_summary(row)


def test_a_payout_that_adds_up_says_so():
    app = run_piece(summary_piece, pd.Series(payout()))
    assert [m.value for m in app.metric] == ["€1,234.56", "€1,234.56", "31"]
    assert "to the unit" in app.success[0].value
    assert not app.error and not app.warning


def test_a_payout_that_does_not_add_up_shows_the_difference():
    app = run_piece(summary_piece, pd.Series(payout(net=123000, difference=-456)))
    assert "add up to €1,230.00, not €1,234.56: off by -€4.56" in app.error[0].value


def test_a_payout_stripe_has_not_listed_says_when_it_will_be():
    app = run_piece(summary_piece, pd.Series(payout(contents_listed=False, status="pending")))
    assert "Sync after it arrives" in app.info[0].value
    manual = pd.Series(payout(contents_listed=False, automatic=False))
    assert (
        "does not list what a manual payout holds" in run_piece(summary_piece, manual).info[0].value
    )


def test_a_failed_payout_says_its_money_comes_back():
    row = pd.Series(
        payout(
            status="failed",
            failure_code="account_closed",
            failure_message="The bank account has been closed.",
        )
    )
    app = run_piece(summary_piece, row, language="fr")
    assert "account_closed: The bank account has been closed." in app.warning[0].value
    assert "virement ultérieur" in app.warning[0].value


def webinars_piece(frame) -> None:
    from console.ui.payouts_view import payout_webinars_table

    payout_webinars_table(frame, "eur")


def test_what_a_payout_holds_is_shown_per_webinar_with_the_rest_named():
    frame = pd.DataFrame.from_records(
        [
            {"webinar_id": "wb_a", "title": "Atelier", "payment_count": 2, "charges": 9800,
             "refunds": 0, "disputes": 0, "fees": 300, "net": 9500},
            {"webinar_id": "unattributed", "title": None, "payment_count": 1, "charges": 1500,
             "refunds": 0, "disputes": 0, "fees": 50, "net": 1450},
            {"webinar_id": None, "title": None, "payment_count": 0, "charges": 0,
             "refunds": 0, "disputes": 0, "fees": 0, "net": 4000},
        ]
    )  # fmt: skip
    app = run_piece(webinars_piece, frame)
    shown = app.dataframe[0].value
    assert list(shown["title"]) == [
        "Atelier",
        "Payments of no webinar",
        "No payment's (such as a failed payout's money, returned)",
    ]
    assert list(shown["net"]) == ["€95.00", "€14.50", "€40.00"]
