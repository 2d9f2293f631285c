"""Shared fixtures: a private local Stripe per test that needs one, and a fresh DuckDB."""

from __future__ import annotations

import pytest

from console.stripe_api import gateway
from tests.browser_support import browser, free_port  # noqa: F401
from tests.devtools.stripe_local import recording
from tests.stripe_local_fixture import (  # noqa: F401
    StripeLocal,
    fresh_servers_fixture,
    start_stripe_local,
    stripe_local,
)


@pytest.fixture
def fresh_stripe(monkeypatch, tmp_path, fresh_servers) -> StripeLocal:
    """An empty local Stripe and an empty database, configured as the console would be."""
    base_url, stop = fresh_servers.take()
    local = StripeLocal(base_url)
    monkeypatch.setenv("STRIPE_API_KEY", local.api_key)
    monkeypatch.setenv("STRIPE_API_BASE", base_url)
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    yield local
    stop()
    gateway._client_for.cache_clear()


@pytest.fixture
def smtp_server(monkeypatch):
    """A real SMTP server on loopback (aiosmtpd); `.messages` holds what it received."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_FROM", "webinars@example.org")
    yield inbox
    controller.stop()


# Issue 11: every local Stripe of the session records its requests (STRIPE_LOCAL_RECORD) for
# tests/devtools/stripe_local/test_conformance.py, which runs after every other test.
def pytest_configure(config):
    recording.start(config)


def pytest_unconfigure(config):
    recording.stop(config)


# Issue 12: `make test-fast` runs `-m "not browser"`. A test that takes the `browser`
# fixture drives Chromium and is marked as it is collected (before `-m` deselects); a
# module that needs the marker without the fixture sets `pytestmark`.
def pytest_itemcollected(item):
    if "browser" in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.browser)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    recording.run_conformance_last(items)
