"""Table definitions. Migrations create them; queries in the entity modules use them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    CursorResult,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("domains", JSON, nullable=False, default=list),
    Column("country", String(2)),
    Column("language", String(8)),
    Column("translate", String(8), nullable=False, server_default="all"),  # v2
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("title", Text),
    Column("category", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("interval_s", Integer, nullable=False),
    Column("next_poll", DateTime(timezone=True)),
    Column("last_polled", DateTime(timezone=True)),
    Column("error_count", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("translate", String(8), nullable=False, default="all"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

raw_documents = Table(
    "raw_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("locator", Text, nullable=False),
    Column("url", Text),
    Column("kind", String(8), nullable=False),
    Column("size", Integer, nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("meta", JSON, nullable=False, default=dict),
    Column("content", LargeBinary, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("raw_id", Integer, ForeignKey("raw_documents.id", ondelete="SET NULL")),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="SET NULL")),
    Column("url", Text),
    Column("canonical_url", Text),
    Column("text_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("byline", Text),
    Column("published", String(40)),
    Column("published_utc", DateTime(timezone=True)),
    Column("published_day", String(10)),
    Column("date_method", String(16)),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("source", Text),
    Column("site_name", Text),
    Column("section", Text),
    Column("categories", JSON, nullable=False, default=list),
    Column("captions", JSON, nullable=False, default=list),
    Column("body", Text, nullable=False),
    Column("language", String(8)),
    Column("language_confidence", Float),
    Column("original_language", String(8)),
    Column("archive_date", String(10)),
    Column("locator", Text),
    Column("revision", Integer, nullable=False, default=1),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_articles_canonical_url", "canonical_url", unique=True),
    Index("ix_articles_text_hash", "text_hash"),
    Index("ix_articles_published_utc", "published_utc"),
    Index("ix_articles_published_day", "published_day"),
    Index("ix_articles_source", "source"),
    Index("ix_articles_language", "language"),
)

ingest_errors = Table(
    "ingest_errors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("locator", Text, nullable=False),
    Column("error", String(40), nullable=False),
    Column("message", Text, nullable=False),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE")),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Index("ix_ingest_errors_locator", "locator"),
)

# v2: translations, sentence by sentence, and the cache that keeps any sentence from being translated twice.
translations = Table(
    "translations",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(12), nullable=False),  # translation | gloss | evidence | none | original
    Column("engine", String(40), nullable=False),
    Column("engine_version", Text, nullable=False),
    Column("source_lang", String(8)),
    Column("mode", String(8), nullable=False),  # all | titles | never
    Column("title", Text, nullable=False),
    Column("title_quality", String(16), nullable=False),
    Column("body", Text, nullable=False),  # English body, paragraphs separated by blank lines
    Column("numbers_flagged", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # v5: how many English sentences of its event the evidence (beside a gloss, or alone) was sought among
    Column("evidence_sought", Integer),
)

translation_sentences = Table(
    "translation_sentences",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("paragraph", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("engine", String(40), nullable=False),
    Column("quality", String(16), nullable=False),
    Column("score", Float),
    Column("origin", Text),
    # v5: beside a glossed sentence, the English sentence another source of its event wrote that says the
    # same (evidence, never a translation), its cosine and that source; for kind "evidence" the row's own
    # text, score and origin hold it
    Column("evidence", Text),
    Column("evidence_score", Float),
    Column("evidence_origin", Text),
)

translation_cache = Table(
    "translation_cache",
    metadata,
    Column("engine", String(40), primary_key=True),
    Column("src", String(8), primary_key=True),
    Column("tgt", String(8), primary_key=True),
    Column("sentence_hash", String(40), primary_key=True),
    Column("engine_version", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("quality", String(16), nullable=False),
)

# v3: events, memberships with their explanation, user corrections, the clusterer's saved state.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # the clusterer's event id
    Column("headline", Text, nullable=False),
    # v4: "" English (written so or translated), "gloss" (word by word), "original" (no engine reads it)
    Column("headline_kind", String(12), nullable=False, default=""),
    Column("first_seen", DateTime(timezone=True)),
    Column("last_seen", DateTime(timezone=True)),
    Column("languages", JSON, nullable=False, default=list),
    Column("countries", JSON, nullable=False, default=list),
    Column("sources", JSON, nullable=False, default=list),
    Column("article_count", Integer, nullable=False),
    Column("independent_count", Integer, nullable=False),
    Column("copy_count", Integer, nullable=False),
    Column("growth_24h", Integer, nullable=False, default=0),
    Column("active", Integer, nullable=False, default=1),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("brief", JSON),
    Column("brief_at", DateTime(timezone=True)),
    Index("ix_events_last_seen", "last_seen"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("score", Float, nullable=False),
    Column("shared", JSON, nullable=False, default=list),  # [{kind, value, weight}]
    Column("time_gap_hours", Float),
    Column("copy_of", Integer),
    Column("pinned", Integer, nullable=False, default=0),
    Index("ix_memberships_event", "event_id"),
)

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(12), nullable=False),  # move | merge | split
    Column("payload", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

cluster_state = Table(
    "cluster_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def inserted_id(result: CursorResult[object]) -> int:
    """The primary key of the row an INSERT just added."""
    key = result.inserted_primary_key
    assert key is not None, "INSERT returned no primary key"
    return int(key[0])
