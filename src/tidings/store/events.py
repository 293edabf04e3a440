"""Events, memberships (with why each article is there), corrections and the clusterer's saved state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from tidings.errors import NotFound
from tidings.store.schema import (
    articles,
    cluster_state,
    corrections,
    events,
    memberships,
    sources,
    translation_sentences,
    translations,
)
from tidings.store.translations import ENGLISH_TITLE


def _upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], key: str) -> None:
    """Insert rows, updating those whose key exists (SQLite and PostgreSQL both speak ON CONFLICT)."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    update = {c: stmt.excluded[c] for c in rows[0] if c != key}
    conn.execute(stmt.on_conflict_do_update(index_elements=[key], set_=update), list(rows))


def load_state(conn: Connection) -> bytes | None:
    """The clusterer's last saved state, if any."""
    row = conn.execute(select(cluster_state.c.data).where(cluster_state.c.id == 1)).first()
    return bytes(row[0]) if row else None


def save_state(conn: Connection, data: bytes) -> None:
    """Save the clusterer's state (in the same transaction as the memberships it produced)."""
    _upsert(conn, cluster_state, [{"id": 1, "data": data, "updated_at": datetime.now(UTC)}], "id")


def save_events(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or update events' attributes."""
    now = datetime.now(UTC)
    _upsert(conn, events, [{**r, "updated_at": now} for r in rows], "id")


def delete_events(conn: Connection, ids: Sequence[int]) -> None:
    """Forget events that no longer exist (merged away, emptied)."""
    if ids:
        conn.execute(delete(events).where(events.c.id.in_(list(ids))))


def deactivate(conn: Connection, ids: Sequence[int]) -> None:
    """Mark events that left the clusterer's active window (days without a new report: no growth either;
    the count stored at their last update would otherwise stand for good)."""
    if ids:
        conn.execute(events.update().where(events.c.id.in_(list(ids))).values(active=0, growth_24h=0))


def save_memberships(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or update where each article is and why."""
    _upsert(conn, memberships, rows, "article_id")


def unclustered(conn: Connection, *, limit: int = 1000) -> list[dict[str, Any]]:
    """Stored articles not yet in an event, oldest first, with their English rendering if any."""
    query = (
        select(
            articles.c.id,
            articles.c.url,
            articles.c.title,
            articles.c.body,
            articles.c.language,
            articles.c.original_language,
            articles.c.published_utc,
            articles.c.archive_date,
            articles.c.source,
            translations.c.kind.label("t_kind"),
            translations.c.title.label("t_title"),
            translations.c.body.label("t_body"),
        )
        .select_from(
            articles.outerjoin(memberships, memberships.c.article_id == articles.c.id).outerjoin(
                translations, translations.c.article_id == articles.c.id
            )
        )
        .where(memberships.c.article_id.is_(None))
        .order_by(articles.c.id)
        .limit(limit)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def list_events(
    conn: Connection, *, limit: int = 50, offset: int = 0, day: str | None = None, active_only: bool = False
) -> list[dict[str, Any]]:
    """Events, newest activity first."""
    query = select(*[c for c in events.c if c.name != "brief"])
    if active_only:
        query = query.where(events.c.active == 1)
    if day:
        ids = select(memberships.c.event_id).join(articles, articles.c.id == memberships.c.article_id)
        query = query.where(events.c.id.in_(ids.where(articles.c.published_day == day)))
    query = (
        query.order_by(events.c.last_seen.desc().nulls_last(), events.c.id.desc()).limit(limit).offset(offset)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def count(conn: Connection) -> int:
    """How many events are stored."""
    return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def get(conn: Connection, event_id: int) -> dict[str, Any]:
    """One event with its members, each with its score and shared features."""
    row = conn.execute(select(events).where(events.c.id == event_id)).first()
    if row is None:
        raise NotFound(f"no event {event_id}")
    out = dict(row._mapping)
    out["members"] = members(conn, event_id)
    return out


def members(conn: Connection, event_id: int) -> list[dict[str, Any]]:
    """An event's articles (English title where translated), oldest first, with their membership."""
    return _article_rows(conn, memberships.c.event_id == event_id)


def _article_rows(conn: Connection, where: Any) -> list[dict[str, Any]]:
    query = (
        select(
            articles.c.id,
            articles.c.url,
            articles.c.title,
            articles.c.language,
            articles.c.original_language,
            articles.c.published,
            articles.c.published_utc,
            articles.c.source,
            sources.c.country,
            ENGLISH_TITLE,
            translations.c.kind.label("translation_kind"),
            memberships.c.event_id,
            memberships.c.score,
            memberships.c.shared,
            memberships.c.time_gap_hours,
            memberships.c.copy_of,
            memberships.c.pinned,
        )
        .select_from(
            articles.outerjoin(memberships, memberships.c.article_id == articles.c.id)
            .outerjoin(translations, translations.c.article_id == articles.c.id)
            .outerjoin(sources, sources.c.id == articles.c.source_id)
        )
        .where(where)
        .order_by(articles.c.published_utc.nulls_last(), articles.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def events_of(conn: Connection, article_ids: Sequence[int]) -> dict[int, int]:
    """article id -> event id, for the articles that are in an event."""
    if not article_ids:
        return {}
    query = select(memberships.c.article_id, memberships.c.event_id).where(
        memberships.c.article_id.in_(bindparam("ids", expanding=True))
    )
    return {int(a): int(e) for a, e in conn.execute(query, {"ids": list(set(article_ids))})}


def copies_of(conn: Connection, article_ids: Sequence[int]) -> dict[int, int]:
    """article id -> the origin it copies, for the articles that are copies."""
    if not article_ids:
        return {}
    query = select(memberships.c.article_id, memberships.c.copy_of).where(
        memberships.c.article_id.in_(bindparam("ids", expanding=True)), memberships.c.copy_of.is_not(None)
    )
    return {int(a): int(c) for a, c in conn.execute(query, {"ids": list(set(article_ids))})}


def event_of(conn: Connection, article_id: int) -> int | None:
    """The event an article is in."""
    row = conn.execute(select(memberships.c.event_id).where(memberships.c.article_id == article_id)).first()
    return int(row[0]) if row else None


def save_brief(conn: Connection, event_id: int, brief: dict[str, Any]) -> None:
    """Store an event's brief."""
    conn.execute(
        events.update().where(events.c.id == event_id).values(brief=brief, brief_at=datetime.now(UTC))
    )


def get_brief(conn: Connection, event_id: int) -> dict[str, Any] | None:
    """An event's stored brief."""
    row = conn.execute(select(events.c.brief).where(events.c.id == event_id)).first()
    if row is None:
        raise NotFound(f"no event {event_id}")
    return dict(row[0]) if row[0] else None


def add_correction(conn: Connection, kind: str, payload: dict[str, Any]) -> None:
    """Record a user's correction (move, merge, split) so later clustering respects it."""
    conn.execute(corrections.insert(), {"kind": kind, "payload": payload, "created_at": datetime.now(UTC)})


def list_corrections(conn: Connection) -> list[dict[str, Any]]:
    """Every correction, oldest first."""
    return [dict(r._mapping) for r in conn.execute(select(corrections).order_by(corrections.c.id))]


def brief_inputs(
    conn: Connection,
    event_id: int | None = None,
    article_ids: Sequence[int] = (),
    *,
    with_sentences: bool = True,
) -> list[dict[str, Any]]:
    """What the brief needs of each member (of an event, or of the given articles): fields, body, and
    English sentences if any (not read when not asked for: "sentences" is then empty)."""
    rows = (
        members(conn, event_id)
        if event_id is not None
        else _article_rows(conn, articles.c.id.in_(list(article_ids)))
    )
    ids = [int(r["id"]) for r in rows]
    bodies = {
        int(r.id): (r.body, r.t_body)
        for r in conn.execute(
            select(articles.c.id, articles.c.body, translations.c.body.label("t_body"))
            .select_from(articles.outerjoin(translations, translations.c.article_id == articles.c.id))
            .where(articles.c.id.in_(ids))
        )
    }
    sentences: dict[int, list[tuple[int, str, str]]] = {}
    query = (
        select(
            translation_sentences.c.article_id,
            translation_sentences.c.position,
            translation_sentences.c.text,
            translation_sentences.c.source,
        )
        .where(translation_sentences.c.article_id.in_(ids))
        .order_by(translation_sentences.c.article_id, translation_sentences.c.position)
    )
    for s in conn.execute(query) if with_sentences else ():
        sentences.setdefault(int(s.article_id), []).append((int(s.position), s.text, s.source))
    for row in rows:
        row["body"], row["body_en"] = bodies.get(int(row["id"]), ("", None))
        row["sentences"] = sentences.get(int(row["id"]), [])
    return rows


def countries_of(conn: Connection, event_ids: Sequence[int]) -> dict[int, list[str]]:
    """The countries of the outlets behind each event's articles."""
    out: dict[int, set[str]] = {}
    if not event_ids:
        return {}
    rows = conn.execute(
        select(memberships.c.event_id, sources.c.country)
        .select_from(
            memberships.join(articles, articles.c.id == memberships.c.article_id).join(
                sources, sources.c.id == articles.c.source_id
            )
        )
        .where(memberships.c.event_id.in_(list(event_ids)), sources.c.country.is_not(None))
        .distinct()
    )
    for r in rows:
        out.setdefault(int(r.event_id), set()).add(str(r.country))
    return {k: sorted(v) for k, v in out.items()}


def active_ids(conn: Connection) -> set[int]:
    """Ids of the events the store holds as active."""
    return {int(r[0]) for r in conn.execute(select(events.c.id).where(events.c.active == 1))}
