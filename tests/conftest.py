"""Shared fixtures: a private local Stripe per test that needs one, and a fresh DuckDB."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest
import stripe

from console.store import db
from console.stripe_api import gateway, sync_rate
from tests.browser_support import browser, free_port  # noqa: F401
from tests.devtools.stripe_local import recording
from tests.parallel import Parallel
from tests.stripe_local_fixture import (  # noqa: F401
    StripeLocal,
    fresh_servers_fixture,
    start_stripe_local,
    stripe_local,
)
from tests.worlds import configure, running_smtp, world_copy  # noqa: F401


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory) -> Path:
    """A database the console created and brought to this release's schema, with nothing
    in it: `fresh_stripe` gives each test a copy, which is the file the console would
    create at its first connection, without running every migration once per test
    (tests/store/test_migrations.py runs them)."""
    path = tmp_path_factory.mktemp("empty-database") / "console.duckdb"
    db.ensure_schema(path)
    db._close_all()  # this process may hold the file open for its next unit of work
    return path


@pytest.fixture(autouse=True)
def _new_database_files_from_the_template(request, monkeypatch, empty_database):
    """A database file the console creates in a test is a copy of `empty_database`: the
    file its first connection would write, without running every migration again (about
    60 ms, in hundreds of tests). The migration tests, marked `first_migration`, run them."""
    if request.node.get_closest_marker("first_migration"):
        return
    ensure_schema = db.ensure_schema

    def from_the_template(path: Path | None = None) -> None:
        path = path or db.database_path()
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(empty_database, path)
        ensure_schema(path)

    monkeypatch.setattr(db, "ensure_schema", from_the_template)


@pytest.fixture
def fresh_stripe(monkeypatch, tmp_path, fresh_servers, empty_database) -> StripeLocal:
    """An empty local Stripe and an empty database, configured as the console would be."""
    base_url, stop = fresh_servers.take()
    local = StripeLocal(base_url)
    shutil.copyfile(empty_database, tmp_path / "console.duckdb")
    configure(monkeypatch, local, tmp_path / "console.duckdb")
    yield local
    stop()
    gateway._client_for.cache_clear()


@pytest.fixture
def smtp_server(monkeypatch):
    """A real SMTP server on loopback (aiosmtpd); `.messages` holds what it received."""
    with running_smtp(monkeypatch) as inbox:
        yield inbox


# --- the SDK's retry waits ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _short_sdk_retry_waits(monkeypatch):
    """stripe-python sleeps before each retry it makes (0.5 s, doubling, at most 5 s, with
    jitter). Against the local Stripe a retry never needs time to pass (its faults are
    injected, its answers immediate), so tests sleep a hundredth of that; every retry is
    still made, and still counted by the sync's governor."""
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", stripe.HTTPClient.INITIAL_DELAY / 100)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", stripe.HTTPClient.MAX_DELAY / 100)


# --- password hashes -----------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    """The console hashes passwords with argon2's defaults (about 0.2 s a hash here, by
    design). Tests that add and sign in accounts hash with the cheapest argon2id settings
    instead; a hash records its own settings, so the console verifies either kind.
    tests/services/test_auth.py checks the console's own settings."""
    from argon2 import PasswordHasher

    from console.services import auth

    with pytest.MonkeyPatch.context() as monkeypatch:
        cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        monkeypatch.setattr(auth, "_hasher", cheap)
        yield


# --- the sync's pace ------------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def _unpaced_sync():
    """The sync paces its requests at what Stripe allows (22 a second with a test key:
    console/stripe_api/sync_rate.py), which is most of a small sync's time. The local
    Stripe has no rate limit, so tests let the sync ask as fast as it answers
    (SYNC_REQUESTS_PER_SECOND, the console's own setting, as a person would set it).
    tests/stripe_api/test_sync_rate.py tests the pacing and the default rates; a test that
    needs a sync to take time passes a rate, or leaves the setting out of a process's
    environment. Set for the session, so module-scoped worlds sync at that pace too."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv(sync_rate.RATE_SETTING, "inf")
        yield


# --- Streamlit's scan of the installed packages ---------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def _streamlit_scans_the_installed_packages_once():
    """Each run of an `AppTest` looks through the metadata of every installed package for
    Streamlit components (streamlit.components.v2.manifest_scanner), about a quarter of a
    second each time, as a Streamlit server does once when it starts. The packages do not
    change during a session: the first scan's result serves every later run."""
    from streamlit.components.v2 import manifest_scanner

    with pytest.MonkeyPatch.context() as monkeypatch:
        scan = functools.cache(manifest_scanner.scan_component_manifests)
        monkeypatch.setattr(manifest_scanner, "scan_component_manifests", scan)
        yield


# Issue 11: every local Stripe of the session records its requests (STRIPE_LOCAL_RECORD) for
# tests/devtools/stripe_local/test_conformance.py, which runs after every other test.
def pytest_configure(config):
    recording.start(config)
    config.pluginmanager.register(Parallel(), "console-parallel")


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
    recording.note_use(items)
    if recording.is_xdist_worker(config):
        recording.leave_conformance_out(config, items)


# --- pytest-xdist (`make test` and `make test-fast` run `-n auto --dist loadfile`) ----------


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    recording.note_left_out(node.config, getattr(node, "workeroutput", None))


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session):
    result = yield
    if not recording.is_xdist_worker(session.config):
        recording.run_conformance_in_controller(session)
    return result
