"""Paths, directories and URLs → RawDocuments, FeedRefs or Failed, one input at a time."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx
import lxml.html
from lxml.etree import ParserError

from tidings.errors import EmptyDocument, FetchError, InputError, TidingsError, TooLarge, UnsupportedInput
from tidings.models import Failed, RawDocument
from tidings.sources.charset import SNIFF_BYTES, detect_charset, sniff_kind
from tidings.sources.feeds import OpmlOutline, feed_item_to_raw, parse_feed, parse_opml
from tidings.sources.fetch import DEFAULT_POLICY, FetchPolicy, fetch, make_client
from tidings.sources.jsonl import iter_jsonl, read_json_records, read_jsonl

# A feed subscription found in an OPML file; the caller subscribes it.
FeedRef = OpmlOutline
Item = RawDocument | Failed | FeedRef

# How far into a page to look for <link rel=canonical> / og:url; both sit in <head>.
CANONICAL_SCAN_BYTES = 65536

_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR = re.compile(r"""([a-zA-Z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in _ATTR.finditer(tag)}


def canonical_url(page: str, base: str | None = None) -> str | None:
    """The page's own URL from <link rel=canonical> or og:url, made absolute against `base`."""
    head = page[:CANONICAL_SCAN_BYTES]
    found = None
    for tag in _LINK_TAG.findall(head):
        attrs = _attrs(tag)
        if "canonical" in attrs.get("rel", "").lower().split() and attrs.get("href"):
            found = attrs["href"]
            break
    if found is None:
        for tag in _META_TAG.findall(head):
            attrs = _attrs(tag)
            if attrs.get("property", attrs.get("name", "")).lower() == "og:url" and attrs.get("content"):
                found = attrs["content"]
                break
    if not found:
        return None
    url = urljoin(base, found.strip()) if base else found.strip()
    return url if urlsplit(url).scheme in ("http", "https") else None


def _has_body_text(page: str) -> bool:
    try:
        doc = lxml.html.document_fromstring(page)
    except (ParserError, ValueError):
        return False
    for bad in doc.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    body = doc.find("body")
    return body is not None and bool(body.text_content().strip())


def _failed(exc: TidingsError, locator: str) -> Failed:
    return Failed(locator=locator, error=type(exc).__name__, message=exc.message)


def _document(
    content: bytes, kind: str, locator: str, url: str | None, charset: str | None, fetched_at: datetime | None
) -> RawDocument:
    """An html or text input as a RawDocument, checked to be decodable and non-empty."""
    codec = detect_charset(content, charset, locator=locator)
    text = content.decode(codec)
    if kind == "html":
        if not _has_body_text(text):
            raise EmptyDocument("HTML page has no body text", where=locator)
        url = canonical_url(text, url) or url
        return RawDocument(locator, content, "html", url, codec, fetched_at)
    if not text.strip():
        raise EmptyDocument("file has only whitespace", where=locator)
    return RawDocument(locator, content, "text", url, codec, fetched_at)


def _dispatch(
    content: bytes,
    kind: str,
    locator: str,
    *,
    url: str | None = None,
    charset: str | None = None,
    fetched_at: datetime | None = None,
) -> Iterator[Item]:
    """Turn one whole input into items according to its kind."""
    if kind in ("html", "text"):
        yield _document(content, kind, locator, url, charset, fetched_at)
    elif kind == "feed":
        parsed = parse_feed(content, locator=locator)
        for item in parsed.items:
            yield feed_item_to_raw(item, url or locator)
        yield from parsed.failed
        if not parsed.items and not parsed.failed:
            raise EmptyDocument("feed has no items", where=locator)
    elif kind == "opml":
        yield from parse_opml(content, locator=locator)
    elif kind == "json":
        yield from read_json_records(content, locator=locator)
    else:
        raise UnsupportedInput(f"cannot read input of kind {kind!r}", where=locator)


def _guarded(items: Iterator[Item], locator: str) -> Iterator[Item]:
    """Pass items through, turning an error raised midway into a Failed for this input."""
    try:
        yield from items
    except TidingsError as exc:
        yield _failed(exc, locator)


def _read_file(path: str, policy: FetchPolicy) -> Iterator[Item]:
    try:
        size = os.stat(path).st_size
        if size == 0:
            raise EmptyDocument("empty file", where=path)
        with open(path, "rb") as stream:
            head = stream.read(SNIFF_BYTES)
            kind = sniff_kind(head, os.path.basename(path), None)
            if kind == "jsonl":
                # JSONL is streamed line by line, so the whole-file cap does not apply, only a per-line one.
                yield from read_jsonl(path, policy.max_bytes)
                return
            # Checked before reading the rest, so a huge file fails without being loaded.
            if size > policy.max_bytes:
                raise TooLarge(f"file is {size:,} bytes, over the {policy.max_bytes:,}-byte cap", where=path)
            content = head + stream.read(policy.max_bytes + 1 - len(head))
    except OSError as exc:
        yield Failed(locator=path, error="InputError", message=f"cannot read file: {exc.strerror or exc}")
        return
    except TidingsError as exc:
        yield _failed(exc, path)
        return
    yield from _guarded(_dispatch(content, kind, path), path)


def _read_url(url: str, policy: FetchPolicy, client: httpx.Client) -> Iterator[Item]:
    try:
        result = fetch(url, policy, client=client)
        fetched_at = datetime.now(UTC)
        if not result.content:
            raise EmptyDocument(f"HTTP {result.status} with an empty body", where=url)
        kind = sniff_kind(result.content, urlsplit(result.url).path, result.content_type)
    except TidingsError as exc:
        yield _failed(exc, url)
        return
    if kind == "jsonl":
        yield from iter_jsonl(io.BytesIO(result.content), url, policy.max_bytes)
        return
    items = _dispatch(
        result.content, kind, url, url=result.url, charset=result.charset, fetched_at=fetched_at
    )
    yield from _guarded(items, url)


def _walk(directory: str) -> Iterator[str]:
    """Files under a directory in sorted order, skipping hidden files and folders."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(root, name)


def read_paths(
    paths: Iterable[str], policy: FetchPolicy = DEFAULT_POLICY, *, client: httpx.Client | None = None
) -> Iterator[Item]:
    """Read files, directories and http(s) URLs into RawDocuments, FeedRefs and Failed; never raises."""
    own_client: httpx.Client | None = None
    try:
        for path in paths:
            scheme = urlsplit(path).scheme.lower()
            if scheme in ("http", "https"):
                if client is None and own_client is None:
                    own_client = make_client(policy)
                http = client or own_client
                assert http is not None
                yield from _read_url(path, policy, http)
            elif len(scheme) > 1 and "://" in path:
                yield _failed(FetchError(f"unsupported URL scheme {scheme!r} (http and https only)"), path)
            elif os.path.isdir(path):
                for file in _walk(path):
                    yield from _read_file(file, policy)
            elif os.path.exists(path):
                yield from _read_file(path, policy)
            else:
                yield _failed(InputError("no such file or directory"), path)
    finally:
        if own_client is not None:
            own_client.close()
