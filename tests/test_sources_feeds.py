"""RSS, Atom, JSON Feed and OPML parsing, and the hostile feeds that must be refused."""

from __future__ import annotations

import time

import pytest

from tests.sources_http import DATA
from tidings.errors import FeedError
from tidings.sources.feeds import FeedItem, feed_item_to_raw, parse_feed, parse_opml

FEEDS = DATA / "feeds"
BAD = DATA / "bad"


def test_rss20() -> None:
    feed = parse_feed((FEEDS / "rss20.xml").read_bytes(), locator="rss20")
    assert (feed.title, feed.link, feed.language) == (
        "Le Courrier du Matin",
        "https://courrier.example/",
        "fr",
    )
    first, second = feed.items
    assert first.id == "courrier-1001"
    assert first.url == "https://courrier.example/2024/03/greve-cheminots"
    assert first.title == "Grève des cheminots : le trafic perturbé jeudi"
    assert first.published == "2024-03-07T08:30:00+01:00"  # the offset the feed wrote
    assert first.author == "Claire Dubois"
    assert first.categories == ("Social", "Transports")
    assert first.content_html is not None and "grève nationale" in first.content_html
    assert first.summary_html == "Les syndicats appellent à la grève."
    assert (first.language, first.source) == ("fr", "Le Courrier du Matin")
    # No guid: the link is the id.
    assert second.id == second.url == "https://courrier.example/2024/03/prix-pain"
    assert second.published == "2024-03-06T17:00:00+00:00"
    assert second.content_html is None and second.summary_html is not None
    assert feed.failed == []


def test_rss091_latin1_with_netscape_entities() -> None:
    feed = parse_feed((FEEDS / "rss091.xml").read_bytes(), locator="rss091")
    assert feed.title == "Gazette de Montréal"
    (item,) = feed.items
    assert item.title == "Café fermé pour travaux"
    assert item.summary_html == "Le café du coin ferme ses portes pour l'hiver."
    assert item.url == "http://gazette.example/cafe.html"
    assert item.language == "fr-ca"


def test_atom() -> None:
    feed = parse_feed((FEEDS / "atom.xml").read_bytes(), locator="atom")
    (item,) = feed.items
    assert item.id == "urn:tagesblatt:4711"
    assert item.url == "https://tagesblatt.example/2024/bahnstreik"
    assert item.published == "2024-03-07T09:15:00+01:00"
    assert item.author == "Jan Müller"
    assert item.categories == ("Verkehr",)
    assert item.language == "de"
    assert item.content_html is not None and "Millionen Pendler" in item.content_html
    assert "<script" not in item.content_html  # feedparser's sanitiser ran


def test_json_feed() -> None:
    feed = parse_feed((FEEDS / "jsonfeed.json").read_bytes(), locator="json")
    assert (feed.title, feed.link, feed.language) == ("Diario Ejemplo", "https://diario.example/", "es")
    linked, unlinked = feed.items
    assert linked.id == "501"
    assert linked.published == "2024-03-07T07:00:00-03:00"
    assert linked.author == "Lucía Gómez"
    assert linked.categories == ("transporte", "Madrid")
    assert unlinked.url is None and unlinked.id == "nota-2"
    assert unlinked.content_html == "<p>Primer párrafo.</p>\n<p>Segundo párrafo.</p>"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"version": "https://example.org/other", "items": []}', "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1", \n "items": [', "not valid JSON at line 2"),
    ],
)
def test_bad_json_feeds(content: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(content, locator="j")


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed((BAD / "malformed.xml").read_bytes(), locator="https://broken.example/rss")
    assert str(caught.value) == (
        "feed https://broken.example/rss: not well-formed XML at line 3 (mismatched tag)"
    )


def test_undefined_entity_outside_html_is_malformed() -> None:
    content = b"<rss version='2.0'><channel>\n<title>&nosuchthing;</title></channel></rss>"
    with pytest.raises(FeedError, match="line 2 \\(undefined entity"):
        parse_feed(content, locator="x")


def test_billion_laughs_is_refused_fast() -> None:
    started = time.monotonic()
    with pytest.raises(FeedError, match="entity declaration"):
        parse_feed((BAD / "bomb.xml").read_bytes(), locator="bomb")
    assert time.monotonic() - started < 1.0


def test_external_entity_is_refused() -> None:
    with pytest.raises(FeedError, match="entity declaration") as caught:
        parse_feed((BAD / "xxe.xml").read_bytes(), locator="xxe")
    assert "root:" not in str(caught.value)


def test_external_entity_in_opml_is_refused() -> None:
    content = (BAD / "xxe.xml").read_bytes().replace(b"<rss", b"<opml").replace(b"</rss>", b"</opml>")
    with pytest.raises(FeedError, match="entity declaration"):
        parse_opml(content, locator="x.opml")


def test_items_without_links() -> None:
    content = (BAD / "nolinks.xml").read_bytes()
    feed = parse_feed(content, locator="wire")
    guid_item, hashed_item = feed.items
    assert guid_item.id == "wire-77" and guid_item.url is None
    assert guid_item.summary_html is not None and "earthquake" in guid_item.summary_html
    assert hashed_item.id.startswith("sha1:") and hashed_item.url is None
    # The hash id is stable across parses and differs between items.
    assert parse_feed(content, locator="wire").items[1].id == hashed_item.id
    (failed,) = feed.failed
    assert failed.locator == "wire#item3"
    assert failed.error == "FeedError"
    assert "no link and no content" in failed.message


def test_not_a_feed_root() -> None:
    with pytest.raises(FeedError, match="not RSS or Atom"):
        parse_feed(b"<?xml version='1.0'?><html><body/></html>", locator="x")


def test_opml_nested_outlines() -> None:
    outlines = parse_opml((FEEDS / "subscriptions.opml").read_bytes(), locator="subs.opml")
    assert [(o.url, o.title, o.category) for o in outlines] == [
        ("https://courrier.example/rss.xml", "Le Courrier du Matin", "News/World"),
        ("https://tagesblatt.example/atom.xml", "Tagesblatt", "News"),
        ("https://diario.example/feed.json", "Diario", None),
    ]


def test_opml_without_feeds_is_an_error() -> None:
    with pytest.raises(FeedError, match="no feeds"):
        parse_opml(b"<opml version='2.0'><body><outline text='empty'/></body></opml>", locator="x")


def test_feed_item_to_raw_record() -> None:
    item = parse_feed((FEEDS / "rss20.xml").read_bytes(), locator="f").items[0]
    raw = feed_item_to_raw(item, "https://courrier.example/rss.xml")
    assert raw.kind == "record"
    assert raw.url == item.url
    assert raw.content.decode(raw.declared_charset or "") == item.content_html
    assert raw.meta["title"] == item.title
    assert raw.meta["date"] == "2024-03-07T08:30:00+01:00"
    assert raw.meta["source"] == "Le Courrier du Matin"
    assert raw.meta["lang"] == "fr"
    assert raw.meta["id"] == "courrier-1001"
    assert raw.meta["feed"] == "https://courrier.example/rss.xml"
    assert raw.meta["content"] == "full"
    assert raw.locator == "https://courrier.example/rss.xml#courrier-1001"


def test_feed_item_to_raw_summary_only_leaves_out_missing_fields() -> None:
    item = FeedItem("x1", "https://e.example/x1", "T", "<p>short</p>", None, None)
    raw = feed_item_to_raw(item, "https://e.example/feed")
    assert raw.content == b"<p>short</p>"
    assert raw.meta["content"] == "summary"
    assert "date" not in raw.meta and "lang" not in raw.meta
