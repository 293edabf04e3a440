"""`tidings run`: the server and the feed scheduler in a real process; SIGTERM ends it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tidings.settings import load_settings
from tidings.store import feeds as feed_rows
from tidings.store import open_store

from .conftest import SAMPLE
from .live import free_port


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[str]:
    """The sample's Spanish RSS feed on loopback."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(SAMPLE / "feeds")))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.slow
@pytest.mark.both_stores
def test_scheduler_polls_feeds_and_sigterm_exits_cleanly(tmp_path: Path, feed_server: str, db: str) -> None:
    store = open_store(load_settings({"db": db}, env={"TIDINGS_CONFIG": "/nonexistent"}).database_url)
    with store.write() as conn:
        feed_rows.add(conn, f"{feed_server}/noticias-es.rss", interval_s=900)
    store.close()
    port = free_port()
    env = {
        **os.environ,
        "TIDINGS_DB": db,
        "TIDINGS_CONFIG": "/nonexistent/config.toml",
        "TIDINGS_ALLOW_PRIVATE_ADDRESSES": "1",
    }
    code = (
        f"import sys; from tidings.service import run_service; from tidings.settings import load_settings; "
        f"sys.exit(run_service(load_settings(), '127.0.0.1', {port}))"
    )
    log = (tmp_path / "run.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 90
        feeds: list[dict[str, object]] = [{}]
        while time.monotonic() < deadline and not feeds[0].get("last_polled"):  # polled, items through
            time.sleep(0.5)
            try:
                feeds = httpx.get(api + "/feeds").json()["items"]
            except httpx.HTTPError:
                continue
        assert feeds[0].get("last_polled"), (tmp_path / "run.log").read_text(errors="replace")[-2000:]
        assert feeds[0]["error_count"] == 0, feeds
        assert len(httpx.get(api + "/articles").json()["items"]) == 2
        events = httpx.get(api + "/events").json()["items"]
        assert len(events) == 2, "the pipeline's later stages (translation, clustering) did not run"
        brief = httpx.get(f"{api}/events/{events[0]['id']}").json()["brief"]
        assert brief and brief["summary"], "the event has no brief"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
