"""console/ui/refund_panel.py through AppTest, against one synced local Stripe (the default
French account, eur): choose a payment, review what the refund does, confirm or go back;
what Stripe refuses is said on the page. Each flow works on a payment of its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Registration, Webinar
from console.services import analytics, audit
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor
from console.store import db, refund_requests
from console.store.catalog import save_registrations, save_webinars
from console.stripe_api import sync
from tests.payments import all_objects, pay, refund
from tests.services.refunds.support import left_open
from tests.stripe_local_fixture import StripeLocal
from tests.ui.support import run_piece
from tests.worlds import module_world

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
BOB = Actor("bob@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)
PEOPLE = ("Ada", "Bea", "Cy", "Dee", "Eve", "Fay")


@pytest.fixture(scope="module")
def shop(fresh_servers, tmp_path_factory):
    """wb_p (Ann's, €49): a payment per person; Eve's refunded in full, Fay's disputed.
    wb_free (Ann's, free): two registrants."""
    with module_world(
        fresh_servers, tmp_path_factory.mktemp("refunds"), unset=("SMTP_HOST",)
    ) as local:
        with db.connect(write=True) as con:
            save_webinars(
                con,
                [
                    Webinar(
                        "wb_p",
                        "Paid",
                        "ann@example.org",
                        price_amount=4900,
                        price_currency="eur",
                    ),
                    Webinar("wb_free", "Free", "ann@example.org"),
                ],
            )
            save_registrations(
                con,
                [
                    Registration(
                        f"reg_{name}",
                        "wb_free",
                        name,
                        f"{name}@example.org",
                        "registered",
                        None,
                        datetime.now(UTC),
                    )
                    for name in ("zed", "yan")
                ],
            )
        client = local.client()
        charges = {}
        for name in PEOPLE:
            card = "pm_card_createDispute" if name == "Fay" else "pm_card_fr"
            intent = pay(
                client,
                "wb_p",
                4900,
                "eur",
                card=card,
                email=f"{name.lower()}@example.org",
                name=name,
            )
            charges[name] = intent.latest_charge
            if name == "Eve":
                refund(client, intent.id)
        sync.run_sync()
        yield local, charges


def refund_page(actor, reader, webinar_id: str) -> None:
    import streamlit as st

    from console.services import analytics
    from console.ui.refund_panel import refund_panel

    if message := st.session_state.pop("refund_flash", None):
        st.success(message)
    refund_panel(actor, analytics.registrant_rows(reader, False, webinar_id), "en")


def _page(actor: Actor = ANN, reader: Actor = ADMIN_ACTOR, webinar_id: str = "wb_p") -> AppTest:
    app = AppTest.from_function(refund_page, args=(actor, reader, webinar_id), default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


def _choose(app: AppTest, charge_id: str, amount: str | None = None) -> AppTest:
    app.selectbox(key="refund_charge").set_value(charge_id)
    if amount is not None:
        app.radio(key="refund_kind").set_value("partial").run()
        app.text_input(key="refund_amount").input(amount)
    return app.button(key="review_refund").click().run()


def _plan_shown(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith("**Refund ")]


def _refunds_of(local: StripeLocal, charge_id: str) -> list:
    return [r for r in all_objects(local.client(), "refunds") if r.charge == charge_id]


def test_the_panel_offers_every_payment_with_something_left_to_refund(shop):
    _, charges = shop
    app = _page()
    assert app.subheader[0].value == "Refund a payment"
    choice = app.selectbox(key="refund_charge")
    labels = choice.options
    assert "Cy · cy@example.org · €49.00" in labels
    assert "Fay · fay@example.org · €49.00 · dispute needs response" in labels
    assert not [label for label in labels if label.startswith("Eve")]  # refunded in full
    assert [r.label for r in app.radio] == ["Amount"]
    assert app.radio(key="refund_kind").options == ["Everything still refundable", "Part of it"]
    reason = app.selectbox(key="refund_reason")
    assert reason.options == [
        "No reason given",
        "Requested by the customer",
        "Duplicate payment",
        "Fraudulent payment",
    ]
    assert reason.value == "none"  # the choice is Stripe's code for it
    # The choice is the payment itself (its charge), shown by who paid what.
    assert choice.value in {charges[name] for name in PEOPLE if name != "Eve"}


def test_nothing_is_shown_when_nothing_can_be_refunded(shop):
    app = _page(webinar_id="wb_free")  # free registrations: no payment to refund
    assert not app.subheader and not app.selectbox and not app.button


def test_review_then_confirm_refunds_everything_once(shop):
    local, charges = shop
    app = _choose(_page(), charges["Ada"])
    app.selectbox(key="refund_reason").set_value("requested_by_customer")
    app.text_input(key="refund_note").input("asked by phone")
    app.run()
    [plan] = _plan_shown(app)
    assert plan.startswith("**Refund €49.00 of €49.00 to Ada. Stripe keeps its fee of €")
    assert _refunds_of(local, charges["Ada"]) == []  # nothing happens on review

    app.button(key="confirm_refund").click().run()

    [made] = _refunds_of(local, charges["Ada"])
    assert made.amount == 4900 and made.reason == "requested_by_customer"
    assert [s.value for s in app.success] == [
        f"Refund succeeded: €49.00 (Stripe refund {made.id})."
    ]
    assert not _plan_shown(app) and "refund_plan" not in app.session_state
    assert not [o for o in app.selectbox(key="refund_charge").options if o.startswith("Ada")]
    [entry] = audit.search(ADMIN_ACTOR, action="refund", who="ann").to_dict("records")
    assert entry["stripe_id"] == made.id and entry["reason"] == "requested_by_customer"


def test_a_partial_refund_above_what_is_left_is_refused_on_the_page(shop):
    local, charges = shop
    app = _choose(_page(), charges["Bea"], amount="60")
    assert [e.value for e in app.error] == [
        "At most €49.00 can still be refunded (€0.00 of €49.00 was refunded already). "
        "Lower the amount."
    ]
    assert not _plan_shown(app)

    app.text_input(key="refund_amount").input("10,50")
    app.button(key="review_refund").click().run()
    [plan] = _plan_shown(app)
    assert plan.startswith("**Refund €10.50 of €49.00 to Bea.")
    app.button(key="confirm_refund").click().run()
    assert [r.amount for r in _refunds_of(local, charges["Bea"])] == [1050]
    assert app.success[0].value.startswith("Refund succeeded: €10.50")


def test_back_forgets_the_plan_and_refunds_nothing(shop):
    local, charges = shop
    app = _choose(_page(), charges["Cy"])
    assert _plan_shown(app)
    app.button(key="cancel_refund").click().run()
    assert not _plan_shown(app) and "refund_plan" not in app.session_state
    assert _refunds_of(local, charges["Cy"]) == []


def test_a_plan_is_shown_only_for_the_payment_it_was_made_for(shop):
    _, charges = shop
    app = _choose(_page(), charges["Cy"])
    assert _plan_shown(app) and "confirm_refund" in [button.key for button in app.button]
    app.selectbox(key="refund_charge").set_value(charges["Dee"]).run()
    assert not _plan_shown(app)
    assert "confirm_refund" not in [button.key for button in app.button]


def test_a_disputed_payment_is_refused_with_the_reason(shop):
    local, charges = shop
    app = _choose(_page(), charges["Fay"])
    [error] = [e.value for e in app.error]
    assert "dispute" in error
    assert not _plan_shown(app)
    assert _refunds_of(local, charges["Fay"]) == []


def test_an_organizer_cannot_refund_another_organizers_payment(shop):
    local, charges = shop
    app = _choose(_page(actor=BOB), charges["Dee"])
    assert [e.value for e in app.error] == ["bob@example.org may manage only their own webinars."]
    assert not _plan_shown(app)
    assert _refunds_of(local, charges["Dee"]) == []


# --- cancelling without a refund ------------------------------------------------------------


def cancel_page(actor, webinar_id: str) -> None:
    from console.services import analytics
    from console.services.access import ADMIN, Actor
    from console.ui.refund_panel import cancel_without_refund_panel

    rows = analytics.registrant_rows(Actor("admin@example.org", ADMIN), False, webinar_id)
    cancel_without_refund_panel(actor, webinar_id, rows)


def _cancel_page(actor: Actor = ANN) -> AppTest:
    app = AppTest.from_function(cancel_page, args=(actor, "wb_free"), default_timeout=60).run()
    assert not app.exception, app.exception
    return app


def test_cancel_without_a_refund_needs_a_reason_then_tells_the_registrant(shop):
    app = _cancel_page()
    assert app.expander[0].label == "Cancel a registration without a refund"
    assert app.selectbox(key="cancel_email").options == ["yan@example.org", "zed@example.org"]
    app.selectbox(key="cancel_email").set_value("zed@example.org")
    app.button(key="cancel_registration").click().run()
    assert [e.value for e in app.error] == [
        "Give the reason for the cancellation: the registrant reads it."
    ]

    app.text_input(key="cancel_reason").input("double booking")
    app.button(key="cancel_registration").click().run()
    assert [s.value for s in app.success] == ["zed@example.org is cancelled and has been told."]
    assert list(analytics.registrant_rows(ADMIN_ACTOR, False, "wb_free")["email"]) == [
        "yan@example.org"
    ]
    outbox = db.database_path().parent / "outbox"
    assert "double booking" in next(outbox.glob("cancel-wb_free-*.eml")).read_text()


def test_cancel_without_a_refund_by_someone_else_is_refused(shop):
    app = _cancel_page(actor=BOB)
    app.selectbox(key="cancel_email").set_value("yan@example.org")
    app.text_input(key="cancel_reason").input("no reason")
    app.button(key="cancel_registration").click().run()
    assert [e.value for e in app.error] == ["bob@example.org may manage only their own webinars."]
    assert "yan@example.org" in set(
        analytics.registrant_rows(ADMIN_ACTOR, False, "wb_free")["email"]
    )


# --- the console's refunds of a webinar ------------------------------------------------------


def requests_page(actor, webinar_id: str) -> None:
    from console.ui.refund_panel import refund_requests_table

    refund_requests_table(actor, webinar_id)


def _request(request_id: str, status: str | None) -> None:
    left_open(request_id, f"ch_{request_id}", amount=100)
    if status is not None:
        with db.connect(write=True) as con:
            refund_requests.record_answer(
                con, request_id, {"id": f"re_{request_id}", "status": status, "amount": 100}
            )


def test_refunds_pending_and_failed_stand_out(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    for request_id, status in (("a", "pending"), ("b", None), ("c", "failed"), ("d", "succeeded")):
        _request(request_id, status)
    app = AppTest.from_function(requests_page, args=(FIN, "wb_r"), default_timeout=60).run()
    assert [w.value for w in app.warning] == [
        "2 refunds pending at Stripe: they count as refunded once they succeed, and are "
        "followed until then."
    ]
    assert [e.value for e in app.error] == [
        "1 refund failed or was canceled: see the reason below."
    ]
    assert app.expander[0].label == "Refunds issued from the console"
    shown = app.dataframe[0].value
    assert sorted(shown["status"]) == ["failed", "pending", "requested", "succeeded"]
    headings = json.loads(app.dataframe[0].proto.columns)
    assert (headings["status"]["label"], headings["requested_at"]["label"]) == (
        "Status",
        "Requested at (UTC)",
    )


def test_the_refunds_issued_read_in_french(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    for request_id, status in (("a", "pending"), ("c", "failed"), ("d", "succeeded")):
        _request(request_id, status)
    app = run_piece(requests_page, FIN, "wb_r", locale="fr")
    assert [w.value for w in app.warning] == [
        "1 remboursement en attente chez Stripe : il compte comme remboursé une fois réussi, "
        "et il est suivi jusque-là."
    ]
    assert app.expander[0].label == "Remboursements émis depuis la console"
    shown = app.dataframe[0].value
    assert sorted(shown["status"]) == ["en attente", "réussi", "échoué"]
    assert json.loads(app.dataframe[0].proto.columns)["amount"]["label"] == "Montant"


def test_no_console_refunds_no_table(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    _request("d", "succeeded")
    app = AppTest.from_function(requests_page, args=(FIN, "wb_other"), default_timeout=60).run()
    assert not app.expander and not app.dataframe and not app.warning
