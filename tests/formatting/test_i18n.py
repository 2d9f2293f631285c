"""console/formatting/i18n.py: every label in English and French, the same placeholders in
both, and what `t` does with other locales and missing keys."""

from __future__ import annotations

import ast
import string

import pytest

from console.formatting import i18n
from console.formatting.i18n import LOCALES, t
from tests import REPO

KEYS = sorted(i18n._LABELS)


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_the_console_speaks_english_and_french():
    assert LOCALES == {"en": "English", "fr": "Français"}


@pytest.mark.parametrize("key", KEYS)
def test_every_key_has_an_english_and_a_french_label(key):
    english, french = i18n._LABELS[key]
    assert english.strip() and french.strip()
    assert t(key) == t(key, "en") == english
    assert t(key, "fr") == french


@pytest.mark.parametrize("key", KEYS)
def test_both_languages_have_the_same_placeholders(key):
    english, french = i18n._LABELS[key]
    assert _placeholders(english) == _placeholders(french)


def test_placeholders_are_filled():
    assert t("sync_failed", reason="Stripe said no") == "Sync failed: Stripe said no"
    assert t("sync_failed", "fr", reason="refus") == "Échec de la synchronisation : refus"
    assert t("stale", hours=6, when="2026-11-02 10:00") == (
        "The data is more than 6 hours old (last sync 2026-11-02 10:00). "
        "Sync now for current figures."
    )


def test_placeholders_keep_their_format():
    assert t("first_rows", shown=1000, total=12345) == (
        "Showing the first 1,000 of 12,345: search to narrow, or download the CSV for all."
    )


def test_french_numbers_are_not_grouped_with_a_comma():
    text = t("first_rows", "fr", shown=1000, total=12345)
    assert "1,000" not in text and "12,345" not in text


def test_without_values_the_label_is_returned_as_written():
    """Braces are only read when values are given."""
    assert t("sync_failed") == "Sync failed: {reason}"


def test_a_missing_value_is_an_error():
    with pytest.raises(KeyError):
        t("sync_failed", summary="x")


@pytest.mark.parametrize("locale", ["de", "", "EN", "fr_FR", "fr-CA"])
def test_any_locale_but_fr_is_english(locale):
    assert t("overview", locale) == "Revenue"


def test_an_unknown_key_is_an_error_not_a_blank():
    with pytest.raises(KeyError):
        t("no_such_label")


def _keys_used_in_code() -> set[tuple[str, str]]:
    """(file, key) for every t("literal", ...) call in the app, its pages and console/."""
    paths = [REPO / "streamlit_app.py", *(REPO / "pages").rglob("*.py")]
    paths += (REPO / "console").rglob("*.py")
    used = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                used.add((str(path.relative_to(REPO)), node.args[0].value))
    return used


def test_every_label_the_code_asks_for_exists():
    used = _keys_used_in_code()
    assert len(used) > 30
    assert sorted((path, key) for path, key in used if key not in i18n._LABELS) == []
