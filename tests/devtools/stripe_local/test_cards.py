"""console/devtools/stripe_local/cards.py: Stripe's test cards and what each one does
(brand, country, funding, declines, 3D Secure, disputes, refund fates)."""

from __future__ import annotations

import dataclasses

import pytest

from console.devtools.stripe_local import cards

ALL_NUMBERS = sorted(
    set(cards.DECLINES)
    | set(cards.THREE_D_SECURE)
    | set(cards.DISPUTES)
    | {cards.PENDING_REFUND, cards.FAILING_REFUND}
    | set(cards.CARD_COUNTRIES)
    | cards.DEBIT_CARDS
    | cards.PREPAID_CARDS
    | set(cards.TEST_PAYMENT_METHODS.values())
)


def test_every_test_card_number_passes_the_luhn_check():
    assert len(ALL_NUMBERS) > 80
    assert [number for number in ALL_NUMBERS if not cards.luhn_valid(number)] == []


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4242424242424242", True),
        ("4242424242424241", False),  # last digit off by one
        ("378282246310005", True),  # 15 digits (American Express)
        ("30569309025904", True),  # 14 digits (Diners Club)
        ("0", True),
        ("1", False),
    ],
)
def test_luhn_valid(number, valid):
    assert cards.luhn_valid(number) is valid


@pytest.mark.parametrize(
    ("payment_method", "brand"),
    [
        ("pm_card_visa", "visa"),
        ("pm_card_visa_debit", "visa"),
        ("pm_card_mastercard", "mastercard"),
        ("pm_card_mastercard_debit", "mastercard"),
        ("pm_card_mastercard_prepaid", "mastercard"),
        ("pm_card_amex", "amex"),
        ("pm_card_discover", "discover"),
        ("pm_card_diners", "diners"),
        ("pm_card_jcb", "jcb"),
        ("pm_card_unionpay", "unionpay"),
        ("pm_card_ae_mastercard", "mastercard"),
    ],
)
def test_the_test_payment_methods_have_their_brand(payment_method, brand):
    assert cards.brand(cards.TEST_PAYMENT_METHODS[payment_method]) == brand


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("2223003122003222", "mastercard"),  # Stripe's 2-series Mastercard
        ("2720990000000007", "mastercard"),  # top of the 2-series range
        ("371449635398431", "amex"),
        ("341111111111111", "amex"),
        ("6011000990139424", "discover"),
        ("6445644564456445", "discover"),  # 644-649
        ("6500000000000002", "discover"),  # 65
        ("6011981111111113", "discover"),  # Stripe's Discover debit
        ("3566002020360505", "jcb"),
        ("36227206271667", "diners"),  # 14-digit Diners Club
        ("6200000000000047", "unionpay"),  # Stripe's UnionPay debit
        ("9999999999999995", "unknown"),
        ("1234567812345670", "unknown"),
    ],
)
def test_brand_follows_the_card_number_ranges(number, brand):
    assert cards.brand(number) == brand


def test_the_cards_by_country_are_issued_in_their_country():
    by_country = {
        name: number
        for name, number in cards.TEST_PAYMENT_METHODS.items()
        if len(name) == len("pm_card_xx")
    }
    assert len(by_country) > 50
    mismatched = {
        name: cards.country(number)
        for name, number in by_country.items()
        if cards.country(number) != name[-2:].upper()
    }
    assert mismatched == {}


@pytest.mark.parametrize(
    ("number", "country"),
    [
        ("4242424242424242", "US"),  # the cards by brand are US-issued
        ("5555555555554444", "US"),
        ("4000002500000003", "FR"),
        ("4000058260000005", "GB"),
        ("5555558265554449", "GB"),
        ("3530111333300000", "JP"),
        ("4000002500003155", "FR"),  # a 3D Secure card keeps its country
        ("4000008260003178", "GB"),
        ("4000000000000000", "US"),  # not a listed card: US, as Stripe's default
    ],
)
def test_country(number, country):
    assert cards.country(number) == country


@pytest.mark.parametrize(
    ("payment_method", "funding"),
    [
        ("pm_card_visa", "credit"),
        ("pm_card_visa_debit", "debit"),
        ("pm_card_mastercard_debit", "debit"),
        ("pm_card_gb_debit", "debit"),
        ("pm_card_th_debit", "debit"),
        ("pm_card_th_credit", "credit"),
        ("pm_card_mastercard_prepaid", "prepaid"),
        ("pm_card_amex", "credit"),
    ],
)
def test_funding(payment_method, funding):
    assert cards.funding(cards.TEST_PAYMENT_METHODS[payment_method]) == funding


@pytest.mark.parametrize(
    ("payment_method", "code", "decline_code", "message"),
    [
        (
            "pm_card_chargeDeclined",
            "card_declined",
            "generic_decline",
            "Your card was declined.",
        ),
        (
            "pm_card_visa_chargeDeclinedInsufficientFunds",
            "card_declined",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        ("pm_card_chargeDeclinedLostCard", "card_declined", "lost_card", "Your card was declined."),
        (
            "pm_card_visa_chargeDeclinedStolenCard",
            "card_declined",
            "stolen_card",
            "Your card was declined.",
        ),
        (
            "pm_card_chargeDeclinedExpiredCard",
            "expired_card",
            "expired_card",
            "Your card has expired.",
        ),
        (
            "pm_card_chargeDeclinedIncorrectCvc",
            "incorrect_cvc",
            "incorrect_cvc",
            "Your card's security code is incorrect.",
        ),
        (
            "pm_card_chargeDeclinedProcessingError",
            "processing_error",
            "processing_error",
            "An error occurred while processing your card. Try again in a little bit.",
        ),
        (
            "pm_card_visa_chargeDeclinedVelocityLimitExceeded",
            "card_declined",
            "card_velocity_exceeded",
            "Your card was declined for making repeated attempts too frequently or exceeding "
            "its amount limit.",
        ),
        (
            "pm_card_chargeCustomerFail",
            "card_declined",
            "generic_decline",
            "Your card was declined.",
        ),
    ],
)
def test_declining_cards_decline_as_stripe_documents(payment_method, code, decline_code, message):
    decline = cards.DECLINES[cards.TEST_PAYMENT_METHODS[payment_method]]
    assert (decline.code, decline.decline_code, decline.message) == (code, decline_code, message)


def test_the_3d_secure_error_card_is_declined_without_a_challenge():
    assert cards.DECLINES["4000008400001280"] == cards.GENERIC
    assert "4000008400001280" not in cards.THREE_D_SECURE


def test_a_decline_cannot_be_changed():
    with pytest.raises(dataclasses.FrozenInstanceError):
        cards.GENERIC.code = "approved"  # type: ignore[misc]


def test_3d_secure_cards_and_how_they_end_once_authenticated():
    required = cards.TEST_PAYMENT_METHODS["pm_card_authenticationRequired"]
    on_setup = cards.TEST_PAYMENT_METHODS["pm_card_authenticationRequiredOnSetup"]
    then_declined = cards.TEST_PAYMENT_METHODS[
        "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds"
    ]
    assert cards.THREE_D_SECURE[required] is None  # succeeds
    assert cards.THREE_D_SECURE[on_setup] is None
    assert cards.THREE_D_SECURE[then_declined] == cards.INSUFFICIENT_FUNDS
    assert cards.THREE_D_SECURE["4000008400001629"] == cards.GENERIC
    assert "4242424242424242" not in cards.THREE_D_SECURE


@pytest.mark.parametrize(
    ("payment_method", "reason", "inquiry"),
    [
        ("pm_card_createDispute", "fraudulent", False),
        ("pm_card_createDisputeProductNotReceived", "product_not_received", False),
        ("pm_card_createDisputeInquiry", "general", True),
        ("pm_card_createMultipleDisputes", "fraudulent", False),
    ],
)
def test_dispute_cards(payment_method, reason, inquiry):
    assert cards.DISPUTES[cards.TEST_PAYMENT_METHODS[payment_method]] == (reason, inquiry)


def test_refund_cards():
    assert cards.TEST_PAYMENT_METHODS["pm_card_pendingRefund"] == cards.PENDING_REFUND
    assert cards.TEST_PAYMENT_METHODS["pm_card_refundFail"] == cards.FAILING_REFUND
    assert cards.PENDING_REFUND != cards.FAILING_REFUND


def test_each_card_has_at_most_one_outcome():
    """A card declines, asks for 3D Secure, or is disputed: never two of these."""
    declines, challenges, disputes = (
        set(cards.DECLINES),
        set(cards.THREE_D_SECURE),
        set(cards.DISPUTES),
    )
    assert declines & challenges == set()
    assert declines & disputes == set()
    assert challenges & disputes == set()
    refund_cards = {cards.PENDING_REFUND, cards.FAILING_REFUND}
    assert refund_cards & (declines | challenges | disputes) == set()


def test_aliases_of_the_same_card_agree():
    numbers = cards.TEST_PAYMENT_METHODS
    assert numbers["pm_card_chargeDeclined"] == numbers["pm_card_visa_chargeDeclined"]
    assert numbers["pm_card_us"] == numbers["pm_card_visa"] == "4242424242424242"
    assert (
        numbers["pm_card_chargeDeclinedInsufficientFunds"]
        == numbers["pm_card_visa_chargeDeclinedInsufficientFunds"]
    )
