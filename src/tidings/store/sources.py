"""Outlets (news sources) in the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from tidings.errors import NotFound
from tidings.models import Source
from tidings.store.schema import articles, inserted_id, sources

_BY_NAME = select(sources.c.id).where(sources.c.name == bindparam("n"))


def upsert(conn: Connection, source: Source) -> int:
    """Insert the outlet if new (matched by name); return its id."""
    found = conn.execute(_BY_NAME, {"n": source.name}).first()
    if found:
        return int(found[0])
    result = conn.execute(
        sources.insert(),
        {
            "name": source.name,
            "domains": list(source.domains),
            "country": source.country,
            "language": source.language,
        },
    )
    return inserted_id(result)


def list_sources(conn: Connection) -> list[dict[str, Any]]:
    """Outlets with their article counts, most articles first."""
    count = func.count(articles.c.id).label("articles")
    rows = conn.execute(
        select(sources.c.id, sources.c.name, sources.c.country, sources.c.language, count)
        .select_from(sources.outerjoin(articles, articles.c.source_id == sources.c.id))
        .group_by(sources.c.id)
        .order_by(count.desc(), sources.c.name)
    )
    return [dict(r._mapping) for r in rows]


def set_translate(conn: Connection, name: str, mode: str) -> None:
    """Translate this outlet's articles: all, titles only, or never."""
    if conn.execute(sources.update().where(sources.c.name == name).values(translate=mode)).rowcount == 0:
        raise NotFound(f"no source {name!r} (tidings stats lists them)")
