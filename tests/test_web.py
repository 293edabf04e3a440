"""The web app over a real store, through a real HTTP server on loopback."""

from __future__ import annotations

import httpx

from tidings.pipeline import Pipeline
from tidings.settings import Settings
from tidings.store import Store
from tidings.web import create_app

from .conftest import SAMPLE
from .live import serve


def test_front_page_lists_articles_escaped(store: Store, settings: Settings, tmp_path: object) -> None:
    Pipeline(store, settings).ingest([str(SAMPLE / "000_ecd03e3bfaa32d93.txt")])
    with serve(create_app(settings, store)) as base:
        front = httpx.get(base + "/")
        assert front.status_code == 200
        assert "Putin-Biden summit &#39;constructive&#39;" in front.text
        assert "default-src 'none'" in front.headers["content-security-policy"]
        items = httpx.get(base + "/api/v1/articles").json()["items"]
        assert items and items[0]["title"] == "Putin-Biden summit 'constructive'"
        page = httpx.get(f"{base}/articles/{items[0]['id']}")
        assert page.status_code == 200 and "nearly 4 hours" in page.text
        missing = httpx.get(base + "/api/v1/articles/999999")
        assert missing.status_code == 404 and missing.json()["error"] == "NotFound"
        assert httpx.get(base + "/api/v1/openapi.json").json()["info"]["title"] == "tidings"
