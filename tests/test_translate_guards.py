"""Number and name guards, and English detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tidings.translate import guards


@pytest.mark.parametrize(
    ("text", "lang", "values"),
    [
        ("1.000 personas y 3,5 millones", "es", {"1000", "3.5"}),
        ("1,000 people and 3.5 million", "en", {"1000", "3.5"}),
        ("12 000 personnes", "fr", {"12000"}),
        ("12\u00a0000 people", "en", {"12000"}),
        ("٣٥ شخصا", "ar", {"35"}),
        ("a las 09:30", "es", {"9", "30"}),
    ],
)
def test_numbers_are_read_by_the_language_convention(text: str, lang: str, values: set[str]) -> None:
    assert set(guards.numbers(text, lang)) == values


def test_guard_flags_a_changed_number() -> None:
    assert guards.check("Murieron 1.200 personas en 2021.", "1,200 people died in 2021.", "es") == "ok"
    assert (
        guards.check("Murieron 1.200 personas en 2021.", "1,300 people died in 2021.", "es")
        == "numbers-differ"
    )
    assert guards.check("Murieron 1.200 personas.", "People died.", "es") == "numbers-differ"


def test_numbers_copied_in_the_source_convention_still_count() -> None:
    assert guards.numbers_preserved("Subió un 3,5%.", "It rose 3,5%.", "es")


def test_localise_numbers_writes_english_separators() -> None:
    out = guards.localise_numbers("It has 1.000 windows, 3,5 million and 10.000.000 in 2021.", "es")
    assert out == "It has 1,000 windows, 3.5 million and 10,000,000 in 2021."
    assert guards.localise_numbers("It has 1.000 windows.", "en") == "It has 1.000 windows."


def test_missing_names() -> None:
    assert guards.missing_names("Ayer habló Pedro Sánchez en Bruselas.", "Yesterday Sánchez spoke.") == {
        "Pedro",
        "Bruselas",
    }


def test_looks_english() -> None:
    assert guards.looks_english("The minister said that the plan would be ready in the spring.")
    assert not guards.looks_english("El ministro dijo que el plan estaría listo en primavera.")
    assert not guards.looks_english("Der Minister sagte, der Plan sei im Frühjahr fertig.")
    assert not guards.looks_english("The end.")  # too short to tell
    # titles that reach the share of English words on words English shares with their language
    assert not guards.looks_english("Hochwasser in Bayern: Hunderte Menschen in Sicherheit gebracht")
    assert not guards.looks_english("60 Corona-Neuinfektionen an nur einem Tag in Wien")
    assert guards.looks_english("Floods in Bavaria: hundreds of people taken to safety")


def test_english_detection_on_sample_sentences() -> None:
    text = (Path(__file__).parent / "data/translate/parallel.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines()]
    assert not any(guards.looks_english(r["src"]) for r in rows)
    assert sum(guards.looks_english(r["ref"]) for r in rows) >= len(rows) - 2


@pytest.mark.parametrize(
    ("source", "lang", "english", "held"),
    [
        ("新华社香港7月26日电", "zh", "HONG KONG, July 26 (Xinhua) --", True),
        ("新华社香港7月26日电", "zh", "HONG KONG, July 27 (Xinhua) --", False),
        ("hội đàm tại Geneva ngày 16/6.", "vi", "They met in Geneva on 16 June.", True),
        ("hội đàm tại Geneva ngày 16/6/2021.", "vi", "They met in Geneva on June 16th, 2021.", True),
        ("hội đàm tại Geneva ngày 16/6/2021.", "vi", "They met in Geneva on June 16.", False),  # the year
        ("el 16/6", "es", "on 16/6", True),  # a date is also held as its two numbers
        ("3/4/5", "es", "on March 4", False),  # no date: three numbers
    ],
)
def test_a_day_and_month_are_one_date(source: str, lang: str, english: str, held: bool) -> None:
    wanted = guards.numbers(source, lang)
    got, alt = guards.numbers(english, "en"), guards.numbers(english, lang)
    assert guards.carries(wanted, got, alt) is held
