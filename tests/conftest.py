"""Shared fixtures: real SQLite files in temporary folders, a real PostgreSQL server, the sample corpus."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tidings.settings import Settings, load_settings
from tidings.store import Store, open_store

from .postgres import Server

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the defaults, whatever the developer's config file and TIDINGS_* variables say."""
    for name in [k for k in os.environ if k.startswith("TIDINGS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TIDINGS_CONFIG", "/nonexistent/config.toml")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh SQLite file path."""
    return tmp_path / "tidings.db"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    """A real PostgreSQL server on loopback for the session (started only if a test asks for one); the
    tests that need it are skipped, saying why, where Debian's postgresql is missing (as the browser tests
    are without Chromium)."""
    try:
        server = Server()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    try:
        server.start()
        yield server
    finally:
        server.stop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `both_stores` run once over a SQLite file and once over a PostgreSQL database."""
    if metafunc.definition.get_closest_marker("both_stores") and "db" in metafunc.fixturenames:
        metafunc.parametrize("db", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def db(request: pytest.FixtureRequest, db_path: Path) -> str:
    """The `db` setting of a fresh store: a SQLite file, or a new PostgreSQL database where asked."""
    if getattr(request, "param", "sqlite") == "postgresql":
        server: Server = request.getfixturevalue("postgres")
        return server.new_database()
    return str(db_path)


@pytest.fixture
def settings(db: str) -> Settings:
    """Settings over a fresh store, ignoring the user's config file."""
    return load_settings({"db": db}, env={"TIDINGS_CONFIG": "/nonexistent/config.toml"})


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A migrated store in a real SQLite file (or PostgreSQL database, see `db`)."""
    s = open_store(settings.database_url)
    yield s
    s.close()
