"""FreeDict glosses, from a small dictionary in dictd format and from the installed German one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.errors import TranslationError
from tidings.translate.freedict import DICT_DIR, FreeDictGlosser, first_sense

DATA = Path(__file__).parent / "data" / "translate"


@pytest.fixture(scope="module")
def glosser() -> FreeDictGlosser:
    return FreeDictGlosser(DATA)


def test_german_headline_is_glossed_and_labelled_gloss(glosser: FreeDictGlosser) -> None:
    [out] = glosser.translate(["Regierung beschließt neue Maßnahmen gegen die Inflation"], "de")
    assert out.quality == "gloss"
    assert out.engine == "freedict"
    # Inflected forms are found through their lemma; "die" reads as the article; "gegen" as the preposition.
    assert out.text == "government decide new measure against the inflation"


def test_multi_word_entries_win_and_names_and_numbers_stay(glosser: FreeDictGlosser) -> None:
    [out] = glosser.translate(["Merkel trifft am Montag 1.000 Polizisten."], "de")
    assert out.text.startswith("Merkel")
    assert "on Monday" in out.text
    assert "amplitude" not in out.text
    assert "1.000" in out.text
    assert out.text.endswith(".")


def test_gloss_is_spaced_as_the_source(glosser: FreeDictGlosser) -> None:
    # quotes and brackets hug the words they enclose, as in the source ("' costruttivo '" had been shown)
    source = 'Regierung beschließt „neue“ Maßnahmen (gegen die Inflation): "Montag".'
    [out] = glosser.translate([source], "de")
    assert "„new“" in out.text and "(against the inflation):" in out.text
    assert out.text.endswith('"Monday".')


def test_first_sense_drops_tags_and_notes() -> None:
    assert first_sense("Montag /ˈmoːntaːk/ <masc>\nMonday <n>Mon.\n") == "Monday"
    assert first_sense("أبوي /x/\n1. Fatherly\n2. Patriarchal\n") == "Fatherly"
    assert first_sense("x\n   Synonyms: {y}\n") == ""


def test_missing_language_is_a_typed_error(glosser: FreeDictGlosser) -> None:
    assert ("de", "en") in glosser.pairs()
    with pytest.raises(TranslationError):
        glosser.translate(["Bonjour"], "fr")


@pytest.mark.slow
@pytest.mark.skipif(
    not (DICT_DIR / "freedict-deu-eng.index").exists(), reason="freedict-deu-eng not installed"
)
def test_installed_german_dictionary() -> None:
    [out] = FreeDictGlosser().translate(["Die Regierung beschließt neue Maßnahmen"], "de")
    assert out.quality == "gloss"
    assert "government" in out.text.lower()


@pytest.mark.skipif(
    not (DICT_DIR / "freedict-ita-eng.index").exists(), reason="freedict-ita-eng not installed"
)
def test_a_lower_case_word_is_not_glossed_as_a_name() -> None:
    """Italian "il" has two entries, "the" and "All Souls' Day"; the fuller one had won, in every sentence."""
    [out] = FreeDictGlosser().translate(["Il presidente e il vertice."], "it")
    assert out.text.startswith("the ") and " the " in out.text and "Souls" not in out.text
    # nor a word as an idiom filed under it ("che ora è?": "what time is it?")
    [out] = FreeDictGlosser().translate(["Dice che piove."], "it")
    assert "that" in out.text.split() and "time" not in out.text
    # glosses made under the old rules are outdated: `translate --refresh` redoes them
    assert FreeDictGlosser().version_for("it") == "freedict freedict-ita-eng r4"
