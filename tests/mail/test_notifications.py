"""Registrants' e-mails: the policy verbatim, and an .ics that follows RFC 5545."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import icalendar
import pytest

from console.domain.catalog import Session, Webinar
from console.mail.notifications import (
    cancellation_message,
    confirmation_message,
    refund_message,
)

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
    ics = _ics(confirmation_message("ada@example.org", "Ada", _webinar(), 4900, "eur"))

    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))  # RFC 5545, 3.1
    events = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [_webinar().title] * 2
    assert str(events[0]["description"]) == POLICY
    assert events[1]["dtend"].dt == datetime(2026, 12, 8, 17, 0, tzinfo=UTC)


def test_the_confirmation_holds_the_policy_verbatim():
    message = confirmation_message("ada@example.org", "Ada", _webinar(), 4900, "eur")

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
    message = confirmation_message("ada@example.org", "<b>Ada</b>", webinar, 4900, "eur")
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
    text, html = _parts(confirmation_message("ada@example.org", "Ada", webinar, amount, currency))

    assert POLICY in text and POLICY in html
    assert "Tuesday 01 December 2026, 16:00 UTC (90 min)" in text
    assert "<li>Tuesday 08 December 2026, 16:00 UTC (60 min)</li>" in html
    paid = "Free" if amount is None else ("€49.00 (EUR)" if currency == "eur" else "¥5,000 (JPY)")
    assert f"Amount paid: {paid}\n" in text and f"<p>Amount paid: {paid}</p>" in html
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
