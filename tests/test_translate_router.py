"""Router: engine order, article translation, English passthrough, modes, cache, coverage."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from tidings.translate.apertium import ApertiumTranslator
from tidings.translate.base import TranslatedSentence, Translator
from tidings.translate.freedict import FreeDictGlosser
from tidings.translate.router import MemoryCache, Router, cache_key

DATA = Path(__file__).parent / "data" / "translate"
GERMAN_BODY = "Die Regierung beschließt neue Maßnahmen.\n\nAm Montag gegen die Inflation."


class CountingGlosser(FreeDictGlosser):
    """The real FreeDict engine on the test dictionary, counting the sentences it is asked for."""

    def __init__(self) -> None:
        super().__init__(DATA)
        self.asked: list[str] = []

    def translate(self, sentences: Sequence[str], src: str, tgt: str = "en") -> list[TranslatedSentence]:
        self.asked.extend(sentences)
        return super().translate(sentences, src, tgt)


def test_german_article_gets_a_gloss_labelled_as_such() -> None:
    router = Router([CountingGlosser()])
    result = router.translate_article("Regierung beschließt neue Maßnahmen", GERMAN_BODY, "de")
    assert result.kind == "gloss"
    assert result.engine == "freedict"
    assert result.title.quality == "gloss"
    assert result.title.text.startswith("government")
    assert [seg.paragraph for seg, _ in result.sentences] == [0, 1]
    assert all(sent.quality == "gloss" for _, sent in result.sentences)
    assert result.sentences[1][1].text.startswith("on Monday")


def test_english_article_is_untouched() -> None:
    engine = CountingGlosser()
    result = Router([engine]).translate_article("Storm hits coast", "Winds reached 150 km/h. Two died.", "en")
    assert result.kind == "original"
    assert result.title.text == "Storm hits coast" and result.title.quality == "passthrough"
    assert [s.text for _, s in result.sentences] == ["Winds reached 150 km/h.", "Two died."]
    assert engine.asked == []


def test_english_sentence_inside_a_foreign_article_passes_through() -> None:
    engine = CountingGlosser()
    quote = "The minister said that it was a good day for the country."
    result = Router([engine]).translate_article("Regierung", f"Die Regierung beschließt. {quote}", "de")
    assert result.sentences[1][1].quality == "passthrough"
    assert result.sentences[1][1].text == quote
    assert quote not in engine.asked


def test_cache_prevents_a_second_engine_call() -> None:
    engine = CountingGlosser()
    router = Router([engine])
    cache = MemoryCache()
    first = router.translate_article("Regierung beschließt", GERMAN_BODY, "de", cache=cache)
    asked = len(engine.asked)
    assert asked == 3
    second = router.translate_article("Regierung beschließt", GERMAN_BODY, "de", cache=cache)
    assert len(engine.asked) == asked
    assert second == first
    assert cache.get(cache_key("freedict", "de", "en", "Regierung beschließt")) == first.title


def test_titles_only_and_never_modes() -> None:
    engine = CountingGlosser()
    router = Router([engine])
    titles = router.translate_article("Regierung beschließt", GERMAN_BODY, "de", mode="titles")
    assert titles.title.quality == "gloss"
    assert all(s.quality == "none" for _, s in titles.sentences)
    assert engine.asked == ["Regierung beschließt"]
    never = router.translate_article("Regierung beschließt", GERMAN_BODY, "de", mode="never")
    assert never.kind == "none" and never.title.text == ""
    assert [seg.text for seg, _ in never.sentences] == [
        "Die Regierung beschließt neue Maßnahmen.",
        "Am Montag gegen die Inflation.",
    ]


def test_language_without_engine_gets_none() -> None:
    result = Router([CountingGlosser()]).translate_article("Заголовок", "Текст статьи.", "ru")
    assert result.kind == "none"
    assert result.sentences[0][1].quality == "none"


def test_allow_list_drops_engines() -> None:
    router = Router([CountingGlosser()], allow={"apertium"})
    assert router.engine_for("de") is None
    assert router.coverage(["de"]) == {"de": "none"}


@pytest.mark.apertium
@pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium is not installed")
def test_apertium_comes_before_the_gloss_and_names_itself() -> None:
    engines: list[Translator] = [CountingGlosser(), ApertiumTranslator()]
    router = Router(engines)
    coverage = router.coverage(["ru"])
    assert (coverage["de"], coverage["es"], coverage["ru"]) == ("gloss", "translation", "none")
    body = "El Gobierno aprobó ayer un plan de 3.500 millones de euros.\n\nLa ministra habló en Madrid."
    result = router.translate_article("El Gobierno aprueba el plan", body, "es")
    assert result.kind == "translation" and result.engine == "apertium"
    assert result.engine_version.startswith("apertium ")
    assert [seg.text for seg, _ in result.sentences] == [
        "El Gobierno aprobó ayer un plan de 3.500 millones de euros.",
        "La ministra habló en Madrid.",
    ]
    assert "3,500" in result.sentences[0][1].text
    assert "Madrid" in result.text
