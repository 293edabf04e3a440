"""Settings: one frozen object, each option declared once, built from TOML, environment and flags."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import platformdirs

from tidings.errors import ConfigError


@dataclass(frozen=True)
class Option:
    """One setting: its name, default and help text."""

    name: str
    default: Any
    help: str


OPTIONS: tuple[Option, ...] = (
    Option("db", "", "Store: a SQLite path or a database URL (env TIDINGS_DB). Empty: the user data dir."),
    Option(
        "allow_private_addresses", False, "Let fetches reach loopback/private addresses (SSRF guard off)."
    ),
    Option("fetch_timeout", 15.0, "Seconds before a fetch gives up."),
    Option("max_document_bytes", 10_000_000, "Largest document accepted, in bytes."),
    Option("max_redirects", 5, "Redirects followed per fetch."),
    Option("user_agent", "tidings/0.1 (+self-hosted news desk)", "User-Agent sent with fetches."),
    Option("feed_interval", 900, "Seconds between polls of a feed that answers normally."),
    Option("feed_max_backoff", 86_400, "Longest wait, in seconds, after repeated feed failures."),
    Option("outlets_file", "", "A JSON file of extra outlets (name, domains, country, language)."),
    Option("translate_engines", "", "Comma-separated allow-list of translation engines; empty: all."),
    Option("libretranslate_url", "", "URL of a LibreTranslate server to use for pairs it covers."),
    Option("libretranslate_key", "", "API key for the LibreTranslate server, if it needs one."),
    Option("argos_models_dir", "", "Folder of Argos Translate model files (.argosmodel) to install."),
    Option("api_token", "", "Bearer token that write API endpoints require; empty: writes refused."),
    Option(
        "cluster_embed",
        "always",
        "Articles the clusterer may embed where words leave doubt: always (most accurate), untranslated"
        " (no engine for their language; faster), never (words and names only; fastest).",
    ),
    Option(
        "cluster_embedder",
        "use-static",
        "Sentence encoder of the clusterer: use-static (Universal Sentence Encoder read piece by piece:"
        " fastest), use (the whole USE: a little more accurate, ~15x the encoder's CPU) or e5"
        " (multilingual-e5-small: more accurate still, ~400x).",
    ),
    Option(
        "cluster_fallback",
        "e5",
        "Second sentence encoder for languages the first cannot read (USE does not read Vietnamese,"
        " Ukrainian, Hindi, Indonesian, ...): e5 (multilingual-e5-small, ~0.1-0.3 s a report) or none.",
    ),
)

_BY_NAME = {o.name: o for o in OPTIONS}


@dataclass(frozen=True)
class Settings:
    """Every option of tidings, resolved."""

    db: str = ""
    allow_private_addresses: bool = False
    fetch_timeout: float = 15.0
    max_document_bytes: int = 10_000_000
    max_redirects: int = 5
    user_agent: str = "tidings/0.1 (+self-hosted news desk)"
    feed_interval: int = 900
    feed_max_backoff: int = 86_400
    outlets_file: str = ""
    translate_engines: str = ""
    libretranslate_url: str = ""
    libretranslate_key: str = ""
    argos_models_dir: str = ""
    api_token: str = ""
    cluster_embed: str = "always"
    cluster_embedder: str = "use-static"
    cluster_fallback: str = "e5"

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the store."""
        db = self.db or str(default_db_path())
        scheme, sep, rest = db.partition("://")
        if scheme in ("postgresql", "postgres"):
            # SQLAlchemy's default PostgreSQL driver is psycopg2; the one tidings installs is psycopg 3
            return f"postgresql+psycopg://{rest}"
        if sep:
            return db
        return f"sqlite:///{Path(db).expanduser().resolve()}"


def default_db_path() -> Path:
    """The store's default location under the user's data directory."""
    return Path(platformdirs.user_data_dir("tidings")) / "tidings.db"


def config_path() -> Path:
    """The TOML config file: TIDINGS_CONFIG, else the user's config directory."""
    env = os.environ.get("TIDINGS_CONFIG")
    return Path(env) if env else Path(platformdirs.user_config_dir("tidings")) / "config.toml"


def _coerce(name: str, value: Any) -> Any:
    default = _BY_NAME[name].default
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                return value.strip().lower() in {"1", "true", "yes", "on"}
            return bool(value)
        return type(default)(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: cannot read {value!r} as {type(default).__name__}") from exc


def load_settings(
    overrides: Mapping[str, Any] | None = None, *, env: Mapping[str, str] | None = None
) -> Settings:
    """Build settings: defaults < config file < environment (TIDINGS_<NAME>) < explicit overrides."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    path = Path(env["TIDINGS_CONFIG"]) if "TIDINGS_CONFIG" in env else config_path()
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config file {path}: {exc}") from exc
        for key, value in data.items():
            if key not in _BY_NAME:
                raise ConfigError(f"config file {path}: unknown setting {key!r}")
            values[key] = _coerce(key, value)
    for option in OPTIONS:
        key = f"TIDINGS_{option.name.upper()}"
        if key in env:
            values[option.name] = _coerce(option.name, env[key])
    for key, value in (overrides or {}).items():
        if key not in _BY_NAME:
            raise ConfigError(f"unknown setting {key!r}")
        if value is not None:
            values[key] = _coerce(key, value)
    return Settings(**values)


assert {f.name for f in fields(Settings)} == set(_BY_NAME), "every option is declared once"
