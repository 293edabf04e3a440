"""Bulk inserts of already-shaped rows: for benchmarks and imports that bypass the pipeline's stages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from tidings.store import schema

# Tables a bulk load may fill, in the order their foreign keys need.
TABLES = ("sources", "articles", "translations", "translation_sentences", "events", "memberships")


def insert_rows(conn: Connection, table: str, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows into one table with a single executemany; return how many (the FTS triggers still fire)."""
    if table not in TABLES:
        raise ValueError(f"bulk insert into {table!r} is not allowed")
    if rows:
        conn.execute(schema.metadata.tables[table].insert(), list(rows))
    return len(rows)
