"""Hand analysed articles to the store: new, revision (of the same URL, or the outlet's same text under
another URL), or duplicate; in bulk when plainly new.

Storing one row at a time cost more than reading and analysing a plain-text page (`tidings bench ingest`):
each article took a savepoint and five statements. Here a batch is looked up with one query per key, the
plainly new articles go in with one multi-row INSERT per table, and only the rare item that needs a decision
against something stored or pending in the same batch (a revision, a repeat) takes the one-by-one path.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection

from tidings.errors import StoreError
from tidings.models import Article, Failed, RawDocument, Skipped, Source, Stored
from tidings.outlets import Outlets
from tidings.store import Store
from tidings.store import articles as article_rows
from tidings.store import errors as error_rows
from tidings.store import sources as source_rows
from tidings.store.articles import NewArticle

Outcome = Stored | Skipped | Failed
# Words a text needs before the same outlet's same text under another URL counts as one article: shorter
# items (a "live updates" stub, a one-line flash) may match by chance. As the copy index's dedup.MIN_WORDS.
REPUBLISHED_MIN_WORDS = 25


def content_hash(raw: RawDocument) -> str:
    """Hash of the bytes as they arrived; a record's fields count too (two headlines with no text differ)."""
    digest = hashlib.sha256(raw.content)
    if raw.kind == "record":
        digest.update(json.dumps(sorted(raw.meta.items()), ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def republishable(k: NewArticle) -> bool:
    """Whether a text is long enough that the same outlet publishing it again under another URL is the
    same article (a republication, perhaps retitled), not a second short item that happens to match."""
    return k.source_id is not None and len(k.article.body.split()) >= REPUBLISHED_MIN_WORDS


def text_hash(title: str, body: str) -> str:
    """Hash of the normalised body: the same text under other whitespace or case is the same."""
    # an edited title over the same text is a revision, not a new article; a headline alone is its text
    body = body if body.strip() else title
    # str.split() splits on the same whitespace as the regex \s+ did, five times faster: stored hashes hold
    return hashlib.sha256(" ".join(body.split()).lower().encode("utf-8")).hexdigest()


# Longest canonical URL kept as a look-up key, in bytes: PostgreSQL cannot index a longer value (2,704 bytes
# a B-tree row), and an address this long is a session or tracking blob, not an article's name. Such an
# article is found again by its text.
MAX_URL_KEY_BYTES = 2000


def canonical_url(url: str | None) -> str | None:
    """The canonical form of a URL (see tidings.dedup), or None (also when too long to be a key)."""
    if not url:
        return None
    from tidings.dedup import canonical_url as canon

    canonical = canon(url)
    return canonical if len(canonical.encode("utf-8", "replace")) <= MAX_URL_KEY_BYTES else None


def published_utc(published: str | None) -> datetime | None:
    """The publication time in UTC for sorting; a time without offset is taken as UTC."""
    if not published:
        return None
    try:
        when = datetime.fromisoformat(published)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@dataclass(frozen=True)
class Entry:
    """An analysed document waiting to be stored."""

    raw: RawDocument
    article: Article
    content_hash: str
    feed_id: int | None = None


@dataclass
class Intake:
    """Stores analysed articles for one pipeline; remembers outlet ids and the items that once failed."""

    store: Store
    outlets: Outlets
    failed_locators: set[str]
    _source_ids: dict[str, int] = field(default_factory=dict)

    def keys(self, e: Entry) -> NewArticle:
        """The row to insert, with its look-up keys and outlet id."""
        a = e.article
        outlet = self.outlets.lookup(a.source) if a.source else None
        if outlet is None and a.source:
            outlet = Source(a.source)  # unknown to the registry: still an outlet one can configure
        return NewArticle(
            e.raw,
            e.content_hash,
            a,
            canonical_url(a.url),
            text_hash(a.title, a.body),
            published_utc(a.published),
            self._source_id(outlet) if outlet else None,
            e.feed_id,
        )

    def _source_id(self, outlet: Source) -> int:
        # Outlets are never deleted, so their ids can be remembered for the life of the pipeline.
        if outlet.name not in self._source_ids:
            with self.store.write() as conn:
                self._source_ids[outlet.name] = source_rows.upsert(conn, outlet)
        return self._source_ids[outlet.name]

    def store_one(self, e: Entry) -> Outcome:
        """Store one article in its own savepoint: new, revision (of the same URL, or the outlet's same text
        under a new title and URL), or duplicate."""
        return self._store_alone(self.keys(e))

    def _store_alone(self, k: NewArticle) -> Outcome:
        """`_store_row`, where a row the database refuses fails alone (its savepoint rolled back) and is
        listed with the other failures."""
        try:
            return self._store_row(k)
        except StoreError as exc:
            with self.store.write() as conn:
                error_rows.record(conn, k.raw.locator, type(exc).__name__, exc.message, k.feed_id)
            self.failed_locators.add(k.raw.locator)
            return Failed(k.raw.locator, type(exc).__name__, exc.message)

    def _store_row(self, k: NewArticle) -> Outcome:
        with self.store.write() as conn:
            if k.canonical_url:
                found = article_rows.find_by_canonical_url(conn, k.canonical_url)
                if found and found[1] == k.text_hash:
                    return Skipped("duplicate", k.raw.locator, found[0])
                if found:
                    self._revise(conn, found[0], k)
                    return Skipped("revision", k.raw.locator, found[0])
                again = republishable(k) and article_rows.find_republished(conn, k.text_hash, k.source_id)
                if again:
                    # the outlet's own text under another URL: the same article, a revision if retitled, which
                    # keeps the date it was first published
                    if again[1] == k.article.title:
                        return Skipped("duplicate", k.raw.locator, again[0])
                    self._revise(conn, again[0], k, keep_dates=True)
                    return Skipped("revision", k.raw.locator, again[0])
            else:
                same = article_rows.find_by_text_hash(conn, k.text_hash)
                if same is not None:
                    return Skipped("duplicate", k.raw.locator, same)
            raw_id = article_rows.insert_raw(conn, k.raw, k.content_hash)
            article_id = article_rows.insert(
                conn,
                k.article,
                raw_id=raw_id,
                canonical_url=k.canonical_url,
                text_hash=k.text_hash,
                published_utc=k.published_utc,
                source_id=k.source_id,
                feed_id=k.feed_id,
            )
            self._clear_error(conn, k.raw.locator)
        return Stored(k.raw.locator, article_id)

    def _revise(self, conn: Connection, article_id: int, k: NewArticle, *, keep_dates: bool = False) -> None:
        raw_id = article_rows.insert_raw(conn, k.raw, k.content_hash)
        article_rows.revise(
            conn,
            article_id,
            k.article,
            raw_id=raw_id,
            text_hash=k.text_hash,
            published_utc=k.published_utc,
            source_id=k.source_id,
            keep_dates=keep_dates,
        )

    def store_many(self, entries: Sequence[Entry]) -> list[Outcome]:
        """Store a batch; the same outcomes, in order, as `store_one` on each entry in turn."""
        rows = [self.keys(e) for e in entries]
        with self.store.read() as conn:  # inside a batch: the batch's own transaction
            by_url = article_rows.by_canonical_urls(conn, [r.canonical_url for r in rows if r.canonical_url])
            by_text = article_rows.by_text_hashes(conn, [r.text_hash for r in rows if not r.canonical_url])
            # an outlet's stored text under a new URL is its republication; other outlets' texts are not
            outlet_texts = article_rows.outlet_texts(conn, [r.text_hash for r in rows if republishable(r)])
        outcomes: list[Outcome | None] = [None] * len(rows)
        plain: list[int] = []  # plainly new rows, waiting for one bulk insert
        seen: set[str] = set()  # keys of the rows handled in this batch, as store_one compares them
        for n, r in enumerate(rows):
            key = f"u:{r.canonical_url}" if r.canonical_url else f"t:{r.text_hash}"
            # the same outlet's text seen before under another URL may be a republication: one by one
            outlet_text = f"o:{r.source_id}:{r.text_hash}"
            repeat = key in seen or (republishable(r) and outlet_text in seen)
            seen.update((key, f"t:{r.text_hash}", outlet_text))
            if repeat:  # decided against a row of this batch: store what is pending, then this one alone
                self._insert(rows, plain, outcomes)
                outcomes[n] = self._store_alone(r)
                continue
            if r.canonical_url and r.canonical_url in by_url:
                found_id, found_hash = by_url[r.canonical_url]
                if found_hash == r.text_hash:
                    outcomes[n] = Skipped("duplicate", r.raw.locator, found_id)
                else:  # a revision: rare, and order matters, so one by one
                    self._insert(rows, plain, outcomes)
                    outcomes[n] = self._store_alone(r)
            elif not r.canonical_url and r.text_hash in by_text:
                outcomes[n] = Skipped("duplicate", r.raw.locator, by_text[r.text_hash])
            elif republishable(r) and (r.text_hash, r.source_id) in outlet_texts:  # under a new URL
                self._insert(rows, plain, outcomes)
                outcomes[n] = self._store_alone(r)
            else:
                plain.append(n)
        self._insert(rows, plain, outcomes)
        done = [o for o in outcomes if o is not None]
        assert len(done) == len(rows), "every entry has an outcome"
        return done

    def _insert(self, rows: Sequence[NewArticle], plain: list[int], outcomes: list[Outcome | None]) -> None:
        if not plain:
            return
        try:
            with self.store.write() as conn:
                ids = article_rows.insert_many(conn, [rows[n] for n in plain])
                for n in plain:
                    self._clear_error(conn, rows[n].raw.locator)
        except StoreError:
            # a clash the look-ups could not see (the same bytes kept by an older revision): one by one,
            # so that each item succeeds or fails alone
            for n in plain:
                outcomes[n] = self._store_alone(rows[n])
        else:
            for n, article_id in zip(plain, ids, strict=True):
                outcomes[n] = Stored(rows[n].raw.locator, article_id)
        plain.clear()

    def _clear_error(self, conn: Connection, locator: str) -> None:
        if locator in self.failed_locators:
            error_rows.clear(conn, locator)
            self.failed_locators.discard(locator)


__all__ = ["Entry", "Intake", "Outcome", "canonical_url", "content_hash", "published_utc", "text_hash"]
