from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from tidings.errors import StoreError
from tidings.models import Article, RawDocument
from tidings.settings import Settings, load_settings
from tidings.store import Store, articles, browse, errors, feeds, open_store
from tidings.store import translations as translation_rows
from tidings.store.bulk import insert_rows
from tidings.store.migrations import MIGRATIONS
from tidings.translate.base import ArticleTranslation, TranslatedSentence
from tidings.translate.segment import Segment


def _article(title: str, body: str, **kw: str) -> Article:
    return Article(title=title, body=body, **kw)  # type: ignore[arg-type]


def test_sqlite_is_wal_with_foreign_keys(store: Store, db_path: Path) -> None:
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert store.version == len(MIGRATIONS)


@pytest.mark.both_stores
def test_migrations_are_idempotent(settings: Settings) -> None:
    open_store(settings.database_url).close()
    again = open_store(settings.database_url)
    assert again.version == len(MIGRATIONS)
    with again.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM schema_version").scalar() == len(MIGRATIONS)
    again.close()


def test_a_version_3_database_gains_headline_kinds(settings: Settings, db_path: Path) -> None:
    open_store(settings.database_url).close()
    db = sqlite3.connect(db_path)  # back to what version 3 wrote: events without headline_kind
    db.execute("ALTER TABLE events DROP COLUMN headline_kind")
    db.execute("DELETE FROM schema_version WHERE version > 3")
    db.execute(
        "INSERT INTO events (id, headline, languages, countries, sources, article_count,"
        " independent_count, copy_count, growth_24h, active, updated_at)"
        " VALUES (1, 'Old', '[]', '[]', '[]', 1, 1, 0, 0, 1, '2025')"
    )
    db.commit()
    assert open_store(settings.database_url).version == len(MIGRATIONS)
    assert db.execute("SELECT headline, headline_kind FROM events").fetchall() == [("Old", "")]


def test_a_version_4_database_gains_evidence_beside_glosses(settings: Settings, db_path: Path) -> None:
    open_store(settings.database_url).close()
    db = sqlite3.connect(db_path)  # back to what version 4 wrote: no evidence columns
    db.execute("ALTER TABLE translations DROP COLUMN evidence_sought")
    for column in ("evidence", "evidence_score", "evidence_origin"):
        db.execute(f"ALTER TABLE translation_sentences DROP COLUMN {column}")
    db.execute("DELETE FROM schema_version WHERE version > 4")
    db.commit()
    assert open_store(settings.database_url).version == len(MIGRATIONS)
    columns = {r[1] for r in db.execute("PRAGMA table_info(translation_sentences)")}
    assert {"evidence", "evidence_score", "evidence_origin"} <= columns
    assert "evidence_sought" in {r[1] for r in db.execute("PRAGMA table_info(translations)")}


@pytest.mark.both_stores
def test_a_retired_event_grows_no_more(store: Store) -> None:
    from tidings.store import events as event_rows

    row = {"id": 7, "headline": "Quake", "article_count": 5, "independent_count": 5, "copy_count": 0}
    with store.write() as conn:
        event_rows.save_events(conn, [{**row, "growth_24h": 5, "active": 1}])
        event_rows.deactivate(conn, [7])
    with store.read() as conn:
        got = event_rows.get(conn, 7)
    assert (got["active"], got["growth_24h"]) == (0, 0)


@pytest.mark.both_stores
def test_insert_get_search_and_revise(store: Store) -> None:
    raw = RawDocument(locator="a.txt", content=b"x", kind="text")
    with store.write() as conn:
        raw_id = articles.insert_raw(conn, raw, "h1")
        aid = articles.insert(
            conn,
            _article(
                "Geneva summit",
                "Putin and Biden met in Geneva.\n\nIt lasted hours.",
                published="2021-06-16T10:00:00+02:00",
            ),
            raw_id=raw_id,
            canonical_url="https://x.example/a",
            text_hash="t1",
            published_utc=None,
            source_id=None,
        )
    with store.read() as conn:
        got = articles.get(conn, aid)
        assert got["title"] == "Geneva summit"
        assert [r["id"] for r in browse.search(conn, "geneva")] == [aid]
        assert browse.search(conn, "navalny") == []
        assert articles.list_articles(conn, day="2021-06-16")[0]["id"] == aid
    with store.write() as conn:
        articles.revise(
            conn,
            aid,
            _article("Geneva summit ends", "Navalny was mentioned."),
            raw_id=raw_id,
            text_hash="t2",
            published_utc=None,
            source_id=None,
        )
    with store.read() as conn:
        assert articles.get(conn, aid)["revision"] == 2
        assert [r["id"] for r in browse.search(conn, "navalny")] == [aid]
        assert browse.search(conn, "lasted") == []  # the old text left the index


@pytest.mark.both_stores
def test_search_pages_newest_first_and_by_relevance(store: Store) -> None:
    """Every match once across pages, in order, with the listing's columns; by relevance the page's rows
    keep their rank order (PostgreSQL picks the page's ids first and joins the rest after)."""
    ids = []
    with store.write() as conn:
        for i in range(5):
            raw_id = articles.insert_raw(
                conn, RawDocument(locator=f"{i}.txt", content=b"x", kind="text"), f"r{i}"
            )
            body = "The summit met. " * (1 + 3 * (i == 1)) + f"Item {i}."
            ids.append(
                articles.insert(
                    conn,
                    _article(f"Report {i}", body, original_language="es" if i % 2 else "en"),
                    raw_id=raw_id,
                    canonical_url=f"https://x.example/{i}",
                    text_hash=f"t{i}",
                    published_utc=None,
                    source_id=None,
                )
            )
    with store.read() as conn:
        newest, cursor = [], None
        while page := browse.search(conn, "summit", limit=2, cursor=cursor):
            newest += page
            cursor = page[-1]["id"]
        assert [r["id"] for r in newest] == sorted(ids, reverse=True)
        assert {"title_en", "translation_kind", "event_id"} <= newest[0].keys()
        ranked = [
            r
            for offset in (0, 2, 4)
            for r in browse.search(conn, "summit", limit=2, cursor=offset, sort="relevance")
        ]
        assert sorted(r["id"] for r in ranked) == sorted(ids)
        assert ranked[0]["id"] == ids[1]  # "summit" four times
        spanish = browse.search(conn, "summit", browse.SearchFilters(language="es"))
        assert sorted(r["id"] for r in spanish) == [ids[1], ids[3]]


@pytest.mark.both_stores
def test_search_pages_newest_published_first(store: Store) -> None:
    """By publication date, not by when articles were added: an archive ingested late lists by its dates,
    undated articles last, every match once across pages; an English rendering's match is dated too."""
    days = [datetime(2021, 6, d, tzinfo=UTC) for d in (16, 19, 2, 25)] + [None]
    ids = []
    with store.write() as conn:
        for i, when in enumerate(days):
            raw_id = articles.insert_raw(
                conn, RawDocument(locator=f"{i}.txt", content=b"x", kind="text"), f"d{i}"
            )
            body = "Los líderes se reunieron." if i == 2 else f"The summit met. Item {i}."
            ids.append(
                articles.insert(
                    conn,
                    _article(f"Report {i}", body, original_language="es" if i == 2 else "en"),
                    raw_id=raw_id,
                    canonical_url=f"https://x.example/d{i}",
                    text_hash=f"d{i}",
                    published_utc=when,
                    source_id=None,
                )
            )
        translation_rows.save(conn, ids[2], _rendered("translation", "Report", "The summit met."), "all")
    expected = [ids[3], ids[1], ids[0], ids[2], ids[4]]  # 25, 19, 16, 2 June, undated
    with store.read() as conn:
        dated = [
            r["id"]
            for offset in (0, 2, 4)
            for r in browse.search(conn, "summit", limit=2, cursor=offset, sort="published")
        ]
        assert dated == expected
        assert browse.search(conn, "summit", limit=2, cursor=6, sort="published") == []
        assert [r["id"] for r in browse.search(conn, "summit")] == sorted(ids, reverse=True)  # as added
        with pytest.raises(ValueError, match="sort must be one of"):
            browse.search(conn, "summit", sort="oldest")


def _rendered(kind: str, title: str, body: str) -> ArticleTranslation:
    english = TranslatedSentence("original", body, "engine", "ok")
    return ArticleTranslation(
        TranslatedSentence("titulo", title, "engine", "ok"),
        [(Segment(0, 0, "x"), english)],
        "engine",
        "1",
        kind,
        "es",
    )  # type: ignore[arg-type]


@pytest.mark.both_stores
def test_search_finds_an_article_by_its_english_rendering(store: Store) -> None:
    """An English word finds a Spanish report through its translation or gloss (v8), never through
    evidence (another source's sentence); a rendering replaced leaves the index with its words."""
    ids = []
    with store.write() as conn:
        for i, body in enumerate(("Los líderes se reunieron en una cumbre.", "Otra cosa.", "Nada.")):
            raw_id = articles.insert_raw(
                conn, RawDocument(locator=f"{i}.txt", content=b"x", kind="text"), f"e{i}"
            )
            ids.append(
                articles.insert(
                    conn,
                    _article(f"Informe {i}", body, original_language="es"),
                    raw_id=raw_id,
                    canonical_url=f"https://x.example/e{i}",
                    text_hash=f"e{i}",
                    published_utc=None,
                    source_id=None,
                )
            )
        translation_rows.save(
            conn, ids[0], _rendered("translation", "Report", "The leaders met at a summit."), "all"
        )
        translation_rows.save(conn, ids[1], _rendered("gloss", "Other", "other thing summit"), "all")
        translation_rows.save(conn, ids[2], _rendered("evidence", "", "The summit met."), "all")
    with store.read() as conn:
        assert [r["id"] for r in browse.search(conn, "summit")] == [ids[1], ids[0]]
        assert [r["id"] for r in browse.search(conn, "summit", sort="relevance")] != []
        assert [r["id"] for r in browse.search(conn, "cumbre")] == [ids[0]]  # the original, as before
        assert [r["id"] for r in browse.search(conn, "summit leaders")] == [ids[0]]
    with store.write() as conn:
        translation_rows.save(conn, ids[0], _rendered("translation", "Report", "The leaders met."), "all")
    with store.read() as conn:
        assert [r["id"] for r in browse.search(conn, "summit")] == [ids[1]]


@pytest.mark.both_stores
def test_search_survives_fts_syntax(store: Store) -> None:
    with store.read() as conn:
        assert browse.search(conn, 'AND OR "( NEAR') == []


@pytest.mark.both_stores
def test_feed_backoff_grows_and_resets(store: Store) -> None:
    with store.write() as conn:
        fid, created = feeds.add(conn, "https://f.example/rss", interval_s=100)
        assert created and feeds.add(conn, "https://f.example/rss")[1] is False
        feeds.polled_error(conn, fid, "HTTP 500", interval_s=100, max_backoff_s=1000)
        feeds.polled_error(conn, fid, "HTTP 500", interval_s=100, max_backoff_s=1000)
    with store.read() as conn:
        row = feeds.list_feeds(conn)[0]
        assert row["error_count"] == 2 and row["last_error"] == "HTTP 500"
        gap = (row["next_poll"] - row["last_polled"]).total_seconds()
        assert gap == 400
    with store.write() as conn:
        feeds.polled_ok(conn, fid, etag='"e1"', last_modified=None, interval_s=100)
    with store.read() as conn:
        row = feeds.list_feeds(conn)[0]
        assert row["error_count"] == 0 and row["etag"] == '"e1"'


@pytest.mark.both_stores
def test_errors_replace_per_locator(store: Store) -> None:
    with store.write() as conn:
        errors.record(conn, "bad.bin", "UnsupportedInput", "binary")
        errors.record(conn, "bad.bin", "UnsupportedInput", "binary again")
        errors.record(conn, "x.rss:3", "FeedError", "not XML")
    with store.read() as conn:
        rows = errors.list_errors(conn)
    assert sorted(r["message"] for r in rows) == ["binary again", "not XML"]


@pytest.mark.both_stores
def test_a_refused_write_says_why_without_the_statement(store: Store) -> None:
    """The database's own reason, on one line; not the SQL and its parameters (a whole article, in an API
    client's error message)."""
    with pytest.raises(StoreError) as caught, store.write() as conn:
        conn.exec_driver_sql("INSERT INTO schema_version (version, applied_at) VALUES (1, '2025-01-01')")
    message = caught.value.message
    assert message.startswith("store write failed: ") and "[SQL" not in message and "\n" not in message
    assert "unique" in message.lower() or "duplicate" in message.lower()


def test_postgresql_search_reads_the_stored_vector_through_its_index(postgres: Any) -> None:
    """Newest first, a search must take its matches from the GIN index over the stored vector (v6), not walk
    the newest articles testing each, which for a rare word reads the whole table."""
    settings = load_settings({"db": postgres.new_database()}, env={"TIDINGS_CONFIG": "/x"})
    store = open_store(settings.database_url)
    try:
        now = datetime.now(UTC)
        rows = [
            {"title": f"Report {i}", "body": f"Ordinary words about item {i}. " * 20, "text_hash": f"h{i}",
             "categories": [], "captions": [], "revision": 1, "created_at": now, "updated_at": now}
            for i in range(20_000)
        ]  # fmt: skip
        rows[5]["body"] = "A zeppelin landed."  # an old article: newest first walks past every other one
        with store.write() as conn:
            insert_rows(conn, "articles", rows)
            conn.exec_driver_sql("ANALYZE articles")
        sent: list[tuple[str, Any]] = []  # the statement as the driver receives it

        def keep(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
            if "plainto_tsquery" in statement:
                sent.append((statement, params))

        sa_event.listen(store.engine, "before_cursor_execute", keep)
        with store.read() as conn:
            assert [r["title"] for r in browse.search(conn, "zeppelin")] == ["Report 5"]
            assert conn.exec_driver_sql("SHOW enable_seqscan").scalar() == "on"  # off for the search only
            assert conn.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == "2"  # 0 for it
            statement, params = sent[-1]
            plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {statement}", params))
        assert "ix_articles_fts_stored" in plan and "Index Scan Backward" not in plan, plan
    finally:
        store.close()


@pytest.mark.both_stores
def test_related_events_share_headline_words_in_their_titles(store: Store) -> None:
    """ "You may like": events whose recent titles share the event's headline words, most shared first; on
    SQLite through FTS5's title column, on PostgreSQL through the title index (v7); a word in a body only
    relates nothing."""
    now = datetime.now(UTC)
    titles = {
        1: ["Wildfire near Athens forces evacuations"],
        2: ["Athens wildfire spreads to suburbs", "Wildfire smoke over Athens"],
        3: ["Evacuations ordered as Athens fire grows"],
        4: ["Central bank raises rates"],
    }
    arts, members = [], []
    for event, heads in titles.items():
        for title in heads:
            n = len(arts) + 1
            body = "Nothing about fires." if event != 4 else "Athens wildfire markets."
            arts.append({"id": n, "title": title, "body": body, "text_hash": f"h{n}", "categories": [],
                         "captions": [], "revision": 1, "created_at": now, "updated_at": now})  # fmt: skip
            members.append({"article_id": n, "event_id": event, "score": 1.0, "shared": [], "pinned": 0})
    counts = {"independent_count": 1, "copy_count": 0, "updated_at": now}
    events = [{"id": e, "headline": h[0], "article_count": len(h), **counts} for e, h in titles.items()]
    with store.write() as conn:
        for table, rows in (("articles", arts), ("events", events), ("memberships", members)):
            insert_rows(conn, table, rows)
    with store.read() as conn:
        related = browse.related_events(conn, 1, titles[1][0])
    assert [e["id"] for e in related] == [2, 3]  # two titles share "wildfire" and "athens", one shares two


def test_a_version_5_postgresql_database_gains_the_stored_vector_and_title_index(postgres: Any) -> None:
    """Upgrading a populated store: v6 adds the generated vector to the rows already there, v7 the title
    index; search and related events then read them."""
    settings = load_settings({"db": postgres.new_database()}, env={"TIDINGS_CONFIG": "/x"})
    store = open_store(settings.database_url)
    now = datetime.now(UTC)
    row = {"title": "Old zeppelin", "body": "It flew.", "text_hash": "h", "categories": [], "captions": [],
           "revision": 1, "created_at": now, "updated_at": now}  # fmt: skip
    with store.write() as conn:  # back to what version 5 wrote, with an article in it
        insert_rows(conn, "articles", [row])
        conn.exec_driver_sql("DROP INDEX ix_articles_title_fts")
        conn.exec_driver_sql("ALTER TABLE articles DROP COLUMN fts")  # its index goes with it
        conn.exec_driver_sql(
            "CREATE INDEX ix_articles_fts ON articles USING gin "
            "(to_tsvector('simple', coalesce(title,'') || ' ' || body))"
        )
        conn.exec_driver_sql("DELETE FROM schema_version WHERE version > 5")
    store.close()
    store = open_store(settings.database_url)
    try:
        assert store.version == len(MIGRATIONS)
        with store.read() as conn:
            assert [r["title"] for r in browse.search(conn, "zeppelin flew")] == ["Old zeppelin"]
            indexes = {r[0] for r in conn.exec_driver_sql("SELECT indexname FROM pg_indexes")}
        assert {"ix_articles_fts_stored", "ix_articles_title_fts"} <= indexes
        assert "ix_articles_fts" not in indexes  # v1's expression index, which the stored vector replaces
    finally:
        store.close()
