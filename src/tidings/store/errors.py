"""Ingest errors: one row per failed item, with where and why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from tidings.store.schema import ingest_errors


def record(conn: Connection, locator: str, error: str, message: str, feed_id: int | None = None) -> None:
    """Remember that one item failed (the same item failing again replaces its old row)."""
    conn.execute(delete(ingest_errors).where(ingest_errors.c.locator == locator))
    conn.execute(
        ingest_errors.insert().values(
            locator=locator, error=error, message=message, feed_id=feed_id, occurred_at=datetime.now(UTC)
        )
    )


_CLEAR = delete(ingest_errors).where(ingest_errors.c.locator == bindparam("loc"))


def clear(conn: Connection, locator: str) -> None:
    """Forget an item's error once it has gone in."""
    conn.execute(_CLEAR, {"loc": locator})


def list_errors(conn: Connection, limit: int = 1000) -> list[dict[str, Any]]:
    """Most recent errors first."""
    rows = conn.execute(select(ingest_errors).order_by(ingest_errors.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]
