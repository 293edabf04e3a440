"""Fetch one URL safely: SSRF guard on every hop, size cap, conditional GET."""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from tidings.errors import BlockedAddress, FetchError, TooLarge

# Feeds and articles are < 1 MB; 10 MB leaves room for image-heavy pages while bounding memory per fetch.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_IP = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and identity for fetching."""

    timeout_s: float = 15.0  # per network operation, and for the whole fetch
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    allow_private: bool = False  # let the fetcher reach loopback and LAN addresses
    user_agent: str = "tidings/0.1 (+self-hosted news desk)"
    allowed_networks: tuple[str, ...] = ()  # CIDRs exempt from the guard, e.g. a LAN feed bridge


@dataclass(frozen=True)
class FetchResult:
    """What one fetch returned, after redirects."""

    url: str  # final URL
    status: int
    content: bytes
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


DEFAULT_POLICY = FetchPolicy()


class FetchStatusError(FetchError):
    """The server answered with an HTTP error status."""

    def __init__(self, message: str, *, http_status: int, where: str | None = None) -> None:
        super().__init__(message, where=where)
        self.http_status = http_status


def _unwrap(ip: _IP) -> _IP:
    """The IPv4 address hidden in an IPv4-mapped, 6to4 or Teredo IPv6 address, if any."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
    return ip


def is_public_address(address: str) -> bool:
    """True if an IP address is globally routable (not loopback, private, link-local, reserved ...)."""
    ip = _unwrap(ipaddress.ip_address(address.split("%", 1)[0]))
    return (
        ip.is_global
        and not (ip.is_multicast or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved)
        and not ip.is_unspecified
    )


def _allowed(address: str, policy: FetchPolicy) -> bool:
    if policy.allow_private or is_public_address(address):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in ipaddress.ip_network(net, strict=False) for net in policy.allowed_networks)


def resolve_checked(host: str, port: int, policy: FetchPolicy) -> list[str]:
    """Resolve a host and return its addresses, or raise BlockedAddress if any is not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}", where=host) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    # Refuse if any answer is private: a name that mixes public and private answers is an attack.
    for address in addresses:
        if not _allowed(address, policy):
            raise BlockedAddress(f"{host} resolves to {address}, a non-public address", where=host)
    return addresses


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to addresses the guard accepted, so DNS cannot change between check and connect."""

    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in resolve_checked(host, port, self._policy):
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for all clients; loading the CA bundle takes ~0.1 s."""
    return httpx.create_ssl_context()


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose connections go through the SSRF guard; ignores proxy settings."""

    def __init__(self, policy: FetchPolicy) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False)
        # httpx has no public hook for the network backend; TLS still uses the URL's host name for SNI.
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            network_backend=_GuardedBackend(policy),
            max_connections=10,
        )


def make_client(policy: FetchPolicy) -> httpx.Client:
    """A client that enforces the policy's guard at connect time; reuse it across fetches."""
    return httpx.Client(
        transport=GuardedTransport(policy),
        timeout=httpx.Timeout(policy.timeout_s),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": policy.user_agent},
    )


def _check_url(url: str, policy: FetchPolicy) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL scheme {parts.scheme!r} (http and https only)", where=url)
    if not parts.hostname:
        raise FetchError("URL has no host", where=url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError("URL has an invalid port", where=url) from None
    resolve_checked(parts.hostname, port, policy)


def _read_body(response: httpx.Response, url: str, policy: FetchPolicy, deadline: float) -> bytes:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > policy.max_bytes:
        raise TooLarge(f"body is {int(length)} bytes, over the {policy.max_bytes}-byte cap", where=url)
    chunks: list[bytes] = []
    size = 0
    # Counted after content decoding, so a gzip bomb stops at the cap too.
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > policy.max_bytes:
            raise TooLarge(f"body is over the {policy.max_bytes}-byte cap", where=url)
        if time.monotonic() > deadline:
            raise FetchError(f"body took over {policy.timeout_s:g} s to arrive", where=url)
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(
    url: str,
    policy: FetchPolicy = DEFAULT_POLICY,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
) -> FetchResult:
    """GET a URL, following redirects one checked hop at a time."""
    own = client is None
    http = make_client(policy) if client is None else client
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + policy.timeout_s
    try:
        for _hop in range(policy.max_redirects + 1):
            _check_url(url, policy)
            try:
                with http.stream("GET", url, headers=headers, follow_redirects=False) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        url = urljoin(url, location.strip())
                        continue
                    return _result(url, response, policy, deadline)
            except httpx.TimeoutException:
                raise FetchError(f"timed out after {policy.timeout_s:g} s", where=url) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__}: {exc}", where=url) from None
        raise FetchError(f"too many redirects (more than {policy.max_redirects})", where=url)
    finally:
        if own:
            http.close()


def _result(url: str, response: httpx.Response, policy: FetchPolicy, deadline: float) -> FetchResult:
    status = response.status_code
    etag = response.headers.get("etag")
    modified = response.headers.get("last-modified")
    ctype = response.headers.get("content-type")
    if status == 304:
        return FetchResult(url, status, b"", ctype, None, etag, modified, not_modified=True)
    if status >= 400 or status < 200 or status in _REDIRECTS:
        reason = response.reason_phrase or "error"
        raise FetchStatusError(f"HTTP {status} {reason}", http_status=status, where=url)
    content = _read_body(response, url, policy, deadline)
    return FetchResult(url, status, content, ctype, response.charset_encoding, etag, modified)
