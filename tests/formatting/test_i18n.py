"""console/formatting/i18n.py: English source strings translated through the French gettext
catalog, counts in the language's plural forms, placeholders filled as the language writes
numbers, and the language of the work at hand in a context variable (English by default)."""

from __future__ import annotations

import contextvars
import threading

import pytest

from console.formatting import i18n
from console.formatting.i18n import LOCALES, N_, _, ngettext

NNBSP = "\u202f"  # Babel's French thousands separator
# Messages of the console's catalog (console/services/auth.py, presentation.py, …).
FREE = "Free"
PASSWORD = "Choose a password of at least {count} characters."
ATTEMPTS = (
    "Wrong e-mail or password. {count} attempt left before a {minutes}-minute lock.",
    "Wrong e-mail or password. {count} attempts left before a {minutes}-minute lock.",
)


def _isolated(work, *args):
    """`work` run in a context of its own, so that `use` does not leak into other tests."""
    return contextvars.copy_context().run(work, *args)


def test_the_console_speaks_english_and_french():
    assert LOCALES == {"en": "English", "fr": "Français"}


def test_english_is_the_source_and_french_comes_from_the_catalog():
    assert _(FREE) == "Free"
    with i18n.speaking("fr"):
        assert _(FREE) == "Gratuit"


def test_a_message_missing_from_the_catalog_is_said_as_written():
    with i18n.speaking("fr"):
        assert _("No such message in any catalog") == "No such message in any catalog"


def test_placeholders_are_filled_after_translation():
    assert _(PASSWORD, count=10) == "Choose a password of at least 10 characters."
    with i18n.speaking("fr"):
        assert _(PASSWORD, count=10) == "Choisissez un mot de passe d'au moins 10 caractères."


def test_counts_are_written_as_the_language_writes_numbers():
    assert _(PASSWORD, count=12345) == "Choose a password of at least 12,345 characters."
    with i18n.speaking("fr"):
        assert _(PASSWORD, count=12345) == (
            f"Choisissez un mot de passe d'au moins 12{NNBSP}345 caractères."
        )


def test_only_ints_are_formatted_as_numbers():
    assert _("There is no webinar {webinar_id}.", webinar_id="1000") == "There is no webinar 1000."
    with i18n.speaking("fr"):
        said = _("Your role ({role}) does not give access to this page.", role=True)
    assert said == "Votre rôle (True) ne donne pas accès à cette page."


def test_without_values_braces_are_left_as_written():
    assert _(PASSWORD) == PASSWORD


def test_a_missing_value_is_an_error_not_a_blank():
    with pytest.raises(KeyError):
        _(PASSWORD, minutes=3)


@pytest.mark.parametrize(
    ("count", "english", "french"),
    [
        (0, "0 attempts", "0 essai "),
        (1, "1 attempt ", "1 essai "),
        (2, "2 attempts", "2 essais"),
        (1000, "1,000 attempts", f"1{NNBSP}000 essais"),
    ],
)
def test_ngettext_picks_the_languages_plural_form(count, english, french):
    """French says 0 and 1 in the singular, English only 1."""
    assert english in ngettext(*ATTEMPTS, count, minutes=15)
    with i18n.speaking("fr"):
        said = ngettext(*ATTEMPTS, count, minutes=15)
    assert french in said and "verrouillage de 15 minutes" in said


def test_ngettext_fills_count_and_other_values():
    assert ngettext(*ATTEMPTS, 4, minutes=15) == (
        "Wrong e-mail or password. 4 attempts left before a 15-minute lock."
    )


def test_n_marks_without_translating():
    marked = N_(FREE)
    assert marked == "Free"
    with i18n.speaking("fr"):
        assert N_(FREE) == "Free"
        assert _(marked) == "Gratuit"  # translated where it is shown


def test_speaking_sets_the_language_for_the_work_inside_then_restores_it():
    assert i18n.language() == "en"
    with i18n.speaking("fr") as language:
        assert language == "fr" and i18n.language() == "fr"
        with i18n.speaking("en"):
            assert _(FREE) == "Free"
        assert _(FREE) == "Gratuit"
    assert i18n.language() == "en"


def test_speaking_restores_the_language_after_an_error():
    with pytest.raises(RuntimeError), i18n.speaking("fr"):
        raise RuntimeError("stop")
    assert i18n.language() == "en"


def test_use_sets_the_language_from_now_on():
    def page_run() -> tuple[str, str, str]:
        chosen = i18n.use("fr-FR")
        return chosen, i18n.language(), _(FREE)

    assert _isolated(page_run) == ("fr", "fr", "Gratuit")
    assert i18n.language() == "en"  # the test's own context is untouched


def test_use_of_an_unknown_language_speaks_english():
    def page_run() -> tuple[str, str]:
        return i18n.use("de"), _(FREE)

    assert _isolated(page_run) == ("en", "Free")


@pytest.mark.parametrize(
    ("asked", "spoken"),
    [
        ("fr", "fr"),
        ("FR", "fr"),
        ("fr-FR", "fr"),
        ("fr_CA", "fr"),
        ("en-GB", "en"),
        ("de", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_supported_maps_a_language_to_one_the_console_speaks(asked, spoken):
    assert i18n.supported(asked) == spoken


@pytest.mark.parametrize(
    ("accept", "language"),
    [
        ("fr-FR,fr;q=0.9", "fr"),
        ("fr-FR", "fr"),
        ("de-DE", "en"),
        ("de-DE,fr;q=0.8,en;q=0.5", "fr"),  # the first one the console speaks
        ("en-US,fr;q=0.9", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_browser_language_is_the_first_the_console_speaks(accept, language):
    assert i18n.browser_language(accept) == language


def test_work_with_no_language_set_speaks_english():
    assert contextvars.Context().run(i18n.language) == "en"
    assert contextvars.Context().run(_, FREE) == "Free"


def test_a_thread_started_while_french_is_spoken_speaks_english():
    """The language belongs to the work at hand: a new thread starts with none set."""
    heard = []
    with i18n.speaking("fr"):
        thread = threading.Thread(target=lambda: heard.append((i18n.language(), _(FREE))))
        thread.start()
        thread.join()
    assert heard == [("en", "Free")]


def test_word_for_a_code_is_its_words_translation_or_the_code_itself():
    words = {"refunded": i18n.N_("Refunded")}
    assert i18n.word_for("refunded", words) == "Refunded"
    with i18n.speaking("fr"):
        assert i18n.word_for("refunded", words) == "Remboursé"
        assert i18n.word_for("chargeback", words) == "chargeback"
