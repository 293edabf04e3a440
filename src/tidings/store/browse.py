"""Read queries behind the web pages, the JSON API and the outgoing feeds."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    column,
    func,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.sql.expression import FromClause, Subquery, TableClause

from tidings.errors import NotFound
from tidings.store.schema import articles, events, memberships, sources, translations
from tidings.store.translations import ENGLISH_TITLE

# Events considered for the front page: the newest by last activity. Ranking more would only reorder
# events days old, which the recency decay pushes off the page anyway.
FRONT_CANDIDATES = 400
# Recency half-life of the front-page rank, in hours: a day-old event with twice the independent sources
# ties with a fresh one, the trade-off of the "Trends 24h" boxes on the seed pages.
FRONT_HALF_LIFE_H = 24.0
# Articles of the newest matches scanned to find related events (FTS over titles, newest first).
RELATED_SCAN = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
# Headline words too common in news to relate two events.
_STOP = frozenset(
    [
        "about",
        "after",
        "again",
        "against",
        "also",
        "amid",
        "among",
        "been",
        "before",
        "being",
        "between",
        "could",
        "from",
        "have",
        "into",
        "more",
        "most",
        "over",
        "said",
        "says",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "under",
        "until",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "would",
        "your",
        "news",
    ]
)

_LIST_COLUMNS = (
    articles.c.id,
    articles.c.title,
    articles.c.url,
    articles.c.byline,
    articles.c.published,
    articles.c.published_day,
    articles.c.source,
    articles.c.section,
    articles.c.language,
    articles.c.original_language,
    ENGLISH_TITLE,
    translations.c.kind.label("translation_kind"),
    memberships.c.event_id,
)


@dataclass(frozen=True)
class SearchFilters:
    """What a search may be narrowed by; None means any."""

    language: str | None = None
    source: str | None = None
    country: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None
    category: str | None = None

    def active(self) -> bool:
        """True when any filter is set."""
        return any(
            v for v in (self.language, self.source, self.country, self.date_from, self.date_to, self.category)
        )


# The FTS5 indexes (SQLite): external content over articles (rowid = articles.id), and over the English
# renderings (v8: translations and glosses; rowid = their article's id).
_fts = table("articles_fts", column("rowid"), column("rank"))
_translations_fts = table("translations_fts", column("rowid"), column("rank"))


def _listing(query: Select[Any], *, page: Subquery | None = None) -> Select[Any]:
    """Join what every article listing shows: its English title and its event (driven by a page of ids, if
    given)."""
    base: FromClause = articles if page is None else page.join(articles, articles.c.id == page.c.id)
    return query.select_from(
        base.outerjoin(translations, translations.c.article_id == articles.c.id).outerjoin(
            memberships, memberships.c.article_id == articles.c.id
        )
    )


def _filtered(query: Select[Any], f: SearchFilters) -> Select[Any]:
    # named parameters, so that a statement built once per shape serves every search (`_search_statement`)
    if f.language:
        query = query.where(articles.c.original_language == bindparam("f_language", f.language))
    if f.source:
        query = query.where(articles.c.source == bindparam("f_source", f.source))
    if f.country:
        outlet = select(sources.c.id).where(sources.c.country == bindparam("f_country", f.country.upper()))
        query = query.where(articles.c.source_id.in_(outlet))
    if f.date_from:
        query = query.where(articles.c.published_day >= bindparam("f_date_from", f.date_from))
    if f.date_to:
        query = query.where(articles.c.published_day <= bindparam("f_date_to", f.date_to))
    if f.category:
        query = query.where(articles.c.section == bindparam("f_category", f.category))
    return query


def _filter_params(f: SearchFilters) -> dict[str, str]:
    """The values of the filters set, by the parameter names `_filtered` gives them."""
    values = {
        "f_language": f.language,
        "f_source": f.source,
        "f_country": f.country.upper() if f.country else None,
        "f_date_from": f.date_from,
        "f_date_to": f.date_to,
        "f_category": f.category,
    }
    return {k: v for k, v in values.items() if v}


def fts_query(words: str) -> str:
    """A user's words as an FTS5 query: every word must occur (quoted, so no operator injection)."""
    words = _CONTROL.sub(" ", words.replace('"', " "))  # FTS5 reads NUL as the end of the query
    return " ".join(f'"{t}"' for t in words.split())


# Search orders: latest added first (by id; cursor: the last id seen), newest published first (publication
# date, undated last) and best match first (cursor for these two: an offset). Added order is what the
# indexes walk, so it stops early; the other two sort every match.
SORTS = ("newest", "published", "relevance")


def search(
    conn: Connection,
    q: str,
    filters: SearchFilters = SearchFilters(),
    *,
    limit: int = 20,
    cursor: int | None = None,
    sort: str = "newest",
) -> list[dict[str, Any]]:
    """Articles matching every word, in one of the `SORTS`."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    terms = fts_query(q)
    if not terms:
        return []
    query = _search_statement(conn.dialect.name, _shape(filters), sort, cursor is not None)
    params = _search_params(conn.dialect.name, q, filters, limit=limit, cursor=cursor, sort=sort)
    with _through_indexes(conn):
        return [dict(r._mapping) for r in conn.execute(query, params)]


@contextmanager
def _through_indexes(conn: Connection) -> Iterator[None]:
    """PostgreSQL: no sequential scan for the statements inside. For a word in a tenth of the articles the
    planner read the whole table, unpacking each stored vector, rather than the word's matches through the
    index (bench web, 100,000 articles, "police": 165 ms against 18)."""
    if conn.dialect.name != "postgresql":
        yield
        return
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    # nor parallel workers: starting one cost ~5 ms of a 15 ms search, CPU the server and the other
    # searches need (bench web, 100,000 articles, the English renderings' arm of "Putin")
    conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
    try:
        yield
    finally:
        conn.exec_driver_sql("SET LOCAL enable_seqscan TO DEFAULT")
        conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")


def _shape(f: SearchFilters) -> SearchFilters:
    """The filters set, each with a stand-in value: what a search's statement depends on."""
    return SearchFilters(*("x" if v else None for v in astuple(f)))


def _search_params(
    dialect: str, q: str, f: SearchFilters, *, limit: int, cursor: int | None, sort: str
) -> dict[str, Any]:
    """A search's values for `_search_statement`'s parameters."""
    offset = (cursor or 0) if sort != "newest" else 0
    words = fts_query(q) if dialect == "sqlite" else _CONTROL.sub(" ", q)  # PostgreSQL refuses NUL in text
    return {"q": words, "n": limit, "arm_n": limit + offset, "skip": offset, "cursor": cursor or 0,
            **_filter_params(f)}  # fmt: skip


@lru_cache(maxsize=256)
def _search_statement(dialect: str, shape: SearchFilters, sort: str, paged: bool) -> Select[Any]:
    """The search statement for one shape (dialect, filters set, order, cursor or not), built once: building
    it cost more than running it (~0.8 ms against ~0.7 on SQLite, bench web's store). The page's ids come
    first, from the originals' index and the English renderings' (v8), then what the listing shows for
    those. PostgreSQL had joined every match to its translation and event before the sort (bench web,
    100,000 articles, a word in 11,000: 28 ms on one core, or 9 ms on three with parallel workers; ids
    first 4.5)."""
    sqlite = dialect == "sqlite"
    page_of = partial(_top, paged=paged, sort=sort)
    if sqlite:
        arms = [page_of(*_sqlite_hits(index, shape, sort)) for index in (_fts, _translations_fts)]
    else:
        tsq = func.plainto_tsquery("simple", bindparam("q", type_=String))
        arms = [page_of(*_pg_hits(source, tsq, shape, sort)) for source in (articles, translations)]
    both = union_all(*(select(arm.subquery()) for arm in arms)).subquery("both")
    # an article matched by both indexes is listed once, with its better rank: FTS5's rank (bm25) is best
    # when lowest, PostgreSQL's ts_rank when highest; a date is the article's own in both
    lowest_best = sqlite and sort == "relevance"
    rank = (func.min(both.c.rank) if lowest_best else func.max(both.c.rank)).label("rank")
    page_query = select(both.c.id, rank).group_by(both.c.id).limit(bindparam("n", type_=Integer))
    if sort == "newest":
        page = page_query.order_by(both.c.id.desc()).subquery("hits")
        return _listing(select(*_LIST_COLUMNS), page=page).order_by(articles.c.id.desc())
    best = rank if lowest_best else rank.desc().nulls_last()
    page_query = page_query.order_by(best, both.c.id.desc())
    page = page_query.offset(bindparam("skip", type_=Integer)).subquery("hits")  # ties broken by id
    page_best = page.c.rank if lowest_best else page.c.rank.desc().nulls_last()
    return _listing(select(*_LIST_COLUMNS), page=page).order_by(page_best, articles.c.id.desc())


def _sqlite_hits(fts: TableClause, f: SearchFilters, sort: str) -> tuple[Select[Any], Any, Any, Any]:
    """One FTS5 index's matches, filtered, as (id, rank), with its id and newest- and best-first orders:
    FTS5 walks its matches in rowid order, so newest first stops early."""
    dated = sort == "published"
    rank: Any = (
        fts.c.rank if sort == "relevance" else articles.c.published_utc if dated else literal_column("0")
    )
    hits: Select[Any] = select(fts.c.rowid.label("id"), rank.label("rank")).select_from(fts)
    if f.active() or dated:  # the filters and the date read the article's columns
        hits = hits.select_from(fts.join(articles, articles.c.id == fts.c.rowid))
    hits = _filtered(hits.where(literal_column(fts.name).op("MATCH")(text(":q"))), f)
    return hits, fts.c.rowid, fts.c.rowid.desc(), rank.desc().nulls_last() if dated else rank


def _pg_hits(source: Table, tsq: Any, f: SearchFilters, sort: str) -> tuple[Select[Any], Any, Any, Any]:
    """One stored vector's matches (the article's, or its English rendering's), filtered, as (id, rank),
    with its id and newest- and best-first orders."""
    dated = sort == "published"
    tsv: Any = literal_column(f"{source.name}.fts")  # stored: to_tsvector of title and body (v6, v8)
    ident = articles.c.id if source is articles else translations.c.article_id
    rank: Any = (
        func.ts_rank(tsv, tsq) if sort == "relevance" else articles.c.published_utc if dated
        else literal_column("0")
    )  # fmt: skip
    hits: Select[Any] = select(ident.label("id"), rank.label("rank")).where(tsv.op("@@")(tsq))
    if source is translations and (f.active() or dated):  # the filters and the date read the article's
        hits = hits.select_from(translations.join(articles, articles.c.id == translations.c.article_id))
    # Newest first by `id + 0`, which no index yields: the matches come from the GIN index and are sorted.
    # Ordered by `id`, the planner walked the primary key newest first testing each article, for a rare
    # word the whole table (bench web, 100,000 articles: 14 s before v6, 0.3 s after; this way 0.05 ms).
    return _filtered(hits, f), ident, (ident + literal_column("0")).desc(), rank.desc().nulls_last()


def _top(hits: Select[Any], ident: Any, newest: Any, best: Any, *, paged: bool, sort: str) -> Select[Any]:
    """An index's share of a page: its best `limit` past the page's offset, or its newest `limit` before
    the cursor."""
    if sort != "newest":  # ties broken by id, as the page breaks them, or pages overlap
        return hits.order_by(best, newest).limit(bindparam("arm_n", type_=Integer))
    hits = hits.order_by(newest).limit(bindparam("n", type_=Integer))
    return hits.where(ident < bindparam("cursor", type_=Integer)) if paged else hits


def articles_page(
    conn: Connection,
    filters: SearchFilters = SearchFilters(),
    *,
    day: str | None = None,
    limit: int = 50,
    cursor: int | None = None,
) -> list[dict[str, Any]]:
    """Articles newest first (by id), filtered; `cursor` is the last id seen."""
    query = _filtered(_listing(select(*_LIST_COLUMNS)), filters)
    if day:
        query = query.where(articles.c.published_day == day)
    if cursor is not None:
        query = query.where(articles.c.id < cursor)
    return [dict(r._mapping) for r in conn.execute(query.order_by(articles.c.id.desc()).limit(limit))]


def _event_columns() -> list[Any]:
    lead = events.c.brief[("summary", 0, "text")].as_string().label("lead")
    return [*[c for c in events.c if c.name != "brief"], lead]


def _aware(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def front_events(conn: Connection, *, limit: int = 30, now: datetime | None = None) -> list[dict[str, Any]]:
    """Current events ranked by recency and breadth (independent sources, languages)."""
    candidates = conn.execute(
        select(events.c.id, events.c.last_seen, events.c.independent_count, events.c.languages)
        .order_by(events.c.last_seen.desc().nulls_last(), events.c.id.desc())
        .limit(FRONT_CANDIDATES)
    ).all()
    newest = max((t for r in candidates if (t := _aware(r.last_seen)) is not None), default=None)
    # The store's own newest moment, so an archive (or the sample) still has a front page.
    ref = min(now or datetime.now(UTC), newest) if newest else now or datetime.now(UTC)
    rank: dict[int, float] = {}
    for r in candidates:
        seen = _aware(r.last_seen)
        age_h = max(0.0, (ref - seen).total_seconds() / 3600) if seen else 24 * 365.0
        breadth = int(r.independent_count) + 0.5 * len(r.languages or [])
        # log2(breadth × 0.5^(age / half-life)): the same order without underflow for old events.
        rank[int(r.id)] = math.log2(max(breadth, 0.5)) - age_h / FRONT_HALF_LIFE_H
    top = sorted(rank, key=lambda i: (-rank[i], -i))[:limit]
    rows = {
        int(r.id): dict(r._mapping)
        for r in conn.execute(select(*_event_columns()).where(events.c.id.in_(top)))
    }
    return [{**rows[i], "rank": round(rank[i], 4)} for i in top if i in rows]


def events_page(conn: Connection, *, limit: int = 50, cursor: int | None = None) -> list[dict[str, Any]]:
    """Events, newest created first (by id); `cursor` is the last id seen."""
    query = select(*_event_columns()).order_by(events.c.id.desc()).limit(limit)
    if cursor is not None:
        query = query.where(events.c.id < cursor)
    return [dict(r._mapping) for r in conn.execute(query)]


def event(conn: Connection, event_id: int) -> dict[str, Any]:
    """One event with its brief."""
    row = conn.execute(select(events).where(events.c.id == event_id)).first()
    if row is None:
        raise NotFound(f"no event {event_id}")
    return dict(row._mapping)


def event_head(conn: Connection, event_id: int) -> dict[str, Any]:
    """One event's attributes without its brief (cheap: no JSON to parse)."""
    row = conn.execute(
        select(*[c for c in events.c if c.name != "brief"]).where(events.c.id == event_id)
    ).first()
    if row is None:
        raise NotFound(f"no event {event_id}")
    return dict(row._mapping)


def day_events(conn: Connection, day: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Events with articles published on a day, most articles that day first."""
    n = func.count(articles.c.id).label("that_day")
    per_event = (
        select(memberships.c.event_id, n)
        .select_from(memberships.join(articles, articles.c.id == memberships.c.article_id))
        .where(articles.c.published_day == day)
        .group_by(memberships.c.event_id)
        .subquery()
    )
    query = (
        select(*_event_columns(), per_event.c.that_day)
        .join(per_event, per_event.c.event_id == events.c.id)
        .order_by(per_event.c.that_day.desc(), events.c.id.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def neighbour_days(conn: Connection, day: str) -> tuple[str | None, str | None]:
    """The nearest earlier and later days that have articles."""
    before = conn.execute(select(func.max(articles.c.published_day)).where(articles.c.published_day < day))
    after = conn.execute(select(func.min(articles.c.published_day)).where(articles.c.published_day > day))
    return before.scalar_one_or_none(), after.scalar_one_or_none()


def latest_day(conn: Connection) -> str | None:
    """The newest day with articles."""
    return conn.execute(select(func.max(articles.c.published_day))).scalar_one_or_none()


def trends(
    conn: Connection, *, hours: float = 24.0, limit: int = 20, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Events growing fastest: articles in the `hours` before the newest one, minus the `hours` before."""
    newest = _aware(conn.execute(select(func.max(articles.c.published_utc))).scalar_one_or_none())
    if newest is None:
        return []
    ref = min(now or datetime.now(UTC), newest)
    start, prior = ref - timedelta(hours=hours), ref - timedelta(hours=2 * hours)
    recent = func.sum(case((articles.c.published_utc > start, 1), else_=0)).label("recent")
    before = func.sum(case((articles.c.published_utc <= start, 1), else_=0)).label("before")
    counts = (
        select(memberships.c.event_id, recent, before)
        .select_from(articles.join(memberships, memberships.c.article_id == articles.c.id))
        .where(and_(articles.c.published_utc > prior, articles.c.published_utc <= ref))
        .group_by(memberships.c.event_id)
        .subquery()
    )
    growth = (counts.c.recent - counts.c.before).label("growth")
    query = (
        select(*_event_columns(), counts.c.recent, counts.c.before, growth)
        .join(counts, counts.c.event_id == events.c.id)
        .where(counts.c.recent > 0)
        .order_by(growth.desc(), counts.c.recent.desc(), events.c.id.desc())
        .limit(limit)
    )
    return [{**dict(r._mapping), "window_end": ref} for r in conn.execute(query)]


def categories(conn: Connection) -> list[dict[str, Any]]:
    """Sections with their article counts, most articles first."""
    n = func.count().label("articles")
    rows = conn.execute(
        select(articles.c.section.label("name"), n)
        .where(articles.c.section.is_not(None), articles.c.section != "")
        .group_by(articles.c.section)
        .order_by(n.desc(), articles.c.section)
    )
    return [dict(r._mapping) for r in rows]


def source_list(conn: Connection) -> list[dict[str, Any]]:
    """Every outlet named by an article, with country, language and article count."""
    n = func.count(articles.c.id).label("articles")
    rows = conn.execute(
        select(
            articles.c.source.label("name"),
            func.max(sources.c.country).label("country"),
            func.coalesce(func.max(sources.c.language), func.max(articles.c.original_language)).label(
                "language"
            ),
            n,
            func.max(articles.c.published_day).label("latest"),
        )
        .select_from(articles.outerjoin(sources, sources.c.id == articles.c.source_id))
        .where(articles.c.source.is_not(None))
        .group_by(articles.c.source)
        .order_by(n.desc(), articles.c.source)
    )
    return [dict(r._mapping) for r in rows]


def source_names(conn: Connection) -> list[str]:
    """Outlet names for the search filter, alphabetically."""
    rows = conn.execute(select(articles.c.source).where(articles.c.source.is_not(None)).distinct())
    return sorted(str(r[0]) for r in rows)


def languages(conn: Connection) -> list[str]:
    """Original languages present, for the search filter."""
    col = articles.c.original_language
    return sorted(str(r[0]) for r in conn.execute(select(col).where(col.is_not(None)).distinct()))


def countries(conn: Connection) -> list[str]:
    """Outlet countries present, for the search filter."""
    col = sources.c.country
    return sorted(str(r[0]) for r in conn.execute(select(col).where(col.is_not(None)).distinct()))


def related_events(conn: Connection, event_id: int, headline: str, *, limit: int = 5) -> list[dict[str, Any]]:
    """Other events whose recent articles share headline words with this one, most shared first."""
    words = [w for w in dict.fromkeys(m.lower() for m in _WORD.findall(headline)) if w not in _STOP][:6]
    if not words:
        return []
    group = (
        "JOIN memberships m ON m.article_id = f.id WHERE m.event_id != :e "
        "GROUP BY m.event_id ORDER BY n DESC, m.event_id DESC LIMIT :n"
    )
    params: dict[str, Any] = {"scan": RELATED_SCAN, "e": event_id, "n": limit}
    if conn.dialect.name == "sqlite":
        newest = (
            "SELECT rowid AS id FROM articles_fts WHERE articles_fts MATCH :q ORDER BY rowid DESC LIMIT :scan"
        )
        params["q"] = "title : (" + " OR ".join(f'"{w}"' for w in words) + ")"
    else:  # titles by the v7 index; matches sorted newest first, as for search
        newest = (
            "SELECT id FROM articles WHERE to_tsvector('simple', title) @@ "
            "websearch_to_tsquery('simple', :q) ORDER BY id + 0 DESC LIMIT :scan"
        )
        params["q"] = " OR ".join(words)
    with _through_indexes(conn):
        hits = conn.execute(text(f"SELECT m.event_id, count(*) AS n FROM ({newest}) f {group}"), params).all()
    if not hits:
        return []
    order = {int(h.event_id): i for i, h in enumerate(hits)}
    rows = conn.execute(select(*_event_columns()).where(events.c.id.in_(list(order))))
    return sorted((dict(r._mapping) for r in rows), key=lambda r: order[int(r["id"])])


def event_members(conn: Connection, event_id: int, *, limit: int = 200) -> list[dict[str, Any]]:
    """An event's newest members with the English title, country and why each was grouped."""
    query = (
        select(
            *_LIST_COLUMNS[:-1],
            sources.c.country,
            memberships.c.event_id,
            memberships.c.score,
            memberships.c.shared,
            memberships.c.copy_of,
            memberships.c.pinned,
        )
        .select_from(
            memberships.join(articles, articles.c.id == memberships.c.article_id)
            .outerjoin(translations, translations.c.article_id == articles.c.id)
            .outerjoin(sources, sources.c.id == articles.c.source_id)
        )
        .where(memberships.c.event_id == event_id)
        .order_by(articles.c.published_utc.desc().nulls_last(), articles.c.id.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in conn.execute(query)]
