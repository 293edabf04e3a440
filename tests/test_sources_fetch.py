"""Fetching against a real HTTP server on loopback: guard, redirects, size cap, conditional GET."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.sources_http import BIG_BYTES, DATA, FEED_ETAG, FEED_MODIFIED, Server, serve
from tidings.errors import BlockedAddress, FetchError, TooLarge
from tidings.sources.fetch import FetchPolicy, FetchStatusError, fetch, is_public_address

LOOPBACK = FetchPolicy(allow_private=True, timeout_s=5)
# The guard is on, but the test server's own address is let through: hops elsewhere are checked for real.
GUARDED = FetchPolicy(allowed_networks=("127.0.0.1/32",), timeout_s=5)
SMALL = FetchPolicy(allow_private=True, max_bytes=100_000, timeout_s=5)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def test_fetches_a_page(server: Server) -> None:
    result = fetch(server.url("/page.html"), LOOPBACK)
    assert result.status == 200
    assert result.content == (DATA / "pages" / "article.html").read_bytes()
    assert result.charset == "utf-8"
    assert result.content_type is not None and result.content_type.startswith("text/html")
    assert result.url == server.url("/page.html")
    assert not result.not_modified


def test_default_policy_refuses_loopback(server: Server) -> None:
    before = len(server.paths)
    with pytest.raises(BlockedAddress, match="non-public"):
        fetch(server.url("/page.html"))
    assert len(server.paths) == before  # refused before any connection


def test_guard_also_checks_a_callers_own_client(server: Server) -> None:
    with httpx.Client() as client, pytest.raises(BlockedAddress):
        fetch(server.url("/page.html"), client=client)


def test_host_name_is_resolved_and_kept_in_host_header(server: Server) -> None:
    result = fetch(f"http://localhost:{server.port}/host", LOOPBACK)
    assert result.content.decode() == f"localhost:{server.port}"
    with pytest.raises(BlockedAddress, match="localhost"):
        fetch(f"http://localhost:{server.port}/host")


def test_conditional_get_returns_not_modified(server: Server) -> None:
    first = fetch(server.url("/feed.xml"), LOOPBACK)
    assert (first.etag, first.last_modified) == (FEED_ETAG, FEED_MODIFIED)
    by_etag = fetch(server.url("/feed.xml"), LOOPBACK, etag=first.etag)
    assert by_etag.not_modified and by_etag.status == 304 and by_etag.content == b""
    by_date = fetch(server.url("/feed.xml"), LOOPBACK, last_modified=first.last_modified)
    assert by_date.not_modified
    stale = fetch(server.url("/feed.xml"), LOOPBACK, etag='"old"')
    assert not stale.not_modified and stale.content == first.content


def test_follows_redirects_within_the_limit(server: Server) -> None:
    result = fetch(server.url("/hops/5"), LOOPBACK)
    assert result.url == server.url("/page.html")
    assert result.status == 200


def test_too_many_redirects_fail(server: Server) -> None:
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(server.url("/hops/6"), LOOPBACK)
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(server.url("/hops/3"), FetchPolicy(allow_private=True, max_redirects=2))


@pytest.mark.parametrize("path", ["/to-private", "/to-loopback", "/to-metadata"])
def test_redirect_to_a_private_address_is_blocked(server: Server, path: str) -> None:
    with pytest.raises(BlockedAddress) as caught:
        fetch(server.url(path), GUARDED)
    assert type(caught.value) is BlockedAddress
    assert server.paths[-1] == path  # the first hop was really fetched


def test_guarded_policy_still_reaches_allowed_network(server: Server) -> None:
    assert fetch(server.url("/hops/2"), GUARDED).status == 200


def test_oversize_body_with_length_is_refused(server: Server) -> None:
    with pytest.raises(TooLarge, match=str(BIG_BYTES)):
        fetch(server.url("/big"), SMALL)
    assert len(fetch(server.url("/big"), LOOPBACK).content) == BIG_BYTES


def test_oversize_streamed_body_is_cut(server: Server) -> None:
    with pytest.raises(TooLarge, match="over the 100000-byte cap"):
        fetch(server.url("/big-stream"), SMALL)


def test_gzip_bomb_is_cut_after_decoding(server: Server) -> None:
    with pytest.raises(TooLarge):
        fetch(server.url("/gzip-bomb"), SMALL)


def test_http_error_carries_status(server: Server) -> None:
    with pytest.raises(FetchStatusError, match="HTTP 404") as caught:
        fetch(server.url("/nowhere"), LOOPBACK)
    assert caught.value.http_status == 404
    assert isinstance(caught.value, FetchError)


def test_timeout_is_a_fetch_error(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch(server.url("/slow"), FetchPolicy(allow_private=True, timeout_s=0.3))
    assert time.monotonic() - started < 1.4


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "http:///nohost"])
def test_other_schemes_and_hostless_urls_fail(url: str) -> None:
    with pytest.raises(FetchError):
        fetch(url, LOOPBACK)


def test_unresolvable_host_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="cannot resolve"):
        fetch("http://no-such-host.invalid/", LOOPBACK)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # cloud metadata
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
    ],
)
def test_address_classification(address: str, public: bool) -> None:
    assert is_public_address(address) is public
