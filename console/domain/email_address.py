"""What counts as an e-mail address, decided in one place by email-validator."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def N_(message: str) -> str:
    """Marks `message` for the catalog: the domain speaks no language, the layers above
    translate its words (formatting/presentation.py, `refusal_text`)."""
    return message


MISSING = N_("Type one, like name@example.org.")
# email-validator's most common reasons, in the catalog; its rarer ones (which quote the
# characters at fault) are said as UNCLEAR in languages other than English.
VALIDATOR_REASONS = (
    N_("An email address must have an @-sign."),
    N_("There must be something before the @-sign."),
    N_("There must be something after the @-sign."),
    N_("An email address cannot have two periods in a row."),
    N_("An email address cannot have a period and a hyphen next to each other."),
    N_("The email address contains invalid characters before the @-sign."),
    N_("The email address contains an invalid character."),
    N_("The part after the @-sign is not valid. It should have a period."),
    N_("The part after the @-sign is not valid. It is not within a valid top-level domain."),
    N_(
        "The part after the @-sign is a special-use or reserved name that cannot be used "
        "with email."
    ),
    N_("There can't be anything after the email address."),
    N_("A display name and angle brackets around the email address are not permitted here."),
)
UNCLEAR = N_("Check it: an address looks like name@example.org.")


class EmailAddressInvalid(ValueError):
    """An address that cannot be used, with a sentence that says what to fix.

    `message` is its English text with {placeholders} and `values` fill them: the layers
    that speak to people say it in their language (presentation.refusal_text)."""

    def __init__(self, address: str, reason: str):
        if address:
            self.message = N_("“{address}” is not an e-mail address. {reason}")
        else:
            self.message = N_("An e-mail address is missing. {reason}")
        self.address = address
        self.reason = reason
        super().__init__(self.message.format(**self.values))

    @property
    def values(self) -> dict[str, object]:
        return {"address": self.address, "reason": self.reason}


def normalized_email(text: str) -> str:
    """The address as the console stores it (trimmed, lower-cased), or EmailAddressInvalid.

    Syntax only: no DNS look-up (check_deliverability=False), as the console may run offline.
    The whole address is lower-cased because registrant ids and look-ups compare it so.
    """
    address = (text or "").strip()
    if not address:
        raise EmailAddressInvalid("", MISSING)
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError as invalid:
        raise EmailAddressInvalid(address, str(invalid)) from None
    return checked.normalized.lower()
