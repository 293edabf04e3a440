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

# Largest row id the store hands out and accepts: PostgreSQL's INTEGER ids (SQLite's go further, to 2**63,
# but an id above this can name no row in every store, and PostgreSQL refuses to compare with one).
MAX_ID = 2**31 - 1


def _reason(exc: SQLAlchemyError) -> str:
    """The database's own first line, without the statement and its parameters (a whole article, maybe)."""
    orig = str(getattr(exc, "orig", None) or exc).strip()
    return orig.splitlines()[0] if orig else type(exc).__name__


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's documented fix: turn it off
    # and emit BEGIN from the "begin" event.
    dbapi_conn.isolation_level = None
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
            event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        self._write_lock = threading.Lock()
        self._batch = threading.local()  # the connection of an open batch on this thread, if any
        with self.write() as conn:
            self.version = migrate(conn)

    @property
    def dialect(self) -> str:
        """The database's dialect name: sqlite or postgresql."""
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction on the single writer; commits on success, rolls back on error.

        Inside `batch()` it is a savepoint of the batch's transaction: one item still succeeds or fails
        alone, but the commit (the costly part) is shared.
        """
        batch: Connection | None = getattr(self._batch, "conn", None)
        try:
            if batch is not None:
                with batch.begin_nested():
                    yield batch
                return
            with self._write_lock, self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"store write failed: {_reason(exc)}") from exc

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group this thread's writes into one transaction, committed at the end of the block."""
        if getattr(self._batch, "conn", None) is not None:
            yield
            return
        try:
            with self._write_lock, self.engine.begin() as conn:
                self._batch.conn = conn
                try:
                    yield
                finally:
                    self._batch.conn = None
        except SQLAlchemyError as exc:
            raise StoreError(f"store write failed: {_reason(exc)}") from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection (its own WAL snapshot on SQLite); inside a batch, the batch's own."""
        batch: Connection | None = getattr(self._batch, "conn", None)
        if batch is not None:
            yield batch
            return
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"store read failed: {_reason(exc)}") from exc

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


def open_store(url: str) -> Store:
    """Open (and migrate) the store at a SQLAlchemy URL."""
    return Store(url)
