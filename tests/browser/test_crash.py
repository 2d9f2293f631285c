"""kill -9 of the console's Streamlit process in the middle of a webinar's cancellation,
started from the browser: after `make run` again, the page offers to resume, the job
resumes, and every payment is refunded exactly once at Stripe."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
import stripe

from tests.browser_support import RunningConsole, screenshot, sign_in

pytestmark = pytest.mark.browser

WEBINAR = "wb_demo_10"  # about ninety paid registrants


def _streamlit_of(console: RunningConsole) -> int:
    """The pid of the launcher's Streamlit child."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
            parent = int((cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == console.process.pid and b"console.ui.serve" in argv:
            return int(cmdline.parent.name)
    raise AssertionError("no Streamlit child")


def _job_refunds(console: RunningConsole) -> list:
    """Refunds the console's cancellation jobs asked Stripe for."""
    client = stripe.StripeClient(
        "sk_test_local_console", base_addresses={"api": f"http://127.0.0.1:{console.stripe_port}"}
    )
    every = client.v1.refunds.list(params={"limit": 100}).auto_paging_iter()
    asked = ((r, r.metadata.to_dict().get("console_request_id", "")) for r in every)
    return [refund for refund, request_id in asked if request_id.startswith("job_")]


def _open_webinar(page, console: RunningConsole) -> None:
    page.goto(f"{console.url}/webinar?webinar={WEBINAR}")
    page.get_by_role("heading", name="Cancel").wait_for(timeout=60_000)


def test_streamlit_killed_mid_cancellation_resumes_and_refunds_each_payment_once(tmp_path, browser):
    console = RunningConsole(tmp_path)
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    try:
        sign_in(page, console.url)
        _open_webinar(page, console)
        page.get_by_text("Cancel this webinar, or one of its sessions").click()
        page.get_by_label("Reason (sent to registrants)").fill("The speaker is ill.")
        page.get_by_text("Yes, cancel and refund everyone").click()
        page.get_by_role("button", name="Cancel and refund").click()
        deadline = time.monotonic() + 120
        while len(_job_refunds(console)) < 10:  # well under way
            assert time.monotonic() < deadline, "the cancellation never got going"
            time.sleep(0.05)
        os.kill(_streamlit_of(console), signal.SIGKILL)
        console.process.wait(timeout=60)  # the launcher stops the rest with it
    finally:
        page.close()
        if console.process.poll() is None:
            console.stop()

    again = RunningConsole(tmp_path)  # `make run` again, on the same data
    try:
        before = _job_refunds(again)
        assert 10 <= len(before) < 90
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        sign_in(page, again.url)
        _open_webinar(page, again)
        page.get_by_text("A cancellation of this webinar stopped before the end").wait_for(
            timeout=60_000
        )
        page.get_by_role("button", name="Resume the cancellation").click()
        page.get_by_text("The cancellation is complete.").wait_for(timeout=180_000)
        screenshot(page, "crash-resumed")

        refunds = _job_refunds(again)
        assert max(Counter(r.charge for r in refunds).values()) == 1  # never twice
        again.sync()
        registrants = again.report("registrants", "--webinar", WEBINAR)
        assert registrants and all(
            row["amount_refunded"] == row["amount_paid"] for row in registrants
        )
    finally:
        again.stop()
