"""Streamlit pieces every page shares: the opening, language, mode banner, freshness,
dispute deadlines, cached reads, sync."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import NoReturn

import pandas as pd
import streamlit as st
from babel.numbers import format_decimal

from console.domain.email_address import EmailAddressInvalid
from console.domain.money import MoneyError, format_money
from console.formatting import i18n
from console.formatting.i18n import N_, _, ngettext, word_for
from console.formatting.presentation import refusal_text
from console.services import analytics, disputes, operations
from console.services.access import Actor
from console.settings import STALE_AFTER_SECONDS, StripeSettings, stripe_settings
from console.store import db, rollups
from console.stripe_api import sync
from console.ui.auth import page_guard


def locale() -> str:
    """The language of this page's run (the app sets it: `i18n.use`), for Babel's formats."""
    return i18n.language()


def money(amount: int, currency: str) -> str:
    return format_money(int(amount), currency, i18n.language())


def money_cell(amount: object, currency: object) -> str:
    """An amount in a table's cell; blank where there is none (or no currency to write it in)."""
    if not isinstance(currency, str) or amount is None or pd.isna(amount):
        return ""
    return money(int(amount), currency)


def number(count: int) -> str:
    """A count as the language writes it: 12,345 in English, 12 345 in French."""
    return format_decimal(int(count), locale=i18n.language())


def problem_text(problem: Exception) -> str:
    """What went wrong, for the person: the domain's refusals in the page's language."""
    if isinstance(problem, MoneyError | EmailAddressInvalid):
        return refusal_text(problem)
    return str(problem)


def data_version(livemode: bool) -> str:
    """Changes whenever the page totals are rebuilt (each sync, each refund): part of every
    cache key, so stale figures are never served."""
    return f"{db.database_path()}|{livemode}|{rollups.built_at()}"


@st.cache_data(ttl=600, show_spinner=False)
def cached(function_name: str, version: str, *args) -> pd.DataFrame:
    """A cached call of `analytics.<function_name>(*args)`; `version` only keys the cache."""
    del version
    return getattr(analytics, function_name)(*args)


NO_KEY = N_(
    "No Stripe key yet. Set STRIPE_API_KEY in the environment or in .streamlit/secrets.toml "
    "(see the README), then run a sync."
)
NO_SYNC = N_("No sync yet. Press “Sync now” on the Sync status page, or run `console sync`.")


def page_header(title: str) -> StripeSettings | None:
    """`title` (already in the page's language), the test-mode banner and freshness; None
    (after saying why) when there is no data."""
    settings = stripe_settings()
    st.title(title)
    if not settings.api_key:
        st.info(_(NO_KEY))
        return None
    mode_banner(settings)
    last = sync.last_success_at(settings.livemode)
    if last is None:
        st.info(_(NO_SYNC))
        return None
    age = (datetime.now(UTC) - last).total_seconds()
    if age > STALE_AFTER_SECONDS:
        st.warning(
            _(
                "The data is more than {hours} hours old (last sync {when}). "
                "Sync now for current figures.",
                hours=STALE_AFTER_SECONDS // 3600,
                when=last.strftime("%Y-%m-%d %H:%M UTC"),
            ),
            icon=":material/schedule:",
        )
    return settings


def mode_banner(settings: StripeSettings) -> None:
    """Test-mode data is marked as such wherever it appears."""
    if not settings.livemode:
        st.warning(_("TEST MODE: Stripe test data"), icon=":material/science:")


def export_name(stem: str, settings: StripeSettings) -> str:
    """A CSV file name that says when its figures are test-mode data."""
    return f"{stem}{'' if settings.livemode else '_TEST_MODE'}.csv"


# What a sync is doing, by the phase it reports.
SYNC_PHASES = {
    "starting": N_("Starting"),
    "backfill": N_("Copying the history"),
    "events": N_("Reading the events"),
    "balance_transactions": N_("Reading the balance transactions"),
    "payouts": N_("Reading what each payout holds"),
    "totals": N_("Rebuilding the totals"),
    "done": N_("Done"),
}
SYNC_MODES = {"incremental": N_("incremental sync"), "full": N_("full sync")}


def sync_phase(phase: str) -> str:
    return word_for(phase, SYNC_PHASES)


def sync_mode(mode: str) -> str:
    """“incremental sync”, “full sync”: what kind of sync a run was."""
    return word_for(mode, SYNC_MODES)


def sync_summary(result: sync.SyncResult) -> str:
    """“incremental sync: 1,234 objects in 12 requests, 3.4 s”, in the page's language."""
    return _(
        "{sync}: {objects} objects in {requests} requests, {seconds} s",
        sync=sync_mode(result.mode),
        objects=int(result.objects),
        requests=int(result.requests),
        seconds=format_decimal(round(result.seconds, 1), locale=i18n.language()),
    )


def _progress_text(progress: sync.SyncProgress) -> str:
    text = _(
        "{phase}: {objects} objects, {rate} requests a second",
        phase=sync_phase(progress.phase),
        objects=int(progress.objects),
        rate=round(progress.requests_per_second),
    )
    if progress.estimated_seconds_left:
        left = round(progress.estimated_seconds_left)
        text += _(", about {seconds} s left", seconds=left)
    return text


def sync_now_button(actor: Actor, key: str) -> None:
    """A “Sync now” button that shows progress, then refreshes every cached figure."""
    if not st.button(_("Sync now"), key=key, type="primary"):
        return
    bar = st.progress(0.0, text=_("Syncing with Stripe…"))
    # The sync may report from its worker threads, where this page's language is not set.
    language = i18n.language()

    def show(progress: sync.SyncProgress) -> None:
        # Stripe does not say how many objects there are: the bar advances by phase.
        share = {
            "starting": 0.02,
            "events": 0.4,
            "balance_transactions": 0.8,
            "payouts": 0.9,
            "totals": 0.95,
            "done": 1.0,
        }.get(progress.phase)
        if share is None:  # backfill phases
            share = min(0.9, 0.05 + progress.objects / (progress.objects + 2000))
        with i18n.speaking(language):
            bar.progress(share, text=_progress_text(progress))

    try:
        result = operations.start_sync(actor, on_progress=show)
    except sync.SyncError as problem:
        bar.empty()
        st.error(_("Sync failed: {reason}", reason=problem_text(problem)))
        return
    bar.progress(1.0)
    for warning in operations.settle_after_sync():
        st.warning(warning)
    cached.clear()
    st.success(_("Sync finished: {summary}", summary=sync_summary(result)))


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
        """`analytics.<function_name>(actor, livemode, *args)`, cached until the next sync
        (and per language: what a service writes in words is never served in another)."""
        version = f"{self.version}|{self.lang}"
        return cached(function_name, version, self.actor, self.settings.livemode, *args)


DISPUTES_PAGE = "pages/disputes.py"


@st.cache_data(ttl=120, show_spinner=False)
def disputes_due(version: str, actor: Actor, livemode: bool, minute: int) -> pd.DataFrame:
    """`disputes.due_soon` as of `minute` (unix minutes): every page of figures asks, so it
    is read once a minute, and again after each sync (`version`)."""
    del version
    return disputes.due_soon(actor, livemode, minute * 60)


def dispute_deadline_banner(page: DataPage, link: bool = True) -> None:
    """Disputes that need an answer within three days, or are past their deadline, are said
    on every page of figures, with the way to the Disputes page (`link`): unanswered, Stripe
    closes them as lost. Nothing when there are none."""
    if page.actor.role not in disputes.READERS:
        return
    minute = int(time.time()) // 60
    due = disputes_due(page.version, page.actor, page.settings.livemode, minute)
    if due.empty:
        return
    deadline = datetime.fromtimestamp(int(due["due_by"].iloc[0]), UTC)
    values = {"deadline": deadline.strftime("%Y-%m-%d %H:%M UTC")}
    if bool(due["overdue"].iloc[0]):  # nearest first: if any is late, this one is
        text = ngettext(
            "{count} dispute needs a response and its deadline, {deadline}, has passed.",
            "{count} disputes need a response; the earliest deadline, {deadline}, has passed.",
            len(due),
            **values,
        )
    else:
        text = ngettext(
            "{count} dispute needs a response within 3 days: Stripe's deadline is {deadline}.",
            "{count} disputes need a response within 3 days; the nearest deadline is {deadline}.",
            len(due),
            **values,
        )
    st.error(text, icon=":material/gavel:")
    if link:
        st.page_link(DISPUTES_PAGE, label=_("Open the disputes"), icon=":material/gavel:")


def open_data_page(title: str, *roles: str, link_to_disputes: bool = True) -> DataPage:
    """Every page of figures opens the same way: who may see it, the title (in the page's
    language), the mode banner, freshness and disputes near their deadline (with a link to
    the Disputes page unless it is that page); the page stops here (after saying why) when
    there is nothing to show."""
    actor = page_guard(*roles)
    settings = page_header(title)
    if settings is None:
        st.stop()
    page = DataPage(actor, settings, i18n.language())
    dispute_deadline_banner(page, link=link_to_disputes)
    return page


def stop_with_no_payments() -> NoReturn:
    st.info(
        _(
            "No payments in this selection. Widen the period or pick another webinar; once "
            "registrants pay, their payments appear after the next sync."
        )
    )
    st.stop()


def choose_from_link(param: str, key: str, choices: Collection[str], wanted: str | None = None):
    """A link (`?param=…`, or `wanted`) chooses the selectbox `key` once; after that the
    address only follows the person's choice (`keep_choice_in_address`), so it never takes
    a later choice back."""
    in_address = st.query_params.get(param)
    if in_address == st.session_state.get(f"{key}_in_address"):
        in_address = None
    wanted = wanted or in_address
    if wanted in choices:
        st.session_state[key] = wanted


def keep_choice_in_address(param: str, key: str, chosen: str) -> None:
    """The choice in the address, to share or reload; remembered as not a new link."""
    st.query_params[param] = st.session_state[f"{key}_in_address"] = chosen


def flash(key: str) -> None:
    """Say once what the previous run did (it left the message in session state)."""
    if message := st.session_state.pop(key, None):
        st.success(message)
