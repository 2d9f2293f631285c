"""console/ui/serve.py: what it configures before Streamlit starts (no server is started:
Streamlit's CLI entry point is replaced by one that records what it was given)."""

from __future__ import annotations

import runpy
import sys

import pytest
import streamlit.web.cli
from streamlit.runtime.pages_manager import PagesManager


@pytest.fixture
def started(monkeypatch) -> list[dict]:
    """Each start: the arguments Streamlit would have run with, and the pages setting."""
    starts: list[dict] = []

    def main() -> int:
        starts.append(
            {"argv": list(sys.argv), "pages_directory": PagesManager.uses_pages_directory}
        )
        return 0

    monkeypatch.setattr(streamlit.web.cli, "main", main)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    monkeypatch.setattr(sys, "argv", ["serve.py"])
    return starts


def _serve(*options: str) -> int:
    sys.argv = ["serve.py", *options]
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("console.ui.serve", run_name="__main__")
    return exited.value.code


def test_serve_runs_the_app_entry_point_with_the_options_given(started):
    assert _serve("--server.port", "8600", "--server.headless", "true") == 0
    [start] = started
    assert start["argv"] == [
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.port",
        "8600",
        "--server.headless",
        "true",
    ]


def test_the_pages_folder_is_not_taken_for_legacy_auto_pages(started):
    # Settled before the server starts, so the first visitor to /fees gets the whole app.
    _serve()
    assert started == [{"argv": ["streamlit", "run", "streamlit_app.py"], "pages_directory": False}]


def test_importing_serve_starts_nothing(started):
    runpy.run_module("console.ui.serve", run_name="console.ui.serve")
    assert started == []
    assert PagesManager.uses_pages_directory is None


def test_streamlits_exit_code_is_the_processs(started, monkeypatch):
    monkeypatch.setattr(streamlit.web.cli, "main", lambda: 3)
    assert _serve() == 3


def test_public_runs_the_public_sites_entry_point(started):
    assert _serve("--public", "--server.port", "8502") == 0
    assert started[0]["argv"] == ["streamlit", "run", "public_app.py", "--server.port", "8502"]
    assert started[0]["pages_directory"] is False
