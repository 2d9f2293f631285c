"""Outgoing e-mail: through SMTP when it is configured, else into data/outbox/ as .eml files.

Each message has a key derived from what it is about (a refund, a registration), and is
sent at most once per key: a resumed job or a retried page never mails anyone twice.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

import tenacity

from console.settings import setting
from console.store import db, outbox

SEND_ATTEMPTS = 3


def _outbox() -> Path:
    return db.database_path().parent / "outbox"


def sender() -> str:
    return setting("SMTP_FROM") or "webinars@localhost"


def _deliver(message: EmailMessage, key: str) -> None:
    host = setting("SMTP_HOST")
    if not host:
        outbox = _outbox()
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{key}.eml").write_bytes(bytes(message))
        return
    port = int(setting("SMTP_PORT") or 587)
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        if setting("SMTP_USER"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.login(setting("SMTP_USER") or "", setting("SMTP_PASSWORD") or "")
        smtp.send_message(message)


def _keep_for_retry(message: EmailMessage, key: str) -> None:
    """A message SMTP refused stays in data/outbox/failed/, so an admin can resend it."""
    folder = _outbox() / "failed"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{key}.eml").write_bytes(bytes(message))


def send_once(key: str, message: EmailMessage) -> bool:
    """Send unless a message with this key went out already. False if sending failed: the
    failure is recorded for admins and the caller's change (a refund, a payment) stands."""
    if outbox.was_sent(key):
        return True
    if not message["From"]:
        message["From"] = sender()
    sending = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type((OSError, smtplib.SMTPException)),
        wait=tenacity.wait_incrementing(start=0.2, increment=0.2),
        stop=tenacity.stop_after_attempt(SEND_ATTEMPTS),
        reraise=True,
    )
    error = None
    try:
        sending(_deliver, message, key)
    except (OSError, smtplib.SMTPException) as problem:
        error = f"{problem.__class__.__name__}: {problem}"
        _keep_for_retry(message, key)
    tries = sending.statistics.get("attempt_number", 1)
    status = outbox.FAILED if error else outbox.SENT
    outbox.record_attempt(key, message["To"], message["Subject"], status, error, tries)
    return error is None


def failed_messages() -> list[tuple]:
    return outbox.failed()
