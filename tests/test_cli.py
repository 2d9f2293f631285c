"""console/cli.py: the `console` command of DESIGN.md's CLI table. Arguments, clear errors with
a non-zero exit, reports on an empty database, and `sync [--full]` against a local Stripe."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from console import cli
from tests import REPO
from tests.payments import pay
from tests.stripe_local_fixture import StripeLocal


@pytest.fixture
def empty_db(monkeypatch, tmp_path: Path) -> Path:
    """A database that does not exist yet, and no Stripe key."""
    path = tmp_path / "console.duckdb"
    monkeypatch.setenv("CONSOLE_DB", str(path))
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    monkeypatch.delenv("CONSOLE_USERS", raising=False)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml either
    return path


def _usage_error(capsys, argv: list[str]) -> str:
    """argparse's exit 2, and what it printed to stderr."""
    with pytest.raises(SystemExit) as excinfo:
        cli.main(argv)
    assert excinfo.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_python_m_console_help_lists_the_commands():
    completed = subprocess.run(
        [sys.executable, "-m", "console", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("usage: console ")
    for command in ("stripe-local", "demo", "sync", "report"):
        assert command in completed.stdout


# --- usage errors ------------------------------------------------------------------------


def test_a_command_is_required(capsys):
    err = _usage_error(capsys, [])
    assert "the following arguments are required: command" in err


def test_an_unknown_command_is_refused(capsys):
    err = _usage_error(capsys, ["refund-everything"])
    assert "invalid choice: 'refund-everything'" in err


def test_an_unknown_report_is_refused(capsys):
    err = _usage_error(capsys, ["report", "taxes", "--format", "json"])
    assert "argument name: invalid choice: 'taxes'" in err
    for name in ("revenue", "registrants", "fees"):
        assert f"'{name}'" in err


def test_an_unknown_format_is_refused(capsys):
    err = _usage_error(capsys, ["report", "revenue", "--format", "xml"])
    assert "argument --format: invalid choice: 'xml'" in err
    assert "'json'" in err and "'table'" in err and "'csv'" in err


def test_sync_takes_only_full(capsys):
    err = _usage_error(capsys, ["sync", "--since", "yesterday"])
    assert "unrecognized arguments: --since yesterday" in err


def test_the_port_is_a_number(capsys):
    err = _usage_error(capsys, ["stripe-local", "--port", "twelve"])
    assert "argument --port: invalid int value: 'twelve'" in err


def test_the_registrants_report_needs_a_webinar(capsys, empty_db):
    assert cli.main(["report", "registrants", "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "console: the registrants report needs --webinar ID (see `console report revenue`).\n"
    )


# --- reports on an empty database ----------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "revenue", "--format", "json"],
        ["report", "fees", "--format", "json"],
        ["report", "registrants", "--webinar", "wb_1", "--format", "json"],
        ["report", "payouts", "--format", "json"],
    ],
)
def test_a_json_report_of_nothing_is_an_empty_array(capsys, empty_db, argv):
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == []
    assert out.strip() == "[]"


def test_a_table_of_nothing_says_to_sync_first(capsys, empty_db):
    assert cli.main(["report", "revenue"]) == 0  # table is the default format
    assert capsys.readouterr().out == "(nothing yet: run `console sync` first)\n"


@pytest.mark.parametrize(
    ("argv", "header"),
    [
        (
            ["report", "revenue", "--format", "csv"],
            "webinar_id,title,currency,paid_registrants,gross,refunded,disputed,"
            "settlement_currency,fees,net",
        ),
        (
            ["report", "fees", "--format", "csv"],
            "settlement_currency,month,charges,gross,fees,refunded,disputed,net",
        ),
        (
            ["report", "registrants", "--webinar", "wb_1", "--format", "csv"],
            "name,email,charge_id,currency,amount_paid,amount_refunded,settlement_currency,"
            "fee,net,status,dispute_status,paid_at",
        ),
        (
            ["report", "payouts", "--format", "csv"],
            "payout_id,arrival_date,currency,status,amount,charges,refunds,disputes,fees,net,"
            "webinars,other,transactions,destination_last4,contents_listed",
        ),
    ],
)
def test_a_csv_of_nothing_is_its_header(capsys, empty_db, argv, header):
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == header + "\n"


def test_a_database_from_a_newer_release_is_a_clear_error(capsys, empty_db):
    with duckdb.connect(str(empty_db)) as con:
        con.execute("CREATE TABLE schema_migrations (version INTEGER, name VARCHAR)")
        con.execute("INSERT INTO schema_migrations VALUES (99, 'future')")
    assert cli.main(["report", "revenue", "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"console: The database {empty_db} was written by a newer")
    assert "Traceback" not in captured.err


# --- commands that need Stripe -------------------------------------------------------------


def test_sync_without_a_key_fails_with_the_reason(capsys, empty_db):
    assert cli.main(["sync"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "console: sync failed: No Stripe key is configured. Set STRIPE_API_KEY" in captured.err


def test_demo_refuses_a_live_key(capsys, empty_db, monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_live_not_a_real_key")
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:9")  # never reached
    assert cli.main(["demo"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("console: The demo refuses a live key: use a test key (sk_test_…).\n")


def test_demo_without_a_key_says_how_to_connect(capsys, empty_db):
    assert cli.main(["demo"]) == 1
    assert "console: No Stripe key is configured." in capsys.readouterr().err


def test_sync_is_incremental_unless_full(capsys, fresh_stripe: StripeLocal):
    runs = []
    for argv in (["sync"], ["sync"], ["sync", "--full"], ["sync"]):
        assert cli.main(argv) == 0
        runs.append(capsys.readouterr().out.split(":")[0])
    # The first sync of a database backfills; after that, only --full does.
    assert runs == ["full sync", "incremental sync", "full sync", "incremental sync"]


def test_sync_prints_a_summary(capsys, fresh_stripe: StripeLocal):
    pay(fresh_stripe.client(), "wb_1")
    assert cli.main(["sync", "--full"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("full sync: ")
    assert " objects in " in out and " requests, " in out


def test_the_registrants_table_lists_who_paid(capsys, fresh_stripe: StripeLocal):
    pay(fresh_stripe.client(), "wb_1", 4900, "eur", name="Ada Lovelace")
    assert cli.main(["sync"]) == 0
    capsys.readouterr()
    assert cli.main(["report", "registrants", "--webinar", "wb_1"]) == 0
    out = capsys.readouterr().out
    assert "Ada Lovelace" in out and "€49.00" in out


def test_a_csv_report_cannot_smuggle_a_formula_into_a_spreadsheet(capsys, fresh_stripe):
    pay(fresh_stripe.client(), "wb_1", name='=HYPERLINK("http://x.example")')
    assert cli.main(["sync"]) == 0
    capsys.readouterr()
    assert cli.main(["report", "registrants", "--webinar", "wb_1", "--format", "csv"]) == 0
    [_header, row] = capsys.readouterr().out.splitlines()
    assert row.startswith('"\'=HYPERLINK(""http://x.example"")",')  # text, not a formula


def test_the_payouts_report_in_each_format(capsys, fresh_stripe: StripeLocal):
    """What each payout holds, as DESIGN.md fixes it: `net` equals `amount` when paid."""
    four_days_ago = int(time.time()) - 4 * 86400
    pay(fresh_stripe.client(), "wb_1", 4900, "eur", at=four_days_ago)
    pay(fresh_stripe.client(), None, 1500, "eur", at=four_days_ago)
    assert cli.main(["sync"]) == 0
    capsys.readouterr()
    assert cli.main(["report", "payouts", "--format", "json"]) == 0
    [payout] = json.loads(capsys.readouterr().out)
    assert payout["payout_id"].startswith("po_")
    assert (payout["currency"], payout["status"], payout["disputes"]) == ("eur", "paid", 0)
    assert payout["charges"] == 6400 and payout["refunds"] == 0
    assert payout["net"] == payout["amount"] == 6400 - payout["fees"]
    assert sum(payout["webinars"].values()) == payout["net"]
    assert set(payout["webinars"]) == {"wb_1", "unattributed"}
    assert cli.main(["report", "payouts", "--format", "csv"]) == 0
    [_header, row] = capsys.readouterr().out.splitlines()
    assert row.startswith(f"{payout['payout_id']},{payout['arrival_date']},eur,paid,")
    assert cli.main(["report", "payouts"]) == 0
    table = capsys.readouterr().out
    assert payout["payout_id"] in table and "€64.00" in table


def test_stripe_local_runs_the_server_in_place_of_the_cli(monkeypatch):
    """`console stripe-local` becomes `python -m console.devtools.stripe_local` (exec)."""
    calls = []
    monkeypatch.setattr(cli.os, "execv", lambda path, argv: calls.append((path, argv)))
    assert cli.main(["stripe-local"]) == 0
    assert cli.main(["stripe-local", "--port", "4242", "--store", "data/s.store"]) == 0
    module = [sys.executable, "-m", "console.devtools.stripe_local"]
    assert calls == [
        (sys.executable, [*module, "--port", "12111"]),
        (sys.executable, [*module, "--port", "4242", "--store", "data/s.store"]),
    ]


# --- local accounts --------------------------------------------------------------------------


def test_users_add_then_list(capsys, empty_db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    argv = ["users", "add", " Ada@Example.org ", "--role", "finance", "--password-stdin"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == "ada@example.org can sign in as finance.\n"
    assert cli.main(["users", "list"]) == 0
    assert capsys.readouterr().out == "ada@example.org\tfinance\n"


def test_users_add_refuses_a_short_password(capsys, empty_db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    argv = ["users", "add", "ada@example.org", "--role", "admin", "--password-stdin"]
    assert cli.main(argv) == 1
    assert capsys.readouterr().err == ("console: Choose a password of at least 10 characters.\n")
    assert cli.main(["users", "list"]) == 0
    assert capsys.readouterr().out == ""


def test_users_add_needs_a_known_role(capsys):
    err = _usage_error(capsys, ["users", "add", "ada@example.org", "--role", "owner"])
    assert "argument --role: invalid choice: 'owner'" in err


def test_stripe_local_without_its_extra_says_which_to_install(capsys, monkeypatch):
    monkeypatch.setattr(cli, "LOCAL_STRIPE_NEEDS", ("aiohttp", "a_module_nobody_installed"))
    assert cli.main(["stripe-local"]) == 1
    assert capsys.readouterr().err == (
        "console: the local Stripe needs a_module_nobody_installed, from the `local` extra: "
        "pip install -e '.[local]' (make run installs it).\n"
    )


@pytest.mark.parametrize(
    ("options", "entry", "port"),
    [
        ([], [], "8501"),
        (["--public"], ["--public"], "8502"),
        (["--public", "--port", "9000"], ["--public"], "9000"),
    ],
)
def test_serve_starts_the_console_or_the_public_site_alone(monkeypatch, options, entry, port):
    import subprocess

    started = []
    monkeypatch.setattr(
        subprocess, "call", lambda command, cwd: started.append((command, cwd)) or 0
    )
    assert cli.main(["serve", *options]) == 0
    [(command, cwd)] = started
    assert command[1:] == [
        "-m",
        "console.ui.serve",
        *entry,
        "--server.address",
        "127.0.0.1",
        "--server.port",
        port,
    ]
    assert (cwd / "public_app.py").is_file() and (cwd / "streamlit_app.py").is_file()
