"""The small soak (`make soak` runs the full one): five signed-in Chromium sessions move
between every page, alone, then while a full sync and a cancellation run; no page load
fails and no page shows a traceback."""

from __future__ import annotations

import pytest

from tests.benchmarks.soak import PAGES, soak

pytestmark = pytest.mark.browser


def test_five_sessions_through_every_page_during_a_sync_and_a_cancellation(tmp_path):
    quiet, loaded, load = soak(
        tmp_path, sessions=5, seconds=0, registrants=10, loop_syncs=False, rounds=1
    )

    assert quiet.errors == [] and loaded.errors == []
    # Each session went once round every page, in each phase.
    assert quiet.pages == loaded.pages == set(PAGES)
    assert len(quiet.seconds) == len(loaded.seconds) == 5 * len(PAGES)
    assert load.syncs == [0]
    assert load.cancellation == "10 refunded, 0 failed of 10"
