"""console/stripe_local/account.py: the default French account and the /_config/account control."""

from __future__ import annotations

import pytest
import stripe

from tests.devtools.stripe_local.support import fr_account, shape_problems
from tests.stripe_local_fixture import StripeLocal

__all__ = ["fr_account"]


def test_account_is_a_verified_french_account(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    account = client.v1.accounts.retrieve_current()
    assert account.id.startswith("acct_local")
    assert account.business_profile.name == "Webinar Demo Org"
    assert account.settings.dashboard.display_name == "Webinar Demo Org"
    assert account.charges_enabled and account.payouts_enabled and account.details_submitted
    assert (account.country, account.default_currency, account.type) == ("FR", "eur", "standard")
    assert account.requirements.currently_due == []
    assert account.requirements.disabled_reason is None
    assert "livemode" not in account  # an Account has no livemode field
    assert shape_problems(account) == []
    assert client.v1.accounts.retrieve(account.id).id == account.id
    assert client.v1.accounts.retrieve_current().id == account.id  # stable
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.accounts.retrieve("acct_someoneelse")


def test_account_can_be_presented_unverified(fr_account: StripeLocal) -> None:
    unverified = {
        "charges_enabled": False,
        "details_submitted": False,
        "requirements": {
            "currently_due": ["external_account", "individual.id_number"],
            "eventually_due": [],
            "past_due": [],
            "disabled_reason": None,
        },
    }
    fr_account.config("/_config/account", **unverified)
    account = fr_account.client().v1.accounts.retrieve_current()
    assert account.charges_enabled is False
    assert account.requirements.currently_due == ["external_account", "individual.id_number"]
    assert shape_problems(account) == []
    fr_account.config("/_config/account", method="POST")
    assert fr_account.client().v1.accounts.retrieve_current().charges_enabled is True


def test_the_country_sets_the_settlement_currency(fr_account: StripeLocal) -> None:
    account = fr_account.config("/_config/account", country="US")
    assert (account["country"], account["default_currency"]) == ("US", "usd")
    balance = fr_account.client().v1.balance.retrieve()
    assert [b.currency for b in balance.available] == ["usd"]
