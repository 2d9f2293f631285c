"""console/ui/jobs.py through AppTest: a cancellation job run in the page, with a progress
bar, running counts, and what to do when refunds failed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Registration, Webinar
from console.services import cancellations
from console.services.access import ADMIN, ORGANIZER, Actor
from console.store import db
from console.store.catalog import save_registrations, save_webinars
from console.stripe_api import sync
from tests.payments import pay

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)


def job_page(actor, job_id: str) -> None:
    import streamlit as st

    from console.ui.jobs import run_job

    result = run_job(actor, job_id)
    st.caption(f"returned: {result.done} of {result.total}")


@pytest.fixture(autouse=True)
def no_smtp(monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)


def _webinar(price: int | None = None, currency: str | None = None) -> None:
    with db.connect(write=True) as con:
        save_webinars(
            con,
            [
                Webinar(
                    "wb_j", "Jobs", "ann@example.org", price_amount=price, price_currency=currency
                )
            ],
        )


def _run(actor: Actor, job_id: str) -> AppTest:
    app = AppTest.from_function(job_page, args=(actor, job_id), default_timeout=60).run()
    assert not app.exception, app.exception
    return app


def _statuses() -> list[str]:
    with db.connect() as con:
        return [r[0] for r in con.execute("SELECT status FROM registrants ORDER BY 1").fetchall()]


def test_a_free_webinar_is_cancelled_with_everyone_counted(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)  # no money moves: Stripe is not asked
    _webinar()
    with db.connect(write=True) as con:
        save_registrations(
            con,
            [
                Registration(
                    f"reg_{n}",
                    "wb_j",
                    f"P{n}",
                    f"p{n}@example.org",
                    "registered",
                    None,
                    datetime.now(UTC),
                )
                for n in range(2)
            ],
        )
    job_id = cancellations.start_cancellation(ANN, "wb_j", "the speaker is ill")

    app = _run(ANN, job_id)

    [bar] = app.get("progress")
    assert (bar.value, bar.proto.text) == (100, "2 of 2")
    assert [m.value for m in app.markdown] == [
        "Refunded **0** · skipped, already refunded **0** · cancelled without payment **2** · "
        "failed **0**"
    ]
    assert [s.value for s in app.success] == ["The cancellation is complete."]
    assert not app.error
    assert app.session_state["cancellation_job"] == job_id
    assert app.caption[0].value == "returned: 2 of 2"
    assert _statuses() == ["cancelled", "cancelled"]
    assert len(list((tmp_path / "outbox").glob("cancel-wb_j-*.eml"))) == 2


def test_failed_refunds_are_counted_and_the_person_told_to_resume(fresh_stripe):
    _webinar(4900, "eur")
    client = fresh_stripe.client()
    pay(client, "wb_j", 4900, "eur", card="pm_card_fr", email="paid@example.org")
    pay(client, "wb_j", 4900, "eur", card="pm_card_createDispute", email="disputed@example.org")
    sync.run_sync()
    job_id = cancellations.start_cancellation(ADMIN_ACTOR, "wb_j", "venue closed")

    app = _run(ADMIN_ACTOR, job_id)

    assert app.get("progress")[0].proto.text == "2 of 2"
    assert [m.value for m in app.markdown] == [
        "Refunded **1** · skipped, already refunded **0** · cancelled without payment **0** · "
        "failed **1**"
    ]
    assert [e.value for e in app.error] == [
        "1 refund failed; the reason is in the summary. Resume the cancellation to try it again."
    ]
    assert not app.success
    assert cancellations.unfinished_job(ADMIN_ACTOR, "wb_j") == job_id  # left open to resume
    summary = cancellations.job_summary(ADMIN_ACTOR, job_id).set_index("email")
    assert summary.loc["paid@example.org", "outcome"] == "refunded"
    assert summary.loc["disputed@example.org", "outcome"] == "failed"


def test_the_running_counts_read_in_french():
    from console.formatting import i18n
    from console.ui.jobs import counts_text

    progress = cancellations.JobProgress(total=1200, done=1200, refunded=1100, failed=2)
    with i18n.speaking("fr"):
        assert counts_text(progress) == (
            "Remboursés **1\u202f100** · ignorés, déjà remboursés **0** · annulés sans "
            "paiement **0** · échecs **2**"
        )
