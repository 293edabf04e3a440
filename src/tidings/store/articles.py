"""Articles and the raw documents they came from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, Table, bindparam, func, select

from tidings.errors import NotFound
from tidings.models import Article, RawDocument
from tidings.store.schema import articles, inserted_id, raw_documents, translation_sentences, translations

# Field names other issues and outside checks rely on (`tidings articles show ID --json`).
PUBLIC_FIELDS = (
    "id",
    "url",
    "title",
    "byline",
    "published",
    "source",
    "section",
    "language",
    "original_language",
    "body",
    "captions",
)


# The look-ups of every ingest, built once with bound parameters (statement building is the cost).
_BY_CANONICAL = select(articles.c.id, articles.c.text_hash).where(articles.c.canonical_url == bindparam("u"))
_BY_TEXT_HASH = (
    select(articles.c.id).where(articles.c.text_hash == bindparam("h")).order_by(articles.c.id).limit(1)
)
_RAW_BY_HASH = select(raw_documents.c.id).where(raw_documents.c.content_hash == bindparam("h"))


def find_by_canonical_url(conn: Connection, canonical_url: str) -> tuple[int, str] | None:
    """(id, text_hash) of the article at this canonical URL."""
    row = conn.execute(_BY_CANONICAL, {"u": canonical_url}).first()
    return (int(row[0]), str(row[1])) if row else None


def find_by_text_hash(conn: Connection, text_hash: str) -> int | None:
    """The first article with exactly this normalised text."""
    row = conn.execute(_BY_TEXT_HASH, {"h": text_hash}).first()
    return int(row[0]) if row else None


def find_republished(conn: Connection, text_hash: str, source_id: int | None) -> tuple[int, str] | None:
    """(id, title) of the first article of this outlet with exactly this normalised text."""
    if source_id is None:
        return None
    row = conn.execute(
        select(articles.c.id, articles.c.title)
        .where(articles.c.text_hash == text_hash, articles.c.source_id == source_id)
        .order_by(articles.c.id)
        .limit(1)
    ).first()
    return (int(row[0]), str(row[1] or "")) if row else None


def insert_raw(conn: Connection, raw: RawDocument, content_hash: str) -> int:
    """Keep the document's bytes so it can be extracted again later."""
    existing = conn.execute(_RAW_BY_HASH, {"h": content_hash}).first()
    if existing:
        return int(existing[0])
    # Parameters apart from the statement: SQLAlchemy then reuses one compiled INSERT (much faster).
    return inserted_id(conn.execute(raw_documents.insert(), _raw_values(raw, content_hash)))


def raw_articles(conn: Connection, content_hashes: Sequence[str]) -> dict[str, int]:
    """content hash -> id of the article made from those bytes, for the hashes already stored."""
    if not content_hashes:
        return {}
    query = (
        select(raw_documents.c.content_hash, articles.c.id)
        .select_from(raw_documents.join(articles, articles.c.raw_id == raw_documents.c.id))
        .where(raw_documents.c.content_hash.in_(bindparam("hs", expanding=True)))
    )
    return {str(h): int(i) for h, i in conn.execute(query, {"hs": list(set(content_hashes))})}


def by_canonical_urls(conn: Connection, urls: Sequence[str]) -> dict[str, tuple[int, str]]:
    """canonical URL -> (id, text_hash) of the articles stored at those URLs."""
    if not urls:
        return {}
    query = select(articles.c.canonical_url, articles.c.id, articles.c.text_hash).where(
        articles.c.canonical_url.in_(bindparam("us", expanding=True))
    )
    return {str(u): (int(i), str(h)) for u, i, h in conn.execute(query, {"us": list(set(urls))})}


def outlet_texts(conn: Connection, text_hashes: Sequence[str]) -> set[tuple[str, int]]:
    """(text hash, outlet id) of the stored articles with these normalised texts."""
    if not text_hashes:
        return set()
    query = (
        select(articles.c.text_hash, articles.c.source_id)
        .where(articles.c.text_hash.in_(bindparam("hs", expanding=True)), articles.c.source_id.is_not(None))
        .distinct()
    )
    return {(str(h), int(s)) for h, s in conn.execute(query, {"hs": list(set(text_hashes))})}


def by_text_hashes(conn: Connection, text_hashes: Sequence[str]) -> dict[str, int]:
    """text hash -> the first article with that normalised text."""
    if not text_hashes:
        return {}
    query = (
        select(articles.c.text_hash, func.min(articles.c.id))
        .where(articles.c.text_hash.in_(bindparam("hs", expanding=True)))
        .group_by(articles.c.text_hash)
    )
    return {str(h): int(i) for h, i in conn.execute(query, {"hs": list(set(text_hashes))})}


def _raw_values(raw: RawDocument, content_hash: str) -> dict[str, Any]:
    return {
        "content_hash": content_hash,
        "locator": raw.locator,
        "url": raw.url,
        "kind": raw.kind,
        "size": len(raw.content),
        "fetched_at": raw.fetched_at or datetime.now(UTC),
        "meta": dict(raw.meta),
        "content": raw.content,
    }


def _values(article: Article, published_utc: datetime | None) -> dict[str, Any]:
    return {
        "url": article.url,
        "title": article.title,
        "byline": article.byline,
        "published": article.published,
        "published_utc": published_utc,
        "published_day": article.published[:10] if article.published else None,
        "date_method": article.date_method,
        "source": article.source,
        "site_name": article.site_name,
        "section": article.section,
        "categories": list(article.categories),
        "captions": list(article.captions),
        "body": article.body,
        "language": article.language,
        "language_confidence": article.language_confidence,
        "original_language": article.original_language,
        "archive_date": article.archive_date,
        "locator": article.locator,
    }


def insert(
    conn: Connection,
    article: Article,
    *,
    raw_id: int | None,
    canonical_url: str | None,
    text_hash: str,
    published_utc: datetime | None,
    source_id: int | None,
    feed_id: int | None = None,
) -> int:
    """Store a new article; return its id."""
    now = datetime.now(UTC)
    result = conn.execute(
        articles.insert(),
        {
            "raw_id": raw_id,
            "feed_id": feed_id,
            "canonical_url": canonical_url,
            "text_hash": text_hash,
            "source_id": source_id,
            "created_at": now,
            "updated_at": now,
            "revision": 1,
            **_values(article, published_utc),
        },
    )
    return inserted_id(result)


@dataclass(frozen=True)
class NewArticle:
    """One row of a bulk insert: the document, its analysed article and the keys computed for it."""

    raw: RawDocument
    content_hash: str
    article: Article
    canonical_url: str | None
    text_hash: str
    published_utc: datetime | None
    source_id: int | None
    feed_id: int | None


def insert_many(conn: Connection, rows: Sequence[NewArticle]) -> list[int]:
    """Store new articles and their raw documents with one statement per table; ids in input order.

    The caller has checked that none is stored yet: a clash raises, and the caller then stores the rows one
    by one so that each fails alone.
    """
    if not rows:
        return []
    raw_ids = _ids(conn, raw_documents, [_raw_values(r.raw, r.content_hash) for r in rows])
    now = datetime.now(UTC)
    values = [
        {
            "raw_id": raw_id,
            "feed_id": r.feed_id,
            "canonical_url": r.canonical_url,
            "text_hash": r.text_hash,
            "source_id": r.source_id,
            "created_at": now,
            "updated_at": now,
            "revision": 1,
            **_values(r.article, r.published_utc),
        }
        for r, raw_id in zip(rows, raw_ids, strict=True)
    ]
    return _ids(conn, articles, values)


def _ids(conn: Connection, table: Table, values: list[dict[str, Any]]) -> list[int]:
    # executemany with RETURNING ("insertmanyvalues"): one round trip, the new ids in parameter order
    result = conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), values)
    return [int(row[0]) for row in result]


def revise(
    conn: Connection,
    article_id: int,
    article: Article,
    *,
    raw_id: int | None,
    text_hash: str,
    published_utc: datetime | None,
    source_id: int | None,
    keep_dates: bool = False,
) -> None:
    """Replace an article's content with a newer revision of the same page (its translation goes); with
    `keep_dates`, the date it was first published stays (a republication under another URL)."""
    for table in (translation_sentences, translations):
        conn.execute(table.delete().where(table.c.article_id == article_id))
    values = _values(article, published_utc)
    if keep_dates:
        for key in ("published", "published_utc", "published_day", "date_method"):
            del values[key]
    conn.execute(
        articles.update()
        .where(articles.c.id == article_id)
        .values(
            raw_id=raw_id,
            text_hash=text_hash,
            source_id=source_id,
            revision=articles.c.revision + 1,
            updated_at=datetime.now(UTC),
            **values,
        )
    )


def _public(row: RowMapping) -> dict[str, Any]:
    out = {name: row[name] for name in PUBLIC_FIELDS}
    out["captions"] = list(row["captions"] or [])
    for extra in ("date_method", "site_name", "language_confidence", "archive_date", "revision"):
        out[extra] = row[extra]
    out["categories"] = list(row["categories"] or [])
    return out


def get(conn: Connection, article_id: int) -> dict[str, Any]:
    """One article's public fields."""
    row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
    if row is None:
        raise NotFound(f"no article {article_id}")
    return _public(row._mapping)


def list_articles(
    conn: Connection,
    *,
    limit: int = 50,
    before_id: int | None = None,
    day: str | None = None,
    language: str | None = None,
    source: str | None = None,
    section: str | None = None,
) -> list[dict[str, Any]]:
    """Newest first, filtered; `before_id` is the pagination cursor."""
    query = select(articles).order_by(articles.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(articles.c.id < before_id)
    if day:
        query = query.where(articles.c.published_day == day)
    if language:
        query = query.where(articles.c.language == language)
    if source:
        query = query.where(articles.c.source == source)
    if section:
        query = query.where(articles.c.section == section)
    return [_public(r._mapping) for r in conn.execute(query)]


def count(conn: Connection) -> int:
    """How many articles are stored."""
    return int(conn.execute(select(func.count()).select_from(articles)).scalar_one())


def counts_by(conn: Connection, column: str) -> list[tuple[str | None, int]]:
    """Article counts grouped by one column (language, source, section, published_day)."""
    col = articles.c[column]
    rows = conn.execute(select(col, func.count()).group_by(col).order_by(func.count().desc()))
    return [(r[0], int(r[1])) for r in rows]


def ids(conn: Connection, *, after_id: int = 0) -> Sequence[int]:
    """Article ids in insertion order."""
    return [int(r[0]) for r in conn.execute(select(articles.c.id).where(articles.c.id > after_id))]
