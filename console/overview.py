"""What the Revenue page shows: per webinar and currency, with the state of the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from console import reports, sync
from console.settings import StripeSettings, stripe_settings


@dataclass(frozen=True)
class RevenueOverview:
    settings: StripeSettings
    revenue: pd.DataFrame
    last_sync: datetime | None

    @property
    def connected(self) -> bool:
        return bool(self.settings.api_key)

    @property
    def synced(self) -> bool:
        return self.last_sync is not None


def revenue_overview(settings: StripeSettings | None = None) -> RevenueOverview:
    settings = settings or stripe_settings()
    return RevenueOverview(
        settings=settings,
        revenue=reports.revenue(settings.livemode),
        last_sync=sync.last_success_at(settings.livemode),
    )
