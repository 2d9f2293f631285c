"""console/services/disputes.py over one synced local Stripe (a US account: usd settles as
it is): open disputes by deadline, the closed ones' effect on net against Stripe's balance
transactions, the deadline window to the second, and who sees which."""

from __future__ import annotations

import time

import pytest

from console.domain.catalog import Webinar
from console.services import disputes
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.settings import StripeSettings
from console.store import db
from console.store.catalog import save_webinars
from console.stripe_api import sync
from tests.payments import listed, pay
from tests.stripe_local_fixture import StripeLocal
from tests.worlds import module_world

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)  # wb_ann
BOB = Actor("bob@example.org", ORGANIZER)  # wb_bob
FIN = Actor("fin@example.org", FINANCE)
LIVE_KEY = "sk_live_local_console"
DAY = 86400
DISPUTE_FEE = 1500  # Stripe's dispute fee on a US account, in usd


def _disputed(client, webinar_id, email, card="pm_card_createDispute", at=None) -> str:
    """A payment the cardholder disputes at once (Stripe's test card); its dispute's id."""
    intent = pay(client, webinar_id, 4900, "usd", card=card, at=at, email=email, name=email)
    [dispute] = client.v1.disputes.list(params={"charge": intent.latest_charge}).data
    return dispute.id


def _answer(client, dispute_id: str, text: str) -> None:
    evidence = {"uncategorized_text": text}
    client.v1.disputes.update(dispute_id, params={"evidence": evidence, "submit": True})


@pytest.fixture(scope="module")
def shop(fresh_servers, tmp_path_factory):
    """Disputes open (due in 2 days, in 6, overdue, under review, unattributed) and closed
    (won, lost, an inquiry closed), in test mode; one in live mode. Returns the ids and the
    moment they were made."""
    with module_world(fresh_servers, tmp_path_factory.mktemp("disputes")) as local:
        local.config("account", country="US", default_currency="usd")
        with db.connect(write=True) as con:
            save_webinars(
                con,
                [
                    Webinar("wb_ann", "Ann's", "Ann@example.org", price_amount=4900,
                            price_currency="usd"),
                    Webinar("wb_bob", "Bob's", "bob@example.org", price_amount=4900,
                            price_currency="usd"),
                ],
            )  # fmt: skip
        client = local.client()
        now = int(time.time())
        ids = {
            # Stripe's test disputes are due 7 days after they open.
            "soon": _disputed(client, "wb_ann", "soon@example.org", at=now - 5 * DAY),
            "later": _disputed(client, "wb_bob", "later@example.org", at=now - DAY),
            "overdue": _disputed(
                client,
                "wb_ann",
                "late@example.org",
                card="pm_card_createDisputeInquiry",
                at=now - 9 * DAY,
            ),
            "review": _disputed(client, "wb_bob", "review@example.org", at=now - 2 * DAY),
            "stray": _disputed(client, None, "stray@example.org", at=now - 3 * DAY),
            "won": _disputed(client, "wb_ann", "won@example.org", at=now - 40 * DAY),
            "lost": _disputed(client, "wb_bob", "lost@example.org", at=now - 40 * DAY),
            "inquiry": _disputed(
                client, "wb_ann", "ask@example.org", card="pm_card_createDisputeInquiry"
            ),
        }
        _answer(client, ids["review"], "the registrant attended")  # under review, undecided
        _answer(client, ids["won"], "winning_evidence")
        client.v1.disputes.close(ids["lost"])
        _answer(client, ids["inquiry"], "winning_evidence")  # an inquiry: closed, no money
        sync.run_sync()
        live = StripeLocal(local.base_url, LIVE_KEY)
        ids["live"] = _disputed(live.client(), "wb_ann", "live@example.org")
        sync.run_sync(settings=StripeSettings(LIVE_KEY, local.base_url))
        yield local, ids, now


def _due_by(dispute_id: str) -> int:
    with db.connect() as con:
        return con.execute(
            "SELECT due_by FROM stripe_disputes WHERE id = ?", [dispute_id]
        ).fetchone()[0]


# --- open disputes --------------------------------------------------------------------------


def test_open_disputes_nearest_deadline_first_with_what_finance_needs(shop):
    _, ids, now = shop
    rows = disputes.open_disputes(FIN, False, now)
    assert list(rows["dispute_id"]) == [
        ids[name] for name in ("overdue", "soon", "stray", "review", "later")
    ]
    row = rows.set_index("dispute_id").loc[ids["soon"]]
    assert (row["status"], row["reason"], row["amount"], row["currency"]) == (
        "needs_response",
        "fraudulent",
        4900,
        "usd",
    )
    assert (row["email"], row["webinar_id"], row["title"]) == (
        "soon@example.org",
        "wb_ann",
        "Ann's",
    )
    assert row["due_by"].timestamp() == _due_by(ids["soon"])
    assert row["dispute_link"] == f"https://dashboard.stripe.com/test/disputes/{ids['soon']}"
    flags = rows.set_index("dispute_id")[["due_soon", "overdue"]].to_dict("index")
    assert flags[ids["soon"]] == {"due_soon": True, "overdue": False}
    assert flags[ids["overdue"]] == {"due_soon": True, "overdue": True}
    assert flags[ids["later"]] == {"due_soon": False, "overdue": False}
    # Under review: the answer is in, so its deadline no longer presses.
    assert rows.set_index("dispute_id").loc[ids["review"], "status"] == "under_review"
    assert flags[ids["review"]] == {"due_soon": False, "overdue": False}
    assert rows.set_index("dispute_id").loc[ids["stray"], "webinar_id"] == "unattributed"
    assert rows.set_index("dispute_id").loc[ids["overdue"], "status"] == "warning_needs_response"


def test_live_mode_shows_live_disputes_with_the_live_dashboard_link(shop):
    _, ids, now = shop
    rows = disputes.open_disputes(ADMIN_ACTOR, True, now)
    assert list(rows["dispute_id"]) == [ids["live"]]
    assert rows["dispute_link"][0] == f"https://dashboard.stripe.com/disputes/{ids['live']}"
    assert disputes.dispute_history(ADMIN_ACTOR, True).empty


# --- closed disputes and their effect on net --------------------------------------------------


def test_history_effect_on_net_is_the_sum_of_the_disputes_balance_transactions(shop):
    local, ids, _ = shop
    history = disputes.dispute_history(ADMIN_ACTOR, False).set_index("dispute_id")
    assert set(history.index) == {ids["won"], ids["lost"], ids["inquiry"]}
    transactions = listed(local.client(), "balance_transactions")
    for name in ("won", "lost", "inquiry"):
        own = [t for t in transactions if t["source"] == ids[name]]
        row = history.loc[ids[name]]
        assert row["net_effect"] == sum(t["net"] for t in own), name
        assert row["fee"] == sum(t["fee"] for t in own), name
        assert row["settlement_currency"] == "usd"
    assert history.loc[ids["lost"], "net_effect"] == -4900 - DISPUTE_FEE
    assert history.loc[ids["won"], "net_effect"] == -DISPUTE_FEE
    assert history.loc[ids["inquiry"], "net_effect"] == 0
    assert list(history["status"].loc[[ids["won"], ids["lost"], ids["inquiry"]]]) == [
        "won",
        "lost",
        "warning_closed",
    ]
    assert history.loc[ids["won"], "dispute_link"].endswith(f"/test/disputes/{ids['won']}")


def test_history_totals_per_settlement_currency(shop):
    totals = disputes.history_totals(FIN, False).to_dict("records")
    assert totals == [
        {
            "settlement_currency": "usd",
            "closed_disputes": 3,
            "won": 1,
            "lost": 1,
            "closed_without_chargeback": 1,
            "fees": 2 * DISPUTE_FEE,
            "net_effect": -4900 - 2 * DISPUTE_FEE,
        }
    ]


def test_net_effect_by_month_of_won_and_lost(shop):
    _, _, now = shop
    month = time.strftime("%Y-%m", time.gmtime(now - 40 * DAY))
    rows = disputes.net_effect_by_month(FIN, False).to_dict("records")
    assert rows == [
        {
            "month": month,
            "settlement_currency": "usd",
            "status": "lost",
            "disputes": 1,
            "net_effect": -4900 - DISPUTE_FEE,
        },
        {
            "month": month,
            "settlement_currency": "usd",
            "status": "won",
            "disputes": 1,
            "net_effect": -DISPUTE_FEE,
        },
    ]


# --- the deadline window, to the second --------------------------------------------------------


def _soon_ids(actor: Actor, now: int) -> dict[str, bool]:
    return dict(
        disputes.due_soon(actor, False, now)[["dispute_id", "overdue"]].itertuples(index=False)
    )


def test_due_soon_at_exactly_three_days_before_the_deadline(shop):
    _, ids, _ = shop
    deadline = _due_by(ids["soon"])
    assert _soon_ids(ADMIN_ACTOR, deadline - 3 * DAY)[ids["soon"]] is False
    assert ids["soon"] not in _soon_ids(ADMIN_ACTOR, deadline - 3 * DAY - 1)
    assert _soon_ids(ADMIN_ACTOR, deadline)[ids["soon"]] is False  # the last second still counts
    assert _soon_ids(ADMIN_ACTOR, deadline + 1)[ids["soon"]] is True  # overdue, still shown


def test_due_soon_holds_only_disputes_that_need_a_response(shop):
    _, ids, now = shop
    soon = _soon_ids(FIN, now)
    assert soon == {ids["overdue"]: True, ids["soon"]: False}
    frame = disputes.due_soon(FIN, False, now)
    assert list(frame["dispute_id"]) == [ids["overdue"], ids["soon"]]  # nearest first
    assert list(frame["due_by"]) == [_due_by(ids["overdue"]), _due_by(ids["soon"])]
    # A week on, the one due in six days is inside the window; the one under review never is.
    later = _soon_ids(FIN, now + 4 * DAY)
    assert set(later) == {ids["overdue"], ids["soon"], ids["later"], ids["stray"]}


# --- who sees which --------------------------------------------------------------------------


def test_an_organizer_sees_the_disputes_of_their_own_webinars_only(shop):
    _, ids, now = shop
    mine = {"soon", "overdue", "won", "inquiry"}
    ann_open = set(disputes.open_disputes(ANN, False, now)["dispute_id"])
    ann_closed = set(disputes.dispute_history(ANN, False)["dispute_id"])
    assert ann_open | ann_closed == {ids[name] for name in mine}
    bob_open = set(disputes.open_disputes(BOB, False, now)["dispute_id"])
    bob_closed = set(disputes.dispute_history(BOB, False)["dispute_id"])
    assert bob_open | bob_closed == {ids[name] for name in ("later", "review", "lost")}
    assert set(_soon_ids(BOB, now)) == set()
    assert set(_soon_ids(ANN, now)) == {ids["soon"], ids["overdue"]}
    assert disputes.history_totals(BOB, False)["net_effect"].tolist() == [-4900 - DISPUTE_FEE]
    assert disputes.net_effect_by_month(ANN, False)["status"].tolist() == ["won"]
    # Nobody's webinar: admins and finance only.
    assert ids["stray"] in set(disputes.open_disputes(ADMIN_ACTOR, False, now)["dispute_id"])


def test_finance_and_admins_see_every_dispute(shop):
    _, ids, now = shop
    test_mode = {ids[name] for name in ids if name != "live"}
    for actor in (ADMIN_ACTOR, FIN):
        seen = set(disputes.open_disputes(actor, False, now)["dispute_id"]) | set(
            disputes.dispute_history(actor, False)["dispute_id"]
        )
        assert seen == test_mode


@pytest.mark.parametrize("role", ["", "auditor"])
def test_any_other_role_is_refused(shop, role):
    stranger = Actor("x@example.org", role)
    for call in (
        lambda: disputes.open_disputes(stranger, False, 0),
        lambda: disputes.due_soon(stranger, False, 0),
        lambda: disputes.dispute_history(stranger, False),
        lambda: disputes.history_totals(stranger, False),
        lambda: disputes.net_effect_by_month(stranger, False),
    ):
        with pytest.raises(PermissionDenied):
            call()
