"""Outgoing feeds: the writers on hostile text, and the served front, category, event and search feeds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import feedparser
import httpx
import pytest

from tidings.store import Store
from tidings.store import events as event_rows
from tidings.web import create_app
from tidings.web.feeds_out import Entry, OutFeed, atom, json_feed, rss

from .live import serve
from .web_fixture import article_id, build_store, web_settings

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = "Bridge <script>alert('x')</script> & \"quotes\"\x00\x0b opens"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    settings = web_settings(tmp_path_factory.mktemp("feeds"))
    store = build_store(settings)
    with serve(create_app(settings, store)) as base:
        yield base, store
    store.close()


def sample_feed() -> OutFeed:
    when = datetime(2021, 6, 16, 17, 40, tzinfo=UTC)
    entries = [Entry("urn:x:1", HOSTILE, "http://h/articles/1", HOSTILE, when, "Outlet <b>", "World & Co")]
    return OutFeed("tidings — test", "http://h/", "http://h/feeds/front.atom", entries)


def test_writers_escape_and_drop_what_xml_cannot_carry() -> None:
    clean = "Bridge <script>alert('x')</script> & \"quotes\" opens"
    root = ET.fromstring(atom(sample_feed()))
    entry = root.find(f"{ATOM}entry")
    assert entry is not None and entry.findtext(f"{ATOM}title") == clean
    assert root.findtext(f"{ATOM}updated") == "2021-06-16T17:40:00Z"
    item = ET.fromstring(rss(sample_feed())).find("channel/item")
    assert item is not None and item.findtext("description") == clean
    assert item.findtext("pubDate") == "Wed, 16 Jun 2021 17:40:00 GMT"
    doc = json.loads(json_feed(sample_feed()))
    assert doc["version"] == "https://jsonfeed.org/version/1.1" and doc["items"][0]["title"] == HOSTILE
    assert doc["items"][0]["tags"] == ["World & Co"]


def test_front_feeds_in_three_formats(site: tuple[str, Store]) -> None:
    base, store = site
    with store.read() as conn:
        seeds = event_rows.event_of(conn, article_id(store, "Putin-Biden summit"))
    for fmt, media in (
        ("atom", "application/atom+xml"),
        ("rss", "application/rss+xml"),
        ("json", "application/feed+json"),
    ):
        r = httpx.get(f"{base}/feeds/front.{fmt}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        parsed = feedparser.parse(r.content)
        if fmt != "json":
            assert not parsed.bozo, parsed.bozo_exception
            links = [e.link for e in parsed.entries]
        else:
            links = [i["url"] for i in r.json()["items"]]
        assert f"{base}/events/{seeds}" in links


def test_event_category_and_saved_search_feeds(site: tuple[str, Store]) -> None:
    base, store = site
    with store.read() as conn:
        seeds = event_rows.event_of(conn, article_id(store, "Putin-Biden summit"))
    navalny = f"{base}/articles/{article_id(store, 'Biden and Putin have')}"
    event = feedparser.parse(httpx.get(f"{base}/feeds/events/{seeds}.atom").content)
    assert navalny in [e.link for e in event.entries] and len(event.entries) >= 3
    search = feedparser.parse(httpx.get(f"{base}/feeds/search.rss", params={"q": "Navalny"}).content)
    assert [e.link for e in search.entries] == [navalny]
    category = httpx.get(f"{base}/feeds/category.json", params={"name": "News/Politics"}).json()
    assert [i["url"] for i in category["items"]] == [navalny]
    assert httpx.get(f"{base}/feeds/events/999999.rss").status_code == 404
    assert httpx.get(f"{base}/feeds/front.xml").status_code in (404, 422)
