"""The event's timeline: articles by publication time, and who reported each claim first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from tidings.brief.model import BriefArticle, ClaimGroup, Statement, TimelineEntry


def _key(published: str | None, article_id: int) -> tuple[int, str, int]:
    """Sort key: dated items first by UTC time (naive times taken as UTC), then undated ones by id."""
    try:
        moment = datetime.fromisoformat((published or "").replace("Z", "+00:00"))
    except ValueError:
        return (1, "", article_id)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return (0, moment.isoformat(), article_id)


def first_report(group: ClaimGroup) -> Statement:
    """The statement of a claim group published earliest."""
    return min(group.statements, key=lambda s: (_key(s.published, s.article_id), s.sentence_index))


def build_timeline(
    articles: Sequence[BriefArticle], claims: Sequence[ClaimGroup]
) -> tuple[TimelineEntry, ...]:
    """Articles and first reports of claim groups (quantities, and propositions several sources share)."""
    entries = [TimelineEntry(a.published, "article", a.id, a.source, a.title) for a in articles]
    for group in claims:
        if group.kind == "proposition" and group.verdict == "single-source":
            continue
        first = first_report(group)
        entries.append(
            TimelineEntry(first.published, "claim", first.article_id, first.source, group.about, group.id)
        )
    return tuple(sorted(entries, key=lambda e: (*_key(e.time, e.article_id), e.kind != "article")))
