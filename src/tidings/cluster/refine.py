"""Bounded periodic refinement: each placement is judged once more after its event has grown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tidings.cluster.score import profile_of_event, similarity
from tidings.cluster.state import Event

if TYPE_CHECKING:
    from tidings.cluster.online import OnlineClusterer


def movable(c: OnlineClusterer, doc_id: str) -> bool:
    """Whether the pass may move a document: not pinned, not a copy, not an origin, not user-linked."""
    m = c.state.memberships.get(doc_id)
    if m is None or m.pinned or m.copy_of is not None:
        return False
    ev = c.state.events[m.event_id]
    if ev.copies and any(c.state.memberships[d].copy_of == doc_id for d in ev.members):
        return False
    return not any(
        k.kind in ("must_link", "cannot_link") and doc_id in (k.a, k.b) for k in c.state.constraints
    )


def replace_doc(c: OnlineClusterer, doc_id: str) -> bool:
    """Move a document to the candidate event it now scores best against, if that beats its own; moved?"""
    m = c.state.memberships[doc_id]
    own = c.state.events[m.event_id]
    prof = c._profile(doc_id)
    features = c.state.features[doc_id]
    best: tuple[float, Event] | None = None
    for ev in c._candidates(features):
        if ev.id != own.id:
            value = similarity(prof, c.event_profile(prof, ev), c.weights, False).value
            if best is None or value > best[0]:
                best = (value, ev)
    # most documents have no other event they would join: they stay without being taken out and put back
    if best is None or best[0] < c.threshold_for(prof, profile_of_event(best[1])):
        return False
    alone = len(own.members) == 1
    if alone:
        own_score = 0.0  # a lone report joins what it would join if it arrived now
    else:
        # compare with the rest of its event, not with itself; the candidate index stays as it was
        # while the document may go back (re-indexing an embedded event twice cost ~1 ms a document)
        c.detach(doc_id, reindex=False)
        own_score = similarity(prof, c.event_profile(prof, own), c.weights, False).value
    if best[0] > own_score:
        if alone:
            c.detach(doc_id)
        else:
            c._reindex(own)  # it leaves for good
        why = similarity(prof, c.event_profile(prof, best[1]), c.weights)  # again, with the explanation
        c.attach(doc_id, best[1].id, round(best[0], 4), why=why)
        c.moved.append((doc_id, own.id))
        return True
    if not alone:
        c._attach(own, features, m, reindex=False)  # back where it was, with its explanation
    return False


def refine(c: OnlineClusterer, doc_ids: Sequence[str]) -> int:
    """Re-place each movable document once, oldest first; how many moved."""
    return sum(replace_doc(c, d) for d in doc_ids if d in c.state.memberships and movable(c, d))
