"""`tidings fetch`: subscribed feeds polled over real HTTP on loopback, conditional GET, backoff."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tidings.cli import main

ETAG = '"v1"'
PAGE = """<html><head><title>Floods in the north</title>
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Floods in the north",
"datePublished":"2024-03-07T08:30:00+01:00"}</script></head><body><article><h1>Floods in the north</h1>
<p>Heavy rain flooded several towns in the north on Thursday, and hundreds of residents left their homes.</p>
<p>Rescue teams used boats to reach people trapped on the upper floors of their houses, officials said.</p>
</article></body></html>"""


def _feed(base: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Loopback News</title><link>{base}/</link>
<item><title>Full item</title><link>{base}/full</link><pubDate>Thu, 07 Mar 2024 08:30:00 +0100</pubDate>
<description>&lt;p&gt;The full text of this item is in the feed itself, long enough to be an article
about the council vote on the new budget for the coming year.&lt;/p&gt;</description></item>
<item><title>Floods in the north</title><link>{base}/page</link>
<description>Short teaser.</description></item>
<item><title>No link and no text</title></item>
</channel></rss>"""


@contextmanager
def feed_server(seen: list[dict[str, str]]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            seen.append({"path": self.path, "inm": self.headers.get("If-None-Match", "")})
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/feed.xml" and self.headers.get("If-None-Match") == ETAG:
                self.send_response(304)
                self.end_headers()
                return
            if self.path == "/feed.xml":
                body, ctype = _feed(base).encode(), "application/rss+xml"
            elif self.path == "/page":
                body, ctype = PAGE.encode(), "text/html; charset=utf-8"
            else:
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("ETag", ETAG)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str]:
    code = main(["--db", str(db), *args])
    return code, capsys.readouterr().out


def test_poll_feed_conditional_get_and_full_pages(
    capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_CONFIG", "/nonexistent")
    monkeypatch.setenv("TIDINGS_ALLOW_PRIVATE_ADDRESSES", "true")  # the test server is on loopback
    seen: list[dict[str, str]] = []
    with feed_server(seen) as base:
        assert _run(capsys, db_path, "feeds", "add", f"{base}/feed.xml")[0] == 0
        code, out = _run(capsys, db_path, "fetch", "--json")
        report = json.loads(out)
        assert (report["new"], report["failed"]) == (2, 1), out
        assert code == 1
        _, out = _run(capsys, db_path, "articles", "list", "--json")
        titles = {a["title"]: a for a in json.loads(out)}
        assert "Floods in the north" in titles  # fetched from the item's page
        _, out = _run(capsys, db_path, "articles", "show", str(titles["Floods in the north"]["id"]), "--json")
        assert "Rescue teams used boats" in json.loads(out)["body"]
        # The next poll is not due yet; make it due and poll again: the server answers 304.
        from sqlalchemy import create_engine, text

        engine = create_engine(f"sqlite:///{db_path}")
        with engine.begin() as conn:
            conn.execute(text("UPDATE feeds SET next_poll = NULL"))
        code, out = _run(capsys, db_path, "fetch", "--json")
        assert json.loads(out)["new"] == 0 and code == 0
        assert seen[-1] == {"path": "/feed.xml", "inm": ETAG}
        _, out = _run(capsys, db_path, "feeds", "list", "--json")
        feed = json.loads(out)[0]
        assert feed["etag"] == ETAG and feed["error_count"] == 0 and feed["title"] == "Loopback News"
        _, out = _run(capsys, db_path, "errors", "--json")
        assert any("feed.xml" in e["locator"] for e in json.loads(out))


def test_poll_refuses_loopback_without_permission(
    capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_CONFIG", "/nonexistent")
    seen: list[dict[str, str]] = []
    with feed_server(seen) as base:
        _run(capsys, db_path, "feeds", "add", f"{base}/feed.xml")
        code, out = _run(capsys, db_path, "fetch", "--json")
    assert code == 1 and json.loads(out)["failed"] == 1
    assert seen == [], "the SSRF guard must refuse before connecting"
    _, out = _run(capsys, db_path, "feeds", "list", "--json")
    feed = json.loads(out)[0]
    assert feed["error_count"] == 1 and "127.0.0.1" in feed["last_error"]
