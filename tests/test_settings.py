"""console/settings.py: configuration from the environment, then .streamlit/secrets.toml;
defaults as DESIGN.md's configuration table gives them; key kinds and the mode they imply."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from console import settings
from console.formatting import i18n
from console.services import auth
from console.settings import StripeSettings, is_live_key, key_kind, setting, stripe_settings
from console.store import db
from tests import REPO

VARIABLES = (
    "STRIPE_API_KEY",
    "STRIPE_API_BASE",
    "STRIPE_PUBLISHABLE_KEY",
    "CONSOLE_DB",
    "CONSOLE_USERS",
    "SMTP_HOST",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path: Path) -> Path:
    """No configuration from the environment, and a working directory without secrets."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _secrets(directory: Path, text: str) -> None:
    (directory / ".streamlit").mkdir(exist_ok=True)
    (directory / ".streamlit" / "secrets.toml").write_text(text)


# --- where a setting comes from ----------------------------------------------------------


def test_the_environment_comes_first(monkeypatch, clean_environment):
    _secrets(clean_environment, 'STRIPE_API_KEY = "sk_test_from_secrets"\n')
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_from_env")
    assert setting("STRIPE_API_KEY") == "sk_test_from_env"


def test_then_the_secrets_file(clean_environment):
    _secrets(clean_environment, 'STRIPE_API_KEY = "sk_test_from_secrets"\n')
    assert setting("STRIPE_API_KEY") == "sk_test_from_secrets"


def test_an_empty_variable_counts_as_unset(monkeypatch, clean_environment):
    _secrets(clean_environment, 'STRIPE_API_KEY = "sk_test_from_secrets"\n')
    monkeypatch.setenv("STRIPE_API_KEY", "")
    assert setting("STRIPE_API_KEY") == "sk_test_from_secrets"


def test_then_the_default():
    assert setting("SMTP_PORT") is None
    assert setting("SMTP_PORT", "587") == "587"


def test_a_secret_that_is_not_text_is_read_as_text(clean_environment):
    _secrets(clean_environment, 'SMTP_PORT = 2525\nEMPTY = ""\n')
    assert setting("SMTP_PORT") == "2525"
    assert setting("EMPTY", "default") == "default"


def test_a_broken_secrets_file_is_ignored(clean_environment):
    _secrets(clean_environment, "STRIPE_API_KEY = \n")
    assert setting("STRIPE_API_KEY", "fallback") == "fallback"


def test_the_secrets_file_is_streamlits():
    assert settings.SECRETS_FILE == Path(".streamlit/secrets.toml")


# --- Stripe settings ---------------------------------------------------------------------


def test_without_configuration_there_is_no_key_and_stripe_is_stripes_own():
    configured = stripe_settings()
    assert configured == StripeSettings(api_key=None, api_base="https://api.stripe.com")
    assert configured.publishable_key is None
    assert configured.livemode is False
    assert configured.key_hint == "no key"
    assert configured.stripe_js_url == "https://js.stripe.com/v3/"


def test_stripe_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_abc1234")
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:12111/")
    monkeypatch.setenv("STRIPE_PUBLISHABLE_KEY", "pk_test_xyz")
    configured = stripe_settings()
    assert configured.api_key == "sk_test_abc1234"
    assert configured.api_base == "http://127.0.0.1:12111"  # the trailing slash goes
    assert configured.publishable_key == "pk_test_xyz"
    assert configured.stripe_js_url == "http://127.0.0.1:12111/js.stripe.com/v3/"


def test_stripes_own_base_with_a_slash_is_still_stripes(monkeypatch):
    monkeypatch.setenv("STRIPE_API_BASE", "https://api.stripe.com/")
    assert stripe_settings().stripe_js_url == "https://js.stripe.com/v3/"


def test_stripe_settings_from_the_secrets_file(clean_environment):
    _secrets(
        clean_environment,
        'STRIPE_API_KEY = "rk_live_secretsfile9876"\nSTRIPE_API_BASE = "http://localhost:1"\n',
    )
    configured = stripe_settings()
    assert (configured.api_key, configured.api_base) == (
        "rk_live_secretsfile9876",
        "http://localhost:1",
    )
    assert configured.livemode is True


@pytest.mark.parametrize(
    ("key", "live", "kind"),
    [
        ("sk_test_51abcd", False, "test secret key"),
        ("sk_live_51abcd", True, "live secret key"),
        ("rk_test_51abcd", False, "test restricted key"),
        ("rk_live_51abcd", True, "live restricted key"),
    ],
)
def test_the_mode_and_kind_come_from_the_key(key, live, kind):
    assert is_live_key(key) is live
    assert key_kind(key) == kind
    assert StripeSettings(api_key=key, api_base="https://api.stripe.com").livemode is live


@pytest.mark.parametrize("key", ["", "pk_live_51abcd", "sk_live", "live_sk_51abcd", "SK_LIVE_1"])
def test_only_secret_and_restricted_live_keys_are_live(key):
    assert is_live_key(key) is False


def test_the_key_hint_shows_the_kind_and_last_four_characters_only():
    secret = "sk_live_51HsecretPART9z8Y"
    hint = StripeSettings(api_key=secret, api_base="https://api.stripe.com").key_hint
    assert hint == "live secret key …9z8Y"
    assert "secretPART" not in hint


@pytest.mark.parametrize(
    ("key", "french"),
    [
        ("sk_test_51abcd", "clé secrète de test …abcd"),
        ("sk_live_51abcd", "clé secrète de production …abcd"),
        ("rk_test_51abcd", "clé restreinte de test …abcd"),
        ("rk_live_51abcd", "clé restreinte de production …abcd"),
        (None, "aucune clé"),
    ],
)
def test_the_key_hint_is_said_in_the_current_language(key, french):
    configured = StripeSettings(api_key=key, api_base="https://api.stripe.com")
    with i18n.speaking("fr"):
        assert configured.key_hint == french
    assert configured.key_hint.endswith("key …abcd") or configured.key_hint == "no key"


def test_settings_cannot_be_changed_once_read():
    configured = StripeSettings(api_key=None, api_base="https://api.stripe.com")
    with pytest.raises(AttributeError):
        configured.api_key = "sk_live_x"  # type: ignore[misc]


# --- the database file (read by console.store.db) ------------------------------------------


def test_the_database_defaults_to_data_console_duckdb():
    assert db.database_path() == Path("data/console.duckdb")


def test_console_db_names_the_database(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "other.duckdb"))
    assert db.database_path() == tmp_path / "other.duckdb"


def test_console_db_and_console_users_are_read_from_the_secrets_file_too(clean_environment):
    _secrets(
        clean_environment,
        'CONSOLE_DB = "/srv/console/console.duckdb"\nCONSOLE_USERS = "/srv/console/users.json"\n',
    )
    assert db.database_path() == Path("/srv/console/console.duckdb")
    assert auth.users_path() == Path("/srv/console/users.json")


def test_users_sit_beside_the_database_unless_console_users_says_otherwise(monkeypatch, tmp_path):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "db" / "console.duckdb"))
    assert auth.users_path() == tmp_path / "db" / "users.json"


def test_an_edited_secrets_file_is_read_again(clean_environment):
    _secrets(clean_environment, 'SMTP_HOST = "one.example.org"\n')
    assert setting("SMTP_HOST") == "one.example.org"
    secrets = clean_environment / ".streamlit" / "secrets.toml"
    secrets.write_text('SMTP_HOST = "two.example.org"\n')
    os.utime(secrets, ns=(1, secrets.stat().st_mtime_ns + 1_000_000))
    assert setting("SMTP_HOST") == "two.example.org"


def test_the_product_reads_configuration_only_through_settings():
    """One path for every variable: environment first, then the secrets file."""
    readers = [
        str(path.relative_to(REPO))
        for path in (REPO / "console").rglob("*.py")
        if "devtools" not in path.parts
        and path.name != "settings.py"
        and re.search(r"os\.environ|getenv\(", path.read_text())
    ]
    assert readers == []


# --- what the sync mirrors ---------------------------------------------------------------


def test_every_mirrored_stream_has_its_own_table():
    lists = [name for name, _ in settings.STREAMS]
    tables = [table for _, table in settings.STREAMS]
    assert lists == [
        "charges",
        "refunds",
        "balance_transactions",
        "payment_intents",
        "disputes",
        "payouts",
    ]
    assert tables == [f"stripe_{name}" for name in lists]


def test_an_incremental_sync_stays_within_stripes_event_retention():
    assert settings.EVENT_RETENTION_SECONDS < 30 * 24 * 3600


def test_the_secret_key_is_never_in_the_settings_repr():
    settings = StripeSettings("sk_live_abcdefghijklmnop1234", "https://api.stripe.com")
    assert "sk_live" not in repr(settings) and "1234" not in repr(settings)
