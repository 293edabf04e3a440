"""The two seed articles of issue 6 as BriefArticles (English text from the sample pages)."""

from __future__ import annotations

from tests.conftest import SAMPLE
from tidings.brief import BriefArticle, BriefSentence
from tidings.clean import clean_page
from tidings.translate.segment import split_sentences


def seed_article(name: str, article_id: int, source: str, country: str, original: str) -> BriefArticle:
    """A sample page cleaned and split into numbered sentences."""
    page = clean_page((SAMPLE / name).read_text(encoding="utf-8"))
    sentences = [s for paragraph in page.paragraphs for s in split_sentences(paragraph, "en")]
    return BriefArticle(
        article_id,
        source,
        country,
        "en",
        original,
        page.published,
        page.title or "",
        tuple(BriefSentence(i, s) for i, s in enumerate(sentences)),
    )


def seeds() -> list[BriefArticle]:
    """Seed 000 (Vietnamese outlet) and seed 004 (Telemundo, Spanish)."""
    return [
        seed_article("000_ecd03e3bfaa32d93.txt", 0, "Vietnam outlet", "VN", "vi"),
        seed_article("004_e98dca1c8e07cdf9.txt", 4, "Telemundo", "US", "es"),
    ]
