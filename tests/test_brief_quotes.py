"""Quotes: speakers resolved from pronouns and roles, renderings aligned across articles."""

from __future__ import annotations

from tests.brief_seeds import seeds
from tidings.brief import BriefArticle, BriefSentence
from tidings.brief.entities import build_index
from tidings.brief.quotes import align_quotes


def test_constructive_remark_is_one_quote_across_both_seeds() -> None:
    articles = seeds()
    groups = align_quotes(articles, build_index(articles))
    [group] = [g for g in groups if any("constructive" in r.text for r in g.renderings)]
    assert group.speaker == "Vladimir Putin"
    by_article = {r.article_id: r.direct for r in group.renderings}
    assert by_article[4] is True  # direct quote in 004
    assert any(r.article_id == 0 and not r.direct for r in group.renderings)  # reported speech in 000


def _article(i: int, source: str, *sentences: str) -> BriefArticle:
    return BriefArticle(
        i, source, None, "en", "en", None, "", tuple(BriefSentence(n, s) for n, s in enumerate(sentences))
    )


def test_pronoun_and_role_resolve_to_the_named_person() -> None:
    a = _article(
        1,
        "A",
        "Russian President Vladimir Putin met US President Joe Biden in Geneva.",
        '"We have a lot to discuss," said the Russian president.',
        '"It was a good day for both sides," he said.',
    )
    b = _article(2, "B", '"We have a great deal to discuss," Putin told reporters.')
    groups = align_quotes([a, b], build_index([a, b]))
    speakers = {r.text: g.speaker for g in groups for r in g.renderings}
    assert speakers["We have a lot to discuss"] == "Vladimir Putin"
    assert speakers["It was a good day for both sides"] == "Vladimir Putin"
    [shared] = [g for g in groups if len(g.renderings) == 2]
    assert {r.article_id for r in shared.renderings} == {1, 2}


def test_scare_quotes_are_not_quotes() -> None:
    a = _article(1, "A", 'Biden called it a "constructive" meeting.')
    assert align_quotes([a], build_index([a])) == ()
