"""JSON API under /api/v1: reads are open, writes need `Authorization: Bearer <api_token>`.

Lists page by cursor: pass a response's `next_cursor` back as `cursor`; `null` means the last page.
Errors are `{"error": <type>, "message": <text>}` with the HTTP status.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tidings.errors import InputError
from tidings.models import RawDocument, Stored
from tidings.settings import Settings
from tidings.store import MAX_ID, Store, browse
from tidings.store import articles as article_rows
from tidings.store import events as event_rows
from tidings.store import feeds as feed_rows
from tidings.store import translations as translation_rows
from tidings.web import Work
from tidings.web.manage import apply_correction, check_token, subscribe

MAX_LIMIT = 200
MAX_DOCUMENT_CHARS = 2_000_000


class ErrorOut(BaseModel):
    """An error: its type and a message to act on."""

    error: str
    message: str


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut, "description": d}
    for s, d in (
        (400, "Bad request"),
        (401, "Missing or wrong API token"),
        (404, "Not found"),
        (422, "Invalid parameters or body"),
    )
}
router = APIRouter(prefix="/api/v1", responses=ERRORS)
ID = Path(ge=1, le=MAX_ID)
NO_NUL = r"^[^\x00]*$"  # no stored text holds one, and PostgreSQL cannot compare with one
Cursor = Annotated[int | None, Query(ge=0, le=MAX_ID, description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Day = Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")]
OptDay = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def authorised(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """The bearer-token check of every write endpoint."""
    settings: Settings = request.app.state.settings
    scheme, _, token = (authorization or "").partition(" ")
    check_token(settings, token.strip() if scheme.lower() == "bearer" else None)


Auth = [Depends(authorised)]


def page(
    rows: list[dict[str, Any]], limit: int, cursor: int | None = None, *, offset: bool = False
) -> dict[str, Any]:
    """A list response with the cursor of the next page."""
    more = len(rows) == limit
    nxt = ((cursor or 0) + limit if offset else int(rows[-1]["id"])) if more else None
    return {"items": rows, "next_cursor": nxt}


@router.get("/articles", summary="Articles, newest first")
def list_articles(
    request: Request,
    limit: Limit = 50,
    cursor: Cursor = None,
    language: str | None = None,
    source: str | None = None,
    category: str | None = None,
    day: OptDay = None,
) -> dict[str, Any]:
    """Articles newest first, filtered by original language, source, category or day."""
    f = browse.SearchFilters(language=language, source=source, category=category)
    with _store(request).read() as conn:
        rows = browse.articles_page(conn, f, day=day, limit=limit, cursor=cursor or None)
    return page(rows, limit)


@router.get("/articles/{article_id}", summary="One article with its English rendering")
def get_article(request: Request, article_id: Annotated[int, ID]) -> dict[str, Any]:
    """An article, its translation sentence by sentence (engine named) and its event."""
    with _store(request).read() as conn:
        a = article_rows.get(conn, article_id)
        t = translation_rows.get(conn, article_id)
        a["event_id"] = event_rows.event_of(conn, article_id)
    if t:
        keys = ("kind", "engine", "engine_version", "source_lang", "title", "body", "numbers_flagged")
        a["translation"] = {k: t[k] for k in keys}
        a["translation"]["sentences"] = [
            {
                **{k: s[k] for k in ("position", "paragraph", "source", "text", "engine", "quality")},
                # an evidence sentence's cosine and source; beside a gloss, another source's English
                "score": s["score"],
                "origin": s["origin"],
                "evidence": {
                    "text": s["evidence"],
                    "score": s["evidence_score"],
                    "origin": s["evidence_origin"],
                }
                if s["evidence"]
                else None,
            }
            for s in t["sentences"]
        ]
    else:
        a["translation"] = None
    return a


@router.get("/events", summary="Events, newest first")
def list_events(request: Request, limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    """Events (without their briefs), newest first."""
    with _store(request).read() as conn:
        return page(browse.events_page(conn, limit=limit, cursor=cursor or None), limit)


@router.get("/events/{event_id}", summary="One event with its brief and members")
def get_event(request: Request, event_id: Annotated[int, ID]) -> dict[str, Any]:
    """An event, its brief (docs/brief-schema.md) and its members with score and shared features."""
    with _store(request).read() as conn:
        ev = browse.event(conn, event_id)
        ev["members"] = browse.event_members(conn, event_id, limit=1000)
    return ev


@router.get("/search", summary="Full-text search")
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Limit = 20,
    cursor: Cursor = None,
    language: str | None = None,
    source: str | None = None,
    country: str | None = None,
    date_from: OptDay = None,
    date_to: OptDay = None,
    category: str | None = None,
    sort: Literal["newest", "published", "relevance"] = "newest",
) -> dict[str, Any]:
    """Articles with every word of `q`: latest added first (`newest`; cursor: last id), newest published
    first (`published`: by publication date, undated last) or by relevance (cursor for these two: an
    offset)."""
    f = browse.SearchFilters(language, source, country, date_from, date_to, category)
    with _store(request).read() as conn:
        rows = browse.search(conn, q, f, limit=limit, cursor=cursor, sort=sort)
    return page(rows, limit, cursor, offset=sort != "newest")


@router.get("/sources", summary="Outlets with article counts")
def sources(request: Request) -> dict[str, Any]:
    """Every outlet with its country, language and article count."""
    with _store(request).read() as conn:
        return {"items": browse.source_list(conn)}


@router.get("/categories", summary="Sections with article counts")
def categories(request: Request) -> dict[str, Any]:
    """Every section with its article count."""
    with _store(request).read() as conn:
        return {"items": browse.categories(conn)}


@router.get("/days/{day}", summary="The archive of one day")
def day_archive(request: Request, day: Day, limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    """A day's events and articles (paged), with the neighbouring days that have articles."""
    with _store(request).read() as conn:
        rows = browse.articles_page(conn, day=day, limit=limit, cursor=cursor or None)
        before, after = browse.neighbour_days(conn, day)
        events = browse.day_events(conn, day)
    return {"day": day, "events": events, "previous_day": before, "next_day": after, **page(rows, limit)}


@router.get("/trends", summary="Events growing fastest in 24 hours")
def trends(request: Request, limit: Limit = 20) -> dict[str, Any]:
    """Events by articles added in the last 24 h minus the 24 h before."""
    with _store(request).read() as conn:
        return {"items": browse.trends(conn, limit=limit)}


@router.get("/feeds", summary="Subscribed feeds")
def feeds(request: Request) -> dict[str, Any]:
    """Subscriptions with their polling state and last error."""
    with _store(request).read() as conn:
        return {"items": feed_rows.list_feeds(conn)}


class FeedIn(BaseModel):
    """A subscription: a feed URL, or an OPML document listing several."""

    url: str = Field("", max_length=2000, pattern=NO_NUL)
    opml: str = Field("", max_length=1_000_000, pattern=NO_NUL)
    category: str | None = Field(None, max_length=200, pattern=NO_NUL)


@router.post("/feeds", status_code=201, dependencies=Auth, summary="Subscribe to feeds")
def add_feed(request: Request, body: FeedIn) -> dict[str, Any]:
    """Subscribe to a feed URL and/or every feed of an OPML document."""
    added = subscribe(_store(request), request.app.state.settings, body.url, body.opml, body.category)
    return {"created": added.created, "existing": added.existing}


class DocumentIn(BaseModel):
    """A document to ingest: a page's HTML or plain text, with its URL if known."""

    content: str = Field(..., min_length=1, max_length=MAX_DOCUMENT_CHARS)
    kind: Literal["html", "text"] = "html"
    url: str | None = Field(None, max_length=2000, pattern=NO_NUL)


@router.post("/documents", status_code=201, dependencies=Auth, summary="Ingest one document")
def ingest_document(request: Request, body: DocumentIn) -> JSONResponse:
    """Run one document through the whole pipeline (extract, translate, cluster, brief)."""
    work: Work = request.app.state.work
    locator = body.url or f"api:{datetime.now(UTC).isoformat()}"
    raw = RawDocument(
        locator, body.content.encode("utf-8"), body.kind, url=body.url, fetched_at=datetime.now(UTC)
    )
    with work.lock:
        report = work.pipeline.ingest_items([raw])
    outcome = report.outcomes[0]
    if isinstance(outcome, Stored):
        return JSONResponse({"outcome": "stored", "article_id": outcome.article_id}, status_code=201)
    reason = getattr(outcome, "reason", None)
    if reason is not None:
        return JSONResponse({"outcome": reason, "article_id": getattr(outcome, "article_id", None)}, 200)
    raise InputError(getattr(outcome, "message", "could not ingest"))


class SplitIn(BaseModel):
    """Articles to take out of an event into a new one."""

    articles: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(..., min_length=1, max_length=1000)


class MergeIn(BaseModel):
    """The event to fold into this one."""

    other: int = Field(..., ge=1, le=MAX_ID)


class MoveIn(BaseModel):
    """The event an article belongs in."""

    event: int = Field(..., ge=1, le=MAX_ID)


def _check_event(request: Request, *ids: int) -> None:
    with _store(request).read() as conn:
        for event_id in ids:
            browse.event(conn, event_id)  # NotFound → 404


@router.post("/events/{event_id}/split", dependencies=Auth, summary="Split articles out of an event")
def split(request: Request, event_id: Annotated[int, ID], body: SplitIn) -> dict[str, Any]:
    """Move the given articles of an event into a new event; the correction is kept."""
    _check_event(request, event_id)
    new = apply_correction(request, "split", event=event_id, articles=[str(a) for a in body.articles])
    return {"event_id": event_id, "new_event_id": new}


@router.post("/events/{event_id}/merge", dependencies=Auth, summary="Merge another event into this one")
def merge(request: Request, event_id: Annotated[int, ID], body: MergeIn) -> dict[str, Any]:
    """Fold `other` into this event; the correction is kept."""
    _check_event(request, event_id, body.other)
    apply_correction(request, "merge", into=event_id, other=body.other)
    return {"event_id": event_id}


@router.post("/articles/{article_id}/move", dependencies=Auth, summary="Move an article to another event")
def move(request: Request, article_id: Annotated[int, ID], body: MoveIn) -> dict[str, Any]:
    """Put an article in the given event; the correction is kept."""
    _check_event(request, body.event)
    with _store(request).read() as conn:
        article_rows.get(conn, article_id)
    apply_correction(request, "move", article=str(article_id), event=body.event)
    return {"article_id": article_id, "event_id": body.event}
