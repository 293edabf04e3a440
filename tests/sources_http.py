"""A real HTTP server on loopback for the sources tests: pages, feeds, redirects, big bodies."""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DATA = Path(__file__).parent / "data" / "sources"
CP1251_PAGE_TEXT = (
    "Москва: правительство объявило о новых мерах поддержки экономики и бюджета на следующий год."
)
FEED_ETAG = '"feed-v1"'
FEED_MODIFIED = "Thu, 07 Mar 2024 08:30:00 GMT"
BIG_BYTES = 200_000  # over the 100 KB cap the tests set


@dataclass
class Server:
    """The running server, and what it saw."""

    base: str
    port: int
    hosts: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


def _cp1251_page() -> bytes:
    html = f"<html><head><title>Новости</title></head><body><p>{CP1251_PAGE_TEXT}</p></body></html>"
    return html.encode("cp1251")


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    gzip_bomb = gzip.compress(b"\0" * 20_000_000)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # silence the test output
            pass

        def _send(self, status: int, body: bytes, ctype: str = "text/html", **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            # The client gives up on purpose (size cap, timeout); that is not a server error.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._route()

        def _route(self) -> None:
            server.hosts.append(self.headers.get("Host", ""))
            server.paths.append(self.path)
            path = self.path
            if path == "/page.html":
                self._send(200, (DATA / "pages" / "article.html").read_bytes(), "text/html; charset=utf-8")
            elif path == "/cp1251.html":
                self._send(200, _cp1251_page(), "text/html")
            elif path == "/feed.xml":
                if (
                    self.headers.get("If-None-Match") == FEED_ETAG
                    or self.headers.get("If-Modified-Since") == FEED_MODIFIED
                ):
                    self.send_response(304)
                    self.send_header("ETag", FEED_ETAG)
                    self.end_headers()
                    return
                body = (DATA / "feeds" / "rss20.xml").read_bytes()
                self._send(200, body, "application/rss+xml", ETag=FEED_ETAG, Last_Modified=FEED_MODIFIED)
            elif path.startswith("/hops/"):
                left = int(path.rsplit("/", 1)[1])
                self._redirect(f"/hops/{left - 1}" if left > 1 else "/page.html")
            elif path == "/to-private":
                self._redirect("http://10.255.255.1/admin")
            elif path == "/to-loopback":
                self._redirect(f"http://127.0.0.2:{server.port}/page.html")
            elif path == "/to-metadata":
                self._redirect("http://[::ffff:169.254.169.254]/latest/meta-data/")
            elif path == "/big":
                self._send(200, b"a" * BIG_BYTES, "text/plain")
            elif path == "/big-stream":  # no Content-Length: only counting stops it
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                for _ in range(BIG_BYTES // 10_000):
                    self.wfile.write(b"b" * 10_000)
            elif path == "/gzip-bomb":
                self._send(200, gzip_bomb, "text/plain", Content_Encoding="gzip")
            elif path == "/slow":
                time.sleep(1.5)
                self._send(200, b"late", "text/plain")
            elif path == "/host":
                self._send(200, self.headers.get("Host", "").encode(), "text/plain")
            elif path == "/doc.pdf":
                self._send(200, (DATA / "bad" / "tiny.pdf").read_bytes(), "application/pdf")
            else:
                self._send(404, b"not here", "text/plain")

    return Handler


@contextlib.contextmanager
def serve() -> Iterator[Server]:
    """Run the test server on 127.0.0.1 in a thread."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    port = httpd.server_address[1]
    server = Server(base=f"http://127.0.0.1:{port}", port=port)
    httpd.RequestHandlerClass = _handler(server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
