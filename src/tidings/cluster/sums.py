"""An event's sums and attributes as reports join and leave it: the clusterer's bookkeeping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tidings.cluster.features import DocFeatures, heaviest
from tidings.cluster.score import Profile, norm
from tidings.cluster.state import Event

# Keys kept in an event's summed representation, bounding memory and scoring time per event.
EVENT_KEYS = 200
EVENT_GRAMS = 400


def accumulate(ev: Event, prof: Profile, sign: int) -> None:
    """Add (or remove) a document's weighted features to an event's sums, keeping the heaviest keys."""
    vectors = prof.vectors
    for kind, target, cap in (
        ("terms", ev.terms, EVENT_KEYS),
        ("names", ev.names, EVENT_KEYS),
        ("numbers", ev.numbers, EVENT_KEYS),
        ("grams", ev.grams, EVENT_GRAMS),
        ("english", ev.english, EVENT_KEYS),
    ):
        add_into(target, vectors[kind], sign, cap)
        ev.norms[kind] = norm(target)
    if prof.embedding is not None:
        vec = prof.embedding * sign
        ev.embedding = vec if ev.embedding is None else ev.embedding + vec
    if prof.fallback is not None:
        vec = prof.fallback * sign
        ev.fallback = vec if ev.fallback is None else ev.fallback + vec


def add_into(target: dict[str, float], src: Mapping[str, float], sign: int, cap: int) -> None:
    """Add (or remove) weighted keys into a sum, dropping what falls to zero and the lightest past 2 × cap."""
    for k, v in src.items():
        nv = target.get(k, 0.0) + sign * v
        if nv > 1e-9:
            target[k] = nv
        else:
            target.pop(k, None)
    if len(target) > cap * 2:
        keep = heaviest(target.items(), cap)
        target.clear()
        target.update(keep)


def describe(ev: Event, members: Sequence[DocFeatures]) -> None:
    """Languages, sources and headline from the members' features alone (after one leaves: a split must
    not leave the event showing the language or the title of the report it lost)."""
    ev.languages = list(dict.fromkeys(f.original_lang or f.lang for f in members))
    ev.text_langs = list(dict.fromkeys(f.lang for f in members))
    ev.sources = list(dict.fromkeys(f.source for f in members if f.source))
    best = max(members, key=headline_key, default=None)
    if best is not None and headline_key(best)[0] > 0:
        set_headline(ev, best)


def headline_key(f: DocFeatures | None) -> tuple[int, int]:
    """How well a member's title serves as the headline for English readers, best first: English (written
    so or translated) 3, a word-by-word gloss 2, the original 1, no title 0; then the earliest arrival.
    By arrival, not by place in the member list, so that a member taken out and put back (the passes'
    second looks) finds the headline as it was."""
    if f is None or not f.title:
        return (0, 0)
    return (3 if f.lang == "en" else 2 if f.gloss_title else 1, -f.arrived)


def set_headline(ev: Event, f: DocFeatures) -> None:
    """Head the event with a member's title (its gloss where that is the English there is)."""
    glossed = f.lang != "en" and bool(f.gloss_title)
    ev.headline = f.gloss_title if glossed else f.title
    ev.headline_kind = "" if f.lang == "en" else "gloss" if glossed else "original"
    ev.headline_doc = f.doc_id
