"""LibreTranslate client against a small server on loopback that speaks its API.

A real LibreTranslate needs its models downloaded and cannot run offline here, so the server below implements
the two endpoints the client uses (GET /languages, POST /translate with q as a list) and "translates" by
upper-casing each word: enough to check the protocol, batching, alignment and errors.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from tidings.errors import TranslationError
from tidings.translate.libretranslate import MAX_BATCH, LibreTranslateClient


class _Handler(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/languages":
            self._send(
                200, [{"code": "fr", "name": "French", "targets": ["en"]}, {"code": "en", "targets": ["fr"]}]
            )
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(payload)
        if payload.get("api_key") == "bad":
            self._send(403, {"error": "Invalid API key"})
            return
        q = payload["q"]
        texts = [s.upper() for s in q] if isinstance(q, list) else q.upper()
        self._send(200, {"translatedText": texts})


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_pairs_come_from_languages(server: str) -> None:
    client = LibreTranslateClient(server)
    assert client.pairs() == {("fr", "en"), ("en", "fr")}
    client.close()


def test_batches_are_sent_as_lists_and_stay_aligned(server: str) -> None:
    client = LibreTranslateClient(server, api_key="k")
    sentences = [f"phrase numéro {i}." for i in range(MAX_BATCH + 7)]
    results = client.translate(sentences, "fr")
    client.close()
    assert [r.text for r in results] == [s.upper() for s in sentences]
    assert all(r.engine == "libretranslate" and r.quality == "ok" for r in results)
    assert len(_Handler.requests) == 2
    first = _Handler.requests[0]
    assert first["source"] == "fr" and first["target"] == "en" and first["format"] == "text"
    assert first["api_key"] == "k" and len(first["q"]) == MAX_BATCH


def test_server_error_is_a_translation_error(server: str) -> None:
    client = LibreTranslateClient(server, api_key="bad")
    with pytest.raises(TranslationError, match="403"):
        client.translate(["bonjour"], "fr")
    client.close()


def test_unreachable_server_reports_no_pairs() -> None:
    client = LibreTranslateClient("http://127.0.0.1:9")
    assert client.pairs() == set()
    client.close()
