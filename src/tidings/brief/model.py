"""The event brief's input and output: small frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

# Bumped when a field of brief_to_json's output changes meaning or disappears (docs/brief-schema.md).
SCHEMA_VERSION = "1.0"

MODALITIES = ("fact", "prediction", "denial", "attributed")
VERDICTS = ("agree", "conflict", "precision", "single-source")


@dataclass(frozen=True)
class BriefSentence:
    """One English sentence of an article; `original` is the source-language sentence when translated."""

    index: int
    text: str
    original: str | None = None


@dataclass(frozen=True)
class BriefArticle:
    """One article of an event, as the brief sees it."""

    id: int
    source: str | None
    country: str | None
    language: str | None
    original_language: str | None
    published: str | None  # ISO 8601
    title: str
    sentences: tuple[BriefSentence, ...]
    copy_of: int | None = None  # wire copy of another article: not an independent source


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, the hedge around it and the interval it stands for, in a base unit."""

    low: float
    high: float  # math.inf when open-ended ("more than 300")
    unit: str  # seconds, metres, percent, count, date (days since 1970-01-01) or an ISO currency code
    hedge: str | None  # the hedge words as written ("nearly", "more than", "several") or None
    vagueness: int  # 0 exact .. 4 vague word ("several", "dozens"); see quantities.VAGUENESS
    surface: str  # the words of the sentence this was read from
    start: int
    end: int
    noun: str | None = None  # counted thing for counts ("people", "presidents")
    rounding: float = 0.0  # half a unit of the last written digit, in the base unit ("3.1 miles" → 80 m)


@dataclass(frozen=True)
class Statement:
    """What one article says about a claim, traced to its sentence."""

    article_id: int
    source: str | None
    source_key: str  # independent-source identity: wire copies share their original's key
    published: str | None
    sentence_index: int
    text: str
    original: str | None
    modality: str
    clause: str
    quantity: Quantity | None = None


@dataclass(frozen=True)
class ClaimGroup:
    """Statements about one measured thing or one proposition, with the verdict across sources."""

    id: str
    kind: str  # "quantity" or "proposition"
    about: str
    verdict: str
    statements: tuple[Statement, ...]
    conflicts: tuple[tuple[int, int], ...] = ()  # pairs of indices into statements whose intervals clash


@dataclass(frozen=True)
class Rendering:
    """One outlet's wording of a quote; `direct` is False for reported speech."""

    article_id: int
    source: str | None
    sentence_index: int
    text: str
    direct: bool
    original: str | None = None


@dataclass(frozen=True)
class QuoteGroup:
    """One statement by one speaker, as rendered by one or more articles."""

    id: str
    speaker: str | None
    renderings: tuple[Rendering, ...]


@dataclass(frozen=True)
class Entity:
    """A person, organisation or place with one canonical name and the spellings seen."""

    name: str
    kind: str  # person, organisation, place or other
    spellings: tuple[str, ...]
    mentions: int
    article_ids: tuple[int, ...]


@dataclass(frozen=True)
class SummarySentence:
    """A summary sentence with its citation and how many independent sources support it."""

    article_id: int
    source: str | None
    sentence_index: int
    text: str
    support: int


@dataclass(frozen=True)
class TimelineEntry:
    """An article's publication, or the first report of a claim group."""

    time: str | None
    kind: str  # "article" or "claim"
    article_id: int
    source: str | None
    text: str
    claim_id: str | None = None


@dataclass(frozen=True)
class CoverageRow:
    """Articles and independent sources for one language or country."""

    key: str
    articles: int
    sources: int


@dataclass(frozen=True)
class Coverage:
    """Who covered the event: counts per language and country, and a blindspot note."""

    articles: int
    independent_sources: int
    by_language: tuple[CoverageRow, ...]
    by_country: tuple[CoverageRow, ...]
    note: str | None


@dataclass(frozen=True)
class Brief:
    """Everything the brief says about one event."""

    claims: tuple[ClaimGroup, ...]
    quotes: tuple[QuoteGroup, ...]
    entities: tuple[Entity, ...]
    summary: tuple[SummarySentence, ...]
    timeline: tuple[TimelineEntry, ...]
    coverage: Coverage
    schema_version: str = field(default=SCHEMA_VERSION)


def source_keys(articles: tuple[BriefArticle, ...] | list[BriefArticle]) -> dict[int, str]:
    """Independent-source key per article id: wire copies take the key of the article they copy."""
    by_id = {a.id: a for a in articles}
    keys: dict[int, str] = {}
    for article in articles:
        seen = {article.id}
        root = article
        while root.copy_of is not None and root.copy_of in by_id and root.copy_of not in seen:
            seen.add(root.copy_of)
            root = by_id[root.copy_of]
        name = (root.source or "").strip().lower()
        keys[article.id] = name or f"article:{root.id}"
    return keys
