"""One rule for e-mail addresses: email-validator's syntax check, trimmed and lower-cased."""

from __future__ import annotations

import pytest

from console.domain.email_address import MISSING, EmailAddressInvalid, normalized_email


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Zoe@Example.ORG ", "zoe@example.org"),
        ("james.wilson+tva@example.co.uk", "james.wilson+tva@example.co.uk"),
        ("Zoé@Exämple.fr", "zoé@exämple.fr"),
        ("finance@webinar-demo.example", "finance@webinar-demo.example"),
    ],
)
def test_good_addresses_are_trimmed_and_lower_cased(typed, stored):
    assert normalized_email(typed) == stored


@pytest.mark.parametrize(
    ("typed", "what_to_fix"),
    [
        ("nobody", "must have an @-sign"),
        ("zoe@example", "It should have a period"),
        ("zoe@@example.org", "invalid characters"),
        ("zoe martin@example.org", "invalid characters before the @-sign"),
        ("zoe..martin@example.org", "two periods in a row"),
        ("Zoé <zoe@example.org>", "display name"),
        ("zoe@example.invalid", "special-use or reserved name"),
    ],
)
def test_bad_addresses_say_what_to_fix(typed, what_to_fix):
    with pytest.raises(EmailAddressInvalid) as refused:
        normalized_email(typed)

    assert str(refused.value).startswith(f"“{typed}” is not an e-mail address. ")
    assert refused.value.message == "“{address}” is not an e-mail address. {reason}"
    assert what_to_fix in refused.value.reason
    assert refused.value.address == typed
    assert isinstance(refused.value, ValueError)  # callers that catch ValueError still do


@pytest.mark.parametrize("typed", ["", "   "])
def test_a_missing_address_asks_for_one(typed):
    with pytest.raises(EmailAddressInvalid, match="An e-mail address is missing. Type one") as no:
        normalized_email(typed)
    # Its words are in the catalog, for the layers that translate it.
    assert (no.value.message, no.value.values) == (
        "An e-mail address is missing. {reason}",
        {"address": "", "reason": MISSING},
    )


def test_no_dns_look_up_is_made(monkeypatch):
    from email_validator import deliverability

    def refuse(*args, **kwargs):
        raise AssertionError("looked up DNS")

    monkeypatch.setattr(deliverability, "validate_email_deliverability", refuse)
    assert normalized_email("ada@no-such-domain-anywhere.example") == (
        "ada@no-such-domain-anywhere.example"
    )
