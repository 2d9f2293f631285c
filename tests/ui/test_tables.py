"""console/ui/tables.py through AppTest: translated headings, full-width tables without the
index, date columns, and CSV downloads (formulas neutralised; a function called only when
the file is asked for; the header row in the page's language, the values as they are)."""

from __future__ import annotations

import functools
import json

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.ui.support import run_piece


@pytest.fixture
def downloads(monkeypatch):
    """What each download button would serve: by URL, (data, mimetype, file name); and, for a
    file built on click, by its deferred id, (function, mimetype, file name)."""
    served: dict[str, tuple] = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def spy_add(self, data, mimetype, coordinates, file_name=None, *args, **kwargs):
        url = add(self, data, mimetype, coordinates, file_name, *args, **kwargs)
        served[url] = (data, mimetype, file_name)
        return url

    def spy_add_deferred(self, function, mimetype, coordinates, file_name=None, **kwargs):
        file_id = add_deferred(self, function, mimetype, coordinates, file_name, **kwargs)
        served[file_id] = (function, mimetype, file_name)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add", spy_add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", spy_add_deferred)
    return served


_run = functools.partial(run_piece, timeout=30)


def _headings(app: AppTest, index: int = 0) -> dict:
    return json.loads(app.dataframe[index].proto.columns)


# --- headings --------------------------------------------------------------------------------


def labels_page(columns: tuple[str, ...], texts: dict[str, str]) -> None:
    import streamlit as st

    from console.formatting.i18n import _
    from console.ui.tables import labels

    given = {column: _(text) for column, text in texts.items()}
    st.markdown(" | ".join(f"{c}: {label}" for c, label in labels(*columns, **given).items()))


def test_each_column_is_headed_by_its_own_heading_unless_another_is_given():
    app = _run(labels_page, ("gross", "fees", "mystery"), {"gross": "Amount", "x": "Net"})
    # The named columns in their order (a column with no heading keeps its name), then
    # those only `texts` names.
    assert app.markdown[0].value == "gross: Amount | fees: Stripe fees | mystery: mystery | x: Net"


def test_headings_are_in_the_chosen_language():
    app = _run(labels_page, ("gross", "fees", "settlement_currency"), {}, locale="fr")
    assert app.markdown[0].value == (
        "gross: Brut | fees: Frais Stripe | settlement_currency: Réglé en"
    )


# Headings French writes as English does.
SAME_IN_FRENCH = {
    "email", "net", "transactions", "id", "console", "stripe", "mode", "note", "source", "type"
}  # fmt: skip


def test_every_heading_has_a_french_translation():
    from console.formatting import i18n
    from console.formatting.presentation import COLUMN_HEADINGS as HEADINGS
    from console.ui.tables import headings

    with i18n.speaking("fr"):
        french = headings()
    untranslated = [c for c in HEADINGS if french[c] == HEADINGS[c] and c not in SAME_IN_FRENCH]
    assert untranslated == []


def table_page(frame, seconds: bool) -> None:
    from console.ui.tables import labels, table, when_column

    table(frame, labels("gross") | {"paid_at": when_column("Paid at (UTC)", seconds=seconds)})


FRAME = pd.DataFrame({"gross": [4900], "paid_at": [pd.Timestamp("2026-11-02 09:30:15")]})


def test_a_table_has_no_index_and_its_headings():
    app = _run(table_page, FRAME, False)
    [shown] = app.dataframe
    assert shown.value.equals(FRAME)
    assert _headings(app) == {
        "gross": {"label": "Gross"},
        "paid_at": {
            "label": "Paid at (UTC)",
            "type_config": {"type": "datetime", "format": "YYYY-MM-DD HH:mm"},
        },
        "_index": {"hidden": True},
    }


def test_a_time_column_shows_seconds_when_asked():
    headings = _headings(_run(table_page, FRAME, True))
    assert headings["paid_at"]["type_config"]["format"] == "YYYY-MM-DD HH:mm:ss"


# --- CSV downloads ---------------------------------------------------------------------------


def download_page(data, file_name: str, label: str | None) -> None:
    from console.ui.tables import csv_download

    csv_download(data, file_name, key="the_csv", label=label)


def test_a_frame_is_downloaded_as_csv_with_formulas_neutralised(downloads):
    frame = pd.DataFrame({"name": ['=HYPERLINK("http://x","y")', "Ada"], "amount_paid": [4900, 0]})
    app = _run(download_page, frame, "registrants.csv", None)
    [button] = app.get("download_button")
    assert button.proto.label == "Download CSV"
    data, mimetype, file_name = downloads[button.proto.url]
    assert (mimetype, file_name) == ("text/csv", "registrants.csv")
    assert data.decode().splitlines() == [
        "Name,Amount paid",  # headings for people; amounts stay in minor units
        '"\'=HYPERLINK(""http://x"",""y"")",4900',
        "Ada,0",
    ]


def test_the_csv_header_is_in_the_chosen_language_and_the_values_are_kept(downloads):
    frame = pd.DataFrame(
        {
            "status": ["partially_refunded"],
            "amount_paid": [4900],
            "paid_at": ["2026-11-02 09:30:15"],
            "custom, column": ["kept"],
        }
    )
    app = _run(download_page, frame, "registrants.csv", None, locale="fr")
    [button] = app.get("download_button")
    assert button.proto.label == "Télécharger le CSV"
    data, _, _ = downloads[button.proto.url]
    assert data.decode().splitlines() == [
        'Statut,Montant payé,Payé le (UTC),"custom, column"',
        "partially_refunded,4900,2026-11-02 09:30:15,kept",
    ]


def test_the_default_label_is_in_the_chosen_language_and_a_label_can_be_given(downloads):
    french = _run(download_page, b"a\n1\n", "a.csv", None, locale="fr")
    assert french.get("download_button")[0].proto.label == "Télécharger le CSV"
    named = _run(download_page, b"a\n1\n", "a.csv", "Download the summary (CSV)")
    assert named.get("download_button")[0].proto.label == "Download the summary (CSV)"


def test_bytes_are_downloaded_as_they_are_but_for_known_headings(downloads):
    app = _run(download_page, b"kept,as\n=1,is\n", "raw.csv", None)
    assert downloads[app.get("download_button")[0].proto.url] == (
        b"kept,as\n=1,is\n",
        "text/csv",
        "raw.csv",
    )
    app = _run(download_page, b"email,net\r\n=1,-5\r\n", "raw.csv", None, locale="fr")
    assert downloads[app.get("download_button")[0].proto.url][0] == (b"E-mail,Net\r\n=1,-5\r\n")


def test_a_function_is_called_only_when_the_file_is_asked_for(downloads):
    calls = []

    def build() -> bytes:
        calls.append("built")
        return b"every,row\n"

    app = _run(download_page, build, "all.csv", None)
    app.run()  # the page runs again: still nothing built
    assert calls == []
    [button] = app.get("download_button")
    assert not button.proto.url  # the browser asks for the file on click
    function, mimetype, file_name = downloads[button.proto.deferred_file_id]
    assert (mimetype, file_name) == ("text/csv", "all.csv")
    assert function() == b"every,row\n" and calls == ["built"]


def test_a_file_built_on_click_has_the_headings_of_the_page_that_offered_it(downloads):
    """The click is answered outside the page's run, where no language is set."""
    app = _run(download_page, lambda: b"name,fee\nAda,172\n", "all.csv", None, locale="fr")
    function, _, _ = downloads[app.get("download_button")[0].proto.deferred_file_id]
    assert function() == b"Nom,Frais Stripe\nAda,172\n"
