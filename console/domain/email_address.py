"""What counts as an e-mail address, decided in one place by email-validator."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


class EmailAddressInvalid(ValueError):
    """An address that cannot be used, with a sentence that says what to fix."""

    def __init__(self, address: str, reason: str):
        if address:
            super().__init__(f"“{address}” is not an e-mail address. {reason}")
        else:
            super().__init__(f"An e-mail address is missing. {reason}")
        self.address = address
        self.reason = reason


def normalized_email(text: str) -> str:
    """The address as the console stores it (trimmed, lower-cased), or EmailAddressInvalid.

    Syntax only: no DNS look-up (check_deliverability=False), as the console may run offline.
    The whole address is lower-cased because registrant ids and look-ups compare it so.
    """
    address = (text or "").strip()
    if not address:
        raise EmailAddressInvalid("", "Type one, like name@example.org.")
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError as invalid:
        raise EmailAddressInvalid(address, str(invalid)) from None
    return checked.normalized.lower()
