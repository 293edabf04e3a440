"""Translations stored beside their originals, and the sentence cache."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, func, select, update

from tidings.store.schema import (
    articles,
    feeds,
    sources,
    translation_cache,
    translation_sentences,
    translations,
)
from tidings.translate.base import ArticleTranslation, TranslatedSentence
from tidings.translate.router import CacheKey

# The English title a list may show in place of the original: a real translation's, never a gloss's or
# an evidence match's (those are labelled as such on the article page only).
ENGLISH_TITLE = case(
    (translations.c.kind.in_(("translation", "original")), translations.c.title), else_=None
).label("title_en")

_CACHE_GET = select(
    translation_cache.c.text, translation_cache.c.quality, translation_cache.c.engine_version
).where(
    translation_cache.c.engine == bindparam("e"),
    translation_cache.c.src == bindparam("s"),
    translation_cache.c.tgt == bindparam("t"),
    translation_cache.c.sentence_hash == bindparam("h"),
)


class SqlCache:
    """The TranslationCache over the store: a hit only when the engine's version is unchanged."""

    def __init__(self, conn: Connection, version_of: Callable[[str, str, str], str]) -> None:
        self.conn = conn
        self.version_of = version_of  # (engine, src, tgt) -> the engine's current version for the pair

    def get(self, key: CacheKey) -> TranslatedSentence | None:
        """The cached sentence, unless an engine upgrade made it stale."""
        engine, src, tgt, digest = key
        row = self.conn.execute(_CACHE_GET, {"e": engine, "s": src, "t": tgt, "h": digest}).first()
        if row is None or row.engine_version != self.version_of(engine, src, tgt):
            return None
        return TranslatedSentence("", row.text, engine, row.quality)

    def put(self, key: CacheKey, value: TranslatedSentence) -> None:
        """Remember one sentence (replacing a stale one)."""
        engine, src, tgt, digest = key
        where = (
            (translation_cache.c.engine == engine)
            & (translation_cache.c.src == src)
            & (translation_cache.c.tgt == tgt)
            & (translation_cache.c.sentence_hash == digest)
        )
        self.conn.execute(delete(translation_cache).where(where))
        self.conn.execute(
            translation_cache.insert(),
            {
                "engine": engine,
                "src": src,
                "tgt": tgt,
                "sentence_hash": digest,
                "text": value.text,
                "quality": value.quality,
                "engine_version": self.version_of(engine, src, tgt),
            },
        )


def save(
    conn: Connection,
    article_id: int,
    result: ArticleTranslation,
    mode: str,
    evidence_sought: int | None = None,
) -> None:
    """Store (or replace) an article's translation, sentence by sentence (evidence: with how many English
    sentences it was sought among)."""
    conn.execute(delete(translation_sentences).where(translation_sentences.c.article_id == article_id))
    conn.execute(delete(translations).where(translations.c.article_id == article_id))
    flagged = sum(1 for _, s in result.sentences if s.quality == "numbers-differ")
    conn.execute(
        translations.insert(),
        {
            "article_id": article_id,
            "kind": result.kind,
            "engine": result.engine,
            "engine_version": result.engine_version,
            "source_lang": result.source_lang,
            "mode": mode,
            "title": result.title.text,
            "title_quality": result.title.quality,
            "body": result.text,
            "numbers_flagged": flagged,
            "created_at": datetime.now(UTC),
            "evidence_sought": evidence_sought,
        },
    )
    rows = [
        {
            "article_id": article_id,
            "position": seg.index,
            "paragraph": seg.paragraph,
            "source": seg.text,
            "text": sent.text,
            "engine": sent.engine,
            "quality": sent.quality,
            "score": sent.score,
            "origin": sent.origin,
        }
        for seg, sent in result.sentences
    ]
    if rows:
        conn.execute(translation_sentences.insert(), rows)


def get(conn: Connection, article_id: int) -> dict[str, Any] | None:
    """An article's translation with its aligned sentences, or None."""
    head = conn.execute(select(translations).where(translations.c.article_id == article_id)).first()
    if head is None:
        return None
    out = dict(head._mapping)
    out["sentences"] = [
        dict(r._mapping)
        for r in conn.execute(
            select(translation_sentences)
            .where(translation_sentences.c.article_id == article_id)
            .order_by(translation_sentences.c.position)
        )
    ]
    return out


def evidence_sought(conn: Connection, article_ids: list[int]) -> dict[int, int | None]:
    """For each of these articles that has a translation: among how many English sentences its evidence
    (beside its gloss, or its only English) was last sought (None: never)."""
    rows = conn.execute(
        select(translations.c.article_id, translations.c.evidence_sought).where(
            translations.c.article_id.in_(article_ids)
        )
    )
    return {int(r.article_id): r.evidence_sought for r in rows}


def save_evidence(
    conn: Connection, article_id: int, found: list[tuple[int, TranslatedSentence]], sought: int
) -> None:
    """Beside a gloss: each sentence's evidence (position, match; a match of quality "evidence" is kept,
    any other clears the sentence's) and how many English sentences it was sought among."""
    where = (translation_sentences.c.article_id == article_id) & (
        translation_sentences.c.position == bindparam("pos")
    )
    if found:
        conn.execute(
            update(translation_sentences)
            .where(where)
            .values(
                evidence=bindparam("ev"), evidence_score=bindparam("sc"), evidence_origin=bindparam("og")
            ),
            [
                {"pos": pos, "ev": m.text, "sc": m.score, "og": m.origin}
                if m.quality == "evidence"
                else {"pos": pos, "ev": None, "sc": None, "og": None}
                for pos, m in found
            ],
        )
    conn.execute(
        update(translations).where(translations.c.article_id == article_id).values(evidence_sought=sought)
    )


def english(conn: Connection, article_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Title, body and kind of the English rendering of each article that has one."""
    rows = conn.execute(
        select(
            translations.c.article_id,
            translations.c.kind,
            translations.c.title,
            translations.c.body,
            translations.c.engine,
        ).where(translations.c.article_id.in_(article_ids))
    )
    return {int(r.article_id): dict(r._mapping) for r in rows}


def pending(conn: Connection, *, limit: int = 500, include_translated: bool = False) -> list[dict[str, Any]]:
    """Articles with no translation yet (all articles, with the engine that made theirs, if asked)."""
    query = (
        select(
            articles.c.id,
            articles.c.title,
            articles.c.body,
            articles.c.language,
            func.coalesce(feeds.c.translate, "all").label("feed_mode"),
            func.coalesce(sources.c.translate, "all").label("source_mode"),
            translations.c.engine,
            translations.c.engine_version,
        )
        .select_from(
            articles.outerjoin(translations, translations.c.article_id == articles.c.id)
            .outerjoin(feeds, feeds.c.id == articles.c.feed_id)
            .outerjoin(sources, sources.c.id == articles.c.source_id)
        )
        .order_by(articles.c.id)
        .limit(limit)
    )
    if not include_translated:
        query = query.where(translations.c.article_id.is_(None))
    return [dict(r._mapping) for r in conn.execute(query)]


def status(conn: Connection) -> list[dict[str, Any]]:
    """Per language: articles, how many are translated, and how many wait."""
    done = func.count(translations.c.article_id)
    rows = conn.execute(
        select(articles.c.language, func.count(articles.c.id).label("articles"), done.label("translated"))
        .select_from(articles.outerjoin(translations, translations.c.article_id == articles.c.id))
        .group_by(articles.c.language)
        .order_by(func.count(articles.c.id).desc())
    )
    return [{**dict(r._mapping), "waiting": int(r.articles) - int(r.translated)} for r in rows]
