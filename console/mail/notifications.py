"""The e-mails registrants receive about refunds and cancellations."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import icalendar

from console.domain.money import format_money
from console.store.catalog import Webinar

# Card refunds reach the card in 5 to 10 business days (Stripe's documentation).
REFUND_ARRIVAL = "5 to 10 business days"


def refund_message(
    to: str, name: str | None, webinar: Webinar, amount: int, currency: str, cancelled: bool
) -> EmailMessage:
    money = format_money(amount, currency)
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = (
        f"Cancelled: {webinar.title} — refund of {money}"
        if cancelled
        else f"Refund of {money} for {webinar.title}"
    )
    what = "Your registration is cancelled and we" if cancelled else "We"
    message.set_content(
        f"Hello {name or ''},\n\n"
        f"{what} have refunded {money} ({currency.upper()}) to the card you paid with for "
        f"“{webinar.title}”.\n"
        f"The money should appear on your statement within {REFUND_ARRIVAL}, depending on "
        "your bank.\n\n"
        f"The webinar's cancellation and refund policy:\n\n{webinar.description}\n"
    )
    return message


def cancellation_message(
    to: str, name: str | None, webinar: Webinar, reason: str | None, paid: bool
) -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = f"Cancelled: {webinar.title}"
    message.set_content(
        f"Hello {name or ''},\n\n"
        f"Your registration for “{webinar.title}” is cancelled"
        + (f": {reason}" if reason else ".")
        + (
            "\nNo refund was issued with this cancellation.\n\n"
            if paid
            else "\nThe webinar was free: there is nothing to refund.\n\n"
        )
        + f"The webinar's cancellation and refund policy:\n\n{webinar.description}\n"
    )
    return message


def _ics(webinar: Webinar) -> bytes:
    """An iCalendar file with one event per session (RFC 5545, times in UTC; icalendar
    escapes the text and folds long lines)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Webinar payments console//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for number, session in enumerate(webinar.sessions, start=1):
        start = session.starts_at.astimezone(UTC)
        event = icalendar.Event()
        event.add("uid", f"{webinar.webinar_id}-{number}@webinar-console")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=session.duration_minutes))
        event.add("summary", webinar.title)
        event.add("description", webinar.description)
        if webinar.join_url:
            event.add("url", webinar.join_url)
            event.add("location", webinar.join_url)
        calendar.add_component(event)
    return calendar.to_ical()


def confirmation_message(
    to: str, name: str, webinar: Webinar, amount: int | None, currency: str | None
) -> EmailMessage:
    """Title, sessions with the join link, what was paid, the description verbatim (it holds
    the cancellation and refund policy), and the sessions as an .ics attachment."""
    paid = "Free" if amount is None else f"{format_money(amount, currency)} ({currency.upper()})"
    sessions = [
        f"{s.starts_at.astimezone(UTC):%A %d %B %Y, %H:%M} UTC ({s.duration_minutes} min)"
        for s in webinar.sessions
    ]
    join = webinar.join_url or "the organizer sends the join link before the first session"
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = f"You are registered: {webinar.title}"
    message.set_content(
        f"Hello {name},\n\nYou are registered for “{webinar.title}”.\n\n"
        "Sessions:\n"
        + "".join(f"- {line}\n" for line in sessions)
        + f"\nJoin: {join}\n\nAmount paid: {paid}\n\n{webinar.description}\n"
    )
    items = "".join(f"<li>{html.escape(line)}</li>" for line in sessions)
    message.add_alternative(
        f"<p>Hello {html.escape(name)},</p>"
        f"<p>You are registered for <strong>{html.escape(webinar.title)}</strong>.</p>"
        f"<p>Sessions:</p><ul>{items}</ul><p>Join: {html.escape(join)}</p>"
        f"<p>Amount paid: {html.escape(paid)}</p>"
        f'<p style="white-space: pre-wrap">{html.escape(webinar.description)}</p>',
        subtype="html",
    )
    message.add_attachment(
        _ics(webinar),
        maintype="text",
        subtype="calendar",
        filename="webinar.ics",
        params={"method": "PUBLISH"},
    )
    return message
