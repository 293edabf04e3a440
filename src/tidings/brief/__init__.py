"""The event brief: claims and conflicts, quotes, entities, summary, timeline and coverage of one event.

`build_brief(articles)` is a pure function over `BriefArticle`s; `brief_to_json` renders the versioned schema
documented in docs/brief-schema.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from tidings.brief.claims import build_claims
from tidings.brief.coverage import build_coverage
from tidings.brief.entities import build_index
from tidings.brief.model import (
    SCHEMA_VERSION,
    Brief,
    BriefArticle,
    BriefSentence,
    ClaimGroup,
    Quantity,
    Statement,
    source_keys,
)
from tidings.brief.quotes import align_quotes
from tidings.brief.summary import summarize
from tidings.brief.timeline import build_timeline, first_report
from tidings.errors import InputError

__all__ = ["SCHEMA_VERSION", "Brief", "BriefArticle", "BriefSentence", "brief_to_json", "build_brief"]


def build_brief(articles: Sequence[BriefArticle], *, summary_sentences: int = 5) -> Brief:
    """The brief of one event from the English sentences of its articles."""
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        raise InputError("two articles share an id", where="brief")
    keys = source_keys(list(articles))
    index = build_index(articles)
    claims = build_claims(articles, keys)
    return Brief(
        claims=claims,
        quotes=align_quotes(articles, index),
        entities=tuple(e for e in index.entities if e.kind != "other" or e.mentions > 1),
        summary=summarize(articles, keys, summary_sentences),
        timeline=build_timeline(articles, claims),
        coverage=build_coverage(articles, keys),
    )


_EPOCH = date(1970, 1, 1)


def _bound(value: float, unit: str) -> float | str | None:
    if not math.isfinite(value):
        return None
    if unit == "date":
        return (_EPOCH + timedelta(days=int(value))).isoformat()
    return round(value, 6)


def _quantity_json(q: Quantity) -> dict[str, Any]:
    return {
        "low": _bound(q.low, q.unit),
        "high": _bound(q.high, q.unit),
        "unit": q.unit,
        "hedge": q.hedge,
        "vagueness": q.vagueness,
        "as_written": q.surface,
        **({"counted": q.noun} if q.noun else {}),
    }


def _statement_json(s: Statement) -> dict[str, Any]:
    out: dict[str, Any] = {
        "article_id": s.article_id,
        "source": s.source,
        "text": s.text,
        "clause": s.clause,
        "modality": s.modality,
        "sentence_index": s.sentence_index,
        "published": s.published,
    }
    if s.original is not None:
        out["original"] = s.original
    if s.quantity is not None:
        out.update(_quantity_json(s.quantity))
    return out


def _claim_json(g: ClaimGroup) -> dict[str, Any]:
    first = first_report(g)
    return {
        "id": g.id,
        "kind": g.kind,
        "about": g.about,
        "verdict": g.verdict,
        "sources": sorted({s.source or f"article {s.article_id}" for s in g.statements}),
        "statements": [_statement_json(s) for s in g.statements],
        "conflicts": [list(pair) for pair in g.conflicts],
        "first_reported": {
            "article_id": first.article_id,
            "source": first.source,
            "published": first.published,
        },
    }


def brief_to_json(brief: Brief) -> dict[str, Any]:
    """The brief as the JSON object documented in docs/brief-schema.md."""
    c = brief.coverage
    return {
        "schema_version": brief.schema_version,
        "claims": [_claim_json(g) for g in brief.claims],
        "quotes": [
            {
                "id": q.id,
                "speaker": q.speaker,
                "renderings": [
                    {
                        "article_id": r.article_id,
                        "source": r.source,
                        "sentence_index": r.sentence_index,
                        "text": r.text,
                        "direct": r.direct,
                        **({"original": r.original} if r.original else {}),
                    }
                    for r in q.renderings
                ],
            }
            for q in brief.quotes
        ],
        "entities": [
            {
                "name": e.name,
                "kind": e.kind,
                "spellings": list(e.spellings),
                "mentions": e.mentions,
                "article_ids": list(e.article_ids),
            }
            for e in brief.entities
        ],
        "summary": [
            {
                "article_id": s.article_id,
                "source": s.source,
                "sentence_index": s.sentence_index,
                "text": s.text,
                "support": s.support,
            }
            for s in brief.summary
        ],
        "timeline": [
            {
                "time": t.time,
                "kind": t.kind,
                "article_id": t.article_id,
                "source": t.source,
                "text": t.text,
                **({"claim_id": t.claim_id} if t.claim_id else {}),
            }
            for t in brief.timeline
        ],
        "coverage": {
            "articles": c.articles,
            "independent_sources": c.independent_sources,
            "by_language": [
                {"language": r.key, "articles": r.articles, "sources": r.sources} for r in c.by_language
            ],
            "by_country": [
                {"country": r.key, "articles": r.articles, "sources": r.sources} for r in c.by_country
            ],
            "note": c.note,
        },
    }
