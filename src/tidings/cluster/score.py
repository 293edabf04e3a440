"""Similarity of a document to an event (or to another document), and the features that explain it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from tidings.cluster.features import DocFeatures
from tidings.cluster.index import DocFrequency
from tidings.cluster.state import Event, SharedFeature


@dataclass(frozen=True)
class Weights:
    """Weight of each signal in the combined similarity; a zero weight switches a signal off (ablation)."""

    terms: float = 1.0
    names: float = 1.0
    numbers: float = 0.3
    grams: float = 0.0  # char n-grams: ECB+ tune 0.912 without, 0.902 at 0.5; SemEval flat (ablation)
    embedding: float = 1.0
    years: float = 1.0  # scale of the year-conflict penalty
    conflict: float = 0.3  # penalty for main names missing on both sides
    embed_floor: float = 0.0  # the embedder's cosine for unrelated texts, rescaled to 0


# Signal weights. Chosen on the ECB+ tune half (odd topics) with a coarse grid and the ablation in
# docs/eval-cluster.md; the check half (even topics) and the SemEval dev pairs are reported there.
DEFAULT_WEIGHTS = Weights()
# Days a published date may lie outside an event's dates before it counts against joining.
GRACE_DAYS = 2.0
# Penalty per further day, capped at MAX_TIME_PENALTY (a week apart is a different news cycle).
TIME_PENALTY_PER_DAY = 0.03
MAX_TIME_PENALTY = 0.3
# Penalty when document and event mention only different years (ECB+ tune half: look-alike events are
# years apart; 0.1 separated them without splitting events, 0.05 was too weak).
YEAR_CONFLICT = 0.1
# Main names (heaviest by tf-idf) compared on each side for the name conflict.
CONFLICT_NAMES = 4
# Event size from which the name conflict counts in full (ECB+ tune half: 1 gave 0.900, 3 gave 0.846).
CONFLICT_SIZE = 1


_KINDS = ("terms", "names", "numbers", "grams")


@dataclass(frozen=True)
class Profile:
    """What is compared: IDF-weighted feature vectors with their norms, an embedding sum and dates."""

    vectors: Mapping[str, Mapping[str, float]]  # kind -> key -> weight
    norms: Mapping[str, float]
    embedding: Sequence[float] | None
    first: datetime | None
    last: datetime | None
    years: Mapping[str, int]
    size: int = 1  # documents summed
    langs: frozenset[str] = frozenset()  # languages the features were read in


def weigh(f: DocFeatures, df: DocFrequency) -> dict[str, dict[str, float]]:
    """A document's feature counts times current IDF, per kind."""
    idf = df.idf
    return {kind: {k: v * idf(k) for k, v in getattr(f, kind).items()} for kind in _KINDS}


def norm(vec: Mapping[str, float]) -> float:
    """Euclidean norm of a sparse vector."""
    return math.sqrt(sum(v * v for v in vec.values()))


def profile_of_doc(f: DocFeatures, df: DocFrequency) -> Profile:
    """A one-document profile."""
    vectors = weigh(f, df)
    return Profile(
        vectors,
        {k: norm(v) for k, v in vectors.items()},
        f.embedding,
        f.published,
        f.published,
        dict.fromkeys(f.years, 1),
        1,
        frozenset([f.lang]),
    )


def profile_of_event(ev: Event) -> Profile:
    """An event's profile (its sums are weighted as members arrived)."""
    vectors = {"terms": ev.terms, "names": ev.names, "numbers": ev.numbers, "grams": ev.grams}
    return Profile(
        vectors,
        ev.norms,
        ev.embedding,
        ev.first_seen,
        ev.last_seen,
        ev.years,
        len(ev.members),
        frozenset(ev.text_langs),
    )


def _cos(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def time_gap_hours(doc: Profile, ev: Profile) -> float | None:
    """Hours between the document's date and the nearest edge of the event's dates (0 inside)."""
    if doc.first is None or ev.first is None or ev.last is None:
        return None
    t = doc.first
    if ev.first <= t <= ev.last:
        return 0.0
    edge = ev.first if t < ev.first else ev.last
    return abs((t - edge).total_seconds()) / 3600.0


def time_penalty(gap_hours: float | None) -> float:
    """How much a date far from the event's dates lowers the similarity."""
    if gap_hours is None:
        return 0.0
    days = gap_hours / 24.0 - GRACE_DAYS
    return min(MAX_TIME_PENALTY, max(0.0, days) * TIME_PENALTY_PER_DAY)


def name_conflict(doc: Profile, ev: Profile) -> float:
    """How far each side's main names are missing from the other (Thompson vs Rahman in one boxing story)."""
    a, b = doc.vectors["names"], ev.vectors["names"]
    if len(a) < CONFLICT_NAMES or len(b) < CONFLICT_NAMES:
        return 0.0
    top_a = sorted(a, key=lambda k: -a[k])[:CONFLICT_NAMES]
    top_b = sorted(b, key=lambda k: -b[k])[:CONFLICT_NAMES]
    miss_a = sum(1 for k in top_a if k not in b) / CONFLICT_NAMES
    miss_b = sum(1 for k in top_b if k not in a) / CONFLICT_NAMES
    return miss_a * miss_b


def year_penalty(doc: Profile, ev: Profile) -> float:
    """Penalty when the document and the event mention years and share none (a story of another year)."""
    if not doc.years or not ev.years or any(y in ev.years for y in doc.years):
        return 0.0
    return YEAR_CONFLICT


@dataclass(frozen=True)
class Score:
    """A similarity with its parts and the shared features behind it."""

    value: float
    parts: Mapping[str, float]
    shared: tuple[SharedFeature, ...]
    time_gap_hours: float | None


def similarity(doc: Profile, ev: Profile, w: Weights = DEFAULT_WEIGHTS, explain: bool = True) -> Score:
    """Weighted mean of per-signal cosines less time and conflict penalties; missing signals do not count."""
    parts: dict[str, float] = {}
    shared: list[SharedFeature] = []
    total = 0.0
    weight_sum = 0.0
    # words only match within a language: across languages the terms signal is absent, not zero
    same_lang = not doc.langs or not ev.langs or bool(doc.langs & ev.langs)
    for kind, label, wt in (
        ("terms", "term", w.terms if same_lang else 0.0),
        ("names", "entity", w.names),
        ("numbers", "number", w.numbers),
        ("grams", "ngram", w.grams),
    ):
        a, b = doc.vectors[kind], ev.vectors[kind]
        na, nb = doc.norms.get(kind, 0.0), ev.norms.get(kind, 0.0)
        if wt <= 0 or not na or not nb:
            continue
        if len(a) > len(b):
            a, b = b, a
        if explain and label != "ngram":
            dots = [(k, v * b[k]) for k, v in a.items() if k in b]
            dot = sum(v for _, v in dots)
            shared.extend(SharedFeature(label, k, round(v / (na * nb), 4)) for k, v in dots)
        else:
            dot = sum(v * b[k] for k, v in a.items() if k in b)
        cos = dot / (na * nb)
        parts[kind] = cos
        total += wt * cos
        weight_sum += wt
    if w.embedding > 0 and doc.embedding is not None and ev.embedding is not None:
        cos = max(0.0, (_cos(doc.embedding, ev.embedding) - w.embed_floor) / (1.0 - w.embed_floor))
        parts["embedding"] = cos
        total += w.embedding * cos
        weight_sum += w.embedding
    gap = time_gap_hours(doc, ev)
    value = (total / weight_sum if weight_sum else 0.0) - time_penalty(gap) - w.years * year_penalty(doc, ev)
    if w.conflict > 0:
        # a lone report's main names are noisy; an event's are established, so trust grows with its size
        trust = min(1.0, ev.size / CONFLICT_SIZE)
        value -= w.conflict * trust * name_conflict(doc, ev)
    top = sorted(shared, key=lambda s: -s.weight)[:8] if explain else []
    return Score(round(value, 4), parts, tuple(top), gap)
