"""Plain data passed between stages. No I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

DocKind = Literal["html", "text", "record"]
# How an event's headline reads to English readers, where it is not English: labels by headline_kind.
HEADLINE_KINDS = {"gloss": "gloss", "original": "untranslated"}


@dataclass(frozen=True)
class Source:
    """A news outlet."""

    name: str
    domains: tuple[str, ...] = ()
    country: str | None = None  # ISO 3166-1 alpha-2
    language: str | None = None  # ISO 639-1


@dataclass(frozen=True)
class Feed:
    """A subscribed feed and its polling state."""

    url: str
    title: str | None = None
    id: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    next_poll: datetime | None = None
    error_count: int = 0
    last_error: str | None = None
    translate: str = "all"  # all | titles | never


@dataclass(frozen=True)
class RawDocument:
    """One input item as it arrived, before extraction.

    `kind` says how to read `content`: "html" (a page), "text" (a plain-text page like the seeds) or
    "record" (an already structured item from a feed or JSONL whose fields are in `meta`).
    """

    locator: str  # where it came from, for messages: path, path:line, URL, feed URL#item
    content: bytes
    kind: DocKind
    url: str | None = None
    declared_charset: str | None = None
    fetched_at: datetime | None = None
    meta: Mapping[str, str] = field(default_factory=dict)  # title, date, lang, source, id, feed ...


@dataclass(frozen=True)
class Article:
    """An extracted, cleaned article in its own language."""

    title: str
    body: str  # paragraphs separated by blank lines
    url: str | None = None
    byline: str | None = None
    published: str | None = None  # ISO 8601 as the page wrote it, with UTC offset where known
    date_method: str | None = None  # json-ld | meta | time | url | text | feed | ...
    source: str | None = None  # outlet name (the original one where the page names it)
    site_name: str | None = None  # the site the page was read from
    section: str | None = None
    categories: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    language: str | None = None
    language_confidence: float | None = None
    original_language: str | None = None
    archive_date: str | None = None  # a per-day archive the page links to (YYYY-MM-DD)
    locator: str | None = None


@dataclass(frozen=True)
class Skipped:
    """An item that was deliberately not stored, and why."""

    reason: str  # "duplicate", "unchanged", ...
    locator: str
    article_id: int | None = None


@dataclass(frozen=True)
class Failed:
    """An item that failed; the batch went on."""

    locator: str
    error: str  # error class name
    message: str


@dataclass(frozen=True)
class Stored:
    """An item stored as a new article."""

    locator: str
    article_id: int


def headline_text(event: Mapping[str, object]) -> str:
    """An event's headline as plain text (page titles, feeds, the CLI), saying when it is a gloss or
    untranslated."""
    kind = HEADLINE_KINDS.get(str(event.get("headline_kind") or ""))
    return f"{event['headline']} ({kind})" if kind else str(event["headline"])


def feature_text(feature: Mapping[str, object]) -> str:
    """One feature a member shares with its event, as a reader sees it: "entity: putin", or for an
    encoder's part "similar text 0.85 (sentence encoder)"."""
    if feature.get("kind") == "text":
        weight = feature.get("weight")
        return f"similar text {weight if isinstance(weight, float) else 0.0:.2f} ({feature.get('value')})"
    return f"{feature.get('kind')}: {feature.get('value')}"
