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

    def totals_by_currency(self) -> pd.DataFrame:
        """Totals per currency; amounts in different currencies are never added together.

        Gross and refunds are in the presentment currency, fees and net in the settlement
        currency: each total sits under the currency it is in.
        """
        presented = self.revenue.groupby("currency")[["gross", "refunded", "paid_registrants"]]
        settled = self.revenue.groupby("settlement_currency")[["fees", "net"]]
        totals = presented.sum().join(settled.sum(), how="outer").fillna(0).astype("int64")
        return totals.rename_axis("currency").reset_index()


def revenue_overview(settings: StripeSettings | None = None) -> RevenueOverview:
    settings = settings or stripe_settings()
    return RevenueOverview(
        settings=settings,
        revenue=reports.revenue(settings.livemode),
        last_sync=sync.last_success_at(settings.livemode),
    )
