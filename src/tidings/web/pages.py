"""Server-rendered pages: front page, events, articles, day archive, trends, search, sources, categories."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from tidings.errors import NotFound
from tidings.store import MAX_ID, Store, browse
from tidings.store import articles as article_rows
from tidings.store import events as event_rows
from tidings.store import translations as translation_rows
from tidings.web import present

router = APIRouter(include_in_schema=False)
DAY = r"^\d{4}-\d{2}-\d{2}$"
ID = Path(ge=1, le=MAX_ID)
PAGE = 50  # articles per listing page
# How long listings every visitor sees alike are shared between requests (seconds): the front page is at
# most this late after a feed poll; filter choices, sources and sections change rarely.
FRONT_TTL_S, TRENDS_TTL_S, LISTS_TTL_S = 5.0, 30.0, 300.0
MEMBERS_SHOWN = 200  # members listed on an event page; larger events link to the API for the rest
# Brief parts shown in full on an event page; the rest is one click away in the event's JSON. Single-source
# claims and quotes are the long tail (the seeds' brief has 41 single-source groups).
SINGLE_SHOWN, QUOTES_SHOWN, TIMELINE_SHOWN = 12, 12, 40


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A template rendered with the request."""
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)  # type: ignore[no-any-return]


def filter_choices(conn: Connection) -> dict[str, list[str]]:
    """The search form's filter values (they scan every article: shared via the memo)."""
    return {
        "languages": browse.languages(conn),
        "sources": browse.source_names(conn),
        "countries": browse.countries(conn),
        "categories": [c["name"] for c in browse.categories(conn)],
    }


def _related(request: Request, event_id: int, headline: str) -> list[dict[str, Any]]:
    """Related events, shared between requests for a while (they change only as new events arrive)."""
    read = partial(browse.related_events, event_id=event_id, headline=headline)
    return request.app.state.memo.get(f"related:{event_id}", LISTS_TTL_S, read)  # type: ignore[no-any-return]


def _next(rows: list[dict[str, Any]], limit: int) -> int | None:
    return int(rows[-1]["id"]) if len(rows) == limit else None


@router.get("/")
def front(request: Request) -> Response:
    """Current events ranked by recency and breadth, and the latest articles."""
    memo = request.app.state.memo
    events = memo.get("front", FRONT_TTL_S, lambda conn: browse.front_events(conn, limit=30))
    latest = memo.get("latest", FRONT_TTL_S, lambda conn: browse.articles_page(conn, limit=20))
    return render(request, "front.html", events=events, latest=latest)


# What the event page says after a correction from its form (tidings.web.manage), by kind.
CORRECTED = {
    "split": "The ticked articles now form this new event.",
    "move": "The ticked articles were moved to this event.",
    "merge": "The other event was merged into this one.",
}


@router.get("/events/{event_id}")
def event_page(
    request: Request,
    event_id: Annotated[int, ID],
    corrected: Annotated[str | None, Query(pattern=f"^({'|'.join(CORRECTED)})$")] = None,
) -> Response:
    """An event's brief, coverage and member articles with why each was grouped."""
    return event_view(request, event_id, message=CORRECTED.get(corrected or "", ""))


def event_view(
    request: Request, event_id: int, status: int = 200, *, message: str = "", problem: str = ""
) -> Response:
    """The event page, with a line saying what a correction did (`message`) or why it was refused."""
    with _store(request).read() as conn:
        ev = browse.event(conn, event_id)
        members = browse.event_members(conn, event_id, limit=MEMBERS_SHOWN)
    related = _related(request, event_id, str(ev["headline"]))
    brief = ev.get("brief") or {}
    shared, single, predicted = present.claim_views(brief)
    coverage = brief.get("coverage") or {}
    by_language, lang_h = present.coverage_bars(coverage.get("by_language") or [], "language")
    by_country, country_h = present.coverage_bars(coverage.get("by_country") or [], "country")
    titles = {int(m["id"]): m.get("title_en") or m["title"] for m in members}
    return render(
        request,
        "event.html",
        status,
        ev=ev,
        brief=brief,
        shared=shared,
        single=single[:SINGLE_SHOWN],
        single_total=len(single),
        quotes=(brief.get("quotes") or [])[:QUOTES_SHOWN],
        quotes_total=len(brief.get("quotes") or []),
        timeline=(brief.get("timeline") or [])[:TIMELINE_SHOWN],
        predicted=predicted,
        coverage=coverage,
        by_language=by_language,
        lang_h=lang_h,
        by_country=by_country,
        country_h=country_h,
        geo=present,
        members=members,
        titles=titles,
        related=related,
        writable=bool(request.app.state.settings.api_token),
        message=message,
        problem=problem,
    )


@router.get("/articles/{article_id}")
def article_page(request: Request, article_id: Annotated[int, ID]) -> Response:
    """An article: English beside the original sentence by sentence, its source, and similar news."""
    with _store(request).read() as conn:
        a = article_rows.get(conn, article_id)
        translation = translation_rows.get(conn, article_id)
        event_id = event_rows.event_of(conn, article_id)
        same: list[dict[str, Any]] = []
        related: list[dict[str, Any]] = []
        ev = None
        if event_id is not None:
            ev = browse.event_head(conn, event_id)
            same = [m for m in browse.event_members(conn, event_id, limit=21) if m["id"] != article_id][:20]
    if ev is not None:
        related = _related(request, int(ev["id"]), str(ev["headline"]))
    return render(
        request,
        "article.html",
        a=a,
        t=translation,
        pairs=present.sentence_rows(translation),
        kind_label=present.kind_label(translation.get("kind") if translation else None),
        ev=ev,
        same=same,
        related=related,
    )


@router.get("/day")
def today(request: Request) -> Response:
    """The newest day with articles."""
    with _store(request).read() as conn:
        day = browse.latest_day(conn)
    if day is None:
        raise NotFound("no articles yet")
    return RedirectResponse(f"/day/{day}", status_code=303)


@router.get("/day/{day}")
def day_page(
    request: Request,
    day: Annotated[str, Path(pattern=DAY)],
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """All news articles on one day, and the events they belong to."""
    with _store(request).read() as conn:
        events = browse.day_events(conn, day) if cursor is None else []
        rows = browse.articles_page(conn, day=day, limit=PAGE, cursor=cursor)
        before, after = browse.neighbour_days(conn, day)
    return render(
        request,
        "day.html",
        day=day,
        events=events,
        articles=rows,
        next_cursor=_next(rows, PAGE),
        before=before,
        after=after,
    )


@router.get("/trends")
def trends_page(request: Request) -> Response:
    """Events growing fastest in the last 24 hours."""
    rows = request.app.state.memo.get("trends", TRENDS_TTL_S, browse.trends)
    return render(request, "trends.html", events=rows)


@router.get("/search")
def search_page(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    language: str = "",
    source: str = "",
    country: str = "",
    date_from: Annotated[str, Query(alias="from", pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = "",
    date_to: Annotated[str, Query(alias="to", pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = "",
    category: str = "",
    sort: Annotated[str, Query(pattern=f"^({'|'.join(browse.SORTS)})$")] = "newest",
    cursor: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """Full-text search with filters; latest added first (by id) unless sorted by publication date or by
    relevance."""
    filters = browse.SearchFilters(
        language or None,
        source or None,
        country or None,
        date_from or None,
        date_to or None,
        category or None,
    )
    with _store(request).read() as conn:
        rows = browse.search(conn, q, filters, limit=PAGE, cursor=cursor, sort=sort) if q else []
    choices = request.app.state.memo.get("choices", LISTS_TTL_S, filter_choices)
    more = None
    if len(rows) == PAGE:  # an offset, except in the order the indexes walk (by id)
        more = (cursor or 0) + PAGE if sort != "newest" else int(rows[-1]["id"])
    params = {k: v for k, v in request.query_params.items() if k != "cursor"}
    return render(
        request,
        "search.html",
        q=q,
        f=filters,
        sort=sort,
        results=rows,
        choices=choices,
        more=more,
        params=params,
    )


@router.get("/sources")
def sources_page(request: Request) -> Response:
    """Outlets with their country, language and article counts."""
    rows = request.app.state.memo.get("sources", LISTS_TTL_S, browse.source_list)
    return render(request, "sources.html", sources=rows)


@router.get("/categories")
def categories_page(request: Request) -> Response:
    """Sections with their article counts."""
    rows = request.app.state.memo.get("categories", LISTS_TTL_S, browse.categories)
    return render(request, "categories.html", categories=rows)


@router.get("/categories/{name:path}")
def category_page(
    request: Request, name: str, cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> Response:
    """The newest articles of one section."""
    with _store(request).read() as conn:
        rows = browse.articles_page(conn, browse.SearchFilters(category=name), limit=PAGE, cursor=cursor)
    if not rows and cursor is None:
        raise NotFound(f"no articles in category {name}")
    return render(request, "category.html", name=name, articles=rows, next_cursor=_next(rows, PAGE))
