"""console/ui/common.py through AppTest: the opening every page of figures shares (guard,
title, test-mode banner, freshness), the language, cached reads keyed on the totals' build,
the one-time flash, and the “Sync now” button."""

from __future__ import annotations

import functools

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from console.domain.catalog import Webinar
from console.services import audit
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor
from console.settings import StripeSettings
from console.store import db, rollups
from console.store.catalog import save_webinars
from console.stripe_api import sync
from console.ui import common
from tests.payments import pay
from tests.ui.support import run_piece
from tests.worlds import module_world

ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
FIN = Actor("fin@example.org", FINANCE)
ANN = Actor("ann@example.org", ORGANIZER)
TEST_MODE = "TEST MODE: Stripe test data"


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()


@pytest.fixture
def no_key(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)


@pytest.fixture(scope="module")
def synced(fresh_servers, tmp_path_factory):
    """A payment, synced a moment ago."""
    with module_world(fresh_servers, tmp_path_factory.mktemp("common")) as local:
        pay(local.client(), "wb_c", 4900, "eur", card="pm_card_fr")
        sync.run_sync()
        yield local


_run = functools.partial(run_piece, timeout=30, actor=ADMIN_ACTOR)


def _said(app: AppTest) -> dict[str, list[str]]:
    return {
        kind: [element.value for element in getattr(app, kind)]
        for kind in ("title", "info", "warning", "error", "success", "markdown")
        if getattr(app, kind)
    }


# --- language and names ------------------------------------------------------------------


def money_page() -> None:
    import streamlit as st

    from console.ui.common import locale, money

    st.markdown(f"{locale()}: {money(4900, 'eur')} · {money(5000, 'jpy')}")


def test_money_is_written_in_the_chosen_language():
    assert _run(money_page).markdown[0].value == "en: €49.00 · ¥5,000"
    french = _run(money_page, locale="fr").markdown[0].value
    assert french == "fr: 49,00\xa0€ · 5\u202f000\xa0JPY"


def test_an_export_says_when_its_figures_are_test_data():
    assert common.export_name("fees", StripeSettings("sk_test_x", "")) == "fees_TEST_MODE.csv"
    assert common.export_name("fees", StripeSettings("rk_live_x", "")) == "fees.csv"


# --- the header of a page of figures --------------------------------------------------------


def header_page(title: str) -> None:
    import streamlit as st

    from console.formatting.i18n import _
    from console.ui.common import page_header

    settings = page_header(_(title))
    st.markdown(f"settings: {None if settings is None else settings.key_hint}")


def test_without_a_key_the_page_says_how_to_connect_stripe(no_key):
    said = _said(_run(header_page, "Stripe fees"))
    assert said["title"] == ["Stripe fees"]
    assert said["info"][0].startswith("No Stripe key yet. Set STRIPE_API_KEY")
    assert said["markdown"] == ["settings: None"]
    assert "warning" not in said


def test_before_a_first_sync_the_page_says_how_to_run_one(no_key, monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_never_synced")
    said = _said(_run(header_page, "Revenue", locale="fr"))
    assert said["title"] == ["Revenus"]
    assert said["warning"] == ["MODE TEST : données de test Stripe"]
    assert said["info"][0].startswith("Aucune synchronisation pour l'instant.")
    assert said["markdown"] == ["settings: None"]


def test_after_a_sync_the_page_has_its_settings_and_a_test_mode_banner(synced):
    said = _said(_run(header_page, "Reconciliation"))
    assert said["title"] == ["Reconciliation"]
    assert said["warning"] == [TEST_MODE]  # and no freshness warning
    assert said["markdown"] == ["settings: test secret key …sole"]


def test_old_data_gets_a_warning_with_the_time_of_the_last_sync(fresh_stripe):
    sync.run_sync()
    with db.connect(write=True) as con:
        con.execute("UPDATE sync_runs SET finished_at = finished_at - INTERVAL 7 HOUR")
    last = sync.last_success_at(False)
    said = _said(_run(header_page, "Stripe fees"))
    assert said["warning"] == [
        TEST_MODE,
        f"The data is more than 6 hours old (last sync {last:%Y-%m-%d %H:%M} UTC). "
        "Sync now for current figures.",
    ]
    assert said["markdown"] == ["settings: test secret key …sole"]


def banner_page(api_key: str) -> None:
    import streamlit as st

    from console.settings import StripeSettings
    from console.ui.common import mode_banner

    mode_banner(StripeSettings(api_key, "http://127.0.0.1"))
    st.markdown("figures")


def test_only_test_mode_data_is_marked():
    assert [w.value for w in _run(banner_page, "sk_test_x").warning] == [TEST_MODE]
    assert not _run(banner_page, "sk_live_x").warning


# --- opening a page of figures ------------------------------------------------------------


def data_page(roles: tuple[str, ...]) -> None:
    import streamlit as st

    from console.ui.common import open_data_page

    page = open_data_page("Stripe fees", *roles)
    choices = page.read("filter_choices")
    st.markdown(f"{page.actor.email} · {page.lang} · {sorted(choices.currencies)}")


def test_a_page_of_figures_opens_for_the_roles_it_names(synced):
    app = _run(data_page, (ADMIN, FINANCE), actor=FIN)
    assert _said(app)["markdown"] == ["fin@example.org · en · ['eur']"]
    refused = _run(data_page, (ADMIN, FINANCE), actor=ANN)
    assert _said(refused)["title"] == ["Not allowed"] and "markdown" not in _said(refused)


def test_a_page_of_figures_stops_when_there_is_nothing_to_show(no_key):
    said = _said(_run(data_page, (ADMIN,)))
    assert said["title"] == ["Stripe fees"] and said["info"][0].startswith("No Stripe key yet")
    assert "markdown" not in said


def no_payments_page() -> None:
    import streamlit as st

    from console.ui.common import stop_with_no_payments

    stop_with_no_payments()
    st.markdown("not reached")


def test_no_payments_says_what_to_do_and_stops():
    said = _said(_run(no_payments_page))
    assert said["info"][0].startswith("No payments in this selection.")
    assert "markdown" not in said


def flash_page() -> None:
    from console.ui.common import flash

    flash("refund_flash")


def test_a_flash_is_said_once():
    app = _run(flash_page, refund_flash="Refund succeeded: €49.00.")
    assert [s.value for s in app.success] == ["Refund succeeded: €49.00."]
    app.run()
    assert not app.success


# --- cached reads ---------------------------------------------------------------------------


def _add_webinar(webinar_id: str) -> None:
    with db.connect(write=True) as con:
        save_webinars(con, [Webinar(webinar_id, webinar_id.title(), "ann@example.org")])


def test_the_data_version_changes_with_each_rebuild_and_names_mode_and_file(no_key):
    version = common.data_version(False)
    assert version.startswith(f"{db.database_path()}|False|")
    assert common.data_version(True).startswith(f"{db.database_path()}|True|")
    assert common.data_version(False) == version
    rollups.refresh()
    assert common.data_version(False) != version


def test_a_cached_read_is_served_until_the_totals_are_rebuilt(no_key):
    _add_webinar("wb_first")

    def read():
        version = common.data_version(False)
        return common.cached("filter_choices", version, ADMIN_ACTOR, False).webinars

    assert read() == {"wb_first": "Wb_First"}
    _add_webinar("wb_second")
    assert read() == {"wb_first": "Wb_First"}  # the same build: the cached answer
    rollups.refresh()
    assert set(read()) == {"wb_first", "wb_second"}


# --- Sync now ---------------------------------------------------------------------------------


def sync_page(button_key: str) -> None:
    from console.ui.auth import current_actor
    from console.ui.common import sync_now_button

    sync_now_button(current_actor(), button_key)


def test_the_sync_button_does_nothing_until_pressed(synced):
    app = _run(sync_page, "sync_here", actor=FIN)
    assert [b.label for b in app.button] == ["Sync now"]
    assert not app.success and not app.get("progress")


def test_pressing_sync_now_syncs_audits_and_says_what_was_done(synced):
    before = sync.last_success_at(False)
    app = _run(sync_page, "sync_here", actor=FIN)
    app.button(key="sync_here").click().run()
    assert not app.exception
    [done] = [s.value for s in app.success]
    assert done.startswith("Sync finished: incremental sync: ")
    assert sync.last_success_at(False) > before
    assert [p.value for p in app.get("progress")] == [100]
    assert "fin@example.org" in list(audit.search(ADMIN_ACTOR, action="sync started")["actor"])


def test_a_failed_sync_says_why(no_key):
    app = _run(sync_page, "sync_here", actor=ADMIN_ACTOR)
    app.button(key="sync_here").click().run()
    [failed] = [e.value for e in app.error]
    assert failed.startswith("Sync failed: No Stripe key is configured.")
    assert not app.success and not app.get("progress")


def test_a_sync_in_french_says_what_it_did_in_french(synced):
    app = _run(sync_page, "sync_here", actor=FIN, locale="fr")
    assert [b.label for b in app.button] == ["Synchroniser"]
    app.button(key="sync_here").click().run()
    assert not app.exception, app.exception
    [done] = [s.value for s in app.success]
    assert done.startswith("Synchronisation terminée : synchronisation incrémentale : ")
    assert " objets en " in done and " requêtes, " in done


# --- words and numbers for people -------------------------------------------------------------


def test_the_language_of_the_run_is_the_one_the_app_speaks():
    from console.formatting import i18n

    assert common.locale() == "en"
    with i18n.speaking("fr"):
        assert common.locale() == "fr"
        assert common.number(12345) == "12\u202f345"
        assert common.money_cell(4900, "eur") == "49,00\xa0€"
    assert common.number(12345) == "12,345"
    assert [common.money_cell(a, c) for a, c in ((None, "eur"), (4900, None))] == ["", ""]


def test_a_sync_is_told_in_the_language_of_the_page():
    from console.formatting import i18n

    result = sync.SyncResult("run", "full", 1234, 12, 3.44)
    progress = sync.SyncProgress("events", objects=1500, estimated_seconds_left=41.6)
    assert common.sync_summary(result) == "full sync: 1,234 objects in 12 requests, 3.4 s"
    assert common._progress_text(progress).startswith("Reading the events: 1,500 objects, ")
    assert common._progress_text(progress).endswith(", about 42 s left")
    with i18n.speaking("fr"):
        assert common.sync_summary(result) == (
            "synchronisation complète : 1\u202f234 objets en 12 requêtes, 3,4 s"
        )
        assert common.sync_phase("backfill") == "Copie de l'historique"
        assert common.sync_phase("new_phase") == "new_phase"


def test_the_domains_refusals_are_said_in_the_language_of_the_page():
    from console.domain.money import MoneyError, parse_minor_units
    from console.formatting import i18n

    with pytest.raises(MoneyError) as raised:
        parse_minor_units("abc", "eur")
    refused = raised.value
    assert common.problem_text(refused) == str(refused)
    with i18n.speaking("fr"):
        assert common.problem_text(refused) != str(refused)
    assert common.problem_text(RuntimeError("as it is")) == "as it is"


def link_then_choice_piece() -> None:
    import streamlit as st

    from console.ui.common import choose_from_link, keep_choice_in_address

    choose_from_link("thing", "thing_choice", ["a", "b", "c"])
    chosen = st.selectbox("Thing", ["a", "b", "c"], key="thing_choice")
    keep_choice_in_address("thing", "thing_choice", chosen)


def test_a_link_chooses_once_then_the_address_follows_the_person():
    app = run_piece(link_then_choice_piece, query={"thing": "b"})
    assert app.selectbox(key="thing_choice").value == "b"
    app.selectbox(key="thing_choice").select("c").run()
    assert app.selectbox(key="thing_choice").value == "c"
    assert app.query_params["thing"] == "c"
    app.query_params["thing"] = "a"  # a new link, followed in the same session
    app.run()
    assert app.selectbox(key="thing_choice").value == "a"


def test_a_link_to_what_is_not_there_chooses_nothing():
    app = run_piece(link_then_choice_piece, query={"thing": "zzz"})
    assert app.selectbox(key="thing_choice").value == "a"
