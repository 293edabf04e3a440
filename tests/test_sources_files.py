"""read_paths and read_jsonl over real files, directories and URLs on a loopback server."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sources_http import CP1251_PAGE_TEXT, DATA, Server, serve
from tidings.models import Failed, RawDocument
from tidings.sources import FeedRef, FetchPolicy, decode, read_jsonl, read_paths

BAD = DATA / "bad"
LOOPBACK = FetchPolicy(allow_private=True, timeout_s=5)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def _one(path: Path | str, policy: FetchPolicy = LOOPBACK) -> RawDocument | Failed | FeedRef:
    (item,) = list(read_paths([str(path)], policy))
    return item


def _failure(path: Path | str, policy: FetchPolicy = LOOPBACK) -> Failed:
    item = _one(path, policy)
    assert isinstance(item, Failed), item
    return item


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("empty.txt", "EmptyDocument", "empty file"),
        ("tiny.pdf", "UnsupportedInput", "binary file (PDF), not a news document"),
        ("binary.bin", "UnsupportedInput", "binary file (unknown format), not a news document"),
        ("nobody.html", "EmptyDocument", "HTML page has no body text"),
        ("malformed.xml", "FeedError", "not well-formed XML at line 3 (mismatched tag)"),
    ],
)
def test_bad_files_fail_with_a_message(name: str, error: str, message: str) -> None:
    failed = _failure(BAD / name)
    assert (failed.locator, failed.error, failed.message) == (str(BAD / name), error, message)


def test_entity_bomb_file_fails() -> None:
    failed = _failure(BAD / "bomb.xml")
    assert failed.error == "FeedError" and "entity declaration" in failed.message


def test_html_file_takes_its_canonical_url() -> None:
    doc = _one(DATA / "pages" / "article.html")
    assert isinstance(doc, RawDocument)
    assert (doc.kind, doc.url, doc.declared_charset) == (
        "html",
        "https://news.example/2024/03/rail-strike",
        "utf-8",
    )
    assert doc.content == (DATA / "pages" / "article.html").read_bytes()


def test_og_url_when_no_canonical(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        '<html><head><meta content="https://e.example/og" property="og:url"></head><body>Hi</body>'
    )
    doc = _one(page)
    assert isinstance(doc, RawDocument) and doc.url == "https://e.example/og"


def test_directory_is_walked_in_sorted_order_and_never_raises() -> None:
    items = list(read_paths([str(BAD), str(DATA / "no-such-dir")], LOOPBACK))
    locators = [i.locator for i in items if not isinstance(i, FeedRef)]
    files = sorted(p.name for p in BAD.iterdir())
    seen = [next(i for i, loc in enumerate(locators) if loc.startswith(str(BAD / f))) for f in files]
    assert seen == sorted(seen)
    assert isinstance(items[-1], Failed) and items[-1].message == "no such file or directory"
    # Good items from the bad corpus survive: two decodable texts, JSONL lines, linkless feed items.
    docs = [i for i in items if isinstance(i, RawDocument)]
    assert {d.locator for d in docs} >= {str(BAD / "cp1251.txt"), str(BAD / "latin1.txt")}
    assert any(d.locator.startswith(str(BAD / "nolinks.xml")) and d.url is None for d in docs)


def test_feed_file_yields_records_and_item_failures() -> None:
    items = list(read_paths([str(BAD / "nolinks.xml")], LOOPBACK))
    assert [type(i).__name__ for i in items] == ["RawDocument", "RawDocument", "Failed"]
    first = items[0]
    assert isinstance(first, RawDocument) and first.kind == "record" and first.meta["id"] == "wire-77"


def test_opml_file_yields_feed_refs() -> None:
    refs = list(read_paths([str(DATA / "feeds" / "subscriptions.opml")], LOOPBACK))
    assert all(isinstance(r, FeedRef) for r in refs)
    assert next(r.url for r in refs if isinstance(r, FeedRef)) == "https://courrier.example/rss.xml"


def test_jsonl_with_a_broken_line() -> None:
    path = str(BAD / "broken.jsonl")
    items = list(read_jsonl(path))
    assert [i.locator for i in items] == [f"{path}:{n}" for n in range(1, 7)]
    first, broken, third, no_body, not_object, title_only = items
    assert isinstance(first, RawDocument) and first.kind == "record"
    assert first.content == b"First article text." and first.url == "https://news.example/a1"
    assert dict(first.meta) == {
        "id": "a1",
        "url": "https://news.example/a1",
        "title": "First",
        "date": "2024-03-07",
        "lang": "en",
        "source": "Example News",
    }
    assert isinstance(broken, Failed) and broken.error == "JsonlError" and "not valid JSON" in broken.message
    assert (
        isinstance(third, RawDocument)
        and third.kind == "html"
        and third.content == b"<p>Third article body.</p>"
    )
    assert isinstance(no_body, Failed) and "no 'text', 'html' or 'title'" in no_body.message
    assert isinstance(not_object, Failed) and "JSON list" in not_object.message
    assert isinstance(title_only, RawDocument) and title_only.content == b""
    assert dict(title_only.meta) == {"id": "a6", "title": "Headline only", "cluster": "7"}


def test_jsonl_huge_line_is_too_large_and_the_rest_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    lines = [
        {"id": "1", "text": "small"},
        {"id": "2", "text": "x" * 5000},
        {"id": "3", "text": "after"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    items = list(read_paths([str(path)], FetchPolicy(max_bytes=1000)))
    assert [type(i).__name__ for i in items] == ["RawDocument", "Failed", "RawDocument"]
    assert isinstance(items[1], Failed) and items[1].error == "TooLarge"
    assert items[1].locator == f"{path}:2"
    assert isinstance(items[2], RawDocument) and items[2].content == b"after"


def test_json_array_of_articles(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text(json.dumps([{"id": "a", "text": "Alpha."}, {"id": "b"}]))
    ok, bad = read_paths([str(path)], LOOPBACK)
    assert isinstance(ok, RawDocument) and ok.locator == f"{path}[0]" and ok.meta["id"] == "a"
    assert isinstance(bad, Failed) and bad.locator == f"{path}[1]"


def test_50mb_text_fails_fast(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    line = b"The quick brown fox jumps over the lazy dog again and again.\n"
    with open(path, "wb") as out:
        for _ in range(50 * 1024 * 1024 // (len(line) * 1024) + 1):
            out.write(line * 1024)
    assert path.stat().st_size > 50 * 1024 * 1024
    started = time.monotonic()
    failed = _failure(path, FetchPolicy())
    assert time.monotonic() - started < 0.5
    assert failed.error == "TooLarge" and "over the 10,485,760-byte cap" in failed.message
    path.unlink()  # do not keep 50 MB in pytest's temp folders


def test_whitespace_only_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(b"  \n\t\n")
    assert _failure(path).message == "file has only whitespace"


def test_unsupported_scheme_is_a_failure() -> None:
    failed = _failure("ftp://files.example/news.txt")
    assert failed.error == "FetchError" and "ftp" in failed.message


def test_url_cp1251_page_without_declared_charset(server: Server) -> None:
    doc = _one(server.url("/cp1251.html"))
    assert isinstance(doc, RawDocument) and doc.kind == "html"
    assert doc.url == server.url("/cp1251.html") and doc.fetched_at is not None
    assert CP1251_PAGE_TEXT in decode(doc.content, doc.declared_charset, locator=doc.locator)


def test_url_page_and_feed_and_failures_in_one_batch(server: Server) -> None:
    urls = ["/page.html", "/doc.pdf", "/nowhere", "/feed.xml", "/big"]
    items = list(
        read_paths([server.url(u) for u in urls], FetchPolicy(allow_private=True, max_bytes=100_000))
    )
    kinds = [(type(i).__name__, getattr(i, "error", None)) for i in items]
    assert kinds == [
        ("RawDocument", None),
        ("Failed", "UnsupportedInput"),
        ("Failed", "FetchStatusError"),
        ("RawDocument", None),
        ("RawDocument", None),
        ("Failed", "TooLarge"),
    ]
    page, _, missing, item, _, _ = items
    assert isinstance(page, RawDocument) and page.url == "https://news.example/2024/03/rail-strike"
    assert isinstance(missing, Failed) and missing.message == "HTTP 404 Not Found"
    assert isinstance(item, RawDocument) and item.meta["feed"] == server.url("/feed.xml")


def test_url_blocked_by_default_policy(server: Server) -> None:
    failed = _failure(server.url("/page.html"), FetchPolicy())
    assert failed.error == "BlockedAddress" and failed.locator == server.url("/page.html")
