"""pages/connection.py through AppTest: the Stripe key, the account and its verification,
for admins only."""

from __future__ import annotations

from console.services.access import FINANCE, Actor
from tests.pages.support import open_app
from tests.stripe_local_fixture import UNVERIFIED_ACCOUNT as UNVERIFIED


def test_connection_page_with_a_valid_key(fresh_stripe):
    app = open_app("pages/connection.py")
    assert "test-mode key is configured: test secret key …sole" in app.success[0].value
    assert "sk_test_local_console" not in str(app._tree)  # the key itself is never shown

    app.button(key="check_connection").click().run()

    assert not app.exception
    values = {m.label: m.value for m in app.metric}
    assert values["Country"] == "FR"
    assert values["Default currency"] == "EUR"
    assert values["Verification"] == "Verified"
    assert values["Account"].startswith("acct_")
    assert any("every organizer" in i.value for i in app.info)


def test_connection_page_with_an_invalid_key(fresh_stripe, monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_bogus_000000000000wxyz")
    app = open_app("pages/connection.py")
    app.button(key="check_connection").click().run()
    assert "Stripe refused the API key" in app.error[0].value
    assert "sk_bogus_000000000000wxyz" not in str(app._tree)


def test_connection_page_with_an_unverified_account(fresh_stripe):
    fresh_stripe.config("/_config/account", **UNVERIFIED)
    app = open_app("pages/connection.py")
    app.button(key="check_connection").click().run()
    assert "not verified" in app.error[0].value
    assert "external_account, tos_acceptance.date" in app.error[0].value


def test_connection_page_when_stripe_is_unreachable(monkeypatch, tmp_path):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_unreachable")
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "db.duckdb"))
    app = open_app("pages/connection.py")
    app.button(key="check_connection").click().run()
    assert "Could not reach Stripe" in app.error[0].value


def test_connection_page_is_for_admins_only(fresh_stripe):
    app = open_app("pages/connection.py", actor=Actor("fin@example.org", FINANCE))
    assert app.title[0].value == "Not allowed"
    assert "does not give access" in app.error[0].value
    assert not app.main.button  # the sidebar's “Sign out” only


def test_connection_page_in_french(fresh_stripe):
    app = open_app("pages/connection.py", locale="fr")
    assert app.title[0].value == "Connexion Stripe"
    assert app.success[0].value.startswith("Une clé du mode test est configurée : ")
    assert [w.value for w in app.warning] == [
        "MODE TEST : les paiements sont des paiements de test."
    ]
    assert app.expander[0].label == "Comment se connecter"
    app.button(key="check_connection").click().run()
    assert not app.exception
    values = {m.label: m.value for m in app.metric}
    assert (values["Pays"], values["Vérification"]) == ("FR", "Vérifié")
