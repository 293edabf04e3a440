"""Outgoing feeds: RSS 2.0, Atom and JSON Feed 1.1 for the front page, categories, events and searches."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from tidings.errors import NotFound
from tidings.models import headline_text
from tidings.store import MAX_ID, Store, browse
from tidings.web.present import counts_line

router = APIRouter(include_in_schema=False)
ENTRIES = 50  # items per outgoing feed
ATOM_NS = "http://www.w3.org/2005/Atom"
Format = Annotated[str, Path(pattern="^(atom|rss|json)$")]


@dataclass(frozen=True)
class Entry:
    """One item of an outgoing feed."""

    id: str
    title: str
    link: str
    summary: str
    updated: datetime
    author: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class OutFeed:
    """An outgoing feed, whatever its format."""

    title: str
    link: str  # the HTML page it mirrors
    self_url: str
    entries: list[Entry]

    @property
    def updated(self) -> datetime:
        """The newest entry's time (the epoch for an empty feed, so output is stable)."""
        return max((e.updated for e in self.entries), default=datetime(1970, 1, 1, tzinfo=UTC))


# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str | None) -> str | None:
    """Text safe for an XML text node or attribute (ElementTree escapes the rest)."""
    return _NOT_XML.sub("", value) if value is not None else None


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def atom(feed: OutFeed) -> str:
    """An Atom 1.0 document."""
    ET.register_namespace("", ATOM_NS)
    root = ET.Element(f"{{{ATOM_NS}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: xml_text(v) or "" for k, v in attrs.items()})
        node.text = xml_text(text)
        return node

    sub(root, "id", feed.self_url)
    sub(root, "title", feed.title)
    sub(root, "updated", _iso(feed.updated))
    sub(root, "link", rel="alternate", type="text/html", href=feed.link)
    sub(root, "link", rel="self", href=feed.self_url)
    sub(sub(root, "author"), "name", "tidings")
    for e in feed.entries:
        node = sub(root, "entry")
        sub(node, "id", e.id)
        sub(node, "title", e.title)
        sub(node, "updated", _iso(e.updated))
        sub(node, "link", rel="alternate", type="text/html", href=e.link)
        sub(node, "summary", e.summary, type="text")
        if e.author:
            sub(sub(node, "author"), "name", e.author)
        if e.category:
            sub(node, "category", term=e.category)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def rss(feed: OutFeed) -> str:
    """An RSS 2.0 document."""
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    for tag, value in (
        ("title", feed.title),
        ("link", feed.link),
        ("description", feed.title),
        ("lastBuildDate", format_datetime(feed.updated.astimezone(UTC), usegmt=True)),
    ):
        ET.SubElement(channel, tag).text = xml_text(value)
    for e in feed.entries:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = xml_text(e.title)
        ET.SubElement(item, "link").text = xml_text(e.link)
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = xml_text(e.id)
        ET.SubElement(item, "description").text = xml_text(e.summary)
        ET.SubElement(item, "pubDate").text = format_datetime(e.updated.astimezone(UTC), usegmt=True)
        if e.category:
            ET.SubElement(item, "category").text = xml_text(e.category)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def json_feed(feed: OutFeed) -> str:
    """A JSON Feed 1.1 document."""
    doc: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.link,
        "feed_url": feed.self_url,
        "items": [
            {
                "id": e.id,
                "url": e.link,
                "title": e.title,
                "content_text": e.summary,
                "date_modified": _iso(e.updated),
                **({"authors": [{"name": e.author}]} if e.author else {}),
                **({"tags": [e.category]} if e.category else {}),
            }
            for e in feed.entries
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


WRITERS: dict[str, tuple[Callable[[OutFeed], str], str]] = {
    "atom": (atom, "application/atom+xml; charset=utf-8"),
    "rss": (rss, "application/rss+xml; charset=utf-8"),
    "json": (json_feed, "application/feed+json; charset=utf-8"),
}


def _time(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        return datetime(1970, 1, 1, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def event_entries(base: str, rows: list[dict[str, Any]]) -> list[Entry]:
    """Feed entries for events: headline, summary lead and counts."""
    return [
        Entry(
            f"{base}/events/{r['id']}",
            headline_text(r),
            f"{base}/events/{r['id']}",
            " — ".join(x for x in (r.get("lead") or "", counts_line(r)) if x),
            _time(r.get("last_seen")),
        )
        for r in rows
    ]


def article_entries(base: str, rows: list[dict[str, Any]]) -> list[Entry]:
    """Feed entries for articles: English title, source, original language."""
    out = []
    for r in rows:
        title = str(r.get("title_en") or r["title"])
        summary = f"{r.get('source') or 'unknown source'} · {r.get('published') or ''} · {r.get('title')}"
        out.append(
            Entry(
                f"{base}/articles/{r['id']}",
                title,
                f"{base}/articles/{r['id']}",
                summary,
                _time(r.get("published")),
                r.get("source"),
                r.get("section"),
            )
        )
    return out


def _respond(request: Request, fmt: str, title: str, page: str, entries: list[Entry]) -> Response:
    writer, media_type = WRITERS[fmt]
    self_url = str(request.url)
    base = str(request.base_url).rstrip("/")
    return Response(writer(OutFeed(title, base + page, self_url, entries)), media_type=media_type)


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/feeds/front.{fmt}")
def front_feed(request: Request, fmt: Format) -> Response:
    """The front page's events."""
    with _store(request).read() as conn:
        rows = browse.front_events(conn, limit=ENTRIES)
    return _respond(request, fmt, "tidings — front page", "/", event_entries(_base(request), rows))


@router.get("/feeds/category.{fmt}")
def category_feed(request: Request, fmt: Format, name: Annotated[str, Query(min_length=1)]) -> Response:
    """The newest articles of one section."""
    with _store(request).read() as conn:
        rows = browse.articles_page(conn, browse.SearchFilters(category=name), limit=ENTRIES)
    page = "/categories/" + quote(name)
    return _respond(request, fmt, f"tidings — {name}", page, article_entries(_base(request), rows))


@router.get("/feeds/events/{event_id}.{fmt}")
def event_feed(request: Request, event_id: Annotated[int, Path(ge=1, le=MAX_ID)], fmt: Format) -> Response:
    """An event's newest member articles."""
    with _store(request).read() as conn:
        ev = browse.event(conn, event_id)
        rows = browse.event_members(conn, event_id, limit=ENTRIES)
    title = f"tidings — {headline_text(ev)}"
    return _respond(request, fmt, title, f"/events/{event_id}", article_entries(_base(request), rows))


@router.get("/feeds/search.{fmt}")
def search_feed(
    request: Request,
    fmt: Format,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    language: str = "",
    source: str = "",
    country: str = "",
    category: str = "",
) -> Response:
    """A saved search: the newest articles matching it."""
    f = browse.SearchFilters(language or None, source or None, country or None, None, None, category or None)
    with _store(request).read() as conn:
        rows = browse.search(conn, q, f, limit=ENTRIES)
    if not browse.fts_query(q):
        raise NotFound("empty search")
    page = "/search?" + urlencode({k: v for k, v in request.query_params.items()})
    return _respond(request, fmt, f"tidings — search: {q}", page, article_entries(_base(request), rows))
