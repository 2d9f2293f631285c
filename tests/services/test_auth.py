"""Local sign-in, lock-out, sessions, `console users add`, and e-mail-to-role mapping."""

from __future__ import annotations

import json
import subprocess
import sys

import argon2
import pytest

from console import cli
from console.formatting import i18n
from console.services import auth
from console.services.access import Actor
from console.store import db
from tests import REPO

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "db.duckdb"))
    monkeypatch.setattr(auth, "SLOWDOWN_SECONDS_PER_FAILURE", 0.0)
    auth.add_user("Ann@Example.org", "organizer", PASSWORD)
    return tmp_path


def test_good_password_signs_in(accounts):
    assert auth.sign_in("ann@example.org", PASSWORD) == Actor("ann@example.org", "organizer")


def test_the_file_holds_only_an_argon2_hash(accounts):
    stored = (accounts / "users.json").read_text()
    assert PASSWORD not in stored
    assert json.loads(stored)["users"]["ann@example.org"]["password_hash"].startswith("$argon2")


def test_wrong_password_is_refused_and_recorded(accounts):
    with pytest.raises(auth.SignInRefused, match="Wrong e-mail or password. 4 attempt"):
        auth.sign_in("ann@example.org", "wrong")
    with pytest.raises(auth.SignInRefused, match="Wrong e-mail or password"):
        auth.sign_in("nobody@example.org", PASSWORD)  # same answer: no account probing
    with db.connect() as con:
        actions = con.execute(
            "SELECT actor, action FROM audit_log WHERE action = 'failed sign-in' ORDER BY ALL"
        ).fetchall()
    assert actions == [
        ("ann@example.org", "failed sign-in"),
        ("nobody@example.org", "failed sign-in"),
    ]


def test_repeated_failures_lock_the_account_even_for_the_good_password(accounts, monkeypatch):
    for _ in range(auth.LOCK_AFTER_FAILURES):
        with pytest.raises(auth.SignInRefused):
            auth.sign_in("ann@example.org", "wrong")
    with pytest.raises(auth.SignInRefused, match="locked for 15 more minute"):
        auth.sign_in("ann@example.org", PASSWORD)


def _refusal(email: str, password: str) -> str:
    with pytest.raises(auth.SignInRefused) as refused:
        auth.sign_in(email, password)
    return str(refused.value)


def test_each_failure_says_how_many_attempts_are_left_then_that_the_account_is_locked(accounts):
    said = [_refusal("ann@example.org", "wrong") for _ in range(auth.LOCK_AFTER_FAILURES)]
    assert said == [
        "Wrong e-mail or password. 4 attempts left before a 15-minute lock.",
        "Wrong e-mail or password. 3 attempts left before a 15-minute lock.",
        "Wrong e-mail or password. 2 attempts left before a 15-minute lock.",
        "Wrong e-mail or password. 1 attempt left before a 15-minute lock.",
        "Wrong e-mail or password. The account is locked for 15 minutes.",
    ]
    assert _refusal("ann@example.org", PASSWORD) == (
        "Too many failed sign-ins: this account is locked for 15 more minutes. "
        "Try again later, or ask an admin."
    )


def test_a_sign_in_refused_in_french_is_french(accounts):
    with i18n.speaking("fr"):
        said = [_refusal("ann@example.org", "wrong") for _ in range(auth.LOCK_AFTER_FAILURES)]
        locked = _refusal("ann@example.org", PASSWORD)
    assert said[0] == (
        "E-mail ou mot de passe incorrect. Encore 4 essais avant un verrouillage de 15 minutes."
    )
    assert said[3] == (
        "E-mail ou mot de passe incorrect. Encore 1 essai avant un verrouillage de 15 minutes."
    )
    assert said[4] == "E-mail ou mot de passe incorrect. Le compte est verrouillé pour 15 minutes."
    assert locked == (
        "Trop d'échecs de connexion : ce compte est verrouillé pour encore 15 minutes. "
        "Réessayez plus tard, ou demandez à un administrateur."
    )


def test_the_last_minute_of_a_lock_is_said_in_the_singular(accounts, monkeypatch):
    monkeypatch.setattr(auth, "LOCK_MINUTES", 0.5)  # a lock that ends within the minute
    for _ in range(auth.LOCK_AFTER_FAILURES):
        _refusal("ann@example.org", "wrong")
    assert "locked for 1 more minute. Try" in _refusal("ann@example.org", PASSWORD)
    with i18n.speaking("fr"):
        assert "pour encore 1 minute. Réessayez" in _refusal("ann@example.org", PASSWORD)


def test_failures_slow_down(accounts, monkeypatch):
    waits = []
    monkeypatch.setattr(auth, "SLOWDOWN_SECONDS_PER_FAILURE", 0.5)
    monkeypatch.setattr(auth, "_slow_down", waits.append)
    for _ in range(3):
        with pytest.raises(auth.SignInRefused):
            auth.sign_in("ann@example.org", "wrong")
    assert waits == [0.5, 1.0, 1.5]


def test_sessions_survive_reloads_and_end_at_sign_out_or_removal(accounts):
    actor = auth.sign_in("ann@example.org", PASSWORD)
    token = auth.open_session(actor)
    assert auth.session_actor(token) == actor
    assert auth.session_actor("forged") is None
    with db.connect() as con:
        assert token not in str(con.execute("SELECT * FROM console_sessions").fetchall())
    auth.close_session(token)
    assert auth.session_actor(token) is None


def test_removing_an_account_is_audited_and_ends_its_sessions(accounts):
    token = auth.open_session(auth.sign_in("ann@example.org", PASSWORD))
    assert auth.remove_user("ANN@example.org ", by="admin@example.org")
    assert auth.local_users() == {}
    assert auth.session_actor(token) is None
    assert auth.as_of_now(Actor("ann@example.org", "organizer")) is None
    with db.connect() as con:
        entry = con.execute(
            "SELECT actor, action, subject, before FROM audit_log WHERE action = 'user removed'"
        ).fetchall()
    assert entry == [
        ("admin@example.org", "user removed", "ann@example.org", '{"role": "organizer"}')
    ]
    assert not auth.remove_user("ann@example.org")  # nobody left to remove


def test_as_of_now_gives_the_role_an_admin_gave_since(accounts):
    auth.add_user("ann@example.org", "finance", PASSWORD)
    assert auth.as_of_now(Actor("ann@example.org", "organizer")) == Actor(
        "ann@example.org", "finance"
    )


def test_users_add_command_prompts_for_nothing_with_stdin(accounts):
    env = {"CONSOLE_DB": str(accounts / "db.duckdb"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "console",
            "users",
            "add",
            "fin@example.org",
            "--role",
            "finance",
            "--password-stdin",
        ],
        cwd=REPO,
        env=env,
        input="a long enough password\n",
        text=True,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    assert "fin@example.org can sign in as finance" in done.stdout
    assert "a long enough password" not in done.stdout + done.stderr
    # Tests in this process hash cheaply (tests/conftest.py); the command hashes as shipped.
    stored = json.loads((accounts / "users.json").read_text())["users"]["fin@example.org"]
    assert argon2.extract_parameters(stored["password_hash"]) == argon2.profiles.RFC_9106_LOW_MEMORY
    assert auth.PASSWORD_HASHING == argon2.profiles.RFC_9106_LOW_MEMORY
    assert auth.sign_in("fin@example.org", "a long enough password") == Actor(
        "fin@example.org", "finance"
    )
    short = subprocess.run(
        [
            sys.executable,
            "-m",
            "console",
            "users",
            "add",
            "x@example.org",
            "--role",
            "admin",
            "--password-stdin",
        ],
        cwd=REPO,
        env=env,
        input="short\n",
        text=True,
        capture_output=True,
    )
    assert short.returncode == 1 and "at least 10 characters" in short.stderr


def test_role_mapping_from_the_signed_in_email():
    rules = {
        "admins": ["Ana@Example.org"],
        "finance": ["fin@example.org"],
        "organizers": ["guest@partner.example"],
        "domain": "example.org",
        "domain_role": "organizer",
    }
    assert auth.role_for_email("ana@example.org", rules) == "admin"
    assert auth.role_for_email("fin@example.org", rules) == "finance"
    assert auth.role_for_email("guest@partner.example", rules) == "organizer"
    assert auth.role_for_email("someone@example.org", rules) == "organizer"
    assert auth.role_for_email("someone@elsewhere.example", rules) is None
    assert auth.role_for_email(None, rules) is None


def test_users_remove_command_removes_and_says_when_there_is_nobody(accounts, capsys):
    assert cli.main(["users", "remove", "Ann@Example.org"]) == 0
    assert capsys.readouterr().out == "ann@example.org can no longer sign in.\n"
    assert auth.local_users() == {}
    assert cli.main(["users", "remove", "ann@example.org"]) == 1
    assert capsys.readouterr().err == (
        "console: there is no account ann@example.org; nothing was changed.\n"
    )
