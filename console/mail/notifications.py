"""The e-mails registrants receive: confirmation (which is the receipt), refund,
cancellation. Bodies are Jinja2 templates (templates/) whose words come from the gettext
catalog; each e-mail is written in the language the person registered in, and gives times
in the webinar's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import icalendar
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from console.domain.catalog import Receipt, Webinar
from console.domain.money import format_money
from console.formatting import i18n
from console.formatting.dates import day, when
from console.formatting.i18n import N_, _, speaking

# Card refunds reach the card in 5 to 10 business days (Stripe's documentation).
REFUND_ARRIVAL = N_("5 to 10 business days")
# Stripe's names of card brands (payment_method_details.card.brand), as people write them.
CARD_BRANDS = {
    "amex": "American Express",
    "diners": "Diners Club",
    "discover": "Discover",
    "eftpos_au": "eftpos Australia",
    "jcb": "JCB",
    "mastercard": "Mastercard",
    "unionpay": "UnionPay",
    "visa": "Visa",
}

# Autoescape in .html only: names, titles and policies are typed by people.
_templates = Environment(
    loader=PackageLoader("console.mail", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    extensions=["jinja2.ext.i18n"],
)
# Jinja2 calls gettext with the message alone, then fills %(name)s itself.
_templates.install_gettext_callables(i18n._, i18n.plural_gettext, newstyle=True)
_templates.policies["ext.i18n.trimmed"] = True


def _render(template: str, **context: object) -> str:
    return _templates.get_template(template).render(**context)


def refund_message(
    to: str,
    name: str | None,
    webinar: Webinar,
    amount: int,
    currency: str,
    cancelled: bool,
    language: str = i18n.DEFAULT,
) -> EmailMessage:
    with speaking(language) as lang:
        money = format_money(amount, currency, lang)
        message = EmailMessage()
        message["To"] = to
        message["Subject"] = (
            _("Cancelled: {title} — refund of {money}", title=webinar.title, money=money)
            if cancelled
            else _("Refund of {money} for {title}", money=money, title=webinar.title)
        )
        message.set_content(
            _render(
                "refund.txt",
                name=name or "",
                webinar=webinar,
                money=money,
                currency=currency.upper(),
                cancelled=cancelled,
                refund_arrival=_(REFUND_ARRIVAL),
            )
        )
    return message


def cancellation_message(
    to: str,
    name: str | None,
    webinar: Webinar,
    reason: str | None,
    paid: bool,
    language: str = i18n.DEFAULT,
) -> EmailMessage:
    with speaking(language):
        message = EmailMessage()
        message["To"] = to
        message["Subject"] = _("Cancelled: {title}", title=webinar.title)
        message.set_content(
            _render("cancellation.txt", name=name or "", webinar=webinar, reason=reason, paid=paid)
        )
    return message


def calendar_file(webinar: Webinar) -> bytes:
    """An iCalendar file with one event per session (RFC 5545), in the webinar's time zone
    with its VTIMEZONE, so calendars show the right local time across daylight-saving
    changes (icalendar escapes the text and folds long lines). Its words are in the
    language of the work at hand."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Webinar payments console//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    stamp = datetime.now(UTC).replace(microsecond=0)
    zone = ZoneInfo(webinar.time_zone)
    total = len(webinar.sessions)
    for number, session in enumerate(webinar.sessions, start=1):
        start = session.starts_at.astimezone(zone)
        event = icalendar.Event()
        event.add("uid", f"{webinar.webinar_id}-{number}@webinar-console")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=session.duration_minutes))
        event.add("summary", _session_title(webinar.title, number, total))
        event.add("description", webinar.description)
        if webinar.join_url:
            event.add("url", webinar.join_url)
            event.add("location", webinar.join_url)
        calendar.add_component(event)
    if webinar.time_zone != "UTC":
        calendar.add_missing_timezones()
    return calendar.to_ical()


def _session_title(title: str, number: int, total: int) -> str:
    if total == 1:
        return title
    return _("{title} (session {number} of {total})", title=title, number=number, total=total)


def session_lines(webinar: Webinar, lang: str) -> list[str]:
    """Each session in the webinar's time zone: “Sunday, October 25, 2026, 10:00
    (Europe/Paris), 90 minutes”."""
    return [
        _(
            "{when}, {minutes} minutes",
            when=when(s.starts_at, webinar.time_zone, lang),
            minutes=s.duration_minutes,
        )
        for s in webinar.sessions
    ]


def receipt_lines(receipt: Receipt, lang: str) -> list[str]:
    """Amount, card and date of a payment: what a receipt says."""
    lines = [
        _(
            "Amount paid: {money} ({currency})",
            money=format_money(receipt.amount, receipt.currency, lang),
            currency=receipt.currency.upper(),
        )
    ]
    if receipt.card_last4:
        brand = CARD_BRANDS.get(receipt.card_brand or "", (receipt.card_brand or "").title())
        lines.append(_("Card: {brand} ending in {last4}", brand=brand, last4=receipt.card_last4))
    lines.append(_("Date: {date}", date=day(receipt.paid_at, "UTC", lang)))
    return lines


def confirmation_message(
    to: str,
    name: str,
    webinar: Webinar,
    receipt: Receipt | None,
    language: str = i18n.DEFAULT,
    return_url: str | None = None,
) -> EmailMessage:
    """The one message a registration sends: title, sessions in the webinar's time zone,
    the join link, the receipt of the payment (Stripe sends none), the description verbatim
    (it holds the cancellation and refund policy), the link back to the confirmation, and
    the sessions as an .ics attachment. In the registrant's language."""
    with speaking(language) as lang:
        message = EmailMessage()
        message["To"] = to
        message["Subject"] = _("You are registered: {title}", title=webinar.title)
        context = {
            "name": name,
            "webinar": webinar,
            "sessions": session_lines(webinar, lang),
            "join": webinar.join_url
            or _("the organizer sends the join link before the first session"),
            "receipt": receipt_lines(receipt, lang) if receipt else None,
            "organizer": webinar.organizer_email,
            "return_url": return_url,
        }
        message.set_content(_render("confirmation.txt", **context))
        message.add_alternative(_render("confirmation.html", **context), subtype="html")
        message.add_attachment(
            calendar_file(webinar),
            maintype="text",
            subtype="calendar",
            filename="webinar.ics",
            params={"method": "PUBLISH"},
        )
    return message
