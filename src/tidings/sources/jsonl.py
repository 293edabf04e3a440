"""JSONL and JSON article records → RawDocument, one failing line at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from tidings.errors import InputError, JsonlError, TooLarge
from tidings.models import Failed, RawDocument

# One article a line; the longest real article we have seen is ~200 KB, so 10 MB means a broken file.
MAX_LINE_BYTES = 10 * 1024 * 1024
# Fields that hold the body; every other scalar field (id, url, title, date, lang, source ...) goes in meta.
BODY_FIELDS = ("text", "html")


def record_to_raw(record: Any, *, locator: str) -> RawDocument:
    """One article object (id, url, title, text or html, date, lang, source) as a RawDocument.

    A record with a title but an empty text is kept (some corpora, like ECB+, have title-only articles).
    """
    if not isinstance(record, dict):
        raise JsonlError(f"expected an article object, got a JSON {type(record).__name__}", where=locator)
    body_html, text = record.get("html"), record.get("text")
    for name, value in (("html", body_html), ("text", text)):
        if value is not None and not isinstance(value, str):
            raise JsonlError(f"field {name!r} must be a string", where=locator)
    title = record.get("title")
    if (
        not (body_html or "").strip()
        and not (text or "").strip()
        and not (isinstance(title, str) and title.strip())
    ):
        raise JsonlError("article has no 'text', 'html' or 'title' field", where=locator)
    url = record.get("url")
    if url is not None and not isinstance(url, str):
        raise JsonlError("field 'url' must be a string", where=locator)
    meta = {
        name: str(value)
        for name, value in record.items()
        if name not in BODY_FIELDS and isinstance(value, str | int | float | bool) and value != ""
    }
    if body_html and body_html.strip():
        return RawDocument(locator, body_html.encode("utf-8"), "html", url or None, "utf-8", meta=meta)
    return RawDocument(locator, (text or "").encode("utf-8"), "record", url or None, "utf-8", meta=meta)


def _failed(exc: InputError, locator: str) -> Failed:
    return Failed(locator=locator, error=type(exc).__name__, message=exc.message)


def _skip_rest_of_line(stream: IO[bytes]) -> None:
    while True:
        chunk = stream.readline(1024 * 1024)
        if not chunk or chunk.endswith(b"\n"):
            return


def iter_jsonl(
    stream: IO[bytes], name: str, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[RawDocument | Failed]:
    """Records from an open binary JSONL stream; `name` prefixes each locator ("name:LINE")."""
    number = 0
    while True:
        line = stream.readline(max_line_bytes + 1)
        if not line:
            return
        number += 1
        locator = f"{name}:{number}"
        if len(line) > max_line_bytes and not line.endswith(b"\n"):
            _skip_rest_of_line(stream)
            yield _failed(TooLarge(f"line is over the {max_line_bytes}-byte cap"), locator)
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError as exc:
            yield _failed(JsonlError(f"line is not UTF-8 (byte {exc.start})"), locator)
            continue
        except json.JSONDecodeError as exc:
            yield _failed(JsonlError(f"not valid JSON at column {exc.colno}: {exc.msg}"), locator)
            continue
        try:
            yield record_to_raw(record, locator=locator)
        except InputError as exc:
            yield _failed(exc, locator)


def read_jsonl(path: str, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[RawDocument | Failed]:
    """Read a JSONL file of articles; a broken line yields Failed("path:LINE") and the rest goes on."""
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the generator is drained
    except OSError as exc:
        yield Failed(locator=path, error="InputError", message=f"cannot open file: {exc.strerror}")
        return
    with stream:
        yield from iter_jsonl(stream, path, max_line_bytes)


def read_json_records(content: bytes, *, locator: str) -> Iterator[RawDocument | Failed]:
    """A JSON array of article objects (or one object) as records, "locator[N]" for each."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "encoding"
        yield _failed(JsonlError(f"not valid JSON ({where})"), locator)
        return
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records):
        item_locator = f"{locator}[{index}]" if isinstance(data, list) else locator
        try:
            yield record_to_raw(record, locator=item_locator)
        except InputError as exc:
            yield _failed(exc, item_locator)
