"""Fixtures of the service tests."""

from __future__ import annotations

import pytest

from tests.services.refunds.support import priced_webinar


@pytest.fixture
def shop(fresh_stripe, smtp_server):
    priced_webinar()
    # A US account: USD payments settle as they are, so fees and nets below are exact.
    fresh_stripe.config("account", country="US", default_currency="usd")
    return fresh_stripe, fresh_stripe.client(), smtp_server
