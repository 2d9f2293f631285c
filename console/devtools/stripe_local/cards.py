"""Stripe's test cards (https://docs.stripe.com/testing) and what each one does.

Every number below is from that page: cards by brand and by country, declines, disputes,
asynchronous refunds and 3D Secure. `pm_card_*` are Stripe's test PaymentMethod ids; like
Stripe, each use of one makes a new PaymentMethod with that card.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decline:
    code: str
    decline_code: str
    message: str


_DECLINED = "Your card was declined."
GENERIC = Decline("card_declined", "generic_decline", _DECLINED)
INSUFFICIENT_FUNDS = Decline(
    "card_declined", "insufficient_funds", "Your card has insufficient funds."
)

# https://docs.stripe.com/testing#declined-payments
DECLINES = {
    "4000000000000002": GENERIC,
    "4000000000000341": GENERIC,  # attaches to a Customer, then every charge fails
    "4000000000009995": INSUFFICIENT_FUNDS,
    "4000000000009987": Decline("card_declined", "lost_card", _DECLINED),
    "4000000000009979": Decline("card_declined", "stolen_card", _DECLINED),
    "4000000000000069": Decline("expired_card", "expired_card", "Your card has expired."),
    "4000000000000127": Decline(
        "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."
    ),
    "4000000000000119": Decline(
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
    "4000000000006975": Decline(
        "card_declined",
        "card_velocity_exceeded",
        "Your card was declined for making repeated attempts too frequently or exceeding its "
        "amount limit.",
    ),
    # 3DS Required/Error: the 3D Secure lookup fails and the payment is declined.
    "4000008400001280": GENERIC,
}

# https://docs.stripe.com/testing#regulatory-cards: these need 3D Secure on a one-time
# payment; the value is how the payment ends after the customer authenticates.
THREE_D_SECURE: dict[str, Decline | None] = {
    "4000002500003155": None,
    "4000002760003184": None,
    "4000003800000446": None,
    "4000000000003220": None,
    "4000008260003178": INSUFFICIENT_FUNDS,
    "4000008400001629": GENERIC,
}

# https://docs.stripe.com/testing#disputes: the charge succeeds, then is disputed:
# number -> (reason, whether it is an inquiry, which withdraws no funds yet).
DISPUTES = {
    "4000000000000259": ("fraudulent", False),
    "4000000000002685": ("product_not_received", False),
    "4000000000001976": ("general", True),
    "4000000404000079": ("fraudulent", False),  # Stripe disputes it again later: not simulated
}
# 4000000000005423 only draws an early fraud warning (a Radar object, not simulated).

# https://docs.stripe.com/testing#refunds
PENDING_REFUND = "4000000000007726"  # a refund starts pending, then succeeds
FAILING_REFUND = "4000000000005126"  # a refund succeeds, then fails

# https://docs.stripe.com/testing#international-cards (the cards by brand are US-issued).
_COUNTRY_CARDS = {
    "AR": "4000000320000021", "BR": "4000000760000002", "CA": "4000001240000000",
    "CL": "4000001520000001", "CO": "4000001700000003", "CR": "4000001880000005",
    "EC": "4000002180000000", "MX": "4000004840008001", "PA": "4000005910000000",
    "PY": "4000006000000066", "PE": "4000006040000068", "UY": "4000008580000003",
    "AE": "4000007840000001", "AT": "4000000400000008", "BE": "4000000560000004",
    "BG": "4000001000000000", "BY": "4000001120000005", "HR": "4000001910000009",
    "CY": "4000001960000008", "CZ": "4000002030000002", "DK": "4000002080000001",
    "EE": "4000002330000009", "FI": "4000002460000001", "FR": "4000002500000003",
    "DE": "4000002760000016", "GI": "4000002920000005", "GR": "4000003000000030",
    "HU": "4000003480000005", "IE": "4000003720000005", "IT": "4000003800000008",
    "LV": "4000004280000005", "LI": "4000004380000004", "LT": "4000004400000000",
    "LU": "4000004420000006", "MT": "4000004700000007", "NL": "4000005280000002",
    "NO": "4000005780000007", "PL": "4000006160000005", "PT": "4000006200000007",
    "RO": "4000006420000001", "SA": "4000006820000007", "SI": "4000007050000006",
    "SK": "4000007030000001", "ES": "4000007240000007", "SE": "4000007520000008",
    "CH": "4000007560000009", "GB": "4000008260000000", "AU": "4000000360000006",
    "CN": "4000001560000002", "HK": "4000003440000004", "IN": "4000003560000008",
    "JP": "4000003920000003", "MY": "4000004580000002", "NZ": "4000005540000008",
    "SG": "4000007020000003", "TW": "4000001580000008", "TH": "4000007640000003",
}  # fmt: skip
_OTHER_COUNTRY_CARDS = {
    "5200007840000022": "AE",
    "4000058260000005": "GB",
    "5555558265554449": "GB",
    "3530111333300000": "JP",
    "4000057640000008": "TH",
    "4000008260003178": "GB",
    "4000002500003155": "FR",
    "4000002760003184": "DE",
    "4000003800000446": "IT",
    "4000003720000278": "IE",
}
CARD_COUNTRIES = {number: country for country, number in _COUNTRY_CARDS.items()}
CARD_COUNTRIES.update(_OTHER_COUNTRY_CARDS)

DEBIT_CARDS = {
    "4000056655665556", "5200828282828210", "6011981111111113", "6200000000000047",
    "4000058260000005", "4000057640000008",
}  # fmt: skip
PREPAID_CARDS = {"5105105105105100"}

# Stripe's test PaymentMethod ids -> card number (docs.stripe.com/testing, "PaymentMethods").
TEST_PAYMENT_METHODS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_visa_debit": "4000056655665556",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_mastercard_debit": "5200828282828210",
    "pm_card_mastercard_prepaid": "5105105105105100",
    "pm_card_amex": "378282246310005",
    "pm_card_discover": "6011111111111117",
    "pm_card_diners": "3056930009020004",
    "pm_card_jcb": "3566002020360505",
    "pm_card_unionpay": "6200000000000005",
    "pm_card_visa_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_visa_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_visa_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_visa_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_chargeDeclinedProcessingError": "4000000000000119",
    "pm_card_visa_chargeDeclinedVelocityLimitExceeded": "4000000000006975",
    "pm_card_chargeCustomerFail": "4000000000000341",
    "pm_card_createDispute": "4000000000000259",
    "pm_card_createDisputeProductNotReceived": "4000000000002685",
    "pm_card_createDisputeInquiry": "4000000000001976",
    "pm_card_createMultipleDisputes": "4000000404000079",
    "pm_card_pendingRefund": "4000000000007726",
    "pm_card_refundFail": "4000000000005126",
    "pm_card_authenticationRequiredOnSetup": "4000002500003155",
    "pm_card_authenticationRequired": "4000002760003184",
    "pm_card_authenticationRequiredSetupForOffSession": "4000003800000446",
    "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds": "4000008260003178",
    "pm_card_gb_debit": "4000058260000005",
    "pm_card_gb_mastercard": "5555558265554449",
    "pm_card_ae_mastercard": "5200007840000022",
    "pm_card_th_credit": "4000007640000003",
    "pm_card_th_debit": "4000057640000008",
    **{f"pm_card_{country.lower()}": number for country, number in _COUNTRY_CARDS.items()},
    "pm_card_us": "4242424242424242",
}


def brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in ("34", "37"):
        return "amex"
    if number.startswith(("6011", "65")) or "644" <= number[:3] <= "649":
        return "discover"
    if "51" <= number[:2] <= "55" or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if "3528" <= number[:4] <= "3589":
        return "jcb"
    if number[:2] in ("36", "38", "39") or "300" <= number[:3] <= "305":
        return "diners"
    if number.startswith("62"):
        return "unionpay"
    return "unknown"


def luhn_valid(number: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def country(number: str) -> str:
    return CARD_COUNTRIES.get(number, "US")


def funding(number: str) -> str:
    if number in DEBIT_CARDS:
        return "debit"
    return "prepaid" if number in PREPAID_CARDS else "credit"
