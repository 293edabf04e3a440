"""Subscribed feeds and their polling state (conditional GET, backoff)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, or_, select

from tidings.errors import NotFound
from tidings.store.schema import feeds, inserted_id


def add(
    conn: Connection,
    url: str,
    *,
    title: str | None = None,
    category: str | None = None,
    interval_s: int = 900,
    translate: str = "all",
) -> tuple[int, bool]:
    """Subscribe to a feed; return (id, created)."""
    found = conn.execute(select(feeds.c.id).where(feeds.c.url == url)).first()
    if found:
        return int(found[0]), False
    result = conn.execute(
        feeds.insert().values(
            url=url,
            title=title,
            category=category,
            interval_s=interval_s,
            translate=translate,
            error_count=0,
            created_at=datetime.now(UTC),
        )
    )
    return inserted_id(result), True


def remove(conn: Connection, feed: str) -> None:
    """Unsubscribe by id or URL."""
    cond = feeds.c.id == int(feed) if feed.isdigit() else feeds.c.url == feed
    if conn.execute(delete(feeds).where(cond)).rowcount == 0:
        raise NotFound(f"no feed {feed}")


def list_feeds(conn: Connection) -> list[dict[str, Any]]:
    """Every subscribed feed with its state."""
    return [dict(r._mapping) for r in conn.execute(select(feeds).order_by(feeds.c.id))]


def due(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Feeds whose next poll time has come."""
    rows = conn.execute(
        select(feeds).where(or_(feeds.c.next_poll.is_(None), feeds.c.next_poll <= now)).order_by(feeds.c.id)
    )
    return [dict(r._mapping) for r in rows]


def polled_ok(
    conn: Connection,
    feed_id: int,
    *,
    etag: str | None,
    last_modified: str | None,
    interval_s: int,
    title: str | None = None,
) -> None:
    """Record a successful poll and schedule the next one."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "etag": etag,
        "last_modified": last_modified,
        "last_polled": now,
        "error_count": 0,
        "last_error": None,
        "next_poll": now + timedelta(seconds=interval_s),
    }
    if title:
        values["title"] = title
    conn.execute(feeds.update().where(feeds.c.id == feed_id).values(**values))


def polled_error(
    conn: Connection, feed_id: int, message: str, *, interval_s: int, max_backoff_s: int
) -> None:
    """Record a failed poll; back off exponentially, capped."""
    row = conn.execute(select(feeds.c.error_count).where(feeds.c.id == feed_id)).first()
    errors = (int(row[0]) if row else 0) + 1
    wait = min(interval_s * 2**errors, max_backoff_s)
    now = datetime.now(UTC)
    conn.execute(
        feeds.update()
        .where(feeds.c.id == feed_id)
        .values(
            error_count=errors, last_error=message, last_polled=now, next_poll=now + timedelta(seconds=wait)
        )
    )


def set_translate(conn: Connection, feed: str, mode: str) -> None:
    """Translate this feed's articles: all, titles only, or never."""
    cond = feeds.c.id == int(feed) if feed.isdigit() else feeds.c.url == feed
    if conn.execute(feeds.update().where(cond).values(translate=mode)).rowcount == 0:
        raise NotFound(f"no feed {feed}")
