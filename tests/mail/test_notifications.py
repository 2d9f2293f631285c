"""Registrants' e-mails: the policy verbatim, and an .ics that follows RFC 5545."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar

from console.mail.notifications import confirmation_message
from console.store.catalog import Session, Webinar

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
