"""A real store from the bundled sample (seeds, Spanish feed, records) plus hostile articles."""

from __future__ import annotations

from pathlib import Path

from tidings.pipeline import Pipeline
from tidings.settings import Settings, load_settings
from tidings.store import Store, open_store

from .conftest import DATA, SAMPLE

SEEDS = [SAMPLE / "000_ecd03e3bfaa32d93.txt", SAMPLE / "004_e98dca1c8e07cdf9.txt"]
SPANISH_FEED = SAMPLE / "feeds" / "noticias-es.rss"
RECORDS = SAMPLE / "articles.jsonl"  # Italian and Portuguese: glossed word by word
XSS = [DATA / "web" / "xss.txt", DATA / "web" / "xss.jsonl"]  # markup in title and body; in url and source
TOKEN = "test-token-5f1c"


def web_settings(folder: Path, token: str = TOKEN, db: str | None = None) -> Settings:
    """Settings over a store in `folder` (or the `db` given), with an API token, ignoring the user's config
    file."""
    return load_settings(
        {"db": db or str(folder / "web.db"), "api_token": token},
        env={"TIDINGS_CONFIG": "/nonexistent/config.toml"},
    )


def build_store(settings: Settings) -> Store:
    """Ingest the seeds, the Spanish feed (translated by Apertium) and the XSS article: real stages."""
    store = open_store(settings.database_url)
    report = Pipeline(store, settings).ingest([str(p) for p in (*SEEDS, SPANISH_FEED, RECORDS, *XSS)])
    assert report.failed == 0, [o for o in report.outcomes if type(o).__name__ == "Failed"]
    return store


def article_id(store: Store, title_start: str) -> int:
    """The id of the stored article whose title starts so."""
    from tidings.store import articles as article_rows

    with store.read() as conn:
        return next(
            int(a["id"])
            for a in article_rows.list_articles(conn, limit=100)
            if a["title"].startswith(title_start)
        )
