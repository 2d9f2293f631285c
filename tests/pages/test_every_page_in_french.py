"""Every page of the console, and the public site, opened in French through AppTest: no
English string of the catalog is left on them, and no sentence that reads as English.

What the pages show is collected from every element (titles, texts, labels, options,
captions, help, table headers, metrics, messages), the shop's data (names, e-mails,
webinar titles, ids) aside."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from console.devtools import translations
from tests.pages.public.support import open_public
from tests.pages.support import open_app

PAGES = (
    "pages/revenue.py",
    "pages/registrants.py",
    "pages/fees.py",
    "pages/disputes.py",
    "pages/payouts.py",
    "pages/reconciliation.py",
    "pages/sync_status.py",
    "pages/webinars.py",
    "pages/webinar.py",
    "pages/connection.py",
    "pages/audit.py",
)
# Words that French text never uses as words: a sentence with one of them is English.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|your|with|from|this|that|these|is|are|was|were|has|have|will|not|"
    r"no|of|to|for|by|or|on|in|at|be|been|here|there|which|when|what|how|all|any|each)\b"
)
# Text that is data or names, the same in every language.
NOT_WORDS = re.compile(
    r"\S+@\S+|https?://\S+|\b(?:ch|pi|re|txn|dp|wb|reg)_\w+|=HYPERLINK\(.*\)"
    r"|\b[A-Z][A-Za-z]+/[A-Za-z_/+\-]+"  # time zones: America/Port_of_Spain
)


@pytest.fixture(scope="module")
def english_to_french() -> dict[str, str]:
    """The catalog's English strings whose French differs."""
    found = {}
    for message in translations.read_catalog("fr"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english, french in zip(ids, strings, strict=False):
            if french and french != english:
                found[english] = french
    return found


def _fragments(english: str) -> list[str]:
    """The literal parts of a message (placeholders cut out), long enough to be telling."""
    parts = re.split(r"\{[a-z_0-9]+\}|%\([a-z_0-9]+\)s", english)
    return [p.strip(" .,:;*") for p in parts if len(p.strip(" .,:;*")) >= 14]


def _texts(node) -> list[str]:
    """Every string an element and its children show."""
    found: list[str] = []
    for attribute in ("value", "label", "body", "placeholder", "help", "options"):
        try:
            value = getattr(node, attribute, None)
        except Exception:  # noqa: BLE001 - some elements compute these from their proto
            continue
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list | tuple):
            found += [v for v in value if isinstance(v, str)]
        elif isinstance(value, pd.DataFrame):
            found += _column_headers(node, value)
    for child in getattr(node, "children", {}).values():
        found += _texts(child)
    return found


def _column_headers(node, frame: pd.DataFrame) -> list[str]:
    """What a table shows over its columns: each one's label, or its name when it has none."""
    try:
        config = json.loads(node.proto.columns or "{}")
    except (AttributeError, ValueError):
        config = {}
    shown = []
    for column in frame.columns:
        label = (config.get(str(column)) or config.get(f"_pos:{column}") or {}).get("label")
        hidden = (config.get(str(column)) or {}).get("hidden")
        if not hidden:
            shown.append(label or str(column))
    return shown


def _english_left(texts: list[str], english_to_french: dict[str, str]) -> list[str]:
    left = []
    for text in {t.strip() for t in texts if t and t.strip()}:
        readable = NOT_WORDS.sub(" ", text)
        if text in english_to_french:
            left.append(text)
        elif any(f in readable for e in english_to_french for f in _fragments(e)):
            left.append(text)
        elif ENGLISH_WORDS.search(readable.lower()) and len(readable.split()) >= 3:
            left.append(text)
    return sorted(left)


def _page_in_french(page: str):
    app = open_app()
    app.session_state["locale"] = "fr"
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize("page", PAGES)
def test_the_page_in_french_has_no_english_left(shop, english_to_french, page):
    app = _page_in_french(page)
    texts = _texts(app.main) + _texts(app.sidebar)
    assert len(texts) > 5
    assert _english_left(texts, english_to_french) == []


def test_the_public_site_in_french_has_no_english_left(shop, english_to_french):
    from datetime import UTC, datetime, timedelta

    from console.domain.catalog import Session, Webinar
    from tests.pages.public.support import saved

    starts = datetime.now(UTC) + timedelta(days=20)
    saved(
        Webinar(
            "wb_fr",
            "Atelier",
            "ann@example.org",
            description="Remboursement intégral jusqu'à 7 jours avant.",
            price_amount=2900,
            price_currency="eur",
            sessions=(Session(starts, 60),),
            time_zone="Europe/Paris",
        )
    )
    app = open_public({"locale": "fr-FR", "timezone": "America/New_York"}, webinar="wb_fr")
    texts = _texts(app.main)
    assert "Prix : 29,00\xa0€" in texts
    assert _english_left(texts, english_to_french) == []


def test_the_check_finds_english():
    catalog = {"Paid registrants": "Inscrits payants", "Sync failed: {reason}": "x"}
    assert _english_left(["Paid registrants", "Inscrits payants"], catalog) == ["Paid registrants"]
    assert _english_left(["Download the file for the month"], {}) == [
        "Download the file for the month"
    ]
    assert _english_left(["Télécharger le fichier du mois", "ann@example.org"], catalog) == []
