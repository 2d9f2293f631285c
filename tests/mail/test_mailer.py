"""console/mail/mailer.py: each message goes out at most once per key, through a real SMTP
server on loopback (tests/conftest.py's `smtp_server`, aiosmtpd); a failure is retried,
recorded for admins and kept to resend; without SMTP, messages land in data/outbox/."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import tenacity

from console.mail import mailer
from tests.browser_support import free_port


@pytest.fixture
def database(monkeypatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_FROM", "SMTP_USER", "SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def no_waiting(monkeypatch):
    """Retries at once: the attempts are what is tested here, not the pauses between them."""
    monkeypatch.setattr(mailer.tenacity, "wait_incrementing", lambda **_: tenacity.wait_none())


@pytest.fixture
def inbox(database, no_waiting, smtp_server):
    return smtp_server


def _refuse(inbox, times: int) -> list[int]:
    """The server answers 451 to the next `times` messages; returns the refusal count."""
    accept = inbox.handle_DATA
    refused = [0]

    async def handle_data(server, session, envelope):
        if refused[0] < times:
            refused[0] += 1
            return "451 4.3.0 Mailbox busy, try again later"
        return await accept(server, session, envelope)

    inbox.handle_DATA = handle_data  # aiosmtpd looks the hook up per connection
    return refused


def _message(to: str = "ada@example.org", subject: str = "Your refund") -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Your refund of €49.00 is on its way.")
    return message


def _failed() -> dict[str, tuple]:
    """failed_messages() by key: (recipient, subject, attempts, last_error)."""
    return {row[0]: tuple(row[1:5]) for row in mailer.failed_messages()}


def test_a_message_is_sent_once_per_key(inbox):
    assert mailer.send_once("refund:re_1", _message()) is True
    assert mailer.send_once("refund:re_1", _message()) is True  # already sent: not again
    assert len(inbox.messages) == 1
    received = inbox.messages[0]
    assert (received["To"], received["Subject"]) == ("ada@example.org", "Your refund")
    assert received.get_content().strip() == "Your refund of €49.00 is on its way."


def test_different_keys_are_different_messages(inbox):
    assert mailer.send_once("refund:re_1", _message(subject="One"))
    assert mailer.send_once("refund:re_2", _message(subject="Two"))
    assert [m["Subject"] for m in inbox.messages] == ["One", "Two"]


def test_the_sender_comes_from_smtp_from_unless_the_message_has_one(inbox):
    mailer.send_once("a", _message())
    own = _message()
    own["From"] = "organizer@example.org"
    mailer.send_once("b", own)
    assert [m["From"] for m in inbox.messages] == ["webinars@example.org", "organizer@example.org"]


def test_sender_default(database, monkeypatch):
    assert mailer.sender() == "webinars@localhost"
    monkeypatch.setenv("SMTP_FROM", "team@example.org")
    assert mailer.sender() == "team@example.org"


def test_a_passing_refusal_is_retried(inbox):
    refused = _refuse(inbox, times=1)
    assert mailer.send_once("refund:re_1", _message()) is True
    assert refused == [1]
    assert len(inbox.messages) == 1
    assert _failed() == {}


def test_a_lasting_refusal_is_recorded_and_kept_to_resend(inbox, database):
    refused = _refuse(inbox, times=mailer.SEND_ATTEMPTS)
    assert mailer.send_once("refund:re_1", _message()) is False
    assert refused == [mailer.SEND_ATTEMPTS]
    assert inbox.messages == []

    recipient, subject, attempts, last_error = _failed()["refund:re_1"]
    assert (recipient, subject, attempts) == ("ada@example.org", "Your refund", 3)
    assert last_error.startswith("SMTPDataError: (451, b'4.3.0 Mailbox busy, try again later')")

    kept = database / "outbox" / "failed" / "refund:re_1.eml"
    saved = message_from_bytes(kept.read_bytes(), policy=policy.default)
    assert (saved["To"], saved["Subject"], saved["From"]) == (
        "ada@example.org",
        "Your refund",
        "webinars@example.org",
    )


def test_a_failed_message_goes_out_when_tried_again(inbox):
    _refuse(inbox, times=mailer.SEND_ATTEMPTS)
    assert mailer.send_once("refund:re_1", _message()) is False
    assert mailer.send_once("refund:re_1", _message()) is True  # the server accepts now
    assert len(inbox.messages) == 1
    assert _failed() == {}
    assert mailer.send_once("refund:re_1", _message()) is True
    assert len(inbox.messages) == 1


def test_attempts_add_up_over_tries(inbox):
    _refuse(inbox, times=2 * mailer.SEND_ATTEMPTS)
    mailer.send_once("refund:re_1", _message())
    mailer.send_once("refund:re_1", _message())
    assert _failed()["refund:re_1"][2] == 2 * mailer.SEND_ATTEMPTS


def test_an_unreachable_server_is_a_failure_not_a_crash(database, no_waiting, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nothing listens there
    assert mailer.send_once("confirmation:r_1", _message(subject="Registered")) is False
    recipient, subject, attempts, last_error = _failed()["confirmation:r_1"]
    assert (recipient, subject, attempts) == ("ada@example.org", "Registered", 3)
    assert last_error.startswith("ConnectionRefusedError: ")


def test_failed_messages_are_listed_most_recent_first(inbox):
    _refuse(inbox, times=2 * mailer.SEND_ATTEMPTS)
    mailer.send_once("first", _message())
    mailer.send_once("second", _message())
    assert [row[0] for row in mailer.failed_messages()] == ["second", "first"]


def test_without_smtp_messages_are_written_to_the_outbox(database):
    assert mailer.send_once("refund:re_1", _message()) is True
    written = database / "outbox" / "refund:re_1.eml"
    saved = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert (saved["To"], saved["Subject"], saved["From"]) == (
        "ada@example.org",
        "Your refund",
        "webinars@localhost",
    )
    written.unlink()
    assert mailer.send_once("refund:re_1", _message()) is True
    assert not written.exists()  # sent once already: not written again
