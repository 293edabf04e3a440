"""Feeds management page: subscriptions, their fetch errors, and a form to add a feed or an OPML list."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from tidings.errors import InputError, TidingsError
from tidings.settings import Settings
from tidings.sources import parse_opml
from tidings.store import Store
from tidings.store import errors as error_rows
from tidings.store import feeds as feed_rows
from tidings.web.pages import render

router = APIRouter(include_in_schema=False)
MAX_FORM_BYTES = 1_000_000  # an OPML export of a few thousand feeds
ERRORS_SHOWN = 50


class Unauthorized(TidingsError):
    """A write without the configured API token."""

    status = 401


def check_token(settings: Settings, given: str | None) -> None:
    """Refuse a write unless `given` is the configured API token (writes are off when none is set)."""
    if not settings.api_token:
        raise Unauthorized("writes are disabled: no api_token is configured")
    if not given or not secrets.compare_digest(given.encode(), settings.api_token.encode()):
        raise Unauthorized("missing or wrong API token")


def check_feed_url(url: str) -> str:
    """A feed URL the poller can fetch: http(s) with a host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"not an http(s) feed URL: {url[:200]!r}")
    return url


@dataclass(frozen=True)
class Added:
    """What one subscription request did."""

    created: int
    existing: int


def subscribe(
    store: Store, settings: Settings, url: str = "", opml: str = "", category: str | None = None
) -> Added:
    """Subscribe to one feed URL and/or every feed an OPML document lists."""
    wanted: list[tuple[str, str | None, str | None]] = []
    if url.strip():
        wanted.append((check_feed_url(url), None, category or None))
    if opml.strip():
        for o in parse_opml(opml.encode("utf-8"), locator="OPML form"):
            wanted.append((check_feed_url(o.url), o.title, o.category or category or None))
    if not wanted:
        raise InputError("give a feed URL or paste an OPML document")
    created = 0
    with store.write() as conn:
        for feed_url, title, cat in wanted:
            _, new = feed_rows.add(
                conn, feed_url, title=title, category=cat, interval_s=settings.feed_interval
            )
            created += int(new)
    return Added(created, len(wanted) - created)


def _feeds_page(request: Request, status: int = 200, message: str = "", problem: str = "") -> Response:
    store: Store = request.app.state.store
    with store.read() as conn:
        feeds = feed_rows.list_feeds(conn)
        errors = error_rows.list_errors(conn, limit=ERRORS_SHOWN)
    return render(
        request,
        "feeds.html",
        status,
        feeds=feeds,
        errors=errors,
        message=message,
        problem=problem,
        writable=bool(request.app.state.settings.api_token),
    )


@router.get("/feeds")
def feeds_page(request: Request, added: int | None = None, existing: int | None = None) -> Response:
    """Subscribed feeds with their polling state and the latest fetch errors."""
    message = f"{added} feed(s) added, {existing or 0} already subscribed." if added is not None else ""
    return _feeds_page(request, message=message)


@router.post("/feeds")
async def add_feeds(request: Request) -> Response:
    """The add-feed form: a URL and/or OPML text, with the API token."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return _feeds_page(request, 413, problem="form too large")
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
    settings: Settings = request.app.state.settings
    try:
        check_token(settings, form.get("token"))
        added = subscribe(
            request.app.state.store,
            settings,
            form.get("url", ""),
            form.get("opml", ""),
            form.get("category") or None,
        )
    except TidingsError as exc:
        return _feeds_page(request, exc.status, problem=exc.message)
    return RedirectResponse(f"/feeds?added={added.created}&existing={added.existing}", status_code=303)
