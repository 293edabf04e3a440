"""Plain-data state of the online clusterer: events, memberships, corrections; exported for the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np

from tidings.cluster.features import DocFeatures
from tidings.dedup import CopyIndexState

# kept_apart: two groups the split pass separated (automatic, unlike the others, which are users')
ConstraintKind = Literal["must_link", "cannot_link", "pin", "kept_apart"]


@dataclass(frozen=True)
class SharedFeature:
    """One feature a document shares with its event, and how much it weighed."""

    kind: str  # entity | term | number | ngram | text (an encoder's cosine; value names the encoder)
    value: str
    weight: float


@dataclass
class Membership:
    """Why a document is in its event."""

    doc_id: str
    event_id: int
    score: float  # similarity to the event when placed (1.0 for copies and user moves)
    shared: list[SharedFeature] = field(default_factory=list)
    time_gap_hours: float | None = None  # distance from the event's dates when placed
    copy_of: str | None = None  # origin of its copy group when it is a copy
    pinned: bool = False  # placed by a user; no automatic pass moves it


@dataclass
class Event:
    """A group of reports of one event, with the sums that represent it."""

    id: int
    members: list[str] = field(default_factory=list)
    headline: str = ""
    headline_doc: str = ""  # the member it is the title of ("" in states saved before session 7)
    headline_kind: str = ""  # "" English (written so, or translated), "gloss", or "original" (untranslated)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    languages: list[str] = field(default_factory=list)  # original languages of members
    text_langs: list[str] = field(default_factory=list)  # languages their features were read in
    sources: list[str] = field(default_factory=list)
    copies: int = 0
    last_tick: int = 0  # arrival counter of its newest member, ages undated streams
    # IDF-weighted sums of member features, weighted as each member arrived
    terms: dict[str, float] = field(default_factory=dict)
    names: dict[str, float] = field(default_factory=dict)
    numbers: dict[str, float] = field(default_factory=dict)
    grams: dict[str, float] = field(default_factory=dict)
    english: dict[str, float] = field(default_factory=dict)  # English terms: English members', glosses'
    norms: dict[str, float] = field(default_factory=dict)  # of the five sums above
    years: dict[str, int] = field(default_factory=dict)  # years members mention, with counts
    embedding: np.ndarray | None = None  # sum of member embeddings (float64; lists in older states)
    # its first report's title and lead and their language, to embed on demand (by the first encoder while
    # the event has no vector of it, by the second when a report only that one reads meets the event)
    lead: str = ""
    lead_lang: str = ""  # empty in states saved before session 6, whose leads the first encoder read
    lead_doc: str = ""  # the report it is the lead of ("" in states saved before session 7)
    fallback: np.ndarray | None = None  # sum of the second encoder's vectors (float64)
    published: list[datetime] = field(default_factory=list)  # member dates, for growth
    checked_size: int = 0  # its non-copy members when the split pass last looked at it

    @property
    def independent(self) -> int:
        """Reports that are not copies of another member."""
        return len(self.members) - self.copies

    def growth(self, hours: float = 24.0, now: datetime | None = None) -> int:
        """Members published in the `hours` before `now` (default: the event's last date)."""
        end = now or self.last_seen
        if end is None:
            return 0
        return sum(1 for p in self.published if 0 <= (end - p).total_seconds() <= hours * 3600)


@dataclass(frozen=True)
class Constraint:
    """A user correction: must-link or cannot-link two documents, or pin a document to an event."""

    kind: ConstraintKind
    a: str
    b: str | None = None  # the other document (links)
    event_id: int | None = None  # the event (pins)


@dataclass
class ClusterState:
    """Everything the online clusterer knows; plain dataclasses the store can save and reload."""

    events: dict[int, Event] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    features: dict[str, DocFeatures] = field(default_factory=dict)  # active documents only
    df_counts: dict[str, float] = field(default_factory=dict)
    df_docs: float = 0.0
    next_event_id: int = 1
    tick: int = 0
    copies: CopyIndexState = field(default_factory=CopyIndexState)
    retired: list[int] = field(default_factory=list)  # events that left the active set, for the store
    pending: list[tuple[int, str]] = field(default_factory=list)  # (arrival, doc id) awaiting re-placement
    # (doc id, lead) placed by words, awaiting the second encoder (OnlineClusterer.catch_up)
    unread: list[tuple[str, str]] = field(default_factory=list)
    # documents placed or moved, awaiting the event stage's translated-copy test (tidings.events)
    untested: list[str] = field(default_factory=list)
    # the sentence encoder whose vectors it holds: two models' vectors do not compare
    embedder: str = "use"
