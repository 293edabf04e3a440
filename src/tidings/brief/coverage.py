"""Who covered the event: articles and independent sources per language and country."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from tidings.brief.model import BriefArticle, Coverage, CoverageRow

# A language or country with more than this share of the independent sources gets a blindspot note.
MOSTLY_SHARE = 0.6
# ... but only once the event has at least this many independent sources.
MOSTLY_MIN_SOURCES = 3

_LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "ru": "Russian",
    "vi": "Vietnamese",
    "zh": "Chinese",
    "ar": "Arabic",
    "pt": "Portuguese",
    "it": "Italian",
    "uk": "Ukrainian",
    "ja": "Japanese",
    "tr": "Turkish",
    "pl": "Polish",
    "fa": "Persian",
    "hi": "Hindi",
}


def _rows(
    articles: Sequence[BriefArticle], keys: dict[int, str], field: Callable[[BriefArticle], str | None]
) -> tuple[CoverageRow, ...]:
    counts: dict[str, int] = defaultdict(int)
    sources: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        value = field(a) or "unknown"
        counts[value] += 1
        sources[value].add(keys[a.id])
    return tuple(
        CoverageRow(k, counts[k], len(sources[k]))
        for k in sorted(counts, key=lambda k: (-len(sources[k]), k))
    )


def build_coverage(articles: Sequence[BriefArticle], keys: dict[int, str]) -> Coverage:
    """Counts of articles and independent sources per original language and per country."""
    by_language = _rows(articles, keys, lambda a: a.original_language or a.language)
    by_country = _rows(articles, keys, lambda a: a.country)
    total = len(set(keys[a.id] for a in articles))
    note = None
    top = by_language[0] if by_language else None
    if top and total >= MOSTLY_MIN_SOURCES and top.key != "unknown" and top.sources / total > MOSTLY_SHARE:
        note = f"covered mostly in {_LANGUAGES.get(top.key, top.key)}-language press"
    return Coverage(len(articles), total, by_language, by_country, note)
