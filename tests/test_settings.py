from __future__ import annotations

from pathlib import Path

import pytest

from tidings.errors import ConfigError
from tidings.settings import OPTIONS, load_settings

REPO = Path(__file__).resolve().parent.parent


def test_precedence_file_env_override(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('feed_interval = 60\nuser_agent = "from-file"\nallow_private_addresses = true\n')
    env = {"TIDINGS_CONFIG": str(cfg), "TIDINGS_USER_AGENT": "from-env"}
    s = load_settings({"feed_interval": 5}, env=env)
    assert s.feed_interval == 5
    assert s.user_agent == "from-env"
    assert s.allow_private_addresses is True


def test_unknown_setting_in_file_is_an_error(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("no_such_option = 1\n")
    with pytest.raises(ConfigError, match="no_such_option"):
        load_settings(env={"TIDINGS_CONFIG": str(cfg)})


def test_bad_value_names_the_setting() -> None:
    with pytest.raises(ConfigError, match="feed_interval"):
        load_settings(env={"TIDINGS_CONFIG": "/nonexistent", "TIDINGS_FEED_INTERVAL": "soon"})


def test_database_url_from_path_and_url(tmp_path: Path) -> None:
    env = {"TIDINGS_CONFIG": "/nonexistent"}
    assert load_settings({"db": str(tmp_path / "x.db")}, env=env).database_url.startswith("sqlite:////")
    # a plain PostgreSQL URL gets the driver tidings installs; a URL naming its driver is kept
    for url in ("postgresql://u@localhost/tidings", "postgres://u@localhost/tidings"):
        assert load_settings({"db": url}, env=env).database_url == "postgresql+psycopg://u@localhost/tidings"
    url = "postgresql+psycopg2://u@localhost/tidings"
    assert load_settings({"db": url}, env=env).database_url == url


def test_every_option_is_documented() -> None:
    doc = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = [o.name for o in OPTIONS if f"`{o.name}`" not in doc]
    assert not missing, f"undocumented settings: {missing}"
