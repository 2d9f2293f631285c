"""console/services/connection.py against the local Stripe: the key's status, a check of
the account it opens (audited, whatever the outcome), and the verification a price needs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from console.formatting import i18n
from console.formatting.i18n import _
from console.services import audit, connection
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor, PermissionDenied
from console.settings import StripeSettings
from console.stripe_api import gateway, sync
from tests.browser_support import free_port
from tests.stripe_local_fixture import API_KEY
from tests.stripe_local_fixture import UNVERIFIED_ACCOUNT as UNVERIFIED

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
FIN = Actor("fin@example.org", FINANCE)


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    for name in ("STRIPE_API_KEY", "STRIPE_API_BASE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def settings(stripe_local, database) -> StripeSettings:
    """The session's local Stripe (its account is read, never changed, here)."""
    return StripeSettings(API_KEY, stripe_local.base_url)


def _checks() -> list[dict]:
    log = audit.search(ADMIN_ACTOR, action="connection check")
    return [json.loads(after) for after in log["after"]]


# --- status ------------------------------------------------------------------------------


def test_status_without_a_key(database):
    status = connection.connection_status(ADMIN_ACTOR, StripeSettings(None, "http://x"))
    assert status == connection.ConnectionStatus(False, "no key", False, None)


def test_status_shows_the_kind_and_last_four_characters_of_the_key_only(database):
    live = connection.connection_status(ADMIN_ACTOR, StripeSettings("rk_live_secret_9876", "x"))
    assert (live.configured, live.livemode, live.key_hint) == (
        True,
        True,
        "live restricted key …9876",
    )
    assert "rk_live_secret" not in live.key_hint
    assert live.last_sync is None  # never synced


def test_status_gives_the_last_successful_sync_of_the_keys_mode(fresh_stripe):
    before = datetime.now(UTC)
    sync.run_sync()
    status = connection.connection_status(ADMIN_ACTOR)
    assert status.key_hint == "test secret key …sole" and not status.livemode
    assert before <= status.last_sync <= datetime.now(UTC)
    live = StripeSettings("sk_live_other", fresh_stripe.base_url)
    assert connection.connection_status(ADMIN_ACTOR, live).last_sync is None


@pytest.mark.parametrize("actor", [ANN, FIN], ids=lambda a: a.role)
def test_only_admins_see_or_check_the_connection(database, actor):
    nowhere = StripeSettings(API_KEY, "http://127.0.0.1:9")  # refused before Stripe is asked
    with pytest.raises(PermissionDenied, match="it needs the role admin"):
        connection.connection_status(actor, nowhere)
    with pytest.raises(PermissionDenied):
        connection.check_connection(actor, nowhere)
    assert _checks() == []


# --- check --------------------------------------------------------------------------------


def test_a_valid_key_opens_the_verified_account_and_the_check_is_audited(settings):
    at_stripe = gateway.retrieve_account(gateway.client(settings))
    account = connection.check_connection(ADMIN_ACTOR, settings)
    assert account.account_id == at_stripe["id"]
    assert account.name == "Webinar Demo Org"
    assert (account.country, account.default_currency) == (
        at_stripe["country"],
        at_stripe["default_currency"],
    )
    assert account.verified and account.currently_due == ()
    assert _checks() == [
        {"key": "test secret key …sole", "account": at_stripe["id"], "verified": True}
    ]


def test_a_wrong_key_is_refused_by_stripe_and_the_failure_audited(stripe_local, database):
    wrong = StripeSettings("sk_bogus_000000000000wxyz", stripe_local.base_url)
    with pytest.raises(gateway.StripeProblem, match="Stripe refused the API key") as refused:
        connection.check_connection(ADMIN_ACTOR, wrong)
    assert "sk_bogus" not in str(refused.value)
    [check] = _checks()
    assert check["key"] == "test secret key …wxyz"
    assert check["error"].startswith("Stripe refused the API key")
    assert "000000000000" not in json.dumps(check)  # only the hint is kept


def test_an_unreachable_stripe_says_so_and_is_audited(database, monkeypatch):
    monkeypatch.setattr(gateway, "MAX_NETWORK_RETRIES", 0)  # no retries to wait for
    nowhere = StripeSettings(API_KEY, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(gateway.StripeProblem, match="Could not reach Stripe") as problem:
        connection.check_connection(ADMIN_ACTOR, nowhere)
    assert problem.value.retryable
    [check] = _checks()
    assert check["error"].startswith("Could not reach Stripe")


def test_no_key_is_not_configured_and_is_audited(database):
    with pytest.raises(gateway.StripeNotConfigured, match="No Stripe key is configured"):
        connection.check_connection(ADMIN_ACTOR, StripeSettings(None, "http://x"))
    [check] = _checks()
    assert check["key"] == "no key" and "No Stripe key" in check["error"]


def test_an_unverified_account_says_what_stripe_still_needs(fresh_stripe):
    fresh_stripe.config("/_config/account", **UNVERIFIED)
    account = connection.check_connection(ADMIN_ACTOR)
    assert not account.verified
    assert account.currently_due == ("external_account", "tos_acceptance.date")
    assert _checks()[0]["verified"] is False
    with pytest.raises(connection.NotVerified) as refused:
        connection.require_verified_account(ANN)
    assert str(refused.value) == (
        "The Stripe account Webinar Demo Org is not verified yet, so it cannot charge. "
        "Stripe still needs: external_account, tos_acceptance.date. "
        "Finish verification in the Stripe dashboard."
    )


def test_an_unverified_account_is_told_in_french_when_french_is_spoken(fresh_stripe):
    fresh_stripe.config("/_config/account", **UNVERIFIED)
    with i18n.speaking("fr"), pytest.raises(connection.NotVerified) as refused:
        connection.require_verified_account(ANN)
    assert str(refused.value) == (
        "Le compte Stripe Webinar Demo Org n'est pas encore vérifié : il ne peut pas encaisser "
        "de paiements. Stripe attend encore : external_account, tos_acceptance.date. "
        "Terminez la vérification dans le tableau de bord Stripe."
    )


def test_an_account_with_details_but_charges_disabled_is_not_verified(fresh_stripe):
    fresh_stripe.config("/_config/account", charges_enabled=False)
    assert not connection.check_connection(ADMIN_ACTOR).verified
    with pytest.raises(connection.NotVerified, match="details in the Stripe dashboard"):
        connection.require_verified_account(ADMIN_ACTOR)


# --- verified before charging ---------------------------------------------------------------


def test_a_verified_account_lets_admins_and_organizers_charge(settings):
    assert connection.require_verified_account(ADMIN_ACTOR, settings).verified
    assert connection.require_verified_account(ANN, settings).verified
    with pytest.raises(PermissionDenied):
        connection.require_verified_account(FIN, settings)


def test_without_a_key_no_webinar_can_charge(database):
    with pytest.raises(connection.NotVerified, match="No Stripe account is connected"):
        connection.require_verified_account(ANN, StripeSettings(None, "http://x"))
    with i18n.speaking("fr"), pytest.raises(connection.NotVerified) as refused:
        connection.require_verified_account(ANN, StripeSettings(None, "http://x"))
    assert str(refused.value).startswith("Aucun compte Stripe n'est connecté")


def test_a_check_made_in_french_is_audited_in_english(settings):
    with i18n.speaking("fr"):
        connection.check_connection(ADMIN_ACTOR, settings)
        assert connection.connection_status(ADMIN_ACTOR, settings).key_hint == (
            "clé secrète de test …sole"
        )
    assert _checks()[0]["key"] == "test secret key …sole"  # the log keeps one language


def test_why_a_restricted_key_needs_each_permission_is_in_french():
    with i18n.speaking("fr"):
        why = [_(reason) for _name, _level, reason in connection.RESTRICTED_KEY_PERMISSIONS]
    assert why[1] == "encaisser les paiements des inscriptions"
    assert not set(why) & {reason for *_what, reason in connection.RESTRICTED_KEY_PERMISSIONS}
