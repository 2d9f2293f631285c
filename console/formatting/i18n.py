"""The console's words in English and French, from gettext catalogs that Babel extracts
and compiles (`make translations`; console/locale/). Money formats come from Babel too
(domain/money.py).

Source strings are English and are the catalog's keys. Code marks them with `_()` (or
`ngettext()` for counts, `N_()` where a string is kept and translated later), and reads them
in the language of the work at hand: a page sets it for its script run (`use`), an e-mail
is written in the registrant's (`speaking`). Work with no language set speaks English.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = {"en": "English", "fr": "Français"}
DEFAULT = "en"
DOMAIN = "messages"
CATALOGS = Path(__file__).resolve().parent.parent / "locale"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT)


def catalog_path(language: str) -> Path:
    return CATALOGS / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(language: str) -> _gettext.NullTranslations:
    """The language's catalog, compiled by Babel once per process (no .mo file to keep in
    step with its .po)."""
    path = catalog_path(language)
    if not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def supported(language: str | None) -> str:
    """`language` if the console speaks it, else English; takes `fr-FR`, `fr_CA`, `FR`."""
    code = (language or "").replace("_", "-").split("-")[0].lower()
    return code if code in LOCALES else DEFAULT


def browser_language(accept: str | None) -> str:
    """The first language of a browser's list (`fr-FR`, or `fr-FR,fr;q=0.9,en;q=0.8`) that
    the console speaks; English when none is."""
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip()
        if code and supported(code) == code.split("-")[0].lower():
            return supported(code)
    return DEFAULT


def use(language: str | None) -> str:
    """Speak `language` from now on in this thread's work (a page calls it once per run)."""
    chosen = supported(language)
    _language.set(chosen)
    return chosen


def language() -> str:
    return _language.get()


@contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Speak `language` for the work inside (an e-mail in the registrant's language)."""
    token = _language.set(supported(language))
    try:
        yield _language.get()
    finally:
        _language.reset(token)


def _filled(text: str, values: dict[str, object]) -> str:
    if not values:
        return text
    # Counts as the language writes them: 1,000 in English, 1 000 in French.
    shown = {
        name: format_decimal(value, locale=language())
        if isinstance(value, int) and not isinstance(value, bool)
        else value
        for name, value in values.items()
    }
    return text.format(**shown)


def _(message: str, **values: object) -> str:
    """`message` in the current language, with its {placeholders} filled."""
    return _filled(_translations(language()).gettext(message), values)


def ngettext(singular: str, plural: str, count: int, **values: object) -> str:
    """The form of the message that `count` takes in the current language (French: 0 and 1
    are singular); `{count}` is filled with it."""
    text = _translations(language()).ngettext(singular, plural, count)
    return _filled(text, {"count": count, **values})


def N_(message: str) -> str:
    """Marks `message` for the catalog; it is translated where it is shown, with `_()`."""
    return message


def plural_gettext(singular: str, plural: str, count: int) -> str:
    """`ngettext()` without filling: for Jinja2's i18n extension, which fills %(count)s."""
    return _translations(language()).ngettext(singular, plural, count)


def word_for(code: str, words: Mapping[str, str]) -> str:
    """The word for a code (a status, a kind: `words` maps codes to `N_()` strings) in the
    current language; a code without one is shown as it is."""
    return _(words[code]) if code in words else code
