"""console/ui/connection_view.py through AppTest: which key is configured and when the last
sync ran; checking the account at Stripe (the local Stripe) on request; how to connect, with
the restricted key's permissions; the e-mails that could not be sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from console.devtools.stripe_local.account import ACCOUNT_NAME
from console.services import audit
from console.services.access import ADMIN, FINANCE, Actor
from console.services.connection import RESTRICTED_KEY_PERMISSIONS, ConnectionStatus
from console.store import outbox
from tests.stripe_local_fixture import UNVERIFIED_ACCOUNT as UNVERIFIED

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
FIN = Actor("fin@example.org", FINANCE)
ORGANIZERS_NOTE = (
    "Connecting a Stripe account lets every organizer in the organization charge for their "
    "webinars, with payments going to this account."
)


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)


def _run(script, *args) -> AppTest:
    app = AppTest.from_function(script, args=args, default_timeout=60).run()
    assert not app.exception, app.exception
    return app


# --- the key in use --------------------------------------------------------------------------


def status_page(status) -> None:
    from console.ui.connection_view import key_status

    key_status(status)


def test_a_test_key_is_named_by_its_hint_and_marked_as_test_mode():
    status = ConnectionStatus(
        True, "test restricted key …wxyz", False, datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    )
    app = _run(status_page, status)
    assert [s.value for s in app.success] == [
        "A test-mode key is configured: test restricted key …wxyz."
    ]
    assert [w.value for w in app.warning] == ["TEST MODE: payments are test payments."]
    assert [c.value for c in app.caption] == ["Last sync: 2026-11-02 09:30 UTC"]
    assert [i.value for i in app.info] == [ORGANIZERS_NOTE]


def test_a_live_key_gets_no_test_mode_warning():
    app = _run(status_page, ConnectionStatus(True, "live secret key …abcd", True, None))
    assert [s.value for s in app.success] == [
        "A live-mode key is configured: live secret key …abcd."
    ]
    assert not app.warning
    assert [c.value for c in app.caption] == ["Last sync: never"]


def test_without_a_key_the_page_says_how_to_start():
    app = _run(status_page, ConnectionStatus(False, "no key", False, None))
    assert not app.success
    assert [w.value for w in app.warning] == [
        "No Stripe key is configured yet. Follow “How to connect” below."
    ]
    assert [c.value for c in app.caption] == ["Last sync: never"]


# --- checking the account --------------------------------------------------------------------


def check_page(actor) -> None:
    from console.ui.connection_view import check_connection_button

    check_connection_button(actor)


def _checked(actor: Actor = ADMIN_ACTOR) -> AppTest:
    app = _run(check_page, actor)
    app.button(key="check_connection").click().run()
    return app


def test_stripe_is_asked_only_on_request(fresh_stripe):
    app = _run(check_page, ADMIN_ACTOR)
    assert [b.label for b in app.button] == ["Check the connection now"]
    assert not app.metric and not app.success and not app.error
    assert audit.search(ADMIN_ACTOR, action="connection check").empty


def test_a_verified_account_is_shown_and_can_charge(fresh_stripe):
    app = _checked()
    assert not app.exception, app.exception
    cards = {m.label: m.value for m in app.metric}
    assert cards["Account"].startswith("acct_")
    assert {k: cards[k] for k in ("Country", "Default currency", "Verification")} == {
        "Country": "FR",
        "Default currency": "EUR",
        "Verification": "Verified",
    }
    assert [s.value for s in app.subheader] == [ACCOUNT_NAME]  # the account's name heads them
    assert [s.value for s in app.success] == ["The account can charge: organizers can set prices."]
    [entry] = audit.search(ADMIN_ACTOR, action="connection check").to_dict("records")
    assert entry["actor"] == "admin@example.org"


def test_an_unverified_account_says_what_stripe_still_needs(fresh_stripe):
    fresh_stripe.config("/_config/account", **UNVERIFIED)
    app = _checked()
    assert {m.label: m.value for m in app.metric}["Verification"] == "Not verified"
    assert [e.value for e in app.error] == [
        "The account is not verified: no webinar can charge until it is. Stripe still needs: "
        "external_account, tos_acceptance.date. Finish verification in the Stripe dashboard, "
        "then check again."
    ]
    assert not app.success


def test_without_a_key_the_check_says_so(database):
    app = _checked()
    assert [e.value for e in app.error] == [
        "No Stripe key is configured. Set STRIPE_API_KEY in the environment or in "
        ".streamlit/secrets.toml (see the README, “Connect a real Stripe account”)."
    ]
    assert not app.metric


def test_an_unreachable_stripe_is_said_on_the_page(database, monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_unreachable")
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    app = _checked()
    [error] = [e.value for e in app.error]
    assert error.startswith("Could not reach Stripe")
    assert "sk_test_unreachable" not in error
    assert not app.metric


def test_only_admins_may_check_the_connection(fresh_stripe):
    # The Stripe connection page is for admins; the button alone still refuses.
    app = AppTest.from_function(check_page, args=(FIN,), default_timeout=60).run()
    app.button(key="check_connection").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "fin@example.org (finance) may not do this; it needs the role admin. Ask an admin."
    ]
    assert not app.metric
    assert audit.search(ADMIN_ACTOR, action="connection check").empty


# --- how to connect --------------------------------------------------------------------------


def how_page(expanded: bool) -> None:
    from console.ui.connection_view import how_to_connect

    how_to_connect(expanded)


def test_how_to_connect_lists_the_steps_and_each_permission_with_its_reason():
    app = _run(how_page, True)
    [expander] = app.expander
    assert expander.label == "How to connect"
    assert expander.proto.expanded
    steps = app.markdown[0].value
    assert "**Developers → API keys → Create restricted key**" in steps
    assert "A **restricted key** is better than the secret key" in steps
    permissions = app.table[0].value
    assert list(permissions.columns) == ["Permission", "Access", "Why"]
    assert [tuple(row) for row in permissions.values.tolist()] == list(RESTRICTED_KEY_PERMISSIONS)
    assert permissions.values.tolist()[0] == [
        "Charges and Refunds",
        "Write",
        "read payments; issue refunds from the console",
    ]


def test_how_to_connect_is_folded_once_a_key_is_configured():
    assert not _run(how_page, False).expander[0].proto.expanded


# --- e-mails that could not be sent ----------------------------------------------------------


def failed_page() -> None:
    from console.mail import mailer
    from console.ui.connection_view import failed_mail_table

    failed_mail_table(mailer.failed_messages())


def test_no_failed_mail_no_section(database):
    outbox.record_attempt("sent-1", "ada@example.org", "Welcome", outbox.SENT, None, 1)
    app = _run(failed_page)
    assert not app.subheader and not app.error and not app.dataframe


def test_failed_mail_is_listed_with_what_to_check(database):
    outbox.record_attempt("sent-1", "ada@example.org", "Welcome", outbox.SENT, None, 1)
    outbox.record_attempt(
        "refund-1", "bea@example.org", "Your refund", outbox.FAILED, "SMTPAuthenticationError", 3
    )
    app = _run(failed_page)
    assert [s.value for s in app.subheader] == ["E-mails that could not be sent"]
    assert [e.value for e in app.error] == [
        "1 e-mail failed after retries. Check the SMTP settings (SMTP_HOST, SMTP_PORT, "
        "SMTP_USER, SMTP_PASSWORD); a copy waits in data/outbox/failed/. Payments and refunds "
        "it describes stand."
    ]
    assert app.dataframe[0].value.to_dict("records") == [
        {
            "to": "bea@example.org",
            "subject": "Your refund",
            "attempts": 3,
            "error": "SMTPAuthenticationError",
        }
    ]
