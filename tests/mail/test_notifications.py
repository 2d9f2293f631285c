"""Registrants' e-mails: the policy verbatim, the receipt, times in the webinar's time zone,
the registrant's language, and an .ics that follows RFC 5545 with the webinar's zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import icalendar
import pytest

from console.domain.catalog import Receipt, Session, Webinar
from console.mail.notifications import (
    cancellation_message,
    confirmation_message,
    refund_message,
)

PAID_AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _receipt(amount: int | None = 4900, currency: str | None = "eur") -> Receipt | None:
    if amount is None:
        return None
    return Receipt(amount, currency, PAID_AT, "visa", "4242")


POLICY = "Cancellation and refund policy: " + "a full refund up to 7 days before; " * 8


def _webinar() -> Webinar:
    return Webinar(
        "wb_1",
        "Facturation électronique, TVA; et le reste",
        "ann@example.org",
        description=POLICY,
        sessions=(
            Session(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), 90),
            Session(datetime(2026, 12, 8, 16, 0, tzinfo=UTC), 60),
        ),
        join_url="https://meet.example.org/wb_1",
    )


def _ics(message) -> bytes:
    [attachment] = list(message.iter_attachments())
    return attachment.get_payload(decode=True)


def test_the_ics_folds_long_lines_and_reads_back_exactly():
    ics = _ics(confirmation_message("ada@example.org", "Ada", _webinar(), _receipt()))

    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))  # RFC 5545, 3.1
    events = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        f"{_webinar().title} (session 1 of 2)",
        f"{_webinar().title} (session 2 of 2)",
    ]
    assert str(events[0]["description"]) == POLICY
    assert events[1]["dtend"].dt == datetime(2026, 12, 8, 17, 0, tzinfo=UTC)


def test_the_confirmation_holds_the_policy_verbatim():
    message = confirmation_message("ada@example.org", "Ada", _webinar(), _receipt())

    assert POLICY in message.get_body(("plain",)).get_content()
    assert "€49.00" in message.get_body(("plain",)).get_content()


def _parts(message) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def test_text_typed_by_people_is_escaped_in_the_html_only():
    webinar = replace(
        _webinar(), title="TVA <i>& co</i>", description="No refund < 48 h before & no-shows."
    )
    message = confirmation_message("ada@example.org", "<b>Ada</b>", webinar, _receipt())
    text, html = _parts(message)

    assert "Hello &lt;b&gt;Ada&lt;/b&gt;," in html and "<b>Ada</b>" not in html
    assert "TVA &lt;i&gt;&amp; co&lt;/i&gt;" in html and "<i>" not in html
    assert "No refund &lt; 48 h before &amp; no-shows." in html
    assert "Hello <b>Ada</b>," in text  # plain text is not HTML: nothing to escape
    assert "“TVA <i>& co</i>”" in text and "No refund < 48 h before & no-shows." in text
    assert message["Subject"] == "You are registered: TVA <i>& co</i>"


@pytest.mark.parametrize("join_url", ["https://meet.example.org/wb_1", None])
@pytest.mark.parametrize(("amount", "currency"), [(4900, "eur"), (5000, "jpy"), (None, None)])
def test_every_confirmation_holds_the_policy_in_both_parts(join_url, amount, currency):
    webinar = replace(_webinar(), join_url=join_url)
    message = confirmation_message("ada@example.org", "Ada", webinar, _receipt(amount, currency))
    text, html = _parts(message)

    assert POLICY in text and POLICY in html
    assert "Tuesday, December 1, 2026, 16:00 (UTC), 90 minutes" in text
    assert "<li>Tuesday, December 8, 2026, 16:00 (UTC), 60 minutes</li>" in html
    if amount is None:
        assert "This webinar is free: nothing was charged." in text
        assert "Amount paid" not in text + html
    else:
        paid = "€49.00 (EUR)" if currency == "eur" else "¥5,000 (JPY)"
        receipt = (
            f"Amount paid: {paid}\nCard: Visa ending in 4242\nDate: November 20, 2026\n"
            "Paid to: ann@example.org\n"
        )
        assert receipt in text
        assert f"Amount paid: {paid}<br>" in html and "Card: Visa ending in 4242<br>" in html
    join = join_url or "the organizer sends the join link before the first session"
    assert f"Join: {join}\n" in text and f"<p>Join: {join}</p>" in html


def test_refund_and_cancellation_mails_read_as_before():
    webinar = _webinar()
    refund = refund_message("ada@example.org", None, webinar, 4900, "eur", cancelled=True)
    assert refund["Subject"] == f"Cancelled: {webinar.title} — refund of €49.00"
    assert refund.get_content() == (
        "Hello ,\n\n"
        "Your registration is cancelled and we have refunded €49.00 (EUR) to the card you paid "
        f"with for “{webinar.title}”.\n"
        "The money should appear on your statement within 5 to 10 business days, depending on "
        "your bank.\n\n"
        f"The webinar's cancellation and refund policy:\n\n{POLICY}\n"
    )
    cancelled = cancellation_message("ada@example.org", "Ada", webinar, "speaker ill", paid=False)
    assert cancelled["Subject"] == f"Cancelled: {webinar.title}"
    assert cancelled.get_content() == (
        f"Hello Ada,\n\nYour registration for “{webinar.title}” is cancelled: speaker ill\n"
        "The webinar was free: there is nothing to refund.\n\n"
        f"The webinar's cancellation and refund policy:\n\n{POLICY}\n"
    )
    no_reason = cancellation_message("ada@example.org", "Ada", webinar, None, paid=True)
    assert "is cancelled.\nNo refund was issued with this cancellation.\n\n" in (
        no_reason.get_content()
    )


PARIS = replace(
    _webinar(),
    time_zone="Europe/Paris",
    sessions=(
        # 10:00 in Paris on the Saturday before the clocks go back (CEST, UTC+2), and on
        # the Sunday they do (CET, UTC+1): 08:00 and 09:00 UTC.
        Session(datetime(2026, 10, 24, 8, 0, tzinfo=UTC), 60),
        Session(datetime(2026, 10, 25, 9, 0, tzinfo=UTC), 60),
    ),
)


def test_times_are_the_webinars_local_time_across_the_clock_change():
    text, _html = _parts(confirmation_message("ada@example.org", "Ada", PARIS, _receipt()))

    assert "- Saturday, October 24, 2026, 10:00 (Europe/Paris), 60 minutes" in text
    assert "- Sunday, October 25, 2026, 10:00 (Europe/Paris), 60 minutes" in text


def test_the_ics_carries_the_webinars_zone_and_reads_back_to_the_same_instants():
    ics = _ics(confirmation_message("ada@example.org", "Ada", PARIS, _receipt()))
    calendar = icalendar.Calendar.from_ical(ics)

    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Paris"
    events = calendar.walk("VEVENT")
    assert [e["dtstart"].params["TZID"] for e in events] == ["Europe/Paris"] * 2
    assert [e["dtstart"].dt.hour for e in events] == [10, 10]  # wall time in Paris
    assert [e["dtstart"].dt.astimezone(UTC) for e in events] == [
        s.starts_at for s in PARIS.sessions
    ]


def test_the_registrants_language_writes_the_whole_message():
    message = confirmation_message(
        "ada@example.org", "Ada", PARIS, _receipt(), language="fr", return_url="https://x/?r=1"
    )
    text, html = _parts(message)

    assert message["Subject"] == f"Vous êtes inscrit : {PARIS.title}"
    assert text.startswith("Bonjour Ada,\n\nVous êtes inscrit à « ")
    assert "- dimanche 25 octobre 2026, 10:00 (Europe/Paris), 60 minutes" in text
    assert "Montant payé : 49,00\u00a0€ (EUR)" in text
    assert "Carte : Visa se terminant par 4242" in text
    assert "Date : 20 novembre 2026" in text
    assert "https://x/?r=1" in text and 'href="https://x/?r=1"' in html
    events = icalendar.Calendar.from_ical(_ics(message)).walk("VEVENT")
    assert str(events[0]["summary"]) == f"{PARIS.title} (session 1 sur 2)"
    refund = refund_message("ada@example.org", "Ada", PARIS, 4900, "eur", True, language="fr")
    assert refund["Subject"] == f"Annulé : {PARIS.title} — remboursement de 49,00\u00a0€"
    assert "5 à 10 jours ouvrés" in refund.get_content()
    cancelled = cancellation_message("ada@example.org", "Ada", PARIS, None, True, language="fr")
    assert "Aucun remboursement n'a été émis avec cette annulation." in cancelled.get_content()
