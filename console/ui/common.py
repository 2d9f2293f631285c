"""Streamlit pieces every page shares: the opening, language, mode banner, freshness,
cached reads, sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import NoReturn

import pandas as pd
import streamlit as st

from console.domain.money import format_money
from console.formatting.legacy_labels import t
from console.services import analytics, operations
from console.services.access import Actor
from console.settings import STALE_AFTER_SECONDS, StripeSettings, stripe_settings
from console.store import db, rollups
from console.stripe_api import sync
from console.ui.auth import page_guard


def locale() -> str:
    return st.session_state.get("locale", "en")


def money(amount: int, currency: str) -> str:
    return format_money(int(amount), currency, locale())


def data_version(livemode: bool) -> str:
    """Changes whenever the page totals are rebuilt (each sync, each refund): part of every
    cache key, so stale figures are never served."""
    return f"{db.database_path()}|{livemode}|{rollups.built_at()}"


@st.cache_data(ttl=600, show_spinner=False)
def cached(function_name: str, version: str, *args) -> pd.DataFrame:
    """A cached call of `analytics.<function_name>(*args)`; `version` only keys the cache."""
    del version
    return getattr(analytics, function_name)(*args)


def page_header(title_key: str) -> StripeSettings | None:
    """Title, test-mode banner and freshness; None (after saying why) when there is no data."""
    settings = stripe_settings()
    st.title(t(title_key, locale()))
    if not settings.api_key:
        st.info(t("no_key", locale()))
        return None
    mode_banner(settings)
    last = sync.last_success_at(settings.livemode)
    if last is None:
        st.info(t("no_sync", locale()))
        return None
    age = (datetime.now(UTC) - last).total_seconds()
    if age > STALE_AFTER_SECONDS:
        st.warning(
            t(
                "stale",
                locale(),
                hours=STALE_AFTER_SECONDS // 3600,
                when=f"{last:%Y-%m-%d %H:%M} UTC",
            ),
            icon=":material/schedule:",
        )
    return settings


def mode_banner(settings: StripeSettings) -> None:
    """Test-mode data is marked as such wherever it appears."""
    if not settings.livemode:
        st.warning(t("test_mode", locale()), icon=":material/science:")


def export_name(stem: str, settings: StripeSettings) -> str:
    """A CSV file name that says when its figures are test-mode data."""
    return f"{stem}{'' if settings.livemode else '_TEST_MODE'}.csv"


def sync_now_button(actor: Actor, key: str) -> None:
    """A “Sync now” button that shows progress, then refreshes every cached figure."""
    if not st.button(t("sync_now", locale()), key=key, type="primary"):
        return
    bar = st.progress(0.0, text=t("sync_running", locale()))

    def show(progress: sync.SyncProgress) -> None:
        # Stripe does not say how many objects there are: the bar advances by phase.
        share = {
            "starting": 0.02,
            "events": 0.4,
            "balance_transactions": 0.8,
            "totals": 0.95,
            "done": 1.0,
        }.get(progress.phase)
        if share is None:  # backfill phases
            share = min(0.9, 0.05 + progress.objects / (progress.objects + 2000))
        bar.progress(
            share,
            text=f"{progress.phase}: {progress.objects:,} "
            f"{t('objects', locale()).lower()}, "
            f"{progress.requests_per_second:.0f} req/s"
            + (
                f", about {progress.estimated_seconds_left:.0f} s left"
                if progress.estimated_seconds_left
                else ""
            ),
        )

    try:
        result = operations.start_sync(actor, on_progress=show)
    except sync.SyncError as problem:
        bar.empty()
        st.error(t("sync_failed", locale(), reason=problem))
        return
    bar.progress(1.0)
    for warning in operations.settle_after_sync():
        st.warning(warning)
    cached.clear()
    st.success(t("sync_done", locale(), summary=result.summary()))


@dataclass
class DataPage:
    """Who opened a page of figures, with which Stripe settings, in which language."""

    actor: Actor
    settings: StripeSettings
    lang: str

    @cached_property
    def version(self) -> str:
        return data_version(self.settings.livemode)

    def read(self, function_name: str, *args) -> pd.DataFrame:
        """`analytics.<function_name>(actor, livemode, *args)`, cached until the next sync."""
        return cached(function_name, self.version, self.actor, self.settings.livemode, *args)


def open_data_page(title_key: str, *roles: str) -> DataPage:
    """Every page of figures opens the same way: who may see it, the title, the mode banner
    and freshness; the page stops here (after saying why) when there is nothing to show."""
    actor = page_guard(*roles)
    settings = page_header(title_key)
    if settings is None:
        st.stop()
    return DataPage(actor, settings, locale())


def stop_with_no_payments() -> NoReturn:
    st.info(t("no_payments", locale()))
    st.stop()


def flash(key: str) -> None:
    """Say once what the previous run did (it left the message in session state)."""
    if message := st.session_state.pop(key, None):
        st.success(message)
