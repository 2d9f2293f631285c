"""The `console` command. See DESIGN.md for the fixed interface."""

from __future__ import annotations

import argparse
import json
import os
import sys

# Each command imports what it needs (pandas takes most of a second): `console --help`,
# `console users` and `console stripe-local` start without it.


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="console", description="Webinar payments console")
    commands = parser.add_subparsers(dest="command", required=True)

    local = commands.add_parser("stripe-local", help="run the local Stripe-compatible server")
    local.add_argument("--port", type=int, default=12111)
    local.add_argument("--store", help="file that keeps the local Stripe's data across restarts")

    commands.add_parser("demo", help="seed demo webinars and payments (refuses a live key)")

    sync = commands.add_parser("sync", help="pull from Stripe into DuckDB")
    sync.add_argument("--full", action="store_true", help="backfill everything")

    report = commands.add_parser("report", help="print a report")
    report.add_argument("name", choices=["revenue", "registrants", "fees", "payouts"])
    report.add_argument("--webinar", help="webinar id (registrants report)")
    report.add_argument("--format", choices=["table", "json", "csv"], default="table")

    users = commands.add_parser("users", help="local accounts (when OIDC is not configured)")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    add = user_commands.add_parser("add", help="create an account or change its role")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=["admin", "organizer", "finance"])
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of prompting",
    )
    user_commands.add_parser("list", help="list accounts and roles")
    remove = user_commands.add_parser(
        "remove", help="delete an account; its open sessions end at their next click"
    )
    remove.add_argument("email")

    run = commands.add_parser(
        "run", help="local Stripe + demo + sync + the console and the public site (make run)"
    )
    run.add_argument("--port", type=int, default=8501)
    run.add_argument("--stripe-port", type=int, default=12111)
    run.add_argument(
        "--public-port", type=int, help="the public registration site's port (default: --port + 1)"
    )

    serve = commands.add_parser(
        "serve", help="the console only, or with --public the public registration site"
    )
    serve.add_argument("--public", action="store_true", help="serve the public site")
    serve.add_argument("--port", type=int, help="default 8501, or 8502 with --public")
    serve.add_argument("--address", default="127.0.0.1", help="address to listen on")
    return parser


def _fail(message: str) -> int:
    print(f"console: {message}", file=sys.stderr)
    return 1


def _livemode() -> bool:
    from console.settings import stripe_settings

    return stripe_settings().livemode


# What the local Stripe needs beyond the console: the `local` extra (pyproject.toml).
LOCAL_STRIPE_NEEDS = ("aiohttp",)


def cmd_stripe_local(args: argparse.Namespace) -> int:
    import importlib.util

    missing = [name for name in LOCAL_STRIPE_NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        return _fail(
            f"the local Stripe needs {', '.join(missing)}, from the `local` extra: "
            "pip install -e '.[local]' (make run installs it)."
        )
    # The local Stripe is GPL-licensed: run it as its own program rather than import it.
    command = [sys.executable, "-m", "console.devtools.stripe_local", "--port", str(args.port)]
    if args.store:
        command += ["--store", args.store]
    os.execv(sys.executable, command)
    return 0  # not reached


def cmd_demo(_args: argparse.Namespace) -> int:
    from console.devtools.demo import DemoRefused, seed_demo
    from console.stripe_api.gateway import StripeNotConfigured, StripeProblem

    def show(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            print(f"\r  registrations {done}/{total}", end="", file=sys.stderr, flush=True)

    try:
        summary = seed_demo(on_progress=show if sys.stderr.isatty() else None)
    except (DemoRefused, StripeNotConfigured, StripeProblem) as problem:
        return _fail(str(problem))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(summary.text())
    from console.devtools.demo import create_demo_users

    for email, role, password in create_demo_users():
        # Shown once: only the hash is kept.
        print(f"demo sign-in ({role}): {email} / {password}")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from console.stripe_api.sync import SyncError, SyncProgress, run_sync

    def show(progress: SyncProgress) -> None:
        left = progress.estimated_seconds_left
        print(
            f"\r  {progress.phase:<28} {progress.objects:>9} objects  {progress.requests:>7} "
            f"requests  {progress.requests_per_second:6.1f} req/s"
            + (f"  about {left:,.0f} s left   " if left is not None else ""),
            end="",
            file=sys.stderr,
            flush=True,
        )

    try:
        result = run_sync(full=args.full, on_progress=show if sys.stderr.isatty() else None)
    except SyncError as problem:
        print(file=sys.stderr)
        return _fail(f"sync failed: {problem}")
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(result.summary())
    _settle_open_refunds()
    return 0


def _settle_open_refunds() -> None:
    """A refund whose answer was lost, a payment whose browser closed: found after a sync."""
    from console.services.operations import settle_after_sync

    for warning in settle_after_sync():
        print(f"console: {warning}", file=sys.stderr)


def _report_frame(args: argparse.Namespace):
    from console.services import reports

    livemode = _livemode()
    if args.name == "revenue":
        return reports.revenue(livemode)
    if args.name == "fees":
        return reports.fees(livemode)
    if args.name == "payouts":
        from console.services import payouts

        return payouts.report_frame(livemode)
    return reports.registrants(livemode, args.webinar)[reports.REGISTRANT_COLUMNS]


def cmd_report(args: argparse.Namespace) -> int:
    if args.name == "registrants" and not args.webinar:
        return _fail("the registrants report needs --webinar ID (see `console report revenue`).")
    from console.formatting.csv_export import to_csv_bytes
    from console.services import reports

    if args.name == "payouts" and args.format == "json":
        from console.services import payouts

        # Each payout's `webinars` is an object: built as such, not read back from a table.
        print(json.dumps(payouts.report(_livemode()), ensure_ascii=False, indent=1))
        return 0
    frame = _report_frame(args)
    if args.format == "json":
        print(json.dumps(reports.records(frame), ensure_ascii=False, indent=1))
    elif args.format == "csv":
        sys.stdout.write(to_csv_bytes(frame).decode("utf-8"))
    else:
        print(_table(frame, args.name))
    return 0


def _table(frame, report: str) -> str:
    from console.formatting.presentation import with_formatted_money

    if frame.empty:
        return "(nothing yet: run `console sync` first)"
    return with_formatted_money(frame, report).to_string(index=False)


def cmd_users(args: argparse.Namespace) -> int:
    import getpass

    from console.services import auth

    if args.users_command == "list":
        for email, role in sorted(auth.local_users().items()):
            print(f"{email}\t{role}")
        return 0
    if args.users_command == "remove":
        if not auth.remove_user(args.email):
            return _fail(f"there is no account {args.email.strip().lower()}; nothing was changed.")
        print(f"{args.email.strip().lower()} can no longer sign in.")
        return 0
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.email}: ")
        if getpass.getpass("Again: ") != password:
            return _fail("the two passwords differ; nothing was changed.")
    try:
        auth.add_user(args.email, args.role, password)
    except ValueError as problem:
        return _fail(str(problem))
    print(f"{args.email.strip().lower()} can sign in as {args.role}.")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from console.devtools.launcher import run_console

    public_port = args.public_port or args.port + 1
    return run_console(
        console_port=args.port, stripe_port=args.stripe_port, public_port=public_port
    )


def cmd_serve(args: argparse.Namespace) -> int:
    import subprocess
    from pathlib import Path

    port = args.port or (8502 if args.public else 8501)
    command = [sys.executable, "-m", "console.ui.serve", *(["--public"] if args.public else [])]
    command += ["--server.address", args.address, "--server.port", str(port)]
    try:
        # Streamlit finds the entry points and .streamlit/ in the project's folder.
        return subprocess.call(command, cwd=Path(__file__).resolve().parents[1])
    except KeyboardInterrupt:
        return 0


COMMANDS = {
    "stripe-local": cmd_stripe_local,
    "demo": cmd_demo,
    "sync": cmd_sync,
    "report": cmd_report,
    "serve": cmd_serve,
    "users": cmd_users,
    "run": cmd_run,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from console.store.db import DATABASE_PROBLEMS

    try:
        return COMMANDS[args.command](args)
    except DATABASE_PROBLEMS as problem:
        return _fail(str(problem))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
