"""console/devtools/translations.py and the French catalog it keeps: every string people
read is in the catalog and has a French translation with the same placeholders."""

from __future__ import annotations

import re

import pytest

from console.devtools import translations

PLACEHOLDER = re.compile(r"\{[a-z_0-9]+\}|%\([a-z_0-9]+\)s")


@pytest.fixture(scope="module")
def source():
    return translations.source_catalog()


@pytest.fixture(scope="module")
def french():
    return translations.read_catalog("fr")


def _ids(catalog) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}


def test_the_source_has_the_strings_people_read(source):
    ids = _ids(source)
    assert len(ids) > 300
    # A page, a service's error, an e-mail template, the .ics and a CSV header.
    assert {"Paid registrants", "Hello %(name)s,", "{title} (session {number} of {total})"} <= ids
    assert "This webinar does not exist. Check the link you were sent." in ids


def test_every_string_of_the_source_has_a_french_translation(source, french):
    missing = sorted(_ids(source) - _ids(french))
    assert missing == [], "run `make translations`, then translate these"
    assert translations.untranslated(french) == [], "translate these in messages.po"


def test_translations_keep_every_placeholder(french):
    wrong = []
    for message in french:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        wrong += [(ids[0], s) for s in strings if s and set(PLACEHOLDER.findall(s)) != wanted]
    assert wrong == []


def test_a_new_string_arrives_untranslated_and_fill_writes_it(tmp_path, monkeypatch):
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    monkeypatch.setattr(translations, "catalog_path", lambda language: po)
    catalog = translations.update("fr")
    assert "Paid registrants" in translations.untranslated(catalog)

    catalog = translations.update("fr", {"Paid registrants": "Inscrits payants"})
    assert "Paid registrants" not in translations.untranslated(catalog)
    assert 'msgstr "Inscrits payants"' in po.read_text()
