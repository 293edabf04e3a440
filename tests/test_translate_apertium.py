"""Apertium engine, for real: batches, alignment, unknown-word marks, versions."""

from __future__ import annotations

import re
import shutil

import pytest

from tidings.translate.apertium import ApertiumTranslator, discover_modes

pytestmark = [
    pytest.mark.apertium,
    pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium is not installed"),
]


@pytest.fixture(scope="module")
def apertium() -> ApertiumTranslator:
    engine = ApertiumTranslator()
    if ("es", "en") not in engine.pairs():
        pytest.skip("apertium-eng-spa is not installed")
    return engine


def test_pairs_are_discovered_from_modes() -> None:
    modes = discover_modes()
    assert modes["es"] == "spa-eng"
    assert all(not name.startswith("eng-") and not name.startswith("en-") for name in modes.values())


def test_spanish_sentence_is_translated_with_numbers_in_english(apertium: ApertiumTranslator) -> None:
    [out] = apertium.translate(["La casa tiene 1.000 ventanas y cuesta 3,5 millones."], "es")
    assert out.engine == "apertium"
    assert out.quality == "ok"
    assert "house" in out.text.lower()
    assert "1,000" in out.text and "3.5" in out.text


def test_unknown_word_marks_are_removed(apertium: ApertiumTranslator) -> None:
    [out] = apertium.translate(["El perro zorglubeó al gato ayer."], "es")
    assert "zorglubeó" in out.text
    assert not re.search(r"[*#@]\w", out.text)


def test_batch_of_200_sentences_stays_aligned(apertium: ApertiumTranslator) -> None:
    # Each sentence carries its own number and a word without a final stop, to catch any shift or merge.
    sentences = [
        f"El ministro {i} habla con la prensa" if i % 3 else f"Hay {i} casas rojas." for i in range(200)
    ]
    calls = 0
    original = apertium._call

    def counting(args: list[str], text: str) -> str:
        nonlocal calls
        calls += 1
        return original(args, text)

    apertium._call = counting  # type: ignore[method-assign]
    try:
        results = apertium.translate(sentences, "es")
    finally:
        del apertium._call
    assert calls == 1  # one process for the whole batch
    assert len(results) == 200
    for i, (source, result) in enumerate(zip(sentences, results, strict=True)):
        assert result.source == source
        assert re.findall(r"\d+", result.text) == [str(i)]
        assert ("red" in result.text) == (i % 3 == 0)


def test_empty_sentences_keep_their_place(apertium: ApertiumTranslator) -> None:
    results = apertium.translate(["Hola.", "", "  ", "Adiós."], "es")
    assert [r.quality for r in results] == ["ok", "none", "none", "ok"]
    assert results[3].text.startswith("Goodbye") or results[3].text.startswith("Bye")


def test_markup_is_not_translated(apertium: ApertiumTranslator) -> None:
    [out] = apertium.translate(["La <b>casa</b> es grande."], "es")
    assert "<b>" in out.text and "</b>" in out.text


def test_version_names_the_language_data(apertium: ApertiumTranslator) -> None:
    assert re.match(r"apertium \S+ / apertium-eng-spa \S+", apertium.version_for("es"))


def test_other_installed_pairs_translate(apertium: ApertiumTranslator) -> None:
    samples = {"ca": "El govern aprova la llei.", "gl": "O presidente falou onte."}
    for lang, sentence in samples.items():
        if (lang, "en") in apertium.pairs():
            [out] = apertium.translate([sentence], lang)
            assert out.text and out.text != sentence
