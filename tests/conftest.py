"""Shared fixtures: a private local Stripe per test that needs one, and a fresh DuckDB."""

from __future__ import annotations

import pytest

from console import stripe_gateway
from tests.browser_support import browser  # noqa: F401
from tests.stripe_local_fixture import StripeLocal, start_stripe_local, stripe_local  # noqa: F401


@pytest.fixture
def fresh_stripe(monkeypatch, tmp_path) -> StripeLocal:
    """An empty local Stripe and an empty database, configured as the console would be."""
    base_url, stop = start_stripe_local()
    local = StripeLocal(base_url)
    monkeypatch.setenv("STRIPE_API_KEY", local.api_key)
    monkeypatch.setenv("STRIPE_API_BASE", base_url)
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    yield local
    stop()
    stripe_gateway._client_for.cache_clear()
