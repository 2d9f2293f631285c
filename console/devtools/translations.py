"""The French catalog kept in step with the source (`make translations`).

Babel extracts every string marked with `_()`, `ngettext()` or `N_()` in the console's
Python and in the e-mail templates, and merges them into console/locale/fr/…/messages.po:
new strings arrive with an empty translation for someone to write; strings no longer in
the source are dropped. tests/formatting/test_catalog.py fails while any is untranslated.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from console.formatting.i18n import CATALOGS, LOCALES, catalog_path

PROJECT = CATALOGS.parent.parent
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None, "gettext": None}
# Where people's words are: the product's code and pages, and the e-mail templates.
SOURCES = {
    "console": [
        ("devtools/**.py", "ignore"),
        ("**.py", "python"),
        ("mail/templates/**", "jinja2"),
    ],
    "pages": [("**.py", "python")],
    ".": [("streamlit_app.py", "python"), ("public_app.py", "python")],
}
JINJA_OPTIONS = {"mail/templates/**": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


def source_catalog() -> Catalog:
    """Every marked string of the source, with where it is used."""
    catalog = Catalog(project="Webinar payments console", charset="utf-8")
    for folder, method_map in SOURCES.items():
        found = extract_from_dir(
            PROJECT / folder,
            method_map=method_map,
            options_map=JINJA_OPTIONS if folder == "console" else {},
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
        )
        for filename, lineno, message, comments, context in found:
            where = (str(Path(folder) / filename), lineno)
            catalog.add(message, None, [where], auto_comments=comments, context=context)
    return catalog


def read_catalog(language: str) -> Catalog:
    with catalog_path(language).open("rb") as source:
        return read_po(source, locale=language)


def update(language: str, translations: dict[str, str | list[str]] | None = None) -> Catalog:
    """Merge the source's strings into the language's catalog, with `translations` (English
    -> translation; a list for a plural's forms) written in, and write it."""
    path = catalog_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # people and tools may fill it at once
        return _update(language, translations or {})


def _update(language: str, translations: dict[str, str | list[str]]) -> Catalog:
    path = catalog_path(language)
    if path.exists():
        catalog = read_catalog(language)
    else:
        catalog = Catalog(locale=language, project="Webinar payments console")
    catalog.update(source_catalog(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key and key in translations:
            given = translations[key]
            if isinstance(message.id, tuple):  # every plural form the language has
                forms = [given] if isinstance(given, str) else list(given)
                forms += forms[-1:] * (catalog.num_plurals - len(forms))
                message.string = tuple(forms[: catalog.num_plurals])
            else:
                message.string = given
            message.flags.discard("fuzzy")
    with path.open("wb") as target:
        write_po(target, catalog, width=100, sort_output=True, omit_header=False)
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    """The ids of messages with no translation (or only a fuzzy guess)."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fill",
        metavar="FILE.json",
        help="French translations to write in: {English: French, or [singular, plural]}",
    )
    args = parser.parse_args(argv)
    given = json.loads(Path(args.fill).read_text()) if args.fill else {}
    status = 0
    for language in LOCALES:
        if language == "en":
            continue  # the source's own language
        missing = untranslated(update(language, given))
        print(f"{catalog_path(language).relative_to(PROJECT)}: {len(missing)} to translate")
        for text in missing:
            print(f"  {text!r}")
        status = status or bool(missing)
    return status


if __name__ == "__main__":
    sys.exit(main())
