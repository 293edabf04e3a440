"""Shared fixtures: real SQLite files in temporary folders, the repo's sample corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tidings.settings import Settings, load_settings
from tidings.store import Store, open_store

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


@pytest.fixture
def settings(db_path: Path) -> Settings:
    """Settings over a fresh store, ignoring the user's config file."""
    return load_settings({"db": str(db_path)}, env={"TIDINGS_CONFIG": "/nonexistent/config.toml"})


@pytest.fixture
def store(settings: Settings) -> Store:
    """A migrated store in a real SQLite file."""
    s = open_store(settings.database_url)
    yield s
    s.close()
