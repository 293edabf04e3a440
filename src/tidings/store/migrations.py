"""Ordered, append-only migrations with a stored schema version (never edit a released step)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, inspect, select, text

from tidings.store import schema

Migration = Callable[[Connection], None]


def _base(conn: Connection) -> None:
    """v1: sources, feeds, raw documents, articles, ingest errors; full-text index."""
    for table in (schema.sources, schema.feeds, schema.raw_documents, schema.articles, schema.ingest_errors):
        table.create(conn, checkfirst=True)
    if conn.dialect.name == "sqlite":
        # External-content FTS5 table kept in step by triggers: no second copy of the text.
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
                "title, body, content='articles', content_rowid='id', "
                "tokenize='unicode61 remove_diacritics 2')"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN "
                "INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN "
                "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
                "VALUES ('delete', old.id, old.title, old.body); END"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE OF title, body ON articles BEGIN "
                "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
                "VALUES ('delete', old.id, old.title, old.body); "
                "INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END"
            )
        )
    elif conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "CREATE INDEX IF NOT EXISTS ix_articles_fts ON articles USING gin "
                "(to_tsvector('simple', coalesce(title,'') || ' ' || body))"
            )
        )


def _translations(conn: Connection) -> None:
    """v2: translations beside their originals, the sentence cache, per-source translate mode."""
    for table in (schema.translations, schema.translation_sentences, schema.translation_cache):
        table.create(conn, checkfirst=True)
    _add_column(conn, "sources", "translate", "VARCHAR(8) NOT NULL DEFAULT 'all'")


def _add_column(conn: Connection, table: str, column: str, ddl: str) -> None:
    """ALTER TABLE ADD COLUMN unless v1 already created the table from today's definition."""
    if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"))


def _events(conn: Connection) -> None:
    """v3: events, memberships, corrections, the clusterer's saved state."""
    for table in (schema.events, schema.memberships, schema.corrections, schema.cluster_state):
        table.create(conn, checkfirst=True)


def _headline_kind(conn: Connection) -> None:
    """v4: what an event's headline is for English readers (English, a gloss, or the original)."""
    _add_column(conn, "events", "headline_kind", "VARCHAR(12) NOT NULL DEFAULT ''")


def _gloss_evidence(conn: Connection) -> None:
    """v5: evidence beside glossed sentences, and how widely it was sought."""
    _add_column(conn, "translations", "evidence_sought", "INTEGER")
    for column, ddl in (("evidence", "TEXT"), ("evidence_score", "FLOAT"), ("evidence_origin", "TEXT")):
        _add_column(conn, "translation_sentences", column, ddl)


def _stored_search_vector(conn: Connection) -> None:
    """v6, PostgreSQL: the search vector stored with each article, indexed. Through the v1 expression
    index a match had to parse the article again, and a newest-first search for a rare word walked every
    article doing so (14 s over 100,000 articles for a word none held)."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(
        text(
            "ALTER TABLE articles ADD COLUMN IF NOT EXISTS fts tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple', coalesce(title,'') || ' ' || body)) STORED"
        )
    )
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_articles_fts_stored ON articles USING gin (fts)"))
    conn.execute(text("DROP INDEX IF EXISTS ix_articles_fts"))
    conn.execute(text("ANALYZE articles"))  # the planner's word statistics, which the expression lacked


def _title_search(conn: Connection) -> None:
    """v7, PostgreSQL: titles indexed for related events (SQLite's FTS5 table has a title column)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "CREATE INDEX IF NOT EXISTS ix_articles_title_fts ON articles "
                "USING gin (to_tsvector('simple', title))"
            )
        )


# Translation kinds whose English is the article's own words, searched beside its original: not evidence,
# which is another source's sentence.
SEARCHED_KINDS = "('translation', 'gloss')"


def _english_search(conn: Connection) -> None:
    """v8: an article's English (its translation or gloss) is searched too, so that an English word finds a
    Spanish or German report: "summit" found only the reports written in English."""
    if conn.dialect.name == "sqlite":
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS translations_fts USING fts5("
                "title, body, content='translations', content_rowid='article_id', "
                "tokenize='unicode61 remove_diacritics 2')"
            )
        )
        # FTS5 external content: a row is deleted with the values it was indexed with, and only if it was
        add = (
            "INSERT INTO translations_fts(rowid, title, body) SELECT new.article_id, new.title, new.body "
            f"WHERE new.kind IN {SEARCHED_KINDS};"
        )
        drop = (
            "INSERT INTO translations_fts(translations_fts, rowid, title, body) "
            f"SELECT 'delete', old.article_id, old.title, old.body WHERE old.kind IN {SEARCHED_KINDS};"
        )
        for name, when, does in (
            ("translations_ai", "AFTER INSERT", add),
            ("translations_ad", "AFTER DELETE", drop),
            ("translations_au", "AFTER UPDATE OF kind, title, body", drop + " " + add),  # in this order
        ):
            conn.execute(text(f"CREATE TRIGGER IF NOT EXISTS {name} {when} ON translations BEGIN {does} END"))
        conn.execute(
            text(
                "INSERT INTO translations_fts(rowid, title, body) SELECT article_id, title, body "
                f"FROM translations WHERE kind IN {SEARCHED_KINDS}"
            )
        )
    elif conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "ALTER TABLE translations ADD COLUMN IF NOT EXISTS fts tsvector GENERATED ALWAYS AS "
                f"(CASE WHEN kind IN {SEARCHED_KINDS} "
                "THEN to_tsvector('simple', coalesce(title,'') || ' ' || body) END) STORED"
            )
        )
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_translations_fts ON translations USING gin (fts)"))
        conn.execute(text("ANALYZE translations"))


MIGRATIONS: tuple[Migration, ...] = (
    _base,
    _translations,
    _events,
    _headline_kind,
    _gloss_evidence,
    _stored_search_vector,
    _title_search,
    _english_search,
)


def current_version(conn: Connection) -> int:
    """The schema version stored in the database (0 for an empty one)."""
    schema.schema_version.create(conn, checkfirst=True)
    found = conn.execute(
        select(schema.schema_version.c.version).order_by(schema.schema_version.c.version.desc())
    )
    row = found.first()
    return int(row[0]) if row else 0


def migrate(conn: Connection) -> int:
    """Apply every migration newer than the stored version; return the version reached."""
    version = current_version(conn)
    for number, step in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        step(conn)
        conn.execute(schema.schema_version.insert().values(version=number, applied_at=datetime.now(UTC)))
        version = number
    return version
