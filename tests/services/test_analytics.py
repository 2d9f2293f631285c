"""console/services/analytics.py over one synced local Stripe (a US account: usd settles as
it is, eur and jpy are converted to usd): totals per currency, never added across
currencies; an organizer's figures hold their own webinars only."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from console.domain.catalog import Registration, Webinar
from console.formatting import i18n
from console.services import analytics
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.settings import StripeSettings
from console.store import db
from console.store.catalog import save_registrations, save_webinars
from console.stripe_api import sync
from tests.payments import pay, refund, stripe_ledger, stripe_revenue
from tests.stripe_local_fixture import StripeLocal
from tests.worlds import module_world

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)  # wb_ann (usd), wb_ann_eur (eur)
BOB = Actor("bob@example.org", ORGANIZER)  # wb_bob (jpy), wb_free
FIN = Actor("fin@example.org", FINANCE)
LIVE_KEY = "sk_live_local_console"
FEBRUARY = analytics.RevenueFilter(start=date(2026, 2, 1), end=date(2026, 2, 28))


def _at(month: int, day: int) -> int:
    return int(datetime(2026, month, day, 12, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def shop(fresh_servers, tmp_path_factory):
    """Payments from January to March 2026 in test mode, one in live mode, synced."""
    with module_world(fresh_servers, tmp_path_factory.mktemp("analytics")) as local:
        local.config("account", country="US", default_currency="usd")
        _catalog()
        client = local.client()
        pay(client, "wb_ann", 4900, "usd", at=_at(1, 5), email="a@example.org", name="Ada")
        bea = pay(client, "wb_ann", 4900, "usd", at=_at(1, 20), email="b@example.org", name="Bea")
        refund(client, bea.id, amount=1000, at=_at(1, 25))
        # Ada again: a second payment, not a second registrant.
        pay(client, "wb_ann", 4900, "usd", at=_at(2, 10), email="A@example.org", name="Ada")
        pay(client, "wb_ann_eur", 2900, "eur", at=_at(2, 12), email="c@example.org", name="Cy")
        dee = pay(client, "wb_bob", 5000, "jpy", at=_at(2, 15), email="d@example.org", name="Dee")
        refund(client, dee.id, at=_at(2, 16))
        pay(
            client,
            "wb_bob",
            5000,
            "jpy",
            card="pm_card_createDispute",
            at=_at(2, 18),
            email="f@example.org",
            name="Fay",
        )
        pay(client, "wb_ghost", 2000, "usd", at=_at(3, 3), email="e@example.org", name="Eve")
        sync.run_sync()
        live = StripeLocal(local.base_url, LIVE_KEY)
        pay(live.client(), "wb_bob", 7000, "jpy", at=_at(2, 20), email="l@example.org")
        sync.run_sync(settings=StripeSettings(LIVE_KEY, local.base_url))
        yield local


def _catalog() -> None:
    with db.connect(write=True) as con:
        save_webinars(
            con,
            [
                Webinar(
                    "wb_ann", "Fees 101", "Ann@Example.org", price_amount=4900, price_currency="usd"
                ),
                Webinar(
                    "wb_ann_eur",
                    "Atelier",
                    "ann@example.org",
                    price_amount=2900,
                    price_currency="eur",
                ),
                Webinar(
                    "wb_bob", "Tokyo", "bob@example.org", price_amount=5000, price_currency="jpy"
                ),
                Webinar("wb_free", "Open hour", "bob@example.org"),
            ],
        )
        save_registrations(
            con,
            [
                Registration(
                    f"reg_{status}",
                    "wb_free",
                    f"Guest {status}",
                    f"{status}@example.org",
                    status,
                    None,
                    datetime(2026, 2, 1, 9, tzinfo=UTC),
                )
                for status in ("registered", "cancelled")
            ],
        )


def _presented_by_currency(client) -> dict[str, dict]:
    totals: dict[str, dict] = defaultdict(lambda: {"gross": 0, "refunded": 0, "disputed": 0})
    for (_, currency), figures in stripe_revenue(client).items():
        for name in totals[currency]:
            totals[currency][name] += figures[name]
    return dict(totals)


def _settled_by_currency(client) -> dict[str, dict]:
    totals: dict[str, dict] = defaultdict(lambda: {"fees": 0, "net": 0})
    for figures in stripe_revenue(client).values():
        totals[figures["settlement_currency"]]["fees"] += figures["fees"]
        totals[figures["settlement_currency"]]["net"] += figures["net"]
    return dict(totals)


# --- kpis ----------------------------------------------------------------------------------


def test_presented_kpis_are_per_payment_currency_and_equal_stripe(shop):
    frame = analytics.kpis(ADMIN_ACTOR, False, analytics.RevenueFilter(), "presented")
    got = {
        row["currency"]: {k: row[k] for k in ("gross", "refunded", "disputed")}
        for row in frame.to_dict("records")
    }
    assert got == _presented_by_currency(shop.client())
    assert got["jpy"] == {"gross": 10000, "refunded": 5000, "disputed": 5000}
    # Ada paid twice: a registrant counts once per webinar and currency.
    assert dict(zip(frame["currency"], frame["paid_registrants"], strict=True)) == {
        "eur": 1,
        "jpy": 2,
        "usd": 3,
    }
    assert frame["previous_gross"].isna().all()  # no period, nothing to compare with


def test_settled_kpis_are_per_settlement_currency_and_equal_stripe(shop):
    frame = analytics.kpis(FIN, False, analytics.RevenueFilter(), "settled")
    assert list(frame.columns) == ["currency", "fees", "net", "previous_fees", "previous_net"]
    got = {r["currency"]: {"fees": r["fees"], "net": r["net"]} for r in frame.to_dict("records")}
    assert got == _settled_by_currency(shop.client())
    assert list(got) == ["usd"]  # a US account settles everything in usd


def test_kpis_of_a_period_come_with_the_period_just_before(shop):
    frame = analytics.kpis(ADMIN_ACTOR, False, FEBRUARY, "presented").set_index("currency")
    # February: Ada's second payment; before it (4 to 31 January): Ada's first and Bea's.
    assert frame.loc["usd", "gross"] == 4900 and frame.loc["usd", "refunded"] == 0
    assert frame.loc["usd", "previous_gross"] == 9800
    assert frame.loc["usd", "previous_refunded"] == 1000
    assert frame.loc["usd", "paid_registrants"] == 0  # Ada counted in January already
    assert frame.loc["usd", "previous_paid_registrants"] == 2
    # No eur or jpy money before February: a previous total of zero, not a gap.
    assert frame.loc["eur", "previous_gross"] == 0 and frame.loc["jpy", "previous_gross"] == 0
    assert str(frame["previous_gross"].dtype) == "int64"


def test_the_previous_period_has_the_same_length():
    assert FEBRUARY.previous() == analytics.RevenueFilter(
        start=date(2026, 1, 4), end=date(2026, 1, 31)
    )
    assert analytics.RevenueFilter(start=date(2026, 2, 1)).previous() is None


def test_live_and_test_mode_are_never_mixed(shop):
    live = analytics.kpis(ADMIN_ACTOR, True, analytics.RevenueFilter(), "presented")
    assert live[["currency", "gross", "paid_registrants"]].to_dict("records") == [
        {"currency": "jpy", "gross": 7000, "paid_registrants": 1}
    ]
    test = analytics.kpis(ADMIN_ACTOR, False, analytics.RevenueFilter(), "presented")
    assert test.set_index("currency").loc["jpy", "gross"] == 10000


# --- revenue over time ------------------------------------------------------------------------


def test_revenue_over_time_by_month(shop):
    frame = analytics.revenue_over_time(ADMIN_ACTOR, False, analytics.RevenueFilter(), "month")
    assert list(frame.columns) == ["period", "measure", "currency", "amount"]
    cells = {
        (row.period.strftime("%Y-%m-%d"), row.measure, row.currency): row.amount
        for row in frame.itertuples()
    }
    assert cells[("2026-01-01", "gross", "usd")] == 9800
    assert cells[("2026-01-01", "refunded", "usd")] == 1000
    assert cells[("2026-02-01", "gross", "jpy")] == 10000
    assert cells[("2026-03-01", "gross", "usd")] == 2000
    # Net is per settlement currency: every payment here settles in usd.
    assert {c for (_, measure, c) in cells if measure == "net"} == {"usd"}


@pytest.mark.parametrize("grain", analytics.GRAINS)
def test_every_grain_adds_up_to_the_same_totals(shop, grain):
    frame = analytics.revenue_over_time(ADMIN_ACTOR, False, analytics.RevenueFilter(), grain)
    sums = frame.groupby(["measure", "currency"])["amount"].sum().to_dict()
    presented = _presented_by_currency(shop.client())
    settled = _settled_by_currency(shop.client())
    for currency, figures in presented.items():
        assert sums[("gross", currency)] == figures["gross"]
        assert sums[("refunded", currency)] == figures["refunded"]
    assert sums[("net", "usd")] == settled["usd"]["net"]
    periods = pd.to_datetime(frame["period"])
    if grain == "week":
        assert (periods.dt.day_of_week == 0).all()  # weeks start on Monday
    if grain == "month":
        assert (periods.dt.day == 1).all()
    assert frame.equals(frame.sort_values(["period", "measure", "currency"]))


def test_an_unknown_grain_is_refused(shop):
    with pytest.raises(ValueError, match=r"grain must be one of \('day', 'week', 'month'\)"):
        analytics.revenue_over_time(ADMIN_ACTOR, False, analytics.RevenueFilter(), "year")


def test_the_period_filter_keeps_whole_days(shop):
    one_day = analytics.RevenueFilter(start=date(2026, 2, 12), end=date(2026, 2, 12))
    frame = analytics.revenue_over_time(ADMIN_ACTOR, False, one_day, "day")
    gross = frame[frame["measure"] == "gross"]
    assert gross[["currency", "amount"]].to_dict("records") == [{"currency": "eur", "amount": 2900}]


# --- revenue by webinar ----------------------------------------------------------------------


def test_revenue_rows_are_what_an_admin_sees_by_webinar(shop):
    everything = analytics.RevenueFilter()
    by_webinar = analytics.revenue_by_webinar(ADMIN_ACTOR, False, everything)
    pd.testing.assert_frame_equal(by_webinar, analytics.revenue_rows(False, everything))
    pd.testing.assert_frame_equal(by_webinar, analytics.revenue_rows(False))
    got = {
        (r["webinar_id"], r["currency"]): {
            k: r[k] for k in ("gross", "refunded", "disputed", "fees", "net", "settlement_currency")
        }
        for r in by_webinar.to_dict("records")
    }
    expected = {
        key: {k: v for k, v in figures.items() if k != "paid_registrants"}
        for key, figures in stripe_revenue(shop.client()).items()
    }
    assert got == expected
    titles = dict(zip(by_webinar["webinar_id"], by_webinar["title"], strict=True))
    assert titles["wb_ann"] == "Fees 101" and pd.isna(titles["wb_ghost"])  # not in the catalog


def test_an_organizer_sees_the_rows_of_an_organizer_filter_and_nothing_else(shop):
    everything = analytics.RevenueFilter()
    mine = analytics.revenue_by_webinar(ANN, False, everything)
    assert list(mine["webinar_id"]) == ["wb_ann", "wb_ann_eur"]
    pd.testing.assert_frame_equal(
        mine, analytics.revenue_rows(False, analytics.RevenueFilter(organizer="ANN@example.org"))
    )
    # An organizer's own filter cannot widen the scope to someone else's webinars.
    bobs = analytics.RevenueFilter(organizer="bob@example.org", webinar_ids=("wb_bob",))
    assert analytics.revenue_by_webinar(ANN, False, bobs).empty
    assert analytics.kpis(ANN, False, bobs, "presented").empty
    assert analytics.revenue_over_time(ANN, False, bobs, "day").empty
    over_time = analytics.revenue_over_time(ANN, False, everything, "month")
    assert set(over_time.loc[over_time["measure"] == "gross", "currency"]) == {"eur", "usd"}


def test_finance_and_admins_may_filter_by_organizer(shop):
    bobs = analytics.RevenueFilter(organizer="Bob@Example.org")
    assert list(analytics.revenue_by_webinar(FIN, False, bobs)["webinar_id"]) == ["wb_bob"]


def test_the_currency_filter_matches_payment_or_settlement_currency(shop):
    jpy = analytics.revenue_by_webinar(ADMIN_ACTOR, False, analytics.RevenueFilter(currency="jpy"))
    assert list(jpy["webinar_id"]) == ["wb_bob"]
    # Everything settles in usd on this account: a usd filter keeps every row.
    usd = analytics.revenue_by_webinar(ADMIN_ACTOR, False, analytics.RevenueFilter(currency="usd"))
    assert len(usd) == len(analytics.revenue_rows(False))


def test_the_webinar_filter(shop):
    chosen = analytics.RevenueFilter(webinar_ids=("wb_ann_eur", "wb_bob"))
    assert list(analytics.revenue_by_webinar(FIN, False, chosen)["webinar_id"]) == [
        "wb_ann_eur",
        "wb_bob",
    ]


def test_revenue_needs_a_role(shop):
    nobody = Actor("nobody@example.org", "")
    with pytest.raises(PermissionDenied):
        analytics.kpis(nobody, False, analytics.RevenueFilter(), "presented")
    with pytest.raises(PermissionDenied):
        analytics.revenue_by_webinar(nobody, False, analytics.RevenueFilter())
    with pytest.raises(PermissionDenied):
        analytics.revenue_over_time(nobody, False, analytics.RevenueFilter(), "bad grain")


# --- filter choices --------------------------------------------------------------------------


def test_filter_choices_of_an_admin(shop):
    choices = analytics.filter_choices(ADMIN_ACTOR, False)
    # Ordered by title; a webinar paid for but not in the catalog shows its id.
    assert choices.webinars == {
        "wb_ann_eur": "Atelier",
        "wb_ann": "Fees 101",
        "wb_free": "Open hour",
        "wb_bob": "Tokyo",
        "wb_ghost": "wb_ghost",
    }
    assert list(choices.webinars) == ["wb_ann_eur", "wb_ann", "wb_free", "wb_bob", "wb_ghost"]
    assert choices.organizers == ["ann@example.org", "bob@example.org"]
    assert choices.currencies == ["eur", "jpy", "usd"]
    assert (choices.first_day, choices.last_day) == (date(2026, 1, 5), date(2026, 3, 3))


def test_filter_choices_of_an_organizer_hold_their_own(shop):
    choices = analytics.filter_choices(ANN, False)
    assert choices.webinars == {"wb_ann_eur": "Atelier", "wb_ann": "Fees 101"}
    assert choices.organizers == ["ann@example.org"]
    assert choices.currencies == ["eur", "usd"]


def test_an_organizers_period_is_that_of_their_own_payments(shop):
    choices = analytics.filter_choices(ANN, False)
    days = analytics.revenue_over_time(ANN, False, analytics.RevenueFilter(), "day")["period"]
    assert (pd.Timestamp(choices.first_day), pd.Timestamp(choices.last_day)) == (
        days.min(),
        days.max(),
    )
    assert choices.last_day < date(2026, 3, 3)  # the last payment of all is Bob's


def test_filter_choices_per_mode(shop):
    live = analytics.filter_choices(FIN, True)
    assert live.currencies == ["jpy"]
    assert live.first_day == live.last_day == date(2026, 2, 20)
    with pytest.raises(PermissionDenied):
        analytics.filter_choices(Actor("x@example.org", ""), True)


# --- registrants -----------------------------------------------------------------------------


def test_registrant_rows_of_a_paid_webinar_equal_stripe(shop):
    rows = analytics.registrant_rows(ADMIN_ACTOR, False, "wb_ann")
    ledger = stripe_ledger(shop.client())
    assert len(rows) == 3
    for row in rows.to_dict("records"):
        charge = ledger[row["charge_id"]]
        assert (row["amount_paid"], row["amount_refunded"], row["fee"], row["net"]) == (
            charge["amount_paid"],
            charge["amount_refunded"],
            charge["fee"],
            charge["net"],
        )
        assert (
            row["stripe_link"] == f"https://dashboard.stripe.com/test/payments/{row['charge_id']}"
        )
    assert dict(zip(rows["email"], rows["status"], strict=True)) == {
        "A@example.org": "paid",
        "b@example.org": "partially_refunded",
        "a@example.org": "paid",
    }
    assert analytics.registrant_count(ADMIN_ACTOR, False, "wb_ann") == 3


def test_registrant_statuses_refunded_and_disputed(shop):
    rows = analytics.registrant_rows(FIN, False, "wb_bob").set_index("email")
    assert rows.loc["d@example.org", "status"] == "refunded"
    assert rows.loc["f@example.org", "status"] == "paid"
    assert rows.loc["f@example.org", "dispute_status"] == "needs_response"


def test_registrant_rows_of_a_free_webinar_are_its_seated_registrants(shop):
    rows = analytics.registrant_rows(BOB, False, "wb_free")
    assert rows[["name", "status", "amount_paid"]].to_dict("records") == [
        {"name": "Guest registered", "status": "free", "amount_paid": 0}
    ]


@pytest.mark.parametrize(
    ("search", "emails"),
    [
        ("BEA", {"b@example.org"}),
        ("  a@EXAMPLE ", {"a@example.org", "A@example.org"}),
        ("", {"a@example.org", "A@example.org", "b@example.org"}),
        ("nobody", set()),
    ],
    ids=["name", "email", "nothing typed", "no match"],
)
def test_registrant_search_looks_in_name_email_and_charge_in_any_case(shop, search, emails):
    rows = analytics.registrant_rows(ADMIN_ACTOR, False, "wb_ann", search=search)
    assert set(rows["email"]) == emails


def test_registrant_search_finds_a_charge_id(shop):
    charge_id = analytics.registrant_rows(ADMIN_ACTOR, False, "wb_ann")["charge_id"].iloc[0]
    found = analytics.registrant_rows(ADMIN_ACTOR, False, "wb_ann", search=charge_id.upper())
    assert list(found["charge_id"]) == [charge_id]


def test_registrant_sorts(shop):
    def order(sort: str) -> list[str]:
        return list(analytics.registrant_rows(ADMIN_ACTOR, False, "wb_ann", sort=sort)["email"])

    newest_first = ["A@example.org", "b@example.org", "a@example.org"]
    assert order("paid_at") == newest_first
    assert order("no such column; DROP TABLE webinars") == newest_first  # unknown: default
    assert order("name")[2] == "b@example.org"  # Ada, Ada, Bea
    assert order("status") == ["A@example.org", "a@example.org", "b@example.org"]
    by_amount = analytics.registrant_rows(ADMIN_ACTOR, False, "wb_bob", sort="amount_paid")
    assert list(by_amount["amount_paid"]) == sorted(by_amount["amount_paid"], reverse=True)
    limited = analytics.registrant_rows(ADMIN_ACTOR, False, "wb_ann", limit=2)
    assert list(limited["email"]) == newest_first[:2]


def test_an_organizer_sees_no_registrant_of_another_organizers_webinar(shop):
    assert len(analytics.registrant_rows(ANN, False, "wb_ann")) == 3
    assert analytics.registrant_rows(ANN, False, "wb_bob").empty
    assert analytics.registrant_rows(ANN, False, "wb_free").empty
    assert analytics.registrant_count(ANN, False, "wb_bob") == 0
    # A webinar not in the catalog has no organizer: only admins and finance see it.
    assert analytics.registrant_rows(ANN, False, "wb_ghost").empty
    assert analytics.registrant_count(FIN, False, "wb_ghost") == 1


def test_the_registrants_csv_has_the_columns_a_person_needs(shop):
    rows = analytics.registrant_rows(ADMIN_ACTOR, False, "wb_ann")
    header = analytics.registrants_csv(rows).decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == [
        "Name",
        "E-mail",
        "Currency",
        "Amount paid",
        "Refunded",
        "Refund pending",
        "Settled in",
        "Stripe fee",
        "Net",
        "Status",
        "Dispute",
        "Card",
        "Paid at (UTC)",
        "Stripe charge",
        "Payout",
    ]


def test_the_registrants_csv_is_headed_in_the_language_of_the_page(shop):
    rows = analytics.registrant_rows(ADMIN_ACTOR, False, "wb_ann")
    english = analytics.registrants_csv(rows).decode().splitlines()
    with i18n.speaking("fr"):
        french = analytics.registrants_csv(rows).decode().splitlines()
    # Built on click, outside the page's script: the page passes its language.
    assert analytics.registrants_csv(rows, "fr").decode().splitlines() == french
    assert french[0].split(",")[:4] == ["Nom", "E-mail", "Devise", "Montant payé"]
    assert "Paiement Stripe" in french[0] and "Payé le (UTC)" in french[0]
    assert french[1:] == english[1:]  # the same data: amounts in minor units, Stripe's codes


def test_a_refusal_is_said_in_the_language_of_the_page(shop):
    with i18n.speaking("fr"), pytest.raises(PermissionDenied) as refused:
        analytics.fees_by_month(ANN, False)
    assert str(refused.value) == (
        "ann@example.org (organisateur) ne peut pas faire cela : il faut le rôle "
        "administrateur ou finance. Demandez à un administrateur."
    )


# --- fees -----------------------------------------------------------------------------------


def test_fee_breakdown_adds_up_to_the_fees_by_month(shop):
    monthly = analytics.fees_by_month(ADMIN_ACTOR, False)
    breakdown = analytics.fee_breakdown(FIN, False)
    assert not breakdown.empty
    assert (
        breakdown.groupby("settlement_currency")["amount"].sum().to_dict()
        == monthly.groupby("settlement_currency")["fees"].sum().to_dict()
    )
    assert {"card_payments", "converted_card_payments"} <= set(breakdown["fee_type"])
    assert list(monthly["month"]) == ["2026-01", "2026-02", "2026-03"]
    assert monthly["fees"].sum() == _settled_by_currency(shop.client())["usd"]["fees"]


def test_fees_by_month_gives_the_effective_rate_and_fee_per_payment(shop):
    for row in analytics.fees_by_month(FIN, False).to_dict("records"):
        assert row["effective_rate"] == pytest.approx(row["fees"] / row["gross"])
        # Rounded half up to whole cents.
        assert abs(row["fee_per_registrant"] - row["fees"] / row["charges"]) <= 0.5
        assert isinstance(row["fee_per_registrant"], int)


def test_fees_per_mode(shop):
    live = analytics.fees_by_month(ADMIN_ACTOR, True)
    assert list(live["month"]) == ["2026-02"] and list(live["charges"]) == [1]


@pytest.mark.parametrize("actor", [ANN, BOB], ids=["ann", "bob"])
def test_organizers_see_no_fees(shop, actor):
    with pytest.raises(PermissionDenied, match="it needs the role admin or finance"):
        analytics.fees_by_month(actor, False)
    with pytest.raises(PermissionDenied):
        analytics.fee_breakdown(actor, False)


def test_finance_sees_which_payout_holds_each_payment_and_an_organizer_does_not(shop):
    # Paid in January to March 2026: long since paid out, daily.
    held = analytics.registrant_rows(FIN, False, "wb_ann")["payout_id"]
    assert held.notna().all() and held.str.startswith("po_").all()
    assert analytics.registrant_rows(ANN, False, "wb_ann")["payout_id"].isna().all()
