"""Seeded worlds kept as files, and the SMTP server the tests run on loopback.

A module whose tests each need the same seeded world seeds it once (`seed_world`, in a
module-scoped fixture) and gives each test a copy of its own (the `world_copy` fixture,
which tests/conftest.py provides): seeding takes seconds, copying two files milliseconds.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from console.store import db
from console.stripe_api import gateway
from tests.browser_support import free_port
from tests.stripe_local_fixture import StripeLocal, start_stripe_local


def configure(monkeypatch: pytest.MonkeyPatch, local: StripeLocal, database: Path) -> None:
    """The console's settings for this local Stripe and this database."""
    monkeypatch.setenv("STRIPE_API_KEY", local.api_key)
    monkeypatch.setenv("STRIPE_API_BASE", local.base_url)
    monkeypatch.setenv("CONSOLE_DB", str(database))


@dataclass(frozen=True)
class World:
    """A local Stripe's store and the console's database, as `seed_world` left them;
    `seeded` is what the seeding returned."""

    store: Path
    database: Path
    seeded: Any = None


def seed_world(directory: Path, seed: Callable[[StripeLocal], Any], smtp: bool = False) -> World:
    """Runs `seed` against a new local Stripe and an empty database, configured as the
    `fresh_stripe` fixture configures them (with an SMTP server up as the `smtp_server`
    fixture has it, if `smtp`); then stops the server, which saves its store, and closes
    the database."""
    store, database = directory / "stripe.pickle", directory / "console.duckdb"
    base_url, stop = start_stripe_local(store)
    local = StripeLocal(base_url)
    try:
        with pytest.MonkeyPatch.context() as monkeypatch, ExitStack() as stack:
            if smtp:
                stack.enter_context(running_smtp(monkeypatch))
            configure(monkeypatch, local, database)
            seeded = seed(local)
    finally:
        stop()
        gateway._client_for.cache_clear()
        db._close_all()  # this process may hold the file open for its next unit of work
    return World(store, database, seeded)


@pytest.fixture
def world_copy(monkeypatch, tmp_path) -> Iterator[Callable[[World], StripeLocal]]:
    """`world_copy(world)`: a local Stripe of this test's own started from a copy of the
    world's store, and a copy of its database, configured as `fresh_stripe` configures
    them. Nothing opens the world's own files again, so every test starts from them as
    they were seeded."""
    stops: list[Callable[[], None]] = []

    def copy(world: World) -> StripeLocal:
        here = tmp_path / f"world-{len(stops)}"
        here.mkdir()
        for source in (world.store, world.database):
            for path in (source, source.with_name(source.name + ".wal")):
                if path.exists():
                    shutil.copyfile(path, here / path.name)
        base_url, stop = start_stripe_local(here / world.store.name)
        stops.append(stop)
        local = StripeLocal(base_url)
        configure(monkeypatch, local, here / world.database.name)
        return local

    yield copy
    for stop in stops:
        stop()
    gateway._client_for.cache_clear()


class Inbox:
    """What an SMTP server received: `.messages`, parsed."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def running_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on loopback (aiosmtpd), configured for the console."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_FROM", "webinars@example.org")
    try:
        yield inbox
    finally:
        controller.stop()


@contextmanager
def module_world(
    fresh_servers, directory: Path, unset: tuple[str, ...] = ()
) -> Iterator[StripeLocal]:
    """A fresh local Stripe and a database in `directory`, configured for the console while
    a module's tests run (a module-scoped fixture cannot take `monkeypatch`); the variables
    in `unset` are removed meanwhile."""
    base_url, stop = fresh_servers.take()
    local = StripeLocal(base_url)
    with pytest.MonkeyPatch.context() as patch:
        configure(patch, local, directory / "console.duckdb")
        for name in unset:
            patch.delenv(name, raising=False)
        try:
            yield local
        finally:
            stop()
            gateway._client_for.cache_clear()  # the next module's server has another base
