"""The e-mails registrants receive about refunds and cancellations."""

from __future__ import annotations

from email.message import EmailMessage

from console.catalog import Webinar
from console.money import format_money

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
