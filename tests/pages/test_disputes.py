"""pages/disputes.py through AppTest, and the deadline banner every page of figures shows:
disputes made at the local Stripe with its dispute test cards (due 7 days after they open,
so a payment backdated 5 days ago is due in 2), then synced."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Webinar
from console.store import db
from console.store.catalog import save_webinars
from console.stripe_api import sync
from tests.pages.support import ADMIN_ACTOR, ANN, FIN, open_app
from tests.pages.test_every_page_in_french import _english_left, _texts, english_to_french  # noqa: F401
from tests.payments import pay

DAY = 86400
BANNER = "a response"  # "1 dispute needs a response", "2 disputes need a response"


def _webinars() -> None:
    with db.connect(write=True) as con:
        save_webinars(
            con,
            [
                Webinar("wb_a", "Fees 101", "ann@example.org", price_amount=4900,
                        price_currency="usd"),
                Webinar("wb_b", "Tokyo", "bob@example.org", price_amount=4900,
                        price_currency="usd"),
            ],
        )  # fmt: skip


def _disputed(client, webinar_id: str, email: str, days_ago: float, card="pm_card_createDispute"):
    """A payment disputed at once, `days_ago` (its evidence is due 7 days after)."""
    at = int(time.time() - days_ago * DAY)
    intent = pay(client, webinar_id, 4900, "usd", card=card, at=at, email=email, name=email)
    [dispute] = client.v1.disputes.list(params={"charge": intent.latest_charge}).data
    return dispute


@pytest.fixture
def disputed(fresh_stripe):
    """Ann's webinar: a dispute due in 2 days, and one lost 40 days ago; Bob's: one due in
    6 days and one won 30 days ago. On a US account, synced. Returns the disputes by name."""
    fresh_stripe.config("account", country="US", default_currency="usd")
    _webinars()
    client = fresh_stripe.client()
    made = {
        "soon": _disputed(client, "wb_a", "soon@example.org", 5),
        "later": _disputed(client, "wb_b", "later@example.org", 1),
        "lost": _disputed(client, "wb_a", "lost@example.org", 40),
        "won": _disputed(client, "wb_b", "won@example.org", 30),
    }
    client.v1.disputes.close(made["lost"].id)
    client.v1.disputes.update(
        made["won"].id,
        params={"evidence": {"uncategorized_text": "winning_evidence"}, "submit": True},
    )
    sync.run_sync()
    return made


def _only(fresh_stripe, days_ago: float) -> None:
    """One dispute on Ann's webinar, opened `days_ago`, synced."""
    fresh_stripe.config("account", country="US", default_currency="usd")
    _webinars()
    _disputed(fresh_stripe.client(), "wb_a", "one@example.org", days_ago)
    sync.run_sync()


def _banner(app: AppTest) -> list[str]:
    return [error.value for error in app.error if BANNER in error.value]


def _links(app: AppTest) -> list[str]:
    return [link.proto.page for link in app.main.get("page_link")]


def test_open_disputes_by_deadline_with_links_to_stripe(disputed):
    app = open_app("pages/disputes.py")
    assert app.title[0].value == "Disputes"
    opened = app.dataframe[0].value
    assert list(opened["email"]) == ["soon@example.org", "later@example.org"]
    row = opened.iloc[0]
    assert (row["amount"], row["reason"], row["status"]) == (
        "$49.00",
        "fraudulent",
        "needs response",
    )
    assert (row["title"], row["webinar_id"], row["urgency"]) == (
        "Fees 101",
        "wb_a",
        "Due within 3 days",
    )
    assert opened.iloc[1]["urgency"] == ""
    soon = disputed["soon"]
    assert row["due_by"].timestamp() == soon.evidence_details.due_by
    assert row["dispute_link"] == f"https://dashboard.stripe.com/test/disputes/{soon.id}"
    columns = json.loads(app.dataframe[0].proto.columns)
    assert columns["dispute_link"]["type_config"]["type"] == "link"
    assert columns["due_by"]["label"] == "Evidence due (UTC)"
    # The row due soon is marked in colour too, the other not.
    styles = app.dataframe[0].proto.arrow_data.styler.styles
    assert "background-color" in styles and "_row0_col0" in styles and "_row1_" not in styles
    # The banner is here too, without a link to the page it is on.
    assert _banner(app) and not _links(app)


def test_closed_disputes_with_their_effect_on_net(disputed):
    app = open_app("pages/disputes.py", FIN)
    totals, history = app.dataframe[1].value, app.dataframe[2].value
    assert totals.to_dict("records") == [
        {
            "settlement_currency": "usd",
            "closed_disputes": 2,
            "won": 1,
            "lost": 1,
            "closed_without_chargeback": 0,
            "fees": "$30.00",
            "net_effect": "-$79.00",
        }
    ]
    assert list(history["email"]) == ["won@example.org", "lost@example.org"]  # latest first
    assert list(history["status"]) == ["won", "lost"]
    assert list(history["net_effect"]) == ["-$15.00", "-$64.00"]  # -fee; -amount - fee
    assert history.iloc[0]["dispute_link"].endswith(f"/test/disputes/{disputed['won'].id}")
    assert app.get("plotly_chart")
    assert [b.proto.label for b in app.get("download_button")] == ["Download CSV"] * 2


def test_an_organizer_sees_their_own_webinars_disputes(disputed):
    app = open_app("pages/disputes.py", ANN)
    assert list(app.dataframe[0].value["email"]) == ["soon@example.org"]
    assert list(app.dataframe[2].value["email"]) == ["lost@example.org"]


def test_no_disputes_is_said(shop):
    app = open_app("pages/disputes.py")
    assert not app.dataframe
    assert "No disputes" in app.info[0].value
    assert not _banner(app)


def test_the_revenue_page_warns_of_a_dispute_due_in_two_days(fresh_stripe):
    _only(fresh_stripe, days_ago=5)
    app = open_app("pages/revenue.py")
    [banner] = _banner(app)
    assert banner.startswith("1 dispute needs a response within 3 days")
    assert _links(app) == ["disputes"]  # the Disputes page, by its url path
    # Ann's webinar: she is warned too; finance as well.
    assert _banner(open_app("pages/revenue.py", ANN))
    for finance_page in ("fees", "payouts", "reconciliation", "sync_status", "disputes"):
        assert _banner(open_app(f"pages/{finance_page}.py", FIN)), finance_page


def test_the_revenue_page_does_not_warn_of_a_dispute_due_in_four_days(fresh_stripe):
    _only(fresh_stripe, days_ago=3)
    app = open_app("pages/revenue.py")
    assert not _banner(app) and not _links(app)
    assert not app.exception


def test_a_late_dispute_is_said_to_be_past_its_deadline(fresh_stripe):
    _only(fresh_stripe, days_ago=8)
    [banner] = _banner(open_app("pages/registrants.py", ADMIN_ACTOR, webinar="wb_a"))
    assert "has passed" in banner


def test_another_organizer_is_not_warned_of_disputes_on_webinars_not_theirs(fresh_stripe):
    from console.services.access import ORGANIZER, Actor

    _only(fresh_stripe, days_ago=5)
    assert not _banner(open_app("pages/revenue.py", Actor("bob@example.org", ORGANIZER)))


def test_the_page_in_french(disputed, english_to_french):  # noqa: F811
    app = open_app("pages/disputes.py", locale="fr")
    assert app.title[0].value == "Litiges"
    assert app.dataframe[0].value.iloc[0]["urgency"] == "Échéance sous 3 jours"
    assert app.dataframe[0].value.iloc[0]["status"] == "en attente de réponse"
    assert app.dataframe[2].value.iloc[1]["net_effect"] == "-64,00\xa0$US"
    texts = _texts(app.main) + _texts(app.sidebar)
    assert _english_left(texts, english_to_french) == []
