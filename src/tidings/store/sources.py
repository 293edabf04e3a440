"""Outlets (news sources) in the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from tidings.errors import NotFound
from tidings.models import Source
from tidings.store.schema import articles, inserted_id, sources

_BY_NAME = select(sources.c.id).where(sources.c.name == bindparam("n"))


def _fit(value: str | None, column: str) -> str | None:
    """The value cut to its column's length: PostgreSQL refuses a longer one (SQLite keeps it), and an
    outlet's name from a page or a record may be any length."""
    length = getattr(sources.c[column].type, "length", None)
    return value[:length] if value and length else value


def upsert(conn: Connection, source: Source) -> int:
    """Insert the outlet if new (matched by name, as cut to fit); return its id."""
    name = _fit(source.name, "name")
    found = conn.execute(_BY_NAME, {"n": name}).first()
    if found:
        return int(found[0])
    result = conn.execute(
        sources.insert(),
        {
            "name": name,
            "domains": list(source.domains),
            "country": _fit(source.country, "country"),
            "language": _fit(source.language, "language"),
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
