"""The store: the only code that speaks SQL. SQLite by default (WAL, foreign keys, FTS5)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from tidings.errors import StoreError
from tidings.store.migrations import migrate


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, safe on crash
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class Store:
    """A database handle: one serialised writer, concurrent readers."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(url, future=True)
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(f"cannot open store {url}: {exc}") from exc
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._write_lock = threading.Lock()
        with self.write() as conn:
            self.version = migrate(conn)

    @property
    def dialect(self) -> str:
        """The database's dialect name: sqlite or postgresql."""
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction on the single writer; commits on success, rolls back on error."""
        with self._write_lock:
            try:
                with self.engine.begin() as conn:
                    yield conn
            except SQLAlchemyError as exc:
                raise StoreError(f"store write failed: {exc}") from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection (its own WAL snapshot on SQLite)."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"store read failed: {exc}") from exc

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


def open_store(url: str) -> Store:
    """Open (and migrate) the store at a SQLAlchemy URL."""
    return Store(url)
