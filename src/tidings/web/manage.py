"""Writes from the web: the feeds page (subscriptions, fetch errors, a form to add a feed or an OPML list)
and the correction form on an event's page (split, move, merge), each with the API token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from tidings.errors import InputError, TidingsError
from tidings.settings import Settings
from tidings.sources import parse_opml
from tidings.store import MAX_ID, Store, browse
from tidings.store import errors as error_rows
from tidings.store import events as event_rows
from tidings.store import feeds as feed_rows
from tidings.web import Work
from tidings.web.pages import ID, event_view, render

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


def apply_correction(request: Request, kind: str, **payload: Any) -> int | None:
    """A user's correction (split, move, merge) through the pipeline the app shares with the scheduler;
    the new event's id for a split."""
    work: Work = request.app.state.work
    with work.lock:
        try:
            return work.pipeline.events.correct(kind, **payload)
        except (KeyError, ValueError) as exc:
            raise InputError(f"cannot {kind}: {exc}") from exc


def _an_id(value: str, what: str) -> int:
    if not value.strip().isdigit() or not 1 <= int(value) <= MAX_ID:
        raise InputError(f"{what} must be an id number, not {value[:40]!r}")
    return int(value)


def _apply_form(request: Request, event_id: int, form: dict[str, list[str]]) -> str:
    """Apply the correction form of an event's page; the page to show next (the event the articles are
    in now)."""
    action = next(iter(form.get("action", [])), "")
    articles = [_an_id(a, "an article") for a in form.get("article", [])]
    target = next(iter(form.get("target", [])), "").strip()
    other = _an_id(target, "the other event") if target else None
    with request.app.state.store.read() as conn:
        if other is not None:
            browse.event(conn, other)  # NotFound: no such event
        stray = [a for a in articles if event_rows.event_of(conn, a) != event_id]
    if action in ("split", "move") and not articles:
        raise InputError("tick the articles to correct in the table first")
    if stray:
        raise InputError(f"article {stray[0]} is not in this event")
    if action == "split":
        new = apply_correction(request, "split", event=event_id, articles=[str(a) for a in articles])
        return f"/events/{new}?corrected=split"
    if action not in ("move", "merge"):
        raise InputError(f"unknown correction {action[:20]!r}: split, move or merge")
    if other is None:
        raise InputError(f"give the other event's number to {action}")
    if other == event_id:
        raise InputError(f"the other event is this one: nothing to {action}")
    if action == "move":
        apply_correction(request, "move", articles=[str(a) for a in articles], event=other)
        return f"/events/{other}?corrected=move"
    apply_correction(request, "merge", into=event_id, other=other)
    return f"/events/{event_id}?corrected=merge"


@router.post("/events/{event_id}/correct")
async def correct_event(request: Request, event_id: Annotated[int, ID]) -> Response:
    """The correction form of an event's page: split ticked articles out, move them to another event, or
    merge another event into this one. Kept as corrections, which later clustering respects."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return event_view(request, event_id, 413, problem="form too large")
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    with request.app.state.store.read() as conn:
        browse.event(conn, event_id)  # NotFound: the 404 page, not this event's page with a problem
    try:
        check_token(request.app.state.settings, next(iter(form.get("token", [])), None))
        to = _apply_form(request, event_id, form)
    except TidingsError as exc:
        return event_view(request, event_id, exc.status, problem=exc.message)
    return RedirectResponse(to, status_code=303)
