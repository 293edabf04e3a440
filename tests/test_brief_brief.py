"""The whole brief: JSON schema names, summary citations, timeline, coverage, wire copies, bad input."""

from __future__ import annotations

import json

import pytest

from tests.brief_seeds import seeds
from tidings.brief import SCHEMA_VERSION, BriefArticle, BriefSentence, brief_to_json, build_brief
from tidings.brief.model import MODALITIES, VERDICTS
from tidings.errors import InputError


@pytest.fixture(scope="module")
def doc() -> dict:
    return brief_to_json(build_brief(seeds(), summary_sentences=4))


def test_schema_names(doc: dict) -> None:
    assert doc["schema_version"] == SCHEMA_VERSION
    assert {"claims", "quotes", "entities", "summary", "timeline", "coverage"} <= doc.keys()
    for group in doc["claims"]:
        assert {"id", "about", "verdict", "statements"} <= group.keys() and group["verdict"] in VERDICTS
        for s in group["statements"]:
            assert {"article_id", "source", "text", "modality", "sentence_index"} <= s.keys()
            assert s["modality"] in MODALITIES
            if group["kind"] == "quantity":
                assert {"low", "high", "unit"} <= s.keys()
    for quote in doc["quotes"]:
        assert "speaker" in quote and all({"article_id", "text"} <= r.keys() for r in quote["renderings"])
    json.dumps(doc)  # plain JSON: no infinities or objects


def test_summary_cites_sentences_and_prefers_shared_facts(doc: dict) -> None:
    articles = {a.id: a for a in seeds()}
    assert len(doc["summary"]) == 4
    for s in doc["summary"]:
        assert articles[s["article_id"]].sentences[s["sentence_index"]].text == s["text"]
    assert doc["summary"][0]["support"] == 2
    assert {s["article_id"] for s in doc["summary"]} == {0, 4}


def test_timeline_and_coverage(doc: dict) -> None:
    times = [t["time"] for t in doc["timeline"] if t["kind"] == "article"]
    assert times == sorted(times)
    cov = doc["coverage"]
    assert cov["articles"] == 2 and cov["independent_sources"] == 2
    assert {r["language"] for r in cov["by_language"]} == {"vi", "es"}


def _article(
    i: int, source: str, text: str, copy_of: int | None = None, language: str = "es"
) -> BriefArticle:
    return BriefArticle(
        i,
        source,
        "MX",
        "en",
        language,
        f"2024-05-0{i}T10:00:00Z",
        f"t{i}",
        (BriefSentence(0, text),),
        copy_of,
    )


def test_wire_copies_are_not_independent_sources() -> None:
    a = _article(1, "AP", "The storm killed 14 people in the north of the country.")
    b = _article(2, "Local Daily", "The storm killed 21 people in the north of the country.", copy_of=1)
    brief = brief_to_json(build_brief([a, b]))
    [deaths] = [g for g in brief["claims"] if g["kind"] == "quantity"]
    assert deaths["verdict"] == "single-source"
    assert brief["coverage"]["independent_sources"] == 1


def test_blindspot_note_and_first_report() -> None:
    arts = [_article(i, f"S{i}", "Floods killed 8 people in the valley on Monday.") for i in (3, 1, 2)]
    arts.append(_article(4, "S4", "Floods killed 8 people in the valley.", language="en"))
    brief = brief_to_json(build_brief(arts))
    assert brief["coverage"]["note"] == "covered mostly in Spanish-language press"
    [deaths] = [g for g in brief["claims"] if g["kind"] == "quantity"]
    assert deaths["verdict"] == "agree" and deaths["first_reported"]["article_id"] == 1


def test_duplicate_ids_are_rejected() -> None:
    a = _article(1, "A", "Floods killed 8 people.")
    with pytest.raises(InputError, match="share an id"):
        build_brief([a, a])
