"""Wires the stages in order and hands their results to the store. The one place that knows the order."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from itertools import islice

from sqlalchemy import Connection

from tidings import language as language_stage
from tidings.errors import EmptyDocument, FetchError, InputError, TidingsError
from tidings.events import EventStage
from tidings.extract import extract
from tidings.models import Article, Failed, RawDocument, Skipped, Source, Stored
from tidings.outlets import Outlets
from tidings.settings import Settings
from tidings.sources import FeedRef, FetchPolicy, decode, feed_item_to_raw, fetch, parse_feed, read_paths
from tidings.store import Store
from tidings.store import articles as article_rows
from tidings.store import errors as error_rows
from tidings.store import feeds as feed_rows
from tidings.store import sources as source_rows
from tidings.translation import Translation

Outcome = Stored | Skipped | Failed

_SPACE = re.compile(r"\s+")
# Items per commit: a commit per item costs more than the rest of the store's work; a crash loses at
# most this many items, which a rerun ingests again.
BATCH_SIZE = 64


def text_hash(title: str, body: str) -> str:
    """Hash of the normalised body: the same text under other whitespace or case is the same."""
    del title  # an edited title over the same text is a revision, not a new article
    return hashlib.sha256(_SPACE.sub(" ", body).strip().lower().encode("utf-8")).hexdigest()


def canonical_url(url: str | None) -> str | None:
    """The canonical form of a URL (see tidings.dedup), or None."""
    if not url:
        return None
    from tidings.dedup import canonical_url as canon

    return canon(url)


def published_utc(published: str | None) -> datetime | None:
    """The publication time in UTC for sorting; a time without offset is taken as UTC."""
    if not published:
        return None
    try:
        when = datetime.fromisoformat(published)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@dataclass
class Report:
    """What one ingest run did."""

    new: int = 0
    revised: int = 0
    duplicate: int = 0
    failed: int = 0
    feeds_added: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        """Count one item's outcome."""
        self.outcomes.append(outcome)
        if isinstance(outcome, Stored):
            self.new += 1
        elif isinstance(outcome, Failed):
            self.failed += 1
        elif outcome.reason == "revision":
            self.revised += 1
        else:
            self.duplicate += 1

    def as_dict(self) -> dict[str, int]:
        """Counts for --json output."""
        return {
            "new": self.new,
            "revised": self.revised,
            "duplicate": self.duplicate,
            "failed": self.failed,
            "feeds_added": self.feeds_added,
        }


def analyse(raw: RawDocument, outlets: Outlets) -> Article:
    """Decode, extract, clean and identify the language of one document; raises InputError."""
    text = decode(raw.content, raw.declared_charset, locator=raw.locator)
    article = extract(raw, text)
    if not article.body.strip():
        raise EmptyDocument("no article text found", where=raw.locator)
    guess = language_stage.detect_article(article.title, article.body, article.captions)
    outlet = outlets.lookup(article.source) if article.source else None
    if outlet is None and article.url:
        outlet = outlets.lookup(article.url)
    original = language_stage.original_language(
        language=guess.code, source=outlet, captions=article.captions, meta_lang=raw.meta.get("lang")
    )
    return replace(
        article,
        source=outlet.name if outlet else article.source,
        language=guess.code,
        language_confidence=round(guess.confidence, 4),
        original_language=original,
        locator=raw.locator,
    )


def fetch_policy(settings: Settings) -> FetchPolicy:
    """Fetch limits from settings."""
    return FetchPolicy(
        timeout_s=settings.fetch_timeout,
        max_bytes=settings.max_document_bytes,
        max_redirects=settings.max_redirects,
        allow_private=settings.allow_private_addresses,
        user_agent=settings.user_agent,
    )


def analyse_inputs(
    inputs: Iterable[str], settings: Settings, url_of: dict[str, str] | None = None
) -> Iterator[tuple[str, Article | TidingsError]]:
    """Extract every document behind the inputs without storing: (locator, article or error)."""
    outlets = Outlets.load(settings.outlets_file or None)
    for item in read_paths(list(inputs), fetch_policy(settings)):
        if isinstance(item, FeedRef):
            continue
        if isinstance(item, Failed):
            yield item.locator, InputError(item.message)
            continue
        url = (url_of or {}).get(item.locator)
        raw = replace(item, url=url) if url else item
        try:
            yield raw.locator, analyse(raw, outlets)
        except InputError as exc:
            yield raw.locator, exc


class Pipeline:
    """Ingest, extract, language, store (batches, a savepoint per item); then translate, cluster, brief."""

    def __init__(
        self, store: Store, settings: Settings, *, translate: bool = True, cluster: bool = True
    ) -> None:
        self.store = store
        self.settings = settings
        self.translate = translate
        self.cluster = cluster
        self._source_ids: dict[str, int] = {}
        self.touched: set[int] = set()  # events changed since their briefs were last built

    @cached_property
    def outlets(self) -> Outlets:
        """The outlet registry (bundled plus the user's file)."""
        return Outlets.load(self.settings.outlets_file or None)

    @property
    def policy(self) -> FetchPolicy:
        """Fetch limits from settings."""
        return fetch_policy(self.settings)

    def analyse(self, raw: RawDocument) -> Article:
        """Decode, extract, clean and identify the language of one document (no storage)."""
        return analyse(raw, self.outlets)

    def ingest_one(self, raw: RawDocument, *, feed_id: int | None = None) -> Outcome:
        """Run one document through the stages and store it; failures are recorded, not raised."""
        content_hash = hashlib.sha256(raw.content).hexdigest()
        with self.store.read() as conn:
            seen = article_rows.raw_exists(conn, content_hash)
        if seen is not None:
            return Skipped("duplicate", raw.locator, seen)
        try:
            article = self.analyse(raw)
        except InputError as exc:
            return self._fail(raw.locator, exc, feed_id)
        return self.store_article(raw, article, content_hash, feed_id)

    def store_article(
        self, raw: RawDocument, article: Article, content_hash: str, feed_id: int | None = None
    ) -> Outcome:
        """Store an analysed article: new, revision of the same URL, or duplicate."""
        thash = text_hash(article.title, article.body)
        canon = canonical_url(article.url)
        outlet = self.outlets.lookup(article.source) if article.source else None
        if outlet is None and article.source:
            outlet = Source(article.source)  # unknown to the registry: still an outlet one can configure
        with self.store.write() as conn:
            source_id = self._source_id(conn, outlet) if outlet else None
            if canon:
                found = article_rows.find_by_canonical_url(conn, canon)
                if found and found[1] == thash:
                    return Skipped("duplicate", raw.locator, found[0])
                if found:
                    raw_id = article_rows.insert_raw(conn, raw, content_hash)
                    article_rows.revise(
                        conn,
                        found[0],
                        article,
                        raw_id=raw_id,
                        text_hash=thash,
                        published_utc=published_utc(article.published),
                        source_id=source_id,
                    )
                    return Skipped("revision", raw.locator, found[0])
            else:
                same = article_rows.find_by_text_hash(conn, thash)
                if same is not None:
                    return Skipped("duplicate", raw.locator, same)
            raw_id = article_rows.insert_raw(conn, raw, content_hash)
            article_id = article_rows.insert(
                conn,
                article,
                raw_id=raw_id,
                canonical_url=canon,
                text_hash=thash,
                published_utc=published_utc(article.published),
                source_id=source_id,
                feed_id=feed_id,
            )
            if raw.locator in self.failed_locators:
                error_rows.clear(conn, raw.locator)
                self.failed_locators.discard(raw.locator)
        return Stored(raw.locator, article_id)

    @cached_property
    def failed_locators(self) -> set[str]:
        """Items with a recorded error: an item that now goes in has its error cleared."""
        with self.store.read() as conn:
            return {str(e["locator"]) for e in error_rows.list_errors(conn, limit=1_000_000)}

    def _source_id(self, conn: Connection, outlet: Source) -> int:
        # Outlets are never deleted, so their ids can be remembered for the life of the pipeline.
        if outlet.name not in self._source_ids:
            self._source_ids[outlet.name] = source_rows.upsert(conn, outlet)
        return self._source_ids[outlet.name]

    def _fail(self, locator: str, exc: TidingsError, feed_id: int | None = None) -> Failed:
        failed = Failed(locator, type(exc).__name__, exc.message)
        self.record_failure(failed, feed_id)
        return failed

    def record_failure(self, failed: Failed, feed_id: int | None = None) -> None:
        """Store an item's failure so `tidings errors` lists it."""
        with self.store.write() as conn:
            error_rows.record(conn, failed.locator, failed.error, failed.message, feed_id)
        self.failed_locators.add(failed.locator)

    def subscribe(self, ref: FeedRef) -> bool:
        """Subscribe to a feed named by an OPML outline; True when new."""
        with self.store.write() as conn:
            _, created = feed_rows.add(
                conn, ref.url, title=ref.title, category=ref.category, interval_s=self.settings.feed_interval
            )
        return created

    def ingest(self, inputs: Iterable[str], report: Report | None = None) -> Report:
        """Ingest files, directories and URLs; every item succeeds or fails alone."""
        return self.ingest_items(self.items(inputs), report)

    def ingest_items(
        self,
        items: Iterable[RawDocument | Failed | FeedRef],
        report: Report | None = None,
        *,
        feed_id: int | None = None,
    ) -> Report:
        """Ingest raw items in batches of BATCH_SIZE, one commit each (each item still fails alone)."""
        report = report or Report()
        iterator = iter(items)
        while chunk := list(islice(iterator, BATCH_SIZE)):
            with self.store.batch():
                for item in chunk:
                    self.ingest_item(item, report, feed_id=feed_id)
            self.after_batch(report)
        if self.cluster and self.touched:
            self.events.refresh_briefs(self.touched)  # once per run, not per batch
            self.touched.clear()
        return report

    def after_batch(self, report: Report) -> None:
        """The stages that work on stored articles: translation, then dedup, clustering and briefs."""
        if not report.new + report.revised:
            return
        if self.translate:
            self.translation.run()
        if self.cluster:
            self.touched |= self.events.run(briefs=False).events_touched

    @cached_property
    def events(self) -> EventStage:
        """The event stage (clustering, briefs) over this store."""
        return EventStage(self.store, self.settings, translation=self.translation if self.translate else None)

    @cached_property
    def translation(self) -> Translation:
        """The translation stage over this store."""
        return Translation(self.store, self.settings)

    def ingest_item(
        self, item: RawDocument | Failed | FeedRef, report: Report, *, feed_id: int | None = None
    ) -> None:
        """Handle one item from the sources stage."""
        if isinstance(item, FeedRef):
            report.feeds_added += int(self.subscribe(item))
        elif isinstance(item, Failed):
            self.record_failure(item, feed_id)
            report.add(item)
        else:
            report.add(self.ingest_one(item, feed_id=feed_id))

    def items(self, inputs: Iterable[str]) -> Iterator[RawDocument | Failed | FeedRef]:
        """The raw items behind the inputs, in order."""
        yield from read_paths(list(inputs), self.policy)

    def poll(self, report: Report | None = None, *, now: datetime | None = None) -> Report:
        """Poll every feed that is due, with conditional GET and backoff."""
        report = report or Report()
        with self.store.read() as conn:
            due = feed_rows.due(conn, now or datetime.now(UTC))
        for feed in due:
            self.poll_feed(feed, report)
        return report

    def poll_feed(self, feed: dict[str, object], report: Report) -> None:
        """Poll one feed and ingest its new items."""
        feed_id = int(str(feed["id"]))
        url = str(feed["url"])
        interval = int(str(feed["interval_s"]))
        try:
            got = fetch(url, self.policy, etag=_opt(feed["etag"]), last_modified=_opt(feed["last_modified"]))
            if got.not_modified:
                with self.store.write() as conn:
                    feed_rows.polled_ok(
                        conn,
                        feed_id,
                        etag=_opt(feed["etag"]),
                        last_modified=_opt(feed["last_modified"]),
                        interval_s=interval,
                    )
                return
            parsed = parse_feed(got.content, locator=url)
        except (FetchError, InputError) as exc:
            with self.store.write() as conn:
                feed_rows.polled_error(
                    conn,
                    feed_id,
                    exc.message,
                    interval_s=interval,
                    max_backoff_s=self.settings.feed_max_backoff,
                )
            report.add(self._fail(url, exc, feed_id))
            return
        items: list[RawDocument | Failed | FeedRef] = list(parsed.failed)
        for entry in parsed.items:
            try:
                items.append(self.full_page(feed_item_to_raw(entry, url)))
            except InputError as exc:
                items.append(Failed(f"{url}#{entry.id}", type(exc).__name__, exc.message))
        self.ingest_items(items, report, feed_id=feed_id)
        with self.store.write() as conn:
            feed_rows.polled_ok(
                conn,
                feed_id,
                etag=got.etag,
                last_modified=got.last_modified,
                interval_s=interval,
                title=parsed.title,
            )

    def full_page(self, raw: RawDocument) -> RawDocument:
        """A summary-only feed item replaced by its page, fetched; the item itself if that fails."""
        if raw.meta.get("content") == "full" or not raw.url:
            return raw
        try:
            got = fetch(raw.url, self.policy)
        except (FetchError, InputError):
            return raw  # the summary is still worth keeping
        return RawDocument(
            locator=raw.locator,
            content=got.content,
            kind="html",
            url=got.url,
            declared_charset=got.charset,
            fetched_at=datetime.now(UTC),
            meta={**raw.meta, "content": "page"},
        )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
