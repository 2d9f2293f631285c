"""The e-mails registrants receive: confirmation, refund, cancellation (bodies in templates/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import icalendar
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from console.domain.catalog import Webinar
from console.domain.money import format_money

# Card refunds reach the card in 5 to 10 business days (Stripe's documentation).
REFUND_ARRIVAL = "5 to 10 business days"

# Autoescape in .html only: names, titles and policies are typed by people.
_templates = Environment(
    loader=PackageLoader("console.mail", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _render(template: str, **context: object) -> str:
    return _templates.get_template(template).render(**context)


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
    message.set_content(
        _render(
            "refund.txt",
            name=name or "",
            webinar=webinar,
            money=money,
            currency=currency.upper(),
            cancelled=cancelled,
            refund_arrival=REFUND_ARRIVAL,
        )
    )
    return message


def cancellation_message(
    to: str, name: str | None, webinar: Webinar, reason: str | None, paid: bool
) -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = f"Cancelled: {webinar.title}"
    message.set_content(
        _render("cancellation.txt", name=name or "", webinar=webinar, reason=reason, paid=paid)
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
    context = {"name": name, "webinar": webinar, "sessions": sessions, "join": join, "paid": paid}
    message.set_content(_render("confirmation.txt", **context))
    message.add_alternative(_render("confirmation.html", **context), subtype="html")
    message.add_attachment(
        _ics(webinar),
        maintype="text",
        subtype="calendar",
        filename="webinar.ics",
        params={"method": "PUBLISH"},
    )
    return message
