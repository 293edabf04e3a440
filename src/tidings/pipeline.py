"""Wires the stages in order and hands their results to the store. The one place that knows the order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from itertools import islice

from tidings import language as language_stage
from tidings.errors import FetchError, InputError, TidingsError
from tidings.events import EventStage
from tidings.extract import extract
from tidings.intake import Entry, Intake, Outcome, content_hash
from tidings.models import Article, Failed, RawDocument, Skipped, Stored
from tidings.outlets import Outlets
from tidings.settings import Settings
from tidings.sources import FeedRef, FetchPolicy, decode, feed_item_to_raw, fetch, parse_feed, read_paths
from tidings.store import Store
from tidings.store import articles as article_rows
from tidings.store import errors as error_rows
from tidings.store import feeds as feed_rows
from tidings.translation import Translation

# Items per commit: a commit per item costs more than the rest of the store's work; a crash loses at
# most this many items, which a rerun ingests again.
BATCH_SIZE = 64


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
    guess = language_stage.settle(
        language_stage.detect_article(article.title, article.body, article.captions), raw.meta.get("lang")
    )
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
    """Ingest, extract, language, store (batches of 64, each item fails alone); translate, cluster, brief."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        translate: bool = True,
        cluster: bool = True,
        briefs: bool = True,
    ) -> None:
        self.store = store
        self.settings = settings
        self.translate = translate
        self.cluster = cluster
        self.briefs = briefs  # off for evaluations that only read where articles landed
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

    def ingest_raws(self, raws: Sequence[RawDocument], *, feed_id: int | None = None) -> list[Outcome]:
        """Analyse and store documents; bytes already stored are skipped unread. Outcomes in input order."""
        hashes = [content_hash(raw) for raw in raws]
        with self.store.read() as conn:
            seen = article_rows.raw_articles(conn, hashes)
        outcomes: list[Outcome | None] = [None] * len(raws)
        entries: list[Entry] = []
        waiting: list[int] = []
        for n, (raw, digest) in enumerate(zip(raws, hashes, strict=True)):
            if digest in seen:
                outcomes[n] = Skipped("duplicate", raw.locator, seen[digest])
                continue
            try:
                article = self.analyse(raw)
            except InputError as exc:
                outcomes[n] = self._fail(raw.locator, exc, feed_id)
                continue
            entries.append(Entry(raw, article, digest, feed_id))
            waiting.append(n)
        for n, outcome in zip(waiting, self.intake.store_many(entries), strict=True):
            outcomes[n] = outcome
        return [o for o in outcomes if o is not None]

    @cached_property
    def intake(self) -> Intake:
        """Hands analysed articles to the store."""
        with self.store.read() as conn:
            failed = {str(e["locator"]) for e in error_rows.list_errors(conn, limit=1_000_000)}
        return Intake(self.store, self.outlets, failed)

    def _fail(self, locator: str, exc: TidingsError, feed_id: int | None = None) -> Failed:
        failed = Failed(locator, type(exc).__name__, exc.message)
        self.record_failure(failed, feed_id)
        return failed

    def record_failure(self, failed: Failed, feed_id: int | None = None) -> None:
        """Store an item's failure so `tidings errors` lists it."""
        with self.store.write() as conn:
            error_rows.record(conn, failed.locator, failed.error, failed.message, feed_id)
        self.intake.failed_locators.add(failed.locator)

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
                self.ingest_chunk(chunk, report, feed_id=feed_id)
            self.after_batch(report)
        if self.cluster and self.briefs and self.touched:
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

    def ingest_chunk(
        self, chunk: Sequence[RawDocument | Failed | FeedRef], report: Report, *, feed_id: int | None = None
    ) -> None:
        """Handle one batch of items from the sources stage; the report gets their outcomes in order."""
        raws = [item for item in chunk if isinstance(item, RawDocument)]
        stored = iter(self.ingest_raws(raws, feed_id=feed_id))
        for item in chunk:
            if isinstance(item, FeedRef):
                report.feeds_added += int(self.subscribe(item))
            elif isinstance(item, Failed):
                self.record_failure(item, feed_id)
                report.add(item)
            else:
                report.add(next(stored))

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
