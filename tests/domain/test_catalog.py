"""console.domain.catalog: the catalog's types and the one definition of "registered"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.domain.catalog import (
    ACTIVE,
    SEATED,
    Registration,
    RegistrationStatus,
    Session,
    Webinar,
)


def test_a_webinar_is_free_until_it_has_an_amount():
    assert Webinar("wb_1", "Intro", "ann@example.org").is_free
    assert not Webinar("wb_1", "Intro", "ann@example.org", price_amount=4900).is_free
    assert not Webinar("wb_1", "Intro", "ann@example.org", price_amount=0).is_free


def test_only_a_registered_registration_holds_a_seat():
    assert SEATED == (RegistrationStatus.REGISTERED,)


def test_a_cancellation_deals_with_registered_and_pending_payments():
    assert set(ACTIVE) == {RegistrationStatus.REGISTERED, RegistrationStatus.PENDING_PAYMENT}
    assert RegistrationStatus.PAYMENT_FAILED not in ACTIVE
    assert RegistrationStatus.CANCELLED not in ACTIVE


def test_statuses_are_the_text_the_database_stores():
    assert RegistrationStatus("pending_payment") is RegistrationStatus.PENDING_PAYMENT
    assert RegistrationStatus.CANCELLED == "cancelled"
    assert [status.value for status in RegistrationStatus] == [
        "registered",
        "pending_payment",
        "payment_failed",
        "cancelled",
    ]


def test_a_new_registration_is_dated_now_in_utc_and_has_no_payment():
    before = datetime.now(UTC)
    registration = Registration("reg_1", "wb_1", "Ada", "ada@example.org", "registered")
    assert registration.payment_intent is None
    assert before <= registration.registered_at <= datetime.now(UTC)
    assert registration.registered_at.tzinfo is not None


def test_types_are_immutable():
    webinar = Webinar(
        "wb_1", "Intro", "ann@example.org", sessions=(Session(datetime(2026, 12, 1), 60),)
    )
    with pytest.raises(AttributeError):
        webinar.title = "Other"  # type: ignore[misc]
    assert webinar.sessions[0].duration_minutes == 60
