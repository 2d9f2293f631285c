"""Registration and the confirmation e-mail, against the local Stripe and a loopback SMTP."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import stripe

from console.domain.catalog import Session, Webinar
from console.formatting import i18n
from console.mail import mailer
from console.services import registration
from console.store import db
from console.store.catalog import save_webinars
from console.stripe_api import sync
from tests.payments import all_objects

POLICY = "Cancellation and refund policy: full refund until 7 days before; none after."
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)


def _webinar(
    webinar_id="wb_open", price=None, currency=None, capacity=None, status="scheduled", starts=SOON
):
    with db.connect(write=True) as con:
        save_webinars(
            con,
            [
                Webinar(
                    webinar_id,
                    "Atelier TVA",
                    "ann@example.org",
                    f"Atelier TVA.\n{POLICY}",
                    capacity,
                    status,
                    price,
                    currency,
                    (Session(starts, 90), Session(starts + timedelta(days=7), 60)),
                    join_url="https://meet.example.org/tva",
                )
            ],
        )


def _status(email: str) -> str:
    with db.connect() as con:
        return con.execute("SELECT status FROM registrants WHERE email = ?", [email]).fetchone()[0]


@pytest.fixture
def local(fresh_stripe, smtp_server):
    return fresh_stripe, smtp_server


def _column(name: str) -> list:
    with db.connect() as con:
        return [row[0] for row in con.execute(f"SELECT {name} FROM registrants").fetchall()]  # noqa: S608


def test_free_registration_is_immediate_and_mails_the_policy_and_an_ics(local):
    _stripe, inbox = local
    _webinar()
    registration.register_free("wb_open", "  Zoé Martin ", "Zoe@Example.org")

    assert _status("zoe@example.org") == "registered"
    [mail] = inbox.messages
    assert mail["To"] == "zoe@example.org"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert POLICY in text and "This webinar is free: nothing was charged." in text
    assert "https://meet.example.org/tva" in text
    [token] = _column("return_token")
    assert f"{registration.return_link(token)}\r\n" in text
    assert POLICY in mail.get_body(preferencelist=("html",)).get_content().replace("&#x27;", "'")
    [attachment] = [part for part in mail.iter_attachments()]
    assert attachment.get_filename() == "webinar.ics"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    events = [event for event in calendar.walk("VEVENT")]
    assert len(events) == 2
    assert events[0].decoded("dtstart") == SOON
    assert str(events[0]["summary"]) == "Atelier TVA (session 1 of 2)"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"status": "cancelled"}, "cancelled: registration is closed"),
        ({"starts": SOON - timedelta(days=30)}, "already taken place"),
        ({"capacity": 1}, "This webinar is full"),
    ],
)
def test_registration_refusals(local, setup, message):
    _webinar(**setup)
    if "capacity" in setup:
        registration.register_free("wb_open", "First", "first@example.org")
    with pytest.raises(registration.RegistrationRefused, match=message):
        registration.register_free("wb_open", "Zoé", "zoe@example.org")


def test_duplicate_email_and_bad_input_are_refused(local):
    _webinar()
    registration.register_free("wb_open", "Zoé", "zoe@example.org")
    with pytest.raises(registration.RegistrationRefused, match="already registered"):
        registration.register_free("wb_open", "Zoé again", "ZOE@example.org")
    with pytest.raises(registration.RegistrationRefused, match="not an e-mail address"):
        registration.register_free("wb_open", "Zoé", "zoe@example")
    with pytest.raises(registration.RegistrationRefused, match="give your name"):
        registration.register_free("wb_open", " ", "x@example.org")


def test_reload_and_double_submit_reuse_one_payment_intent(local):
    stripe_local, inbox = local
    _webinar(price=3900, currency="eur")
    first = registration.start_paid_registration("wb_open", "Zoé", "zoe@example.org")
    again = registration.start_paid_registration("wb_open", "Zoé", "zoe@example.org")
    assert first == again
    client = stripe_local.client()
    assert len(all_objects(client, "payment_intents")) == 1
    intent = all_objects(client, "payment_intents")[0]
    assert intent.metadata.to_dict() == {
        "webinar_id": "wb_open",
        "registrant_email": "zoe@example.org",
        "registrant_name": "Zoé",
        "registrant_id": first.registrant_id,
    }
    assert _status("zoe@example.org") == "pending_payment"
    assert not registration.complete_paid_registration(first.registrant_id, first.payment_intent_id)

    # The browser confirms with the card (here through the API, as Stripe.js would).
    client.v1.payment_intents.confirm(
        first.payment_intent_id, params={"payment_method": "pm_card_visa"}
    )
    assert registration.complete_paid_registration(first.registrant_id, first.payment_intent_id)
    assert registration.complete_paid_registration(first.registrant_id, first.payment_intent_id)
    assert _status("zoe@example.org") == "registered"
    assert len(inbox.messages) == 1  # one confirmation, however often it is checked
    assert "€39.00 (EUR)" in inbox.messages[0].get_body(("plain",)).get_content()
    succeeded = [c for c in all_objects(client, "charges") if c.status == "succeeded"]
    assert len(succeeded) == 1


def test_a_closed_browser_is_settled_by_the_next_sync(local):
    stripe_local, inbox = local
    _webinar(price=3900, currency="eur")
    checkout = registration.start_paid_registration("wb_open", "Zoé", "zoe@example.org")
    stripe_local.client().v1.payment_intents.confirm(
        checkout.payment_intent_id, params={"payment_method": "pm_card_visa"}
    )
    assert _status("zoe@example.org") == "pending_payment"  # the browser never came back

    sync.run_sync()
    assert registration.settle_from_mirror() == 1
    assert _status("zoe@example.org") == "registered" and len(inbox.messages) == 1


def test_a_failed_email_never_undoes_a_payment_and_is_shown_to_admins(local, monkeypatch):
    stripe_local, _inbox = local
    monkeypatch.setenv("SMTP_PORT", "9")  # nothing listens there
    monkeypatch.setattr(mailer, "SEND_ATTEMPTS", 2)
    _webinar(price=3900, currency="eur")
    checkout = registration.start_paid_registration("wb_open", "Zoé", "zoe@example.org")
    stripe_local.client().v1.payment_intents.confirm(
        checkout.payment_intent_id, params={"payment_method": "pm_card_visa"}
    )

    assert registration.complete_paid_registration(
        checkout.registrant_id, checkout.payment_intent_id
    )

    assert _status("zoe@example.org") == "registered"
    [failed] = mailer.failed_messages()
    assert failed[1] == "zoe@example.org" and failed[3] == 2


def test_without_smtp_mail_goes_to_the_outbox(fresh_stripe, tmp_path, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    _webinar()
    registration.register_free("wb_open", "Zoé", "zoe@example.org")
    [eml] = (tmp_path / "outbox").glob("*.eml")
    assert POLICY in eml.read_text()


def test_a_bad_address_is_refused_saying_what_to_fix(local):
    _webinar()
    with pytest.raises(registration.RegistrationRefused) as refused:
        registration.register_free("wb_open", "Zoé", " zoe@example ")
    assert str(refused.value) == (
        "“zoe@example” is not an e-mail address. "
        "The part after the @-sign is not valid. It should have a period."
    )


def test_the_sent_confirmation_escapes_the_name_and_holds_the_policy_when_paid(local):
    stripe_local, inbox = local
    _webinar(price=3900, currency="eur")
    checkout = registration.start_paid_registration("wb_open", "<b>Zoé</b>", "zoe@example.org")
    stripe_local.client().v1.payment_intents.confirm(
        checkout.payment_intent_id, params={"payment_method": "pm_card_visa"}
    )
    assert registration.complete_paid_registration(
        checkout.registrant_id, checkout.payment_intent_id
    )

    [mail] = inbox.messages
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Hello <b>Zoé</b>," in text and POLICY in text
    assert "Hello &lt;b&gt;Zoé&lt;/b&gt;," in html and "<b>Zoé</b>" not in html
    assert POLICY in html and "€39.00 (EUR)" in html
    # The confirmation is the receipt: the card Stripe charged, and no receipt from Stripe.
    assert "Card: Visa ending in 4242" in text
    intent = stripe_local.client().v1.payment_intents.retrieve(checkout.payment_intent_id)
    assert intent.receipt_email is None


def test_the_registrants_language_is_kept_and_their_mail_is_in_it(local):
    _stripe, inbox = local
    _webinar()
    with i18n.speaking("fr"):  # the page's language when the person registered
        registration.register_free("wb_open", "Zoé", "zoe@example.org")

    assert _column("language") == ["fr"]
    [mail] = inbox.messages
    assert mail["Subject"] == "Vous êtes inscrit : Atelier TVA"
    token = _column("return_token")[0]
    shown = registration.confirmation(token)
    assert (shown.name, shown.email, shown.status, shown.receipt) == (
        "Zoé",
        "zoe@example.org",
        "registered",
        None,
    )
    with pytest.raises(registration.RegistrationRefused, match="does not lead to a registration"):
        registration.confirmation("not-a-token")


# --- seats: a payment under way holds one ----------------------------------------------------


def _pay_at_stripe(stripe_local, checkout: registration.Checkout) -> None:
    """What Stripe.js does when the person presses Pay with a good card."""
    stripe_local.client().v1.payment_intents.confirm(
        checkout.payment_intent_id, params={"payment_method": "pm_card_visa"}
    )


def test_two_people_racing_for_the_last_seat_one_pays_the_other_is_told_it_is_full(local):
    stripe_local, _inbox = local
    _webinar(price=3900, currency="eur", capacity=1)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def register(email: str) -> None:
        start.wait()
        try:
            outcomes[email] = registration.start_paid_registration("wb_open", "P", email)
        except registration.RegistrationRefused as refused:
            outcomes[email] = str(refused)

    racers = [threading.Thread(target=register, args=(f"p{n}@example.org",)) for n in (1, 2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()

    checkouts = [o for o in outcomes.values() if isinstance(o, registration.Checkout)]
    assert len(checkouts) == 1
    assert [o for o in outcomes.values() if isinstance(o, str)] == [registration.FULL]
    # The one told "full" never reached Stripe: nobody can pay for a seat that is not there.
    assert len(all_objects(stripe_local.client(), "payment_intents")) == 1
    _pay_at_stripe(stripe_local, checkouts[0])
    assert registration.complete_paid_registration(
        checkouts[0].registrant_id, checkouts[0].payment_intent_id
    )


def test_a_hold_that_runs_out_cancels_the_payment_and_frees_the_seat(local, monkeypatch):
    stripe_local, _inbox = local
    _webinar(price=3900, currency="eur", capacity=1)
    monkeypatch.setattr(registration, "SEAT_HOLD", timedelta(milliseconds=300))
    slow = registration.start_paid_registration("wb_open", "Slow", "slow@example.org")
    with pytest.raises(registration.RegistrationRefused, match="full"):
        registration.start_paid_registration("wb_open", "Next", "next@example.org")

    time.sleep(0.4)
    assert registration.release_expired_holds() == 1

    intent = stripe_local.client().v1.payment_intents.retrieve(slow.payment_intent_id)
    assert (intent.status, intent.cancellation_reason) == ("canceled", "abandoned")
    assert _status("slow@example.org") == "payment_failed"
    with pytest.raises(stripe.InvalidRequestError):  # too late to pay: nothing is charged
        _pay_at_stripe(stripe_local, slow)
    monkeypatch.setattr(registration, "SEAT_HOLD", timedelta(minutes=15))
    nxt = registration.start_paid_registration("wb_open", "Next", "next@example.org")
    assert nxt.payment_intent_id != slow.payment_intent_id
    assert registration.release_expired_holds() == 0  # the new hold lasts


def test_a_payment_made_as_the_hold_ran_out_keeps_its_seat(local, monkeypatch):
    stripe_local, inbox = local
    _webinar(price=3900, currency="eur", capacity=1)
    monkeypatch.setattr(registration, "SEAT_HOLD", timedelta(milliseconds=300))
    late = registration.start_paid_registration("wb_open", "Late", "late@example.org")
    _pay_at_stripe(stripe_local, late)  # paid; the browser closed before telling the console
    time.sleep(0.4)

    assert registration.release_expired_holds() == 1
    assert _status("late@example.org") == "registered"  # Stripe has the money: the seat too
    intent = stripe_local.client().v1.payment_intents.retrieve(late.payment_intent_id)
    assert intent.status == "succeeded"
    assert [m["To"] for m in inbox.messages] == ["late@example.org"]
    with pytest.raises(registration.RegistrationRefused, match="full"):
        registration.start_paid_registration("wb_open", "Next", "next@example.org")


def test_a_reload_during_the_hold_keeps_the_hold_and_the_payment(local):
    stripe_local, _inbox = local
    _webinar(price=3900, currency="eur", capacity=1)
    first = registration.start_paid_registration("wb_open", "Zoé", "zoe@example.org")
    with db.connect() as con:
        [(held_until,)] = con.execute("SELECT seat_held_until FROM registrants").fetchall()
    again = registration.start_paid_registration("wb_open", "Zoé", "zoe@example.org")
    assert again == first
    with db.connect() as con:
        assert con.execute("SELECT seat_held_until FROM registrants").fetchall() == [(held_until,)]
    assert len(all_objects(stripe_local.client(), "payment_intents")) == 1
