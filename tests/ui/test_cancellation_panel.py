"""console/ui/cancellation_panel.py through AppTest, on a free webinar (no money moves, so
Stripe is not asked; paid cancellations are run in tests/ui/test_jobs.py and
tests/pages/test_refund_pages.py): what to cancel, the reason and the confirmation it
needs, the job's summary and its CSV, resuming a job that stopped, and who may cancel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Registration, Session, Webinar
from console.services import audit, cancellations
from console.services.access import ADMIN, ORGANIZER, Actor
from console.store import catalog, db
from tests.ui.support import run_piece

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)
BOB = Actor("bob@example.org", ORGANIZER)
WARNING = (
    "Everyone registered is cancelled and every paid registrant is refunded in full. Stripe "
    "keeps its fees. This cannot be undone."
)


@pytest.fixture(autouse=True)
def workshop(tmp_path, monkeypatch):
    """Ann's free two-session workshop with two registrants; no Stripe key, no SMTP (mail
    goes to the outbox folder)."""
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    monkeypatch.delenv("SMTP_HOST", raising=False)
    with db.connect(write=True) as con:
        catalog.save_webinars(
            con,
            [
                Webinar(
                    "wb_w",
                    "Workshop",
                    "ann@example.org",
                    sessions=(
                        Session(datetime(2027, 3, 1, 16, 0, tzinfo=UTC), 90),
                        Session(datetime(2027, 3, 8, 16, 30, tzinfo=UTC), 90),
                    ),
                )
            ],
        )
        catalog.save_registrations(
            con,
            [
                Registration(f"reg_{n}", "wb_w", n.title(), f"{n}@example.org", "registered")
                for n in ("ada", "bea")
            ],
        )
    return tmp_path


@pytest.fixture
def downloads(monkeypatch):
    """What each download button would serve, by URL: (data, mimetype, file name)."""
    served: dict[str, tuple] = {}
    add = MediaFileManager.add

    def spy_add(self, data, mimetype, coordinates, file_name=None, *args, **kwargs):
        url = add(self, data, mimetype, coordinates, file_name, *args, **kwargs)
        served[url] = (data, mimetype, file_name)
        return url

    monkeypatch.setattr(MediaFileManager, "add", spy_add)
    return served


def panel_page(actor, webinar_id: str) -> None:
    """The Webinar page loads the webinar on each run, then shows the panel."""
    from console.store import catalog
    from console.ui.cancellation_panel import cancellation_panel

    cancellation_panel(actor, catalog.load_webinar(webinar_id))


def _page(actor: Actor = ANN, **state) -> AppTest:
    return run_piece(panel_page, actor, "wb_w", **state)


def _cancel(app: AppTest, reason: str, what: int | None = None, sure: bool = True) -> AppTest:
    app.selectbox(key="cancel_what").set_value(what)
    app.text_input(key="cancel_webinar_reason").input(reason)
    if sure:
        app.checkbox(key="confirm_cancel").check()
    app.run()
    app.button(key="cancel_webinar").click().run()
    return app


def _statuses() -> list[str]:
    with db.connect() as con:
        rows = con.execute("SELECT status FROM registrants ORDER BY email").fetchall()
    return [row[0] for row in rows]


def _cancelled_sessions() -> list[int]:
    with db.connect() as con:
        rows = con.execute(
            "SELECT session_no FROM webinar_sessions WHERE cancelled ORDER BY 1"
        ).fetchall()
    return [row[0] for row in rows]


def test_the_panel_reads_in_french_and_so_does_its_summary(workshop, downloads):
    app = _page(locale="fr")
    assert [s.value for s in app.subheader] == ["Annuler"]
    assert [e.label for e in app.expander] == ["Annuler ce webinaire, ou l'une de ses sessions"]
    what = app.selectbox(key="cancel_what")
    assert (what.label, what.options[0]) == ("Quoi annuler", "Tout le webinaire")
    assert what.options[1].startswith("Session 1 : ")
    _cancel(app, "l'intervenant est malade")
    assert not app.exception, app.exception
    assert [s.value for s in app.success] == ["L'annulation est terminée."]
    assert set(app.dataframe[0].value["outcome"]) == {"annulé sans paiement"}
    [button] = app.get("download_button")
    assert button.proto.label == "Télécharger le récapitulatif (CSV)"
    header = downloads[button.proto.url][0].decode().splitlines()[0]
    assert header.startswith("Nom,E-mail,Paiement Stripe,Devise,Remboursé,Résultat,")


def test_the_form_offers_the_whole_webinar_or_one_session_and_warns():
    app = _page()
    assert [s.value for s in app.subheader] == ["Cancel"]
    assert [e.label for e in app.expander] == ["Cancel this webinar, or one of its sessions"]
    what = app.selectbox(key="cancel_what")
    assert what.label == "What to cancel"
    assert what.options == [
        "The whole webinar",
        "Session 1: 2027-03-01 16:00 UTC",
        "Session 2: 2027-03-08 16:30 UTC",
    ]
    assert what.value is None  # the whole webinar unless chosen otherwise
    assert app.text_input(key="cancel_webinar_reason").label == "Reason (sent to registrants)"
    assert [w.value for w in app.warning] == [WARNING]
    assert app.checkbox(key="confirm_cancel").label == "Yes, cancel and refund everyone"


def test_the_button_stays_disabled_until_the_person_confirms():
    app = _page()
    assert app.button(key="cancel_webinar").disabled
    app.checkbox(key="confirm_cancel").check().run()
    assert not app.button(key="cancel_webinar").disabled


def test_a_reason_is_needed_and_nothing_is_cancelled_without_one():
    app = _cancel(_page(), reason="  ")
    assert [e.value for e in app.error] == ["Give a reason: registrants read it in their e-mail."]
    assert cancellations.unfinished_job(ADMIN_ACTOR, "wb_w") is None
    assert catalog.load_webinar("wb_w").status == "scheduled"
    assert _statuses() == ["registered", "registered"]


def test_cancelling_the_webinar_cancels_everyone_and_offers_the_summary(workshop, downloads):
    app = _cancel(_page(), reason="the speaker is ill")
    assert not app.exception, app.exception

    assert [s.value for s in app.success] == ["The cancellation is complete."]
    assert catalog.load_webinar("wb_w").status == "cancelled"
    assert _statuses() == ["cancelled", "cancelled"]
    job_id = app.session_state["cancellation_job"]
    summary = app.dataframe[0].value
    assert summary[["name", "email", "outcome"]].values.tolist() == [
        ["Ada", "ada@example.org", "cancelled without payment"],
        ["Bea", "bea@example.org", "cancelled without payment"],
    ]
    [button] = app.get("download_button")
    assert button.proto.label == "Download the summary (CSV)"
    data, mimetype, file_name = downloads[button.proto.url]
    assert (mimetype, file_name) == ("text/csv", "cancellation_wb_w.csv")
    # Headed for people; the rows as the service writes them (codes, minor units).
    header, *rows = data.decode().splitlines()
    assert header == "Name,E-mail,Stripe charge,Currency,Refunded,Outcome,Detail,Stripe refund"
    assert rows == cancellations.job_summary_csv(ADMIN_ACTOR, job_id).decode().splitlines()[1:]
    assert all(",cancelled," in row for row in rows)
    mails = sorted(p.name for p in (workshop / "outbox").glob("cancel-wb_w-*.eml"))
    assert mails == ["cancel-wb_w-reg_ada.eml", "cancel-wb_w-reg_bea.eml"]
    assert "the speaker is ill" in (workshop / "outbox" / mails[0]).read_text()
    [entry] = audit.search(ADMIN_ACTOR, action="cancel webinar").to_dict("records")
    assert entry["actor"] == "ann@example.org" and entry["reason"] == "the speaker is ill"


def test_once_cancelled_the_form_is_gone_and_the_summary_stays():
    app = _cancel(_page(), reason="venue closed")
    app.run()  # the page loads the webinar again: cancelled now
    assert not app.exception, app.exception
    assert not app.expander and not app.button
    assert [s.value for s in app.subheader] == ["Cancel"]
    assert len(app.dataframe[0].value) == 2 and app.get("download_button")


def test_a_cancelled_webinar_without_a_job_in_this_session_shows_nothing_more():
    with db.connect(write=True) as con:
        catalog.cancel_webinar(con, "wb_w")
    app = _page()
    assert [s.value for s in app.subheader] == ["Cancel"]
    assert not app.expander and not app.dataframe and not app.get("download_button")


def test_cancelling_one_session_leaves_the_webinar_scheduled():
    app = _cancel(_page(), reason="room taken", what=2)
    assert [s.value for s in app.success] == ["The cancellation is complete."]
    assert _cancelled_sessions() == [2]
    assert catalog.load_webinar("wb_w").status == "scheduled"
    assert list(audit.search(ADMIN_ACTOR)["action"]).count("cancel session 2") == 1


def test_a_cancellation_that_stopped_is_resumed_instead_of_started_again():
    job_id = cancellations.start_cancellation(ANN, "wb_w", "snow")  # stopped before its work
    app = _page()
    assert [w.value for w in app.warning] == [
        "A cancellation of this webinar stopped before the end. Resuming it refunds only "
        "those not refunded yet."
    ]
    assert not app.expander  # no second cancellation while one is unfinished
    assert [b.label for b in app.button] == ["Resume the cancellation"]
    assert _statuses() == ["registered", "registered"]

    app.button(key="resume_cancellation").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.success] == ["The cancellation is complete."]
    assert not app.warning and not app.button  # no longer offered: it is finished
    assert app.session_state["cancellation_job"] == job_id
    assert cancellations.unfinished_job(ADMIN_ACTOR, "wb_w") is None
    assert _statuses() == ["cancelled", "cancelled"]
    assert len(app.dataframe[0].value) == 2


def test_an_admin_cancels_any_webinar():
    app = _cancel(_page(ADMIN_ACTOR), reason="policy")
    assert [s.value for s in app.success] == ["The cancellation is complete."]
    assert _statuses() == ["cancelled", "cancelled"]


def test_another_organizer_is_refused_and_nothing_is_cancelled():
    # The Webinar page never shows Ann's webinar to Bob; the panel alone still refuses,
    # before it offers anything.
    app = _page(BOB)
    assert [e.value for e in app.error] == ["bob@example.org may manage only their own webinars."]
    assert not app.button and not app.checkbox and not app.text_input
    assert cancellations.unfinished_job(ADMIN_ACTOR, "wb_w") is None
    assert catalog.load_webinar("wb_w").status == "scheduled"
    assert _statuses() == ["registered", "registered"]
