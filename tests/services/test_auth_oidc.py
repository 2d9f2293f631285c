"""st.login end to end: Chromium, the console under Streamlit, and a local OIDC provider.

The console runs from a temporary directory whose .streamlit/secrets.toml has [auth]
pointing at tests/oidc_provider.py, and [console_roles] mapping e-mails to roles.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests import REPO
from tests.browser_support import ARTIFACTS, free_port
from tests.oidc_provider import OIDCProvider

CLIENT_ID, CLIENT_SECRET = "webinar-console", "oidc-test-client-secret"


def _write_app_dir(directory: Path, port: int, provider: OIDCProvider) -> None:
    (directory / ".streamlit").mkdir()
    (directory / ".streamlit" / "secrets.toml").write_text(
        f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "oidc-test-cookie-secret-{os.urandom(8).hex()}"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
server_metadata_url = "{provider.metadata_url}"

[console_roles]
admins = ["ada@example.org"]
"""
    )
    (directory / "streamlit_app.py").symlink_to(REPO / "streamlit_app.py")
    (directory / "pages").symlink_to(REPO / "pages", target_is_directory=True)


def _wait_until_healthy(process: subprocess.Popen, url: str, log: Path, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("Streamlit did not start:\n" + log.read_text())


@pytest.fixture(scope="module")
def oidc_console(tmp_path_factory):
    """(console URL, provider): the console with [auth] set, signing in through the provider."""
    directory = tmp_path_factory.mktemp("oidc_console")
    port = free_port()
    process = None
    provider = OIDCProvider(CLIENT_ID, CLIENT_SECRET).start()
    log = directory / "streamlit.log"
    try:
        _write_app_dir(directory, port, provider)
        env = {
            **os.environ,
            "CONSOLE_DB": str(directory / "console.duckdb"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        env.pop("STRIPE_API_KEY", None)
        with log.open("w") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "console.ui.serve",
                    "--server.address",
                    "127.0.0.1",
                    "--server.port",
                    str(port),
                    "--server.headless",
                    "true",
                    "--browser.gatherUsageStats",
                    "false",
                    "--server.fileWatcherType",
                    "none",
                ],
                cwd=directory,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(process, url, log)
        yield url, provider, log
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        provider.stop()


def _sign_in_through_provider(browser, oidc_console, email: str, name: str):
    url, provider, log = oidc_console
    provider.email = email
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Sign in with your organization's account").click()
    try:
        # Streamlit → /auth/login → provider /authorize → /oauth2callback → the app again.
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text(f"Signed in as {email}").wait_for(timeout=30_000)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"oidc-{name}-failed.png"), full_page=True)
        context.close()
        raise AssertionError(
            f"sign-in did not finish at {page.url}; provider saw {provider.requests}\n"
            + log.read_text()[-4000:]
        ) from None
    return context, page


def test_oidc_admin_signs_in_with_st_login(browser, oidc_console):
    _, provider, _ = oidc_console
    context, page = _sign_in_through_provider(browser, oidc_console, "ada@example.org", "admin")
    try:
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Signed in as ada@example.org (admin)").wait_for(timeout=30_000)
        assert page.get_by_text("No access yet").count() == 0
        # The whole code flow ran against the provider, PKCE and signed ID token included.
        for step in ("GET /authorize", "POST /token", "GET /jwks"):
            assert step in provider.requests, provider.requests
        assert any(c["name"] == "_streamlit_user" for c in context.cookies())
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()


def test_oidc_user_without_role_sees_no_access(browser, oidc_console):
    context, page = _sign_in_through_provider(
        browser, oidc_console, "stranger@elsewhere.example", "stranger"
    )
    try:
        page.get_by_role("heading", name="No access yet").wait_for(timeout=30_000)
        page.get_by_text("You are signed in as stranger@elsewhere.example").wait_for()
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Signed in as stranger@elsewhere.example (no role)").wait_for()
        assert page.get_by_text("Signed in as ada@example.org").count() == 0
    finally:
        context.close()
