"""RSS, Atom, JSON Feed and OPML → items, with XML checked for entity tricks before any parser sees it."""

from __future__ import annotations

import hashlib
import html
import html.entities
import io
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

from tidings.errors import FeedError
from tidings.models import Failed, RawDocument

# The five entities XML defines itself; any other named entity needs a DTD.
_XML_ENTITIES = frozenset({"lt", "gt", "amp", "quot", "apos"})
_REFUSED = {
    "EntitiesForbidden": "an entity declaration (entity-expansion or external-entity attack)",
    "ExternalReferenceForbidden": "an external reference",
    "DTDForbidden": "a DTD",
    "NotSupportedError": "an unsupported construct",
}
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, as the feed gave it."""

    id: str
    url: str | None
    title: str | None
    summary_html: str | None
    content_html: str | None
    published: str | None  # ISO 8601 with UTC offset
    author: str | None = None
    categories: tuple[str, ...] = ()
    language: str | None = None
    source: str | None = None  # the feed's title


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its own fields, its usable items, and the items that could not be used."""

    title: str | None
    link: str | None
    items: list[FeedItem]
    failed: list[Failed] = field(default_factory=list)
    language: str | None = None


@dataclass(frozen=True)
class OpmlOutline:
    """A feed subscription listed in an OPML file."""

    url: str
    title: str | None = None
    category: str | None = None  # folder path, "News/World" for nested outlines


def _html_entities_to_numeric(content: bytes) -> bytes:
    """Rewrite HTML named entities (&eacute;) as character references, which XML accepts without a DTD."""

    def swap(match: re.Match[bytes]) -> bytes:
        name = match.group(1).decode("ascii")
        code = html.entities.name2codepoint.get(name)
        if name in _XML_ENTITIES or code is None:
            return match.group(0)
        return f"&#{code};".encode("ascii")

    return _NAMED_ENTITY.sub(swap, content)


def check_xml(content: bytes, *, locator: str) -> tuple[bytes, Element]:
    """Parse XML refusing entity declarations and external references; return the bytes to use and the root.

    RSS 0.91 feeds often use HTML entities (&eacute;) defined only in Netscape's DTD, which we do not load;
    those are rewritten as numeric references and the result is checked again.
    """
    where = f"feed {locator}"
    try:
        for attempt in (0, 1):
            try:
                return content, SafeET.fromstring(content, forbid_dtd=False)
            except ParseError as exc:
                if attempt == 0 and str(exc).startswith("undefined entity"):
                    content = _html_entities_to_numeric(content)
                    continue
                line = exc.position[0] if exc.position else "?"
                reason = str(exc).split(":", 1)[0]
                raise FeedError(f"not well-formed XML at line {line} ({reason})", where=where) from None
    except DefusedXmlException as exc:
        what = _REFUSED.get(type(exc).__name__, "a forbidden construct")
        raise FeedError(f"refused XML with {what}; feeds may not declare entities", where=where) from None
    raise FeedError("not well-formed XML", where=where)  # unreachable: the loop returns or raises


def _iso_date(raw: str | None, parsed: time.struct_time | None) -> str | None:
    """The date as ISO 8601, keeping the offset the feed wrote; feedparser's own parse is UTC-only."""
    if raw:
        text = raw.strip()
        for parse in (datetime.fromisoformat, parsedate_to_datetime):
            try:
                value = parse(text.replace("Z", "+00:00") if parse is datetime.fromisoformat else text)
            except (ValueError, TypeError, IndexError):
                continue
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return value.isoformat()
    if parsed is not None:
        return datetime(*parsed[:6], tzinfo=UTC).isoformat()
    return None


def _stable_id(*parts: str | None) -> str:
    digest = hashlib.sha1("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()
    return f"sha1:{digest[:20]}"


def _best_content(entry: Mapping[str, Any]) -> str | None:
    values = [c.get("value") or "" for c in entry.get("content") or []]
    return max(values, key=len) if any(values) else None


def _item_or_failure(item: FeedItem, has_link: bool, locator: str, index: int) -> FeedItem | Failed:
    if has_link or item.content_html or item.summary_html:
        return item
    return Failed(
        locator=f"{locator}#item{index}",
        error="FeedError",
        message=f"item {index} ({item.title or 'untitled'}) has no link and no content",
    )


def _parse_xml_feed(content: bytes, locator: str) -> ParsedFeed:
    content, root = check_xml(content, locator=locator)
    if root.tag.rsplit("}", 1)[-1].lower() not in ("rss", "feed", "rdf", "channel"):
        raise FeedError(f"XML root <{root.tag}> is not RSS or Atom", where=f"feed {locator}")
    parsed = feedparser.parse(io.BytesIO(content), sanitize_html=True, resolve_relative_uris=True)
    meta = parsed.feed
    title, lang = meta.get("title"), meta.get("language")
    items: list[FeedItem] = []
    failed: list[Failed] = []
    for index, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link") or None
        body = _best_content(entry)
        summary = entry.get("summary") or None
        detail = entry.get("title_detail") or entry.get("summary_detail") or {}
        item = FeedItem(
            id=entry.get("id") or link or _stable_id(entry.get("title"), summary, body),
            url=link,
            title=entry.get("title") or None,
            summary_html=summary if summary != body else None,
            content_html=body,
            published=_iso_date(
                entry.get("published") or entry.get("updated"),
                entry.get("published_parsed") or entry.get("updated_parsed"),
            ),
            author=entry.get("author") or None,
            categories=tuple(t["term"] for t in entry.get("tags") or [] if t.get("term")),
            language=detail.get("language") or lang or None,
            source=title or None,
        )
        result = _item_or_failure(item, bool(link), locator, index)
        if isinstance(result, FeedItem):
            items.append(result)
        else:
            failed.append(result)
    return ParsedFeed(title or None, meta.get("link") or None, items, failed, lang or None)


def _text_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def _parse_json_feed(content: bytes, locator: str) -> ParsedFeed:
    where = f"feed {locator}"
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", "?")
        raise FeedError(f"not valid JSON at line {line}", where=where) from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/1"
    ):
        raise FeedError("JSON is not a JSON Feed (no jsonfeed.org version 1 field)", where=where)
    title, lang = data.get("title"), data.get("language")
    items: list[FeedItem] = []
    failed: list[Failed] = []
    for index, entry in enumerate(data.get("items") or [], start=1):
        if not isinstance(entry, dict):
            failed.append(Failed(f"{locator}#item{index}", "FeedError", f"item {index} is not an object"))
            continue
        link = entry.get("url") or entry.get("external_url") or None
        body = entry.get("content_html") or (
            _text_to_html(entry["content_text"]) if entry.get("content_text") else None
        )
        authors = entry.get("authors") or ([entry["author"]] if entry.get("author") else [])
        names = [str(a["name"]) for a in authors if isinstance(a, dict) and a.get("name")]
        item = FeedItem(
            id=str(entry.get("id") or link or _stable_id(entry.get("title"), body)),
            url=link,
            title=entry.get("title") or None,
            summary_html=html.escape(entry["summary"]) if entry.get("summary") else None,
            content_html=body,
            published=_iso_date(entry.get("date_published") or entry.get("date_modified"), None),
            author=", ".join(names) or None,
            categories=tuple(str(t) for t in entry.get("tags") or []),
            language=entry.get("language") or lang or None,
            source=title or None,
        )
        result = _item_or_failure(item, bool(link), locator, index)
        if isinstance(result, FeedItem):
            items.append(result)
        else:
            failed.append(result)
    return ParsedFeed(title or None, data.get("home_page_url") or None, items, failed, lang or None)


def parse_feed(content: bytes, *, locator: str) -> ParsedFeed:
    """Parse RSS 0.9x/1.0/2.0, Atom or JSON Feed bytes into items; raise FeedError if unusable."""
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _parse_json_feed(content, locator)
    return _parse_xml_feed(content, locator)


def parse_opml(content: bytes, *, locator: str) -> list[OpmlOutline]:
    """List the feeds of an OPML subscription file, with nested folders as "/"-joined categories."""
    _, root = check_xml(content, locator=locator)
    if root.tag.lower() != "opml":
        raise FeedError(f"XML root <{root.tag}> is not OPML", where=f"feed {locator}")
    found: list[OpmlOutline] = []

    def walk(node: Element, folders: tuple[str, ...]) -> None:
        for child in node:
            if child.tag.lower() != "outline":
                continue
            label = (child.get("title") or child.get("text") or "").strip() or None
            url = (child.get("xmlUrl") or child.get("xmlurl") or "").strip()
            if url:
                category = child.get("category") or "/".join(folders) or None
                found.append(OpmlOutline(url=url, title=label, category=category))
            walk(child, (*folders, label) if label and not url else folders)

    body = root.find("body")
    walk(body if body is not None else root, ())
    if not found:
        raise FeedError("OPML lists no feeds (no outline with xmlUrl)", where=f"feed {locator}")
    return found


def feed_item_to_raw(item: FeedItem, feed_url: str) -> RawDocument:
    """A feed item as a RawDocument of kind "record", its HTML content to be extracted later."""
    body = item.content_html or item.summary_html or ""
    meta = {
        "title": item.title,
        "date": item.published,
        "source": item.source,
        "lang": item.language,
        "id": item.id,
        "feed": feed_url,
        "author": item.author,
        "categories": ", ".join(item.categories) or None,
        "content": "full" if item.content_html else ("summary" if item.summary_html else "none"),
    }
    return RawDocument(
        locator=f"{feed_url}#{item.id}",
        content=body.encode("utf-8"),
        kind="record",
        url=item.url,
        declared_charset="utf-8",
        meta={k: v for k, v in meta.items() if v},
    )
